"""Output tensors of the common ops, made directly on `meta` — without torch's Python meta kernels.

Why: on the meta device torch computes the output of most ops with a Python meta kernel (`torch._meta_registrations`,
`torch._refs`, `torch._decomp`). Those kernels call `torch._check` (which imports `torch.fx.experimental.
symbolic_shapes` and sympy) and refs wrapped in `torch._disable_dynamo` (whose first call imports `torch._dynamo`):
together about 1.3 s of a cold `azmoon trace`, more than the trace itself. The tracer does not need them for the
ops it sees most (convolution, batch/layer norm, matrix products, element-wise ops): their output is a fresh
contiguous tensor of a shape given by a formula.

`fast_output(func, args, kwargs)` returns that output, or `None` when the op or its arguments are outside what the
formulas here cover (any non-meta or non-contiguous input, a dtype other than one floating type, an `out=`, a size
that would be empty or a channel count that does not match — then torch's own kernel runs and raises its own
error). `tests/test_notation_meta_shapes.py` checks every output made here against torch's kernel (shape, stride,
dtype) over every zoo model and every layer type the sheet accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode

aten = torch.ops.aten
FLOATS = (torch.float32, torch.float64)
Maker = Callable[[tuple, dict], Any]
MAKERS: dict[Any, Maker] = {}


def makes(*packets: Any) -> Callable[[Maker], Maker]:
    def register(fn: Maker) -> Maker:
        for packet in packets:
            MAKERS[packet] = fn
        return fn

    return register


def _empty(shape: Any, like: torch.Tensor) -> torch.Tensor:
    return torch.empty(tuple(shape), dtype=like.dtype, device="meta")


def broadcast(*shapes: Any) -> list[int] | None:
    """NumPy broadcasting of integer shapes (torch.broadcast_shapes imports sympy on first use), None if none."""
    out: list[int] = []
    for k in range(1, max(len(s) for s in shapes) + 1):
        sizes = {s[-k] for s in shapes if len(s) >= k} - {1}
        if len(sizes) > 1:
            return None
        out.insert(0, sizes.pop() if sizes else 1)
    return out


def _tensors(args: tuple) -> list[torch.Tensor]:
    flat = [a for arg in args for a in (arg if isinstance(arg, list | tuple) else [arg])]
    return [a for a in flat if isinstance(a, torch.Tensor)]


# --- convolution ------------------------------------------------------------------------------------------------


@makes(aten.convolution)
def _convolution(args: tuple, kwargs: dict) -> torch.Tensor | None:
    x, weight, _bias, stride, padding, dilation, transposed, output_padding, groups = args[:9]
    n = weight.dim() - 2
    if x.dim() != n + 2 or not all(len(v) == n for v in (stride, padding, dilation)):
        return None
    kernel = weight.shape[2:]
    if transposed:
        if x.shape[1] != weight.shape[0] or len(output_padding) != n:
            return None
        channels = weight.shape[1] * groups
        sizes = [(i - 1) * s - 2 * p + d * (k - 1) + op + 1
                 for i, s, p, d, k, op in zip(x.shape[2:], stride, padding, dilation, kernel, output_padding,
                                              strict=True)]  # fmt: skip
    else:
        if x.shape[1] != weight.shape[1] * groups or weight.shape[0] % groups:
            return None
        channels = weight.shape[0]
        sizes = [(i + 2 * p - d * (k - 1) - 1) // s + 1
                 for i, s, p, d, k in zip(x.shape[2:], stride, padding, dilation, kernel, strict=True)]  # fmt: skip
    if any(s <= 0 for s in sizes) or any(s <= 0 for s in stride):
        return None
    return _empty([x.shape[0], channels, *sizes], x)


# --- pooling ----------------------------------------------------------------------------------------------------


def _pooled(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's pooling_output_shape: floor (or ceil) division, and no window may start in the right padding."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    return out - 1 if ceil_mode and (out - 1) * s >= size + p else out


def _window(value: Any, n: int, default: Any = None) -> list[int] | None:
    value = default if value is None or (isinstance(value, list | tuple) and not value) else value
    values = [value] * n if isinstance(value, int) else list(value)
    values = values * n if len(values) == 1 else values
    return values if len(values) == n and all(isinstance(v, int) for v in values) else None


def _pool_shape(args: tuple, n: int, dilated: bool) -> list[int] | None:
    x = args[0]
    if x.dim() != n + 2 or not all(x.shape):
        return None
    kernel = _window(args[1], n)
    stride = _window(args[2] if len(args) > 2 else None, n, kernel)
    padding = _window(args[3] if len(args) > 3 else 0, n)
    dilation = _window(args[4] if dilated and len(args) > 4 else 1, n)
    ceil_mode = bool(
        args[5] if dilated and len(args) > 5 else args[4] if not dilated and len(args) > 4 else False
    )
    if None in (kernel, stride, padding, dilation) or any(v <= 0 for v in (*kernel, *stride, *dilation)):
        return None
    if any(p < 0 or p > k // 2 for p, k in zip(padding, kernel, strict=True)):
        return None  # torch refuses it: its own kernel says why
    sizes = [_pooled(i, k, s, p, d, ceil_mode)
             for i, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation, strict=True)]  # fmt: skip
    return None if any(v <= 0 for v in sizes) else [*x.shape[:2], *sizes]


@makes(aten.max_pool2d_with_indices)
def _max_pool(args: tuple, kwargs: dict) -> tuple | None:
    shape = None if kwargs else _pool_shape(args, 2, dilated=True)
    if shape is None:
        return None
    return _empty(shape, args[0]), torch.empty(shape, dtype=torch.int64, device="meta")


@makes(aten.avg_pool2d)
def _avg_pool(args: tuple, kwargs: dict) -> torch.Tensor | None:
    if kwargs or (len(args) > 6 and args[6] is not None):  # divisor_override
        return None
    shape = _pool_shape(args[:5], 2, dilated=False)
    return None if shape is None else _empty(shape, args[0])


@makes(aten._adaptive_avg_pool2d)
def _adaptive_avg_pool(args: tuple, kwargs: dict) -> torch.Tensor | None:
    x, sizes = args[0], _window(args[1], 2)
    if x.dim() != 4 or sizes is None or any(v <= 0 for v in sizes) or not all(x.shape[1:]):
        return None
    return _empty([*x.shape[:2], *sizes], x)


# --- matrix products: a fresh contiguous result whatever the inputs' strides -------------------------------------


@makes(aten.mm)
def _mm(args: tuple, kwargs: dict) -> torch.Tensor | None:
    a, b = args[:2]
    if a.dim() != 2 or b.dim() != 2 or a.shape[1] != b.shape[0]:
        return None
    return _empty([a.shape[0], b.shape[1]], a)


@makes(aten.addmm)
def _addmm(args: tuple, kwargs: dict) -> torch.Tensor | None:
    bias, a, b = args[:3]
    out = _mm((a, b), kwargs)
    if out is None or len(bias.shape) > 2:
        return None
    trailing = out.shape[len(out.shape) - len(bias.shape) :]
    return (
        out if all(s in (1, o) for s, o in zip(bias.shape, trailing, strict=True)) else None
    )  # it broadcasts


@makes(aten.bmm)
def _bmm(args: tuple, kwargs: dict) -> torch.Tensor | None:
    a, b = args[:2]
    if a.dim() != 3 or b.dim() != 3 or a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        return None
    return _empty([a.shape[0], a.shape[1], b.shape[2]], a)


# --- normalization: (output, saved statistics) -----------------------------------------------------------------


@makes(aten.native_batch_norm, aten._native_batch_norm_legit_no_training, aten._native_batch_norm_legit)
def _batch_norm(args: tuple, kwargs: dict) -> tuple | None:
    x = args[0]
    if x.dim() < 2 or any(t.shape != (x.shape[1],) for t in _tensors(args[1:5])):
        return None
    return _empty(x.shape, x), _empty([x.shape[1]], x), _empty([x.shape[1]], x)


@makes(aten.native_layer_norm)
def _layer_norm(args: tuple, kwargs: dict) -> tuple | None:
    x, normalized = args[0], tuple(args[1])
    k = len(normalized)
    if not k or tuple(x.shape[-k:]) != normalized or any(t.shape != normalized for t in _tensors(args[2:4])):
        return None
    stats = [*x.shape[:-k], *([1] * k)]
    return _empty(x.shape, x), _empty(stats, x), _empty(stats, x)


@makes(aten._softmax, aten._safe_softmax, aten._log_softmax)
def _softmax(args: tuple, kwargs: dict) -> torch.Tensor | None:
    x, dim = args[0], args[1]
    if kwargs or (len(args) > 2 and args[2] not in (False, None)) or not -x.dim() <= dim < max(x.dim(), 1):
        return None
    return _empty(x.shape, x)


@makes(aten.mean)
def _mean(args: tuple, kwargs: dict) -> torch.Tensor | None:
    x = args[0]
    dims, keepdim = (args[1] if len(args) > 1 else None), (args[2] if len(args) > 2 else False)
    if kwargs or len(args) > 3 or not isinstance(dims, list | tuple) or not dims:
        return None
    if not all(isinstance(d, int) and -x.dim() <= d < x.dim() for d in dims):
        return None
    reduced = {d % x.dim() for d in dims}
    if len(reduced) != len(dims):
        return None
    shape = [1 if k in reduced else s for k, s in enumerate(x.shape) if keepdim or k not in reduced]
    return _empty(shape, x)


# --- element-wise ops with a float result of their float inputs -------------------------------------------------

ELEMENTWISE = {
    aten.add, aten.sub, aten.mul, aten.div, aten.relu, aten.relu_, aten.hardtanh, aten.hardtanh_, aten.gelu,
    aten.silu, aten.silu_, aten.sigmoid, aten.sigmoid_, aten.tanh, aten.tanh_, aten.hardswish, aten.hardswish_,
    aten.hardsigmoid, aten.hardsigmoid_, aten.leaky_relu, aten.leaky_relu_, aten.elu, aten.elu_, aten.add_,
    aten.mul_, aten.clamp_min, aten.clamp_min_,
}  # fmt: skip


def _elementwise(func: Any, args: tuple, kwargs: dict) -> torch.Tensor | None:
    tensors = _tensors(args)
    if any(isinstance(a, complex) for a in args) or any(t.dim() == 0 for t in tensors):
        return None  # a 0-dim tensor or a complex scalar takes part in type promotion differently
    shape = broadcast(*(t.shape for t in tensors))
    if shape is None:
        return None
    if func.overloadpacket.__name__.endswith("_"):  # in place: the result is the first argument itself
        return args[0] if tuple(args[0].shape) == tuple(shape) else None
    return _empty(shape, tensors[0])


def fast_output(func: Any, args: tuple, kwargs: dict) -> Any:
    """The op's output made directly on meta, or None to let torch's own kernel run."""
    packet = func.overloadpacket
    maker = MAKERS.get(packet)
    if maker is None and packet not in ELEMENTWISE:
        return None
    tensors = _tensors(args) + _tensors(tuple(kwargs.values()))
    if not tensors or "out" in kwargs:
        return None
    dtype = tensors[0].dtype
    if dtype not in FLOATS or any(t.device.type != "meta" or t.dtype != dtype for t in tensors):
        return None
    if maker is None:
        if kwargs and set(kwargs) - {"alpha", "approximate", "negative_slope"}:
            return None
        if not all(t.is_contiguous() for t in tensors):
            return None
        return _elementwise(func, args, kwargs)
    if packet not in (aten.mm, aten.addmm, aten.bmm) and not all(t.is_contiguous() for t in tensors):
        return None
    return maker(args, kwargs)


def same_meta(made: Any, real: Any, func: Any) -> None:
    """Tests: the output made here must equal torch's own (shape, stride and dtype of every tensor)."""
    made_list, real_list = (list(x) if isinstance(x, tuple | list) else [x] for x in (made, real))
    describe = [[(tuple(t.shape), t.stride(), t.dtype) for t in ts] for ts in (made_list, real_list)]
    if describe[0] != describe[1]:
        raise AssertionError(f"{func}: made {describe[0]}, torch gives {describe[1]}")


class FastMeta(TorchDispatchMode):
    """Run ops on meta through `fast_output` first (the sheet's layer-by-layer shape check uses it)."""

    verify = False  # tests: check every output made here against torch's own meta kernel

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # see analysis.trace._Tracer: nothing to skip, and asking would import torch._dynamo

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        out = fast_output(func, args, kwargs)
        if out is None:
            return func(*args, **kwargs)
        if self.verify:
            same_meta(out, func(*args, **kwargs), func)
        return out
