"""Sheet notation -> an `nn.Sequential` on the meta device.

Assignment sheets write networks like

    Layer1: Conv2d(in_channels=3, out_channels=32, kernel_size=(7,7), stride=1, padding=0)
    Layer9: Linear(N, 1024) → Linear(1024, 1024)
    Layer12: Linear(10)

One or more layers per line, chained with `→` or `->`; an optional label before a colon; keyword or positional
arguments; a symbolic size (`N`) or a missing in-size is inferred from the previous layer; a Flatten is inserted
before the first Linear that follows a conv or pool (with anything between). Parsing is a whitelist over Python's `ast`: known layer
names, literal arguments (numbers, tuples, strings, booleans, None, small integer arithmetic). Nothing is eval'd.

Python as a model's `__init__` writes it reads too: `self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)`
(labelled `conv1`), a pasted `self.features = nn.Sequential(...)` over several lines with comments and trailing
commas (layers labelled as torch names them: `features.0`, `features.1`, nested `features.3.0`), a bare
`nn.Sequential(...)`; the `class ...:`, `def __init__(...):` and `super().__init__()` lines are skipped. Layers
run in the order written. Arguments bind as torch binds them (any positional/keyword split); only when that fails
and the layer infers its first size (`Linear(10)`) is that size left to inference.

Labels: a line's label names its first layer; the next layers on that line continue its number when that label
is free (`Layer9: Linear → Linear` gives Layer9 and Layer10, as the sheet's numbering expects), else get `.2`.
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from analysis.meta_shapes import FastMeta
from base.errors import AzmoonError

MAX_SHEET_CHARS = 100_000
MAX_LAYERS = 2_000
MAX_INT = 10**7  # a single literal bigger than this is not a layer size
LAYERS: dict[str, type[nn.Module]] = {
    cls.__name__: cls
    for cls in (
        nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d,
        nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d,
        nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d,
        nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm, nn.InstanceNorm2d,
        nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Sigmoid, nn.Tanh,
        nn.Softmax, nn.Hardswish, nn.Dropout, nn.Dropout2d, nn.Flatten, nn.Linear, nn.Identity,
        nn.Upsample, nn.ZeroPad2d,
    )
}  # fmt: skip
# the argument each kind infers from the incoming tensor when it is missing or symbolic
INFERRED_ARG = {
    "Conv1d": "in_channels", "Conv2d": "in_channels", "Conv3d": "in_channels",
    "ConvTranspose1d": "in_channels", "ConvTranspose2d": "in_channels",
    "BatchNorm1d": "num_features", "BatchNorm2d": "num_features", "InstanceNorm2d": "num_features",
    "GroupNorm": "num_channels", "Linear": "in_features",
}  # fmt: skip
CONV_OR_POOL = re.compile(r"(Conv|Pool)")
ARROW = re.compile(r"→|->")
LABEL = re.compile(r"^\s*(?:[-*•]\s*)?(?:(?P<label>[^\s:()→,=][^:()→=]*?)\s*:)?\s*(?P<rest>.*)$")


class SheetError(AzmoonError, ValueError):
    """A sheet line that cannot be read; the message names the line."""


class Symbol(str):
    """A size the sheet leaves symbolic (`N`): inferred from the previous layer."""


@dataclass
class LayerCall:
    line: int
    label: str | None
    name: str
    args: list[Any]
    kwargs: dict[str, Any]
    text: str
    position: int = 0  # index in its line's chain: `Layer9: Linear → Linear` has positions 0 and 1


@dataclass
class SheetModel:
    model: nn.Sequential
    labels: dict[str, str]  # module name in the Sequential -> sheet label
    input_shape: list[int]


def _literal(node: ast.AST, where: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bool | type(None)):
        if isinstance(node.value, int) and not isinstance(node.value, bool) and abs(node.value) > MAX_INT:
            raise SheetError(f"{where}: {node.value} is too large for a layer size")
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(_literal(e, where) for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _literal(node.operand, where)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.FloorDiv):
        left, right = _literal(node.left, where), _literal(node.right, where)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right)):
            ops = {
                ast.Add: int.__add__,
                ast.Sub: int.__sub__,
                ast.Mult: int.__mul__,
                ast.FloorDiv: int.__floordiv__,
            }
            if isinstance(node.op, ast.FloorDiv) and right == 0:
                raise SheetError(f"{where}: division by zero")
            value = ops[type(node.op)](left, right)
            if abs(value) > MAX_INT:
                raise SheetError(f"{where}: {value} is too large for a layer size")
            return value
    if isinstance(node, ast.Name) and node.id not in ("True", "False", "None"):
        return Symbol(node.id)
    raise SheetError(f"{where}: only numbers, tuples, strings and size names are allowed as arguments")


def _split_chain(text: str) -> list[str]:
    """Split on arrows outside parentheses."""
    pieces, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        depth += ch in "([" and 1 or (-1 if ch in ")]" else 0)
        if depth == 0 and ARROW.match(text, k):
            pieces.append(text[start:k])
            start = k + (1 if ch == "→" else 2)
    pieces.append(text[start:])
    return [p.strip().rstrip(",;") for p in pieces if p.strip()]


def _layer_name(func: ast.AST, where: str) -> str:
    """`Conv2d`, `nn.Conv2d` or `torch.nn.Conv2d` -> 'Conv2d'; anything else is refused."""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name | ast.Attribute):
        if ast.unparse(func.value) not in ("nn", "torch.nn"):
            raise SheetError(f"{where}: unknown layer '{ast.unparse(func)}'")
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    raise SheetError(f"{where}: '{ast.unparse(func)}' is not a layer call")


def _call_from_node(call: ast.AST, line: int, label: str | None, text: str) -> LayerCall:
    where = f"line {line} ({label or text})"
    if not isinstance(call, ast.Call):
        raise SheetError(f"{where}: '{text}' is not a layer call")
    name = _layer_name(call.func, where)
    if name not in LAYERS:
        known = ", ".join(sorted(LAYERS))
        raise SheetError(f"{where}: unknown layer '{name}'; known layers: {known}")
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise SheetError(f"{where}: * and ** arguments are not allowed")
    args = [_literal(a, where) for a in call.args]
    kwargs = {k.arg: _literal(k.value, where) for k in call.keywords}
    return LayerCall(line, label, name, args, kwargs, text)


def _parse_call(text: str, line: int, label: str | None) -> LayerCall:
    where = f"line {line} ({label or text})"
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise SheetError(
            f"{where}: cannot read '{text}' as a layer like Conv2d(3, 32, kernel_size=3)"
        ) from None
    return _call_from_node(tree.body, line, label, text)


@dataclass
class _Statement:
    line: int  # where it starts
    text: str  # comments removed; the lines of a bracketed statement joined with newlines


def _statements(text: str) -> list[_Statement]:
    """Physical lines -> statements: a statement whose brackets are open continues on the next lines (a pasted
    `nn.Sequential(...)` block); `#` comments outside strings are dropped."""
    statements: list[_Statement] = []
    depth, quote, current, start = 0, "", [], 0
    for number, raw in enumerate(text.splitlines(), start=1):
        kept = []
        for ch in raw:
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch == "#":
                break
            elif ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth = max(depth - 1, 0)
            kept.append(ch)
        quote = ""  # a string never spans lines in a sheet
        piece = "".join(kept).rstrip()
        if not current:
            if not piece.strip():
                continue
            start, piece = number, piece.strip()
        current.append(piece)
        if depth == 0:
            statements.append(_Statement(start, "\n".join(current)))
            current = []
    if current:
        statements.append(_Statement(start, "\n".join(current)))
    return statements


# lines of a pasted model that hold no layer: the class line, the __init__ line, the super().__init__() call
SCAFFOLDING = re.compile(
    r"^(class\s+\w+\s*(\(.*\))?\s*:|def\s+__init__\s*\(.*\)\s*(->.*)?:|super\(.*\)\.__init__\(.*\))$"
)
SEQUENTIAL = ("Sequential", "nn.Sequential", "torch.nn.Sequential")


def _python_layers(statement: _Statement) -> list[LayerCall] | None:
    """`self.conv1 = nn.Conv2d(...)`, `features = nn.Sequential(...)` or a bare `nn.Sequential(...)` as Python
    writes them, or None when the statement is not such Python (a sheet line like `Layer1: Conv2d(...)`)."""
    try:
        tree = ast.parse(statement.text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if len(tree.body) != 1:
        return None
    node = tree.body[0]
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Call):
        target = node.targets[0]
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            name = target.attr
        elif isinstance(target, ast.Name):
            name = target.id
        else:
            return None
        return _expand(node.value, statement, name)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return _expand(node.value, statement, None)
    return None


def _expand(call: ast.Call, statement: _Statement, name: str | None) -> list[LayerCall]:
    """A layer call, or the layers of a (nested) Sequential labelled as torch names them: `features.0`, ..."""
    line = statement.line + call.lineno - 1
    text = " ".join((ast.get_source_segment(statement.text, call) or ast.unparse(call)).split())
    if ast.unparse(call.func) not in SEQUENTIAL:
        return [_call_from_node(call, line, name, text)]
    if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        raise SheetError(f"line {line} ({name or 'Sequential'}): write the layers of a Sequential one by one")
    if not call.args:
        raise SheetError(f"line {line} ({name or 'Sequential'}): an empty Sequential has no layer")
    layers: list[LayerCall] = []
    for k, arg in enumerate(call.args):
        if not isinstance(arg, ast.Call):
            where = f"line {statement.line + arg.lineno - 1} ({name or 'Sequential'})"
            raise SheetError(f"{where}: '{ast.unparse(arg)}' is not a layer call")
        layers += _expand(arg, statement, f"{name}.{k}" if name else None)
    return layers


def parse_sheet(text: str) -> list[LayerCall]:
    """The layer calls of a sheet, in order, each with its line number and label (no module is built).

    Stable: the network item family builds on it. Accepted: sheet lines (`Layer4: Conv2d(...) → ReLU()`), and
    Python as a model's `__init__` writes it (`self.conv1 = nn.Conv2d(...)`, a pasted `nn.Sequential(...)` over
    several lines with comments and trailing commas)."""
    if len(text) > MAX_SHEET_CHARS:
        raise SheetError(f"the sheet is longer than {MAX_SHEET_CHARS} characters")
    calls: list[LayerCall] = []
    for statement in _statements(text):
        number, stripped = statement.line, " ".join(statement.text.split())
        if SCAFFOLDING.match(stripped):
            continue
        try:
            python = _python_layers(statement)
        except RecursionError:
            raise SheetError(f"line {number}: nested too deeply") from None
        if python is not None:
            calls += python
            continue
        match = LABEL.match(stripped)
        label, rest = (match.group("label"), match.group("rest")) if match else (None, stripped)
        if "(" not in rest and label is not None and "(" not in stripped:
            raise SheetError(f"line {number}: '{stripped}' has no layer")
        pieces = _split_chain(rest)
        if not pieces:
            raise SheetError(f"line {number}: '{stripped}' has no layer")
        for position, piece in enumerate(pieces):
            try:
                call = _parse_call(piece, number, label.strip() if label and position == 0 else None)
            except RecursionError:
                raise SheetError(f"line {number}: nested too deeply") from None
            call.label, call.position = (label.strip() if label else None), position
            calls.append(call)
    if not calls:
        raise SheetError("the sheet has no layers")
    if len(calls) > MAX_LAYERS:
        raise SheetError(f"the sheet has {len(calls)} layers; at most {MAX_LAYERS} are read")
    return calls


def _labels(calls: list[LayerCall]) -> list[str | None]:
    """Continue a line's numbering for its extra layers (Layer9 → Layer10) when that label is free."""
    given = {c.label for c in calls if c.label and c.position == 0}
    out: list[str | None] = []
    for call in calls:
        if call.label and call.position:
            m = re.match(r"^(.*?)(\d+)$", call.label)
            candidate = f"{m.group(1)}{int(m.group(2)) + call.position}" if m else None
            label = candidate if candidate and candidate not in given else f"{call.label}.{call.position + 1}"
            given.add(label)
            out.append(label)
        else:
            out.append(call.label)
    return out


