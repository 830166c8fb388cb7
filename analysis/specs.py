"""Loading what a user names for the tracer: a sheet file, `module.py:factory`, or `zoo:NAME`."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import torch
from torch import nn

from analysis.handlers import TraceError
from analysis.trace import TraceResult, trace_module


def parse_shape(text: str) -> list[int]:
    """'3x128x128', '3×128×128', '3*128*128' or '3,128,128' -> [3, 128, 128] (no batch dimension)."""
    pieces = [p.strip() for p in re.split(r"[x×*,]", text.strip().strip("[]()"))]
    if not pieces or not all(p.isdigit() for p in pieces) or len(pieces) > 4:
        raise TraceError(f"input shape '{text}' should look like 3x128x128 (channels first, no batch)")
    shape = [int(p) for p in pieces]
    if any(s <= 0 or s > 100_000 for s in shape):
        raise TraceError(f"input shape '{text}' has a size out of range")
    return shape


MODULE_BASES = {
    "Module",
    "nn.Module",
    "torch.nn.Module",
    "Sequential",
    "nn.Sequential",
    "torch.nn.Sequential",
}


def _callable_without_arguments(args: ast.arguments, method: bool) -> bool:
    positional = args.posonlyargs + args.args
    required = len(positional) - len(args.defaults) - (1 if method else 0)
    return required <= 0 and all(d is not None for d in args.kw_defaults)


def factories_in(source: str) -> list[str]:
    """Names in a model file that `file.py:NAME` can trace, read without running the file: classes deriving from
    nn.Module (directly or through another such class of the file) and functions returning one (by their return
    annotation or a `return` of such a class, of `nn.X(...)`, or of another such function), callable with no
    arguments. In the order the file defines them."""
    tree = ast.parse(source)
    top = [n for n in tree.body if isinstance(n, ast.ClassDef | ast.FunctionDef)]
    modules: set[str] = set()
    changed = True
    while changed:  # classes deriving from classes of the file, functions calling functions of the file
        changed = False
        for node in top:
            if node.name in modules:
                continue
            if isinstance(node, ast.ClassDef):
                found = any(ast.unparse(b) in MODULE_BASES | modules for b in node.bases)
            else:
                returned = [
                    r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None
                ]
                annotation = ast.unparse(node.returns) if node.returns else ""
                found = (
                    "Module" in annotation
                    or "Sequential" in annotation
                    or any(
                        isinstance(v, ast.Call)
                        and (
                            ast.unparse(v.func) in modules
                            or ast.unparse(v.func).startswith(("nn.", "torch.nn."))
                        )
                        for v in returned
                    )
                )
            if found:
                modules.add(node.name)
                changed = True
    names = []
    for node in top:
        if node.name not in modules or node.name.startswith("_"):
            continue
        if isinstance(node, ast.ClassDef):
            init = next(
                (f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None
            )
            if init is None or _callable_without_arguments(init.args, method=True):
                names.append(node.name)
        elif _callable_without_arguments(node.args, method=False):
            names.append(node.name)
    return names


def _read_source(path: Path) -> str:
    try:
        source = path.read_text(encoding="utf-8")
        ast.parse(source)
    except SyntaxError as exc:
        raise TraceError(f"'{path}' line {exc.lineno}: {exc.msg}") from None
    except UnicodeDecodeError:
        raise TraceError(f"'{path}' is not UTF-8 text") from None
    return source


def _no_factory(path: Path) -> TraceError:
    """`trace mynet.py` without `:NAME`: say which names the file offers."""
    names = factories_in(_read_source(path))
    if not names:
        return TraceError(
            f"'{path}' is a Python file: name a function returning an nn.Module (or an nn.Module class) that needs "
            f"no arguments, as '{path}:make'; the file defines none"
        )
    listed = ", ".join(names)
    return TraceError(
        f"'{path}' is a Python file: name the model to trace, as '{path}:{names[0]}' (it defines {listed})"
    )


def _missing_module(path: Path, exc: ModuleNotFoundError) -> TraceError:
    return TraceError(
        f"'{path}' imports '{exc.name}', which is not installed (pip install it, or trace without it)"
    )


def _load_factory(spec: str) -> nn.Module:
    path_text, _, factory_name = spec.rpartition(":")
    path = Path(path_text)
    if not path.is_file():
        raise TraceError(f"no Python file '{path}'")
    _read_source(path)
    module_spec = importlib.util.spec_from_file_location(f"azmoon_user_{path.stem}", path)
    if module_spec is None or module_spec.loader is None:
        raise TraceError(f"cannot import '{path}'")
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)  # a TA's own model file: trusted code, like `python file.py`
    except ModuleNotFoundError as exc:
        raise _missing_module(path, exc) from None
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        names = factories_in(path.read_text(encoding="utf-8"))
        offer = f" (it defines {', '.join(names)})" if names else ""
        raise TraceError(f"'{path}' has no callable '{factory_name}'{offer}")
    try:
        with torch.device("meta"):
            model = factory()
    except ModuleNotFoundError as exc:
        raise _missing_module(path, exc) from None
    if not isinstance(model, nn.Module):
        raise TraceError(f"'{spec}' returned {type(model).__name__}, not an nn.Module")
    return model


def trace_spec(spec: str, input_shape: str | None = None, depth: int | None = None) -> TraceResult:
    """Trace a sheet file, a `module.py:factory`, or `zoo:NAME`."""
    shape = parse_shape(input_shape) if input_shape else None
    if spec.startswith("zoo:"):
        from analysis import zoo

        name = spec[len("zoo:") :]
        with torch.device("meta"):
            model = zoo.build(name, **zoo.input_options(name, shape))
        return trace_module(model, shape or list(zoo.default_input(name)), depth=depth)
    if re.search(r"\.py:[A-Za-z_]\w*$", spec):
        if shape is None:
            raise TraceError("give the input shape with --input, e.g. --input 3x224x224")
        return trace_module(_load_factory(spec), shape, depth=depth)
    path = Path(spec)
    if not path.is_file():
        raise TraceError(f"no sheet file '{spec}' (or use module.py:factory, or zoo:NAME)")
    if path.suffix == ".py":
        raise _no_factory(path)
    if shape is None:
        raise TraceError("give the input shape with --input, e.g. --input 3x128x128")
    from analysis.sheet import build_sheet

    sheet = build_sheet(path.read_text(encoding="utf-8"), shape)
    return trace_module(sheet.model, shape, labels=sheet.labels, depth=depth)
