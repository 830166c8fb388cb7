"""What questions on the zoo need: one traced run per (model, options, input), and block-level views of it.

`measure(name, options, input_shape)` builds the model on `meta`, runs the shared tracer once and records every
module's input and output shape with forward hooks; the result is cached (solvers ask about many blocks of few
configurations). `param_terms` and `mac_terms` spell a block's counts as products of factors read from the modules
themselves, so a worked solution shows the arithmetic; tests check that each product equals what the tracer (MACs)
and `numel` (parameters) give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import torch
from torch import nn

from analysis.trace import LayerRow, TraceResult, trace_module
from analysis.zoo import build, entry
from analysis.zoo.swin import ShiftedWindowAttention

Options = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Term:
    """A count written as the sum of products of factors, e.g. 56·56·64·64·1·1 + 2·64."""

    products: tuple[tuple[int, ...], ...]

    @property
    def value(self) -> int:
        return sum(math.prod(p) for p in self.products)

    def text(self) -> str:
        return " + ".join("·".join(str(f) for f in p) for p in self.products)


@dataclass
class Measured:
    name: str
    options: dict[str, Any]
    input_shape: tuple[int, ...]
    model: nn.Module
    trace: TraceResult
    inputs: dict[str, list[int]]  # module name -> shape of its first input (no batch)
    outputs: dict[str, list[int]]  # module name -> shape of its output (no batch)
    full_outputs: dict[str, list[int]]  # with the leading dimension (1, or windows for Swin's attention)

    def params(self, module_name: str = "") -> int:
        """Trainable parameters of a module and its children."""
        module = self.model.get_submodule(module_name)
        return sum(p.numel() for p in module.parameters() if p.requires_grad)

    def rows(self, module_name: str) -> list[LayerRow]:
        """The tracer's rows inside a module (its children's rows and its own ops)."""
        prefix = module_name + "."
        return [r for r in self.trace.layers if r.module == module_name or r.module.startswith(prefix)]

    def macs(self, module_name: str) -> int:
        return sum(r.macs for r in self.rows(module_name))


def _shape(value: Any) -> list[int] | None:
    """Shape of a tensor, of the first of a tuple of arguments, or of a list of maps a dense layer concatenates."""
    if isinstance(value, tuple) and value:
        value = value[0]
    if isinstance(value, list) and value and all(isinstance(v, torch.Tensor) for v in value):
        first = list(value[0].shape)
        return [first[0], sum(v.shape[1] for v in value), *first[2:]]
    return list(value.shape) if isinstance(value, torch.Tensor) else None


@lru_cache(maxsize=128)
def _measure(name: str, options: Options, input_shape: tuple[int, ...]) -> Measured:
    with torch.device("meta"):
        model = build(name, **dict(options))
    inputs: dict[str, list[int]] = {}
    outputs: dict[str, list[int]] = {}
    full_outputs: dict[str, list[int]] = {}
    hooks = []
    for module_name, module in model.named_modules():

        def record(mod: nn.Module, args: Any, out: Any, module_name: str = module_name) -> None:
            if module_name not in outputs:  # a module called twice (ResNet's relu) keeps its first call
                inputs[module_name] = (_shape(args) or [0])[1:]
                full_outputs[module_name] = _shape(out) or [0]
                outputs[module_name] = full_outputs[module_name][1:]

        hooks.append(module.register_forward_hook(record))
    try:
        trace = trace_module(model, list(input_shape))
    finally:
        for hook in hooks:
            hook.remove()
    return Measured(name, dict(options), input_shape, model, trace, inputs, outputs, full_outputs)


def measure(
    name: str, options: dict[str, Any] | None = None, input_shape: tuple[int, ...] | None = None
) -> Measured:
    """Trace zoo model `name` built with `options` on `input_shape` (default: the published input)."""
    options = dict(options or {})
    if input_shape is None:
        side_option = entry(name).input_option
        shape = entry(name).input_shape
        if side_option and side_option in options:
            shape = (shape[0], options[side_option], options[side_option])
        input_shape = shape
    return _measure(name, tuple(sorted(options.items())), tuple(input_shape))


# --- the arithmetic a worked solution shows -----------------------------------------------------------------


def param_terms(module: nn.Module) -> Term:
    """The module's own trainable parameters (not its children's) as products of its sizes."""
    products: list[tuple[int, ...]] = []
    if isinstance(module, nn.Conv2d):
        products.append((module.out_channels, module.in_channels // module.groups, *module.kernel_size))
        if module.bias is not None:
            products.append((module.out_channels,))
    elif isinstance(module, nn.Linear):
        products.append((module.out_features, module.in_features))
        if module.bias is not None:
            products.append((module.out_features,))
    elif isinstance(module, nn.BatchNorm2d | nn.LayerNorm) and any(True for _ in module.parameters(False)):
        products.append((2, sum(p.numel() for p in module.parameters(recurse=False)) // 2))
    elif isinstance(module, nn.MultiheadAttention):  # in_proj here; out_proj is a child Linear
        products += [(3, module.embed_dim, module.embed_dim), (3, module.embed_dim)]
    elif isinstance(module, ShiftedWindowAttention):
        wh, ww = module.window_size
        products.append((2 * wh - 1, 2 * ww - 1, module.num_heads))
    else:
        products += [tuple(p.shape) for p in module.parameters(recurse=False) if p.requires_grad]
    return Term(tuple(products))


@dataclass(frozen=True)
class ParamLine:
    module: str  # name relative to the block
    kind: str
    term: Term


def param_lines(block: nn.Module) -> list[ParamLine]:
    """Every submodule of `block` (itself included) that owns trainable parameters, with their products."""
    lines = []
    for name, module in block.named_modules():
        term = param_terms(module)
        if term.products:
            lines.append(ParamLine(name or "(own)", type(module).__name__, term))
    return lines


def norm_params(block: nn.Module) -> int:
    """Parameters of the block's normalization layers (BN gamma/beta, LayerNorm weight/bias)."""
    norms = (nn.BatchNorm2d, nn.LayerNorm)
    return sum(
        p.numel() for m in block.modules() if isinstance(m, norms) for p in m.parameters(recurse=False)
    )


def mac_terms(module: nn.Module, row: LayerRow, measured: Measured) -> Term | None:
    """A tracer row's MACs as a product of sizes, for the layer types the zoo's blocks contain."""
    out = row.output_shape or []
    full = measured.full_outputs.get(row.module, [1, *out])
    if isinstance(module, nn.Conv2d):
        return Term(
            ((*out[1:], module.out_channels, module.in_channels // module.groups, *module.kernel_size),)
        )
    if isinstance(module, nn.Linear):
        rows = math.prod(full[:-1])
        return Term(((rows, module.in_features, module.out_features),))
    if isinstance(module, nn.MultiheadAttention):
        length, dim = out
        return Term(((4, length, dim, dim), (2, length, length, dim)))  # projections, QK^T and AV
    if isinstance(module, ShiftedWindowAttention):  # its own ops: QK^T and AV per window
        tokens = module.window_size[0] * module.window_size[1]
        height, width, dim = measured.inputs[row.module]
        windows = math.ceil(height / module.window_size[0]) * math.ceil(width / module.window_size[1])
        return Term(((2, windows, tokens, tokens, dim),))
    return None
