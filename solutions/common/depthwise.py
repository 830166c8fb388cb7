"""A10 (depthwise-separable conv, inverted residual): the size rule both families share."""

from __future__ import annotations

from analysis.arithmetic import conv_output_size


def same_output(size: int, kernel: int, stride: int) -> int:
    """Output side of a conv padded by K // 2 (the papers' "same" padding)."""
    return conv_output_size(size, kernel, stride, kernel // 2)
