"""The meta-device tracer: exact per-layer arithmetic of any `nn.Module`, with no weights allocated.

How it works (fvcore's shape: a table of op handlers, pure math kept in `solutions.arithmetic`):
- the model runs once on the `meta` device under a TorchDispatchMode, so every aten op is seen — also the ones
  module hooks miss (attention's matrix products, `torch.cat` and `+` in residual and dense paths);
- forward hooks give the module each op belongs to: a row per innermost executed module;
- each op's handler returns its MACs and the receptive-field state of its output. An op with no handler and not
  known to be free of MACs (views, element-wise, normalization, bookkeeping) is counted in `unsupported`, never
  silently as zero.

Conventions: see `solutions.arithmetic` (MACs of conv/linear/matmul/attention only; FLOPs = 2 x MACs;
receptive field as side length with its jump, cumulated from the input; the largest path over branches).
"""

from __future__ import annotations

import importlib.util
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from solutions import arithmetic as ar

aten = torch.ops.aten


class TraceError(ValueError):
    """A model or spec that cannot be traced, with a message for the user."""


# --- receptive-field state of a tensor -----------------------------------------------------------------------


@dataclass(frozen=True)
class Spatial:
    """RF and jump per trailing spatial dimension ([h, w] for images, [l] for sequences); () = structure gone."""

    rf: tuple[Fraction, ...]
    jump: tuple[Fraction, ...]

    @classmethod
    def of_input(cls, dims: int) -> Spatial:
        return cls((Fraction(1),) * dims, (Fraction(1),) * dims)

    def step(self, kernel: Sequence[int], stride: Sequence[Any], dilation: Sequence[int]) -> Spatial:
        """The RF recursion over the last len(kernel) dims (solutions.arithmetic.receptive_field_step)."""
        n = len(kernel)
        if len(self.rf) < n:
            return GONE
        steps = [
            ar.receptive_field_step(r, j, k, Fraction(s), d)
            for r, j, k, s, d in zip(self.rf[-n:], self.jump[-n:], kernel, stride, dilation, strict=True)
        ]
        return Spatial(
            self.rf[:-n] + tuple(Fraction(r) for r, _ in steps), self.jump[:-n] + tuple(j for _, j in steps)
        )


GONE = Spatial((), ())


def _merge(states: list[Spatial]) -> Spatial | None:
    """Branches meeting (add, cat, multiply): the largest path wins; structure gone if any input lost it."""
    if not states:
        return None
    if any(s == GONE for s in states) or len({len(s.rf) for s in states}) != 1:
        return GONE
    return Spatial(
        tuple(max(rs) for rs in zip(*(s.rf for s in states), strict=True)),
        tuple(max(js) for js in zip(*(s.jump for s in states), strict=True)),
    )


def _spatial_dims(t: torch.Tensor) -> int:
    return max(t.dim() - 2, 0)


def _reshaped(state: Spatial, before: torch.Tensor, after: torch.Tensor) -> Spatial:
    """A view keeps the structure when the trailing spatial dims survive unchanged (unsqueeze adds size-1 dims)."""
    k, k_out = len(state.rf), _spatial_dims(after)
    if k == 0 or k_out == 0:
        return GONE
    keep = min(k, k_out)
    if tuple(after.shape[-keep:]) != tuple(before.shape[-keep:]):
        return GONE
    pad = (Fraction(1),) * (k_out - keep)
    return Spatial(pad + state.rf[-keep:], pad + state.jump[-keep:])


# --- op handlers: (args, kwargs, out, input state) -> (MACs, output state) -------------------------------------

Handler = Callable[[tuple, dict, Any, Spatial | None], tuple[int, Spatial | None]]
HANDLERS: dict[Any, Handler] = {}


def handles(*packets: Any) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for packet in packets:
            HANDLERS[packet] = fn
        return fn

    return register


def _first(out: Any) -> torch.Tensor:
    return out[0] if isinstance(out, tuple | list) else out


def _step(
    state: Spatial | None, kernel: Sequence[int], stride: Sequence[Any], dilation: Sequence[int]
) -> Spatial | None:
    return None if state is None else state.step(kernel, stride, dilation)


def _pair(value: Any, n: int) -> list[int]:
    if isinstance(value, int):
        return [value] * n
    value = list(value)
    return value * n if len(value) == 1 else value