def _bind(call: LayerCall, cls: type[nn.Module]) -> inspect.BoundArguments:
    """Bind as torch would; when that fails and the layer may infer its first argument (`Linear(10)`,
    `Conv2d(out_channels=16, kernel_size=3)`), bind again with that argument left to inference."""
    signature = inspect.signature(cls.__init__)
    inferred = INFERRED_ARG.get(call.name)
    try:
        return signature.bind(None, *call.args, **call.kwargs)
    except TypeError as exc:
        error = exc
    if inferred and inferred not in call.kwargs:
        try:
            return signature.bind(None, Symbol(inferred), *call.args, **call.kwargs)
        except TypeError:
            pass
    raise SheetError(f"line {call.line} ({call.label or call.text}): {error}") from None


def _build_layer(call: LayerCall, shape: list[int]) -> nn.Module:
    cls = LAYERS[call.name]
    bound = _bind(call, cls)
    inferred = INFERRED_ARG.get(call.name)
    where = f"line {call.line} ({call.label or call.text})"
    if inferred:
        incoming = shape[-1] if call.name in ("Linear",) else shape[0]
        given = bound.arguments.get(inferred)
        if given is None or isinstance(given, Symbol):
            bound.arguments[inferred] = incoming
        elif given != incoming:
            what = "features" if call.name == "Linear" else "channels"
            raise SheetError(f"{where}: {inferred}={given}, but the previous layer gives {incoming} {what}")
    for name, value in bound.arguments.items():
        if isinstance(value, Symbol):
            raise SheetError(f"{where}: '{value}' for {name} cannot be inferred; write a number")
    arguments = dict(bound.arguments)
    arguments.pop("self", None)
    extra = arguments.pop("kwargs", {}) or {}
    try:
        with torch.device("meta"):
            return cls(**arguments, **extra)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise SheetError(f"{where}: {exc}") from None


