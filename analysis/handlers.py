"""Op handlers of the meta-device tracer (fvcore's shape: a table of handlers, pure math in `analysis.arithmetic`).

Each handler takes an aten op's (args, kwargs, out, input receptive-field state) and returns its MACs and the
receptive-field state of its output. Ops with no handler are classified by `classify`: passthrough (element-wise,
normalization), reshape, gone (spatial structure ends), creation (bookkeeping) or unsupported — counted by the
tracer, never silently zero.

Conventions: see `analysis.arithmetic` (MACs of conv/linear/matmul/attention only; FLOPs = 2 x MACs;
receptive field as side length with its jump, cumulated from the input; the largest path over branches).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import torch

from analysis import arithmetic as ar
from base.errors import AzmoonError

aten = torch.ops.aten


class TraceError(AzmoonError, ValueError):
    """A model or spec that cannot be traced, with a message for the user (one line)."""


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
        """The RF recursion over the last len(kernel) dims (analysis.arithmetic.receptive_field_step)."""
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


def merge(states: list[Spatial]) -> Spatial | None:
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


def reshaped(state: Spatial, before: torch.Tensor, after: torch.Tensor) -> Spatial:
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


def first(out: Any) -> torch.Tensor:
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
    macs = ar.conv_macs(x.shape[1], weight.shape[0], kernel, first(out).shape[2:], groups)
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
    x, o = args[0], first(out)
    if state is None or not state.rf or o.dim() != x.dim():
        return 0, None if state is None else GONE
    k = len(state.rf)
    sizes = [s if o_s == 1 and s != 1 else 1 for s, o_s in zip(x.shape[-k:], o.shape[-k:], strict=True)]
    return 0, state.step(sizes, sizes, [1] * k)


@handles(aten.upsample_nearest1d, aten.upsample_nearest2d, aten.upsample_nearest3d)
def _upsample_nearest(
    args: tuple, kwargs: dict, out: Any, state: Spatial | None
) -> tuple[int, Spatial | None]:
    x, o = args[0], first(out)
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


def classify(func: Any) -> str:
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