@handles(aten.convolution, aten._convolution)
def _convolution(args: tuple, kwargs: dict, out: Any, state: Spatial | None) -> tuple[int, Spatial | None]:
    x, weight, _bias, stride, _padding, dilation, transposed, _out_pad, groups = args[:9]
    kernel = list(weight.shape[2:])
    batch = x.shape[0]
    if transposed:
        # weight: [C_in, C_out / groups, *K]; each input element scatters a whole kernel
        macs = ar.conv_transpose_macs(x.shape[1], weight.shape[1] * groups, kernel, x.shape[2:], groups)
        # as an upsampling by s followed by a stride-1 conv: the jump shrinks first
        if state is None or len(state.rf) < len(kernel):
            return batch * macs, None if state is None else GONE
        n = len(kernel)
        jumps = tuple(j / s for j, s in zip(state.jump[-n:], stride, strict=True))
        up = Spatial(state.rf, state.jump[:-n] + jumps)
        return batch * macs, up.step(kernel, [1] * n, dilation)
    macs = ar.conv_macs(x.shape[1], weight.shape[0], kernel, _first(out).shape[2:], groups)
    return batch * macs, _step(state, kernel, stride, dilation)


@handles(aten.mm, aten.addmm)
def _mm(args: tuple, kwargs: dict, out: Any, state: Spatial | None) -> tuple[int, Spatial | None]:
    a, b = args[-2:]  # mm(a, b) and addmm(bias, a, b): the bias add is not a MAC
    return ar.matmul_macs(a.shape[0], a.shape[1], b.shape[1]), GONE


@handles(aten.bmm, aten.baddbmm)
def _bmm(args: tuple, kwargs: dict, out: Any, state: Spatial | None) -> tuple[int, Spatial | None]:
    a, b = [t for t in args if isinstance(t, torch.Tensor)][-2:]
    return ar.matmul_macs(a.shape[1], a.shape[2], b.shape[2], batch=a.shape[0]), GONE


@handles(aten.mv, aten.addmv, aten.dot)
def _mv(args: tuple, kwargs: dict, out: Any, state: Spatial | None) -> tuple[int, Spatial | None]:
    tensors = [a for a in args if isinstance(a, torch.Tensor)]
    return math.prod(tensors[-2].shape), GONE


@handles(aten.max_pool2d_with_indices, aten.max_pool3d_with_indices, aten.max_pool2d, aten.max_pool1d)
def _max_pool(args: tuple, kwargs: dict, out: Any, state: Spatial | None) -> tuple[int, Spatial | None]:
    x, kernel = args[0], args[1]
    n = len(kernel) if len(kernel) > 1 else _spatial_dims(x)
    kernel = _pair(kernel, n)
    stride = _pair(args[2] if len(args) > 2 and args[2] else kernel, n)
    dilation = _pair(args[4] if len(args) > 4 else 1, n)
    return 0, _step(state, kernel, stride, dilation)


@handles(aten.avg_pool2d, aten.avg_pool3d, aten.avg_pool1d)
def _avg_pool(args: tuple, kwargs: dict, out: Any, state: Spatial | None) -> tuple[int, Spatial | None]:
    x, kernel = args[0], args[1]
    n = len(kernel) if len(kernel) > 1 else _spatial_dims(x)
    kernel = _pair(kernel, n)
    stride = _pair(args[2] if len(args) > 2 and args[2] else kernel, n)
    return 0, _step(state, kernel, stride, [1] * n)


