"""Pure layer arithmetic, kept apart from tracing (fvcore style) so solvers and worked solutions reuse it.

Conventions (the README states them too):
- MACs: multiply-accumulates of convolutions, linear layers and matrix products (attention included).
  Bias adds, normalization, activations, pooling and element-wise adds are not MACs.
- FLOPs = 2 x MACs (one multiply and one add per MAC), the convention of sheet 002 ("ضرب و جمع").
- Receptive field: the side of the input region one output element sees, per spatial dimension, cumulated from
  the input with the jump (effective stride): r_out = r_in + (k_eff - 1) * j_in, j_out = j_in * s,
  where k_eff = d * (k - 1) + 1. Padding does not change it.
Every function works on one spatial dimension or on plain integers; no torch here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

FLOPS_PER_MAC = 2


def effective_kernel(kernel: int, dilation: int = 1) -> int:
    """Span of a dilated kernel: d * (k - 1) + 1."""
    return dilation * (kernel - 1) + 1


def conv_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, ceil_mode: bool = False
) -> int:
    """floor((W + 2P - D(K - 1) - 1) / S) + 1, as torch computes it for Conv and pooling layers.

    With ceil_mode (pooling only) the division rounds up, but the last window must start inside the input
    or the left padding (torch's rule).
    """
    span = size + 2 * padding - effective_kernel(kernel, dilation)
    if span < 0:
        raise ValueError(
            f"kernel span {effective_kernel(kernel, dilation)} exceeds padded input {size + 2 * padding}"
        )
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + padding:
        out -= 1
    return out


def conv_transpose_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> int:
    """(W - 1) * S - 2P + D(K - 1) + output_padding + 1."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def conv_weights(c_in: int, c_out: int, kernel: Sequence[int], groups: int = 1) -> int:
    """C_out * (C_in / groups) * prod(K)."""
    return c_out * (c_in // groups) * math.prod(kernel)


def conv_macs(
    c_in: int, c_out: int, kernel: Sequence[int], out_spatial: Sequence[int], groups: int = 1
) -> int:
    """One MAC per weight per output position: prod(out) * C_out * (C_in / groups) * prod(K)."""
    return math.prod(out_spatial) * conv_weights(c_in, c_out, kernel, groups)


def conv_transpose_macs(
    c_in: int, c_out: int, kernel: Sequence[int], in_spatial: Sequence[int], groups: int = 1
) -> int:
    """Each input element is multiplied by a whole kernel: prod(in) * C_in * (C_out / groups) * prod(K)."""
    return math.prod(in_spatial) * c_in * (c_out // groups) * math.prod(kernel)


def locally_connected_weights(
    c_in: int, c_out: int, kernel: Sequence[int], out_spatial: Sequence[int]
) -> int:
    """Unshared ("locally connected") layer: its own kernel at every output position, prod(out) * C_out * C_in * prod(K)."""
    return math.prod(out_spatial) * conv_weights(c_in, c_out, kernel)


def linear_weights(in_features: int, out_features: int) -> int:
    return in_features * out_features


def linear_macs(in_features: int, out_features: int, rows: int = 1) -> int:
    """rows x in x out (rows: tokens or positions the layer is applied to)."""
    return rows * in_features * out_features


def matmul_macs(n: int, k: int, m: int, batch: int = 1) -> int:
    """[batch, n, k] @ [batch, k, m]: batch * n * k * m."""
    return batch * n * k * m


def attention_macs(queries: int, keys: int, dim: int, heads: int = 1) -> int:
    """Q K^T and A V of multi-head attention (projections excluded): 2 * L * S * d_head * heads."""
    return 2 * queries * keys * (dim // heads) * heads


def flops(macs: int) -> int:
    return FLOPS_PER_MAC * macs


Jump = int | Fraction


def receptive_field_step(
    rf: int, jump: Jump, kernel: int, stride: Jump = 1, dilation: int = 1
) -> tuple[int, Jump]:
    """One layer of the RF recursion: r + (k_eff - 1) * j, j * s."""
    return rf + (effective_kernel(kernel, dilation) - 1) * jump, jump * stride


def receptive_fields(layers: Iterable[tuple[int, int, int]]) -> list[tuple[int, Jump]]:
    """Cumulative (rf, jump) after each (kernel, stride, dilation) layer, starting from one input pixel."""
    rf: int = 1
    jump: Jump = 1
    out = []
    for kernel, stride, dilation in layers:
        rf, jump = receptive_field_step(rf, jump, kernel, stride, dilation)
        out.append((rf, jump))
    return out


def same_padding(kernel: int, dilation: int = 1) -> tuple[int, int]:
    """torch's padding='same' (stride 1): total d(k-1), the extra one on the right."""
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2


# --- blocks of modern architectures (catalogue A9-A14) ------------------------------------------------------


def depthwise_separable_weights(c_in: int, c_out: int, kernel: Sequence[int]) -> tuple[int, int]:
    """(depthwise, pointwise) weights: K*K*C_in (groups=C_in) and C_in*C_out (1x1)."""
    return conv_weights(c_in, c_in, kernel, groups=c_in), conv_weights(c_in, c_out, (1,) * len(kernel))


def separable_cost_ratio(c_out: int, kernel: Sequence[int]) -> Fraction:
    """Depthwise-separable over standard cost (weights and MACs alike): 1/C_out + 1/prod(K)."""
    return Fraction(1, c_out) + Fraction(1, math.prod(kernel))


def dense_block_channels(c_in: int, layers: int, growth: int) -> int:
    """DenseNet: every layer concatenates `growth` new maps, so C_in + L*k channels leave the block."""
    return c_in + layers * growth


def transition_channels(channels: int, compression: Fraction | float) -> int:
    """DenseNet-BC transition layer: floor(theta * C) output channels."""
    return math.floor(Fraction(compression) * channels)


def patch_count(height: int, width: int, patch: int) -> int:
    """ViT: (H/P)*(W/P) non-overlapping patches (H and W multiples of P)."""
    if height % patch or width % patch:
        raise ValueError(f"{height}x{width} is not a whole number of {patch}x{patch} patches")
    return (height // patch) * (width // patch)


def window_attention_macs(height: int, width: int, window: int, dim: int) -> int:
    """Swin W-MSA matrix products: (h*w / M^2) windows of M^2 tokens each, 2 * M^2 * h * w * C in all."""
    if height % window or width % window:
        raise ValueError(f"{height}x{width} is not a whole number of {window}x{window} windows")
    windows = (height // window) * (width // window)
    return windows * attention_macs(window * window, window * window, dim)


def compound_multipliers(alpha: float, beta: float, gamma: float, phi: float) -> tuple[float, float, float]:
    """EfficientNet compound scaling: depth alpha^phi, width beta^phi, resolution gamma^phi."""
    return alpha**phi, beta**phi, gamma**phi


def compound_flops_factor(alpha: float, beta: float, gamma: float, phi: float) -> float:
    """FLOPs grow with depth, width squared and resolution squared: (alpha * beta^2 * gamma^2)^phi."""
    return (alpha * beta**2 * gamma**2) ** phi


def batchnorm_params(channels: int) -> int:
    """Trainable parameters of BatchNorm: gamma and beta per channel (running mean/var are buffers)."""
    return 2 * channels


def batchnorm_buffers(channels: int) -> int:
    """Running mean and running variance per channel (not trained; num_batches_tracked left out)."""
    return 2 * channels


def batch_statistics(values: Sequence[int | Fraction]) -> tuple[Fraction, Fraction]:
    """Mini-batch mean and biased variance (divide by m), exactly, as BatchNorm uses them in training."""
    m = len(values)
    mean = sum((Fraction(v) for v in values), Fraction(0)) / m
    variance = sum(((Fraction(v) - mean) ** 2 for v in values), Fraction(0)) / m
    return mean, variance


def batchnorm_output(
    value: float, mean: float, variance: float, gamma: float, beta: float, eps: float = 1e-5
) -> tuple[float, float]:
    """(x_hat, y): x_hat = (x - mu) / sqrt(var + eps), y = gamma * x_hat + beta."""
    x_hat = (float(value) - float(mean)) / math.sqrt(float(variance) + eps)
    return x_hat, gamma * x_hat + beta
