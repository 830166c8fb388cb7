"""Small plain conv/pool chains shared by the A4 (RF design) and A5 (strided conv vs conv+pool) families.

A chain is a list of `Layer`s. The RF recursion goes through `analysis.arithmetic.receptive_fields` (cheap, for
design searches that try many variants); the network itself is traced with `analysis.trace.trace_module` on the
meta device (imported lazily: loading the families must not import torch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.arithmetic import Jump, receptive_fields
from solutions.common.misconceptions import rf_without_jump


@dataclass(frozen=True)
class Layer:
    op: str  # "conv" or "maxpool"
    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    channels: int = 0  # conv output channels (pooling keeps the channels)

    def notation(self, in_channels: int) -> str:
        """The layer as PyTorch writes it (inside `code` in item texts)."""
        if self.op == "maxpool":
            return f"MaxPool2d(kernel_size={self.kernel}, stride={self.stride})"
        dil = f", dilation={self.dilation}" if self.dilation != 1 else ""
        return (
            f"Conv2d({in_channels}, {self.channels}, kernel_size={self.kernel}, stride={self.stride}, "
            f"padding={self.padding}{dil})"
        )


def conv(kernel: int, channels: int, stride: int = 1, padding: int | None = None, dilation: int = 1) -> Layer:
    """A conv layer; padding defaults to 'same' for stride 1 (odd kernel): dilation * (kernel - 1) / 2."""
    if padding is None:
        padding = dilation * (kernel - 1) // 2
    return Layer("conv", kernel, stride, padding, dilation, channels)


def maxpool(kernel: int = 2, stride: int = 2) -> Layer:
    return Layer("maxpool", kernel, stride)


def final_rf(layers: list[Layer]) -> tuple[int, Jump]:
    """(RF side, jump) after the last layer, by the shared RF recursion."""
    return receptive_fields([(la.kernel, la.stride, la.dilation) for la in layers])[-1]


def rf_no_jump(layers: list[Layer]) -> int:
    """The RF a student gets by adding kernels without the jump (the misconception's own value)."""
    return rf_without_jump([la.kernel for la in layers], [la.dilation for la in layers]).value


def smallest(reaches: Any, start: int, step: int = 1, limit: int = 10_000) -> int:
    """The smallest value start, start+step, ... for which reaches(value) holds."""
    value = start
    while not reaches(value):
        value += step
        if value > limit:
            raise ValueError(f"no value up to {limit} reaches the target")
    return value


def build(layers: list[Layer], in_channels: int):  # -> torch.nn.Sequential
    from torch import nn

    modules = []
    channels = in_channels
    for la in layers:
        if la.op == "conv":
            modules.append(nn.Conv2d(channels, la.channels, la.kernel, la.stride, la.padding, la.dilation))
            channels = la.channels
        else:
            modules.append(nn.MaxPool2d(la.kernel, la.stride))
    return nn.Sequential(*modules)


def trace_rows(layers: list[Layer], input_shape: list[int]) -> list[dict[str, Any]]:
    """One row per layer from the meta-device tracer: notation, output shape [C, H, W], params, MACs, RF, jump."""
    from analysis.trace import trace_module

    result = trace_module(build(layers, input_shape[0]), input_shape)
    rows = []
    channels = input_shape[0]
    for la, row in zip(layers, result.layers, strict=True):
        rows.append(
            {
                "notation": la.notation(channels),
                "op": la.op,
                "kernel": la.kernel,
                "stride": la.stride,
                "dilation": la.dilation,
                "shape": list(row.output_shape),
                "weights": row.weights,
                "biases": row.biases,
                "macs": row.macs,
                "rf": int(row.receptive_field[0]),
                "jump": int(row.jump[0]),
            }
        )
        channels = row.output_shape[0]
    return rows