@handles(
    aten._adaptive_avg_pool2d, aten.adaptive_max_pool2d, aten._adaptive_avg_pool3d, aten.adaptive_max_pool3d
)
def _adaptive_pool(args: tuple, kwargs: dict, out: Any, state: Spatial | None) -> tuple[int, Spatial | None]:
    x, sizes = args[0], list(args[1])
    kernel, stride = [], []
    for i, o in zip(x.shape[-len(sizes) :], sizes, strict=True):
        # window j spans [floor(j*i/o), ceil((j+1)*i/o)): the widest window and the mean step
        kernel.append(max(-(-((j + 1) * i) // o) - (j * i) // o for j in range(o)))
        stride.append(Fraction(i, o))
    return 0, _step(state, kernel, stride, [1] * len(sizes))


@handles(aten.mean, aten.amax, aten.sum)
def _reduce(args: tuple, kwargs: dict, out: Any, state: Spatial | None) -> tuple[int, Spatial | None]:
    """A reduction over the spatial dims with keepdim is global pooling: the RF covers the whole input."""
    x, o = args[0], _first(out)
    if state is None or not state.rf or o.dim() != x.dim():
        return 0, None if state is None else GONE
    k = len(state.rf)
    sizes = [s if o_s == 1 and s != 1 else 1 for s, o_s in zip(x.shape[-k:], o.shape[-k:], strict=True)]
    return 0, state.step(sizes, sizes, [1] * k)


@handles(aten.upsample_nearest1d, aten.upsample_nearest2d, aten.upsample_nearest3d)
def _upsample_nearest(
    args: tuple, kwargs: dict, out: Any, state: Spatial | None
) -> tuple[int, Spatial | None]:
    x, o = args[0], _first(out)
    if state is None or not state.rf:
        return 0, state
    k = len(state.rf)
    scale = [Fraction(i, s) for i, s in zip(x.shape[-k:], o.shape[-k:], strict=True)]
    return 0, Spatial(state.rf, tuple(j * f for j, f in zip(state.jump, scale, strict=True)))


@handles(aten.upsample_bilinear2d, aten.upsample_linear1d, aten.upsample_bicubic2d)
def _upsample_interp(
    args: tuple, kwargs: dict, out: Any, state: Spatial | None
) -> tuple[int, Spatial | None]:
    """Interpolation reads 2 (bicubic: 4) neighbours per dim: a kernel over the input grid, then nearest."""
    if state is None or not state.rf:
        return 0, state
    taps = 4 if "bicubic" in str(args) else 2
    k = len(state.rf)
    widened = state.step([taps] * k, [1] * k, [1] * k)
    return _upsample_nearest(args, kwargs, out, widened)


# ops that do no multiply-accumulate and keep the receptive field of their inputs (largest path wins)
PASSTHROUGH = {
    aten.native_batch_norm, aten._native_batch_norm_legit_no_training, aten._native_batch_norm_legit,
    aten.native_layer_norm, aten.native_group_norm, aten._softmax, aten._safe_softmax, aten._log_softmax,
    aten.native_dropout, aten.constant_pad_nd, aten.reflection_pad2d, aten.replication_pad2d, aten.cat,
    aten.clone, aten._to_copy, aten.copy, aten.where, aten.masked_fill, aten.hardtanh, aten.gelu, aten.silu,
    aten.hardswish, aten.hardsigmoid, aten.leaky_relu, aten.elu, aten.prelu, aten._prelu_kernel, aten.relu,
    aten.softplus, aten.mish, aten.channel_shuffle, aten.pixel_shuffle,
}  # fmt: skip
# views and reshapes: free; the structure survives if the trailing spatial dims do
RESHAPES = {
    aten.view, aten._unsafe_view, aten.reshape, aten.expand, aten.unsqueeze, aten.squeeze, aten.alias,
    aten.detach, aten.lift_fresh, aten.contiguous, aten.flatten,
}  # fmt: skip
# free ops that leave no spatial structure we can follow, or create tensors (masks, buffers, parameters)
STRUCTURE_GONE = {
    aten.t, aten.transpose, aten.permute, aten.select, aten.slice, aten.split, aten.split_with_sizes,
    aten.unbind, aten.chunk, aten.stack, aten.index, aten.index_select, aten.gather, aten.roll, aten.repeat,
    aten.embedding, aten.tril, aten.triu, aten.topk, aten.sort, aten.argmax, aten.max, aten.min, aten.var,
    aten.var_mean, aten.std, aten.cumsum, aten.one_hot, aten.narrow, aten.unfold, aten.flip, aten.nonzero,
}  # fmt: skip
CREATION = {
    aten.empty, aten.empty_like, aten.empty_strided, aten.zeros, aten.zeros_like, aten.ones, aten.ones_like,
    aten.full, aten.full_like, aten.fill_, aten.zero_, aten.arange, aten.scalar_tensor, aten._local_scalar_dense,
    aten.new_empty, aten.new_zeros, aten.new_ones, aten.new_full, aten.new_empty_strided, aten.copy_,
    aten.lift_fresh_copy, aten.as_strided_, aten.normal_, aten.uniform_, aten.linspace, aten.eye, aten.randn, aten.rand,
    aten.bernoulli_, aten.masked_fill_, aten.index_put_, aten.slice_scatter, aten.select_scatter,
    aten.meshgrid, aten.sym_size, aten.sym_numel, aten.sym_stride, aten.is_same_size,
}  # fmt: skip


def _classify(func: Any) -> str:
    packet = func.overloadpacket
    if packet in HANDLERS:
        return "handler"
    if packet in PASSTHROUGH or torch.Tag.pointwise in func.tags:
        return "passthrough"
    if packet in RESHAPES:
        return "reshape"
    if packet in STRUCTURE_GONE or (func.is_view and packet not in RESHAPES):
        return "gone"
    if packet in CREATION:
        return "creation"
    return "unsupported"


# --- the trace ---------------------------------------------------------------------------------------------------


@dataclass
class LayerRow:
    label: str
    op: str
    module: str
    output_shape: list[int] | None
    weights: int = 0
    biases: int = 0
    params: int = (
        0  # every trainable parameter owned (weights, biases and others such as position embeddings)
    )
    macs: int = 0
    receptive_field: list[int | float] | None = None
    jump: list[int | float] | None = None

    @property
    def flops(self) -> int:
        return ar.flops(self.macs)

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "op": self.op,
            "module": self.module,
            "output_shape": self.output_shape,
            "weights": self.weights,
            "biases": self.biases,
            "params": self.params,
            "macs": self.macs,
            "flops": self.flops,
            "receptive_field": self.receptive_field,
            "jump": self.jump,
        }


@dataclass
class TraceResult:
    input_shape: list[int]
    layers: list[LayerRow]
    totals: dict[str, int]
    unsupported: dict[str, int] = field(default_factory=dict)

    def row(self, label: str) -> LayerRow:
        for row in self.layers:
            if row.label == label:
                return row
        raise KeyError(f"no layer labelled '{label}'")

    def to_json(self) -> dict[str, Any]:
        return {
            "input_shape": self.input_shape,
            "layers": [r.to_json() for r in self.layers],
            "totals": self.totals,
            "unsupported": self.unsupported,
        }


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _rf_fields(state: Spatial | None) -> tuple[list | None, list | None]:
    if state is None or not state.rf:
        return None, None
    return [_number(r) for r in state.rf], [_number(j) for j in state.jump]


def _param_kind(name: str) -> str:
    """'weight', 'bias' or 'other' by the tensor's own name (MultiheadAttention's in_proj_weight is a weight)."""
    leaf = name.rsplit(".", 1)[-1]
    return "weight" if leaf.endswith("weight") else "bias" if leaf.endswith("bias") else "other"


@dataclass
class _Call:
    name: str
    macs: int = 0  # ops executed while this call was the innermost module
    had_child: bool = False
    unsupported: bool = False


class _Tracer(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.states: dict[int, Spatial] = {}
        self.keep: list[torch.Tensor] = []  # keeps ids unique while the trace runs
        self.stack: list[_Call] = []
        self.unsupported: Counter[str] = Counter()

    def state(self, t: Any) -> Spatial | None:
        return self.states.get(id(t)) if isinstance(t, torch.Tensor) else None

    def set_state(self, t: Any, state: Spatial | None) -> None:
        if isinstance(t, torch.Tensor) and state is not None:
            self.states[id(t)] = state
            self.keep.append(t)

    def _input_states(self, args: tuple) -> list[Spatial]:
        flat = [a for arg in args for a in (arg if isinstance(arg, list | tuple) else [arg])]
        return [s for s in (self.state(a) for a in flat) if s is not None]

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        kind = _classify(func)
        states = self._input_states(args)
        macs = 0
        if kind == "handler":
            macs, new = HANDLERS[func.overloadpacket](args, kwargs, out, states[0] if states else None)
        elif kind == "passthrough":
            new = _merge(states)
        elif kind == "reshape":
            new = _reshaped(states[0], args[0], _first(out)) if states else None
        elif kind == "gone":
            new = GONE if states else None
        elif kind == "creation":
            new = None
        else:
            self.unsupported[str(func.overloadpacket.__name__)] += 1
            if self.stack:
                self.stack[-1].unsupported = True
            new = GONE if states else None
        if self.stack:
            self.stack[-1].macs += macs
        self.set_state(_first(out), new)
        return out


def _owned_params(model: nn.Module) -> dict[str, dict[str, int]]:
    """Trainable parameter counts by owning module name and kind ('weight', 'bias', other)."""
    owned: dict[str, dict[str, int]] = {}
    for mod_name, module in model.named_modules():
        for p_name, p in module.named_parameters(recurse=False):
            if p.requires_grad:
                counts = owned.setdefault(mod_name, Counter())
                counts[_param_kind(p_name)] += p.numel()
    return owned


def _attribute_params(model: nn.Module, rows: list[LayerRow], executed: set[str]) -> None:
    """Each trainable parameter goes to exactly one row: its module's first row; a module used only
    functionally (never called) gives its parameters to the nearest executed ancestor, which gets a row of its
    own if it has none (e.g. a position embedding owned by a container)."""
    first_row: dict[str, LayerRow] = {}
    for row in rows:
        first_row.setdefault(row.module, row)
    for mod_name, counts in _owned_params(model).items():
        owner = mod_name
        while owner and owner not in executed:
            owner = owner.rsplit(".", 1)[0] if "." in owner else ""
        if owner not in first_row:
            module = model.get_submodule(owner)
            first_row[owner] = LayerRow(owner or type(module).__name__, type(module).__name__ + " (own params)",
                                        owner, None)  # fmt: skip
            rows.append(first_row[owner])
        row = first_row[owner]
        row.weights += counts.get("weight", 0)
        row.biases += counts.get("bias", 0)
        row.params += sum(counts.values())


def _fold(rows: list[LayerRow], depth: int) -> list[LayerRow]:
    """Fold rows into their ancestor module `depth` levels deep (consecutive rows of one block become one)."""
    folded: list[LayerRow] = []
    for row in rows:
        parts = row.module.split(".") if row.module else []
        key = ".".join(parts[:depth]) if len(parts) > depth else None
        if key is not None and folded and folded[-1].module == key:
            last = folded[-1]
            last.weights += row.weights
            last.biases += row.biases
            last.params += row.params
            last.macs += row.macs
            last.output_shape, last.receptive_field, last.jump = (
                row.output_shape,
                row.receptive_field,
                row.jump,
            )
        elif key is not None:
            folded.append(LayerRow(key, "block", key, row.output_shape, row.weights, row.biases, row.params,
                                   row.macs, row.receptive_field, row.jump))  # fmt: skip
        else:
            folded.append(row)
    return folded


def trace_module(
    model: nn.Module,
    input_shape: Sequence[int],
    labels: dict[str, str] | None = None,
    depth: int | None = None,
) -> TraceResult:
    """Run `model` once on `meta` with input [1, *input_shape]; rows per innermost executed module."""
    labels = labels or {}
    model = model.to("meta").eval()
    modules = dict(model.named_modules())
    names = {id(m): n for n, m in modules.items()}
    tracer = _Tracer()
    rows: list[LayerRow] = []
    executed: set[str] = set()

    def pre_hook(module: nn.Module, inputs: Any) -> None:
        if tracer.stack:
            tracer.stack[-1].had_child = True
        tracer.stack.append(_Call(names[id(module)]))

    def post_hook(module: nn.Module, inputs: Any, output: Any) -> None:
        call = tracer.stack.pop()
        executed.add(call.name)
        if call.had_child and not call.macs and not call.unsupported:
            return  # a container: its children have the rows
        out = _first(output) if isinstance(output, torch.Tensor | tuple | list) else None
        rf, jump = _rf_fields(tracer.state(out))
        rows.append(
            LayerRow(
                label=labels.get(call.name, call.name or type(module).__name__),
                op=type(module).__name__ + (" (own ops)" if call.had_child else ""),
                module=call.name,
                output_shape=list(out.shape[1:]) if isinstance(out, torch.Tensor) else None,
                macs=call.macs,
                receptive_field=rf,
                jump=jump,
            )
        )

    hooks = [m.register_forward_pre_hook(pre_hook) for m in modules.values()]
    hooks += [m.register_forward_hook(post_hook) for m in modules.values()]
    try:
        x = torch.empty(1, *input_shape, device="meta")
        with torch.no_grad(), tracer:
            tracer.set_state(x, Spatial.of_input(len(input_shape) - 1))
            model(x)
    except (RuntimeError, ValueError, ArithmeticError, TypeError, IndexError) as exc:
        raise TraceError(
            f"the model does not run on input {list(input_shape)}: {str(exc).splitlines()[0]}"
        ) from None
    finally:
        for hook in hooks:
            hook.remove()
    _attribute_params(model, rows, executed)

    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    macs = sum(r.macs for r in rows)
    totals = {
        "weights": sum(p.numel() for n, p in trainable if _param_kind(n) == "weight"),
        "biases": sum(p.numel() for n, p in trainable if _param_kind(n) == "bias"),
        "params": sum(p.numel() for _, p in trainable),
        "macs": macs,
        "flops": ar.flops(macs),
    }
    layers = _fold(rows, depth) if depth else rows
    return TraceResult(list(input_shape), layers, totals, dict(tracer.unsupported))


# --- specs and output ------------------------------------------------------------------------------------------


def parse_shape(text: str) -> list[int]:
    """'3x128x128', '3×128×128', '3*128*128' or '3,128,128' -> [3, 128, 128] (no batch dimension)."""
    pieces = [p.strip() for p in re.split(r"[x×*,]", text.strip().strip("[]()"))]
    if not pieces or not all(p.isdigit() for p in pieces) or len(pieces) > 4:
        raise TraceError(f"input shape '{text}' should look like 3x128x128 (channels first, no batch)")
    shape = [int(p) for p in pieces]
    if any(s <= 0 or s > 100_000 for s in shape):
        raise TraceError(f"input shape '{text}' has a size out of range")
    return shape


def _load_factory(spec: str) -> nn.Module:
    path_text, _, factory_name = spec.rpartition(":")
    path = Path(path_text)
    if not path.is_file():
        raise TraceError(f"no Python file '{path}'")
    module_spec = importlib.util.spec_from_file_location(f"azmoon_user_{path.stem}", path)
    if module_spec is None or module_spec.loader is None:
        raise TraceError(f"cannot import '{path}'")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)  # a TA's own model file: trusted code, like `python file.py`
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise TraceError(f"'{path}' has no callable '{factory_name}'")
    with torch.device("meta"):
        model = factory()
    if not isinstance(model, nn.Module):
        raise TraceError(f"'{spec}' returned {type(model).__name__}, not an nn.Module")
    return model


def trace_spec(spec: str, input_shape: str | None = None, depth: int | None = None) -> TraceResult:
    """Trace a sheet file, a `module.py:factory`, or `zoo:NAME`."""
    shape = parse_shape(input_shape) if input_shape else None
    if spec.startswith("zoo:"):
        from solutions import zoo

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
    if shape is None:
        raise TraceError("give the input shape with --input, e.g. --input 3x128x128")
    from solutions.sheet import build_sheet

    sheet = build_sheet(path.read_text(encoding="utf-8"), shape)
    return trace_module(sheet.model, shape, labels=sheet.labels, depth=depth)


def format_table(result: TraceResult) -> str:
    """A readable table: one row per layer, totals last."""

    def side(values: list | None) -> str:
        return "-" if values is None else "×".join(str(v) for v in values)

    header = ["layer", "op", "output", "weights", "biases", "params", "MACs", "FLOPs", "RF", "jump"]
    t = result.totals
    body = [
        [r.label, r.op, side(r.output_shape), *(f"{n:,}" for n in (r.weights, r.biases, r.params, r.macs, r.flops)),
         side(r.receptive_field), side(r.jump)]
        for r in result.layers
    ]  # fmt: skip
    body.append(
        ["total", "", "", *(f"{t[k]:,}" for k in ("weights", "biases", "params", "macs", "flops")), "", ""]
    )
    widths = [max(len(str(row[k])) for row in [header, *body]) for k in range(len(header))]
    lines = [f"input: {side(result.input_shape)}   params: {t['params']:,}   FLOPs = 2 × MACs"]
    for n, row in enumerate([header, *body]):
        if n == 1 or n == len(body):
            lines.append("  ".join("-" * w for w in widths))
        lines.append(
            "  ".join(
                str(c).rjust(w) if k >= 3 else str(c).ljust(w)
                for k, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)