def build_sheet(text: str, input_shape: list[int]) -> SheetModel:
    """Parse a sheet and build the network for [C, *spatial] inputs, checking each layer fits the last."""
    calls = parse_sheet(text)
    modules: list[nn.Module] = []
    labels: dict[str, str] = {}
    shape = list(input_shape)
    x = torch.empty(1, *shape, device="meta")
    spatial = False  # a conv or pool has run: a later Linear needs the implicit flatten
    for call, label in zip(calls, _labels(calls), strict=True):
        if call.name == "Linear" and len(shape) > 1 and spatial:
            flatten = nn.Flatten()
            labels[str(len(modules))] = "flatten"
            modules.append(flatten)
            x = flatten(x)
            shape = list(x.shape[1:])
        layer = _build_layer(call, shape)
        try:
            with torch.no_grad(), FastMeta():
                x = layer.eval()(x)
        except (RuntimeError, ValueError, ArithmeticError, TypeError, IndexError) as exc:
            reason = str(exc).splitlines()[0]
            raise SheetError(
                f"line {call.line} ({label or call.text}): does not fit its input {'×'.join(map(str, shape))}: {reason}"
            ) from None
        shape = list(x.shape[1:])
        if any(s <= 0 for s in shape):
            raise SheetError(f"line {call.line} ({label or call.text}): output size {shape} is empty")
        if label:
            labels[str(len(modules))] = label
        modules.append(layer)
        spatial = spatial or bool(CONV_OR_POOL.search(call.name))
    return SheetModel(nn.Sequential(*modules), labels, list(input_shape))
