"""Xception (Chollet 2017) in the Keras layout (`keras.applications.Xception`), written in torch.nn.

Keras names its layers `block1_conv1`, `block2_sepconv1`, ...; here each `blockN` is a module and its children
keep the Keras suffixes: `block1` = `conv1` `conv1_bn` `conv1_act` `conv2` `conv2_bn` `conv2_act`;
`block2` … `block4` and `block13` are strided blocks with a `residual` branch (1x1 conv, stride 2, + BN) and a
`pool` (3x3 max pool, stride 2); `block5` … `block12` are the eight middle-flow blocks (three ReLU-sepconv-BN with
an identity skip); `block14` ends with two sepconvs (1536, 2048) and ReLU; then `avg_pool` and `predictions`.

A `SeparableConv2d` is Keras's SeparableConv2D: a depthwise 3x3 (`depthwise`) then a pointwise 1x1
(`pointwise`), no bias (Keras builds them with use_bias=False); the only bias in the network is the classifier's.
Trainable parameters count BN's gamma and beta; Keras's 22,910,480 "total" adds the 54,528 moving means and
variances (buffers here).

Padding: the first two convs are 'valid' (299 -> 149 -> 147); the rest is 'same'. A stride-2 'same' 3x3 max pool
in TensorFlow pads only on the right/bottom when the size is even; torch's MaxPool2d(3, 2, padding=1) pads both
sides, which gives the same output size (and the same MACs), with windows shifted by one pixel on even inputs.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class SeparableConv2d(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels, in_channels, kernel_size, padding=kernel_size // 2, groups=in_channels, bias=False
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.pointwise(self.depthwise(x))


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=1e-3)  # Keras's default epsilon


class EntryFlowBlock1(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, stride=2, bias=False)
        self.conv1_bn = _bn(32)
        self.conv1_act = nn.ReLU()
        self.conv2 = nn.Conv2d(32, 64, 3, bias=False)
        self.conv2_bn = _bn(64)
        self.conv2_act = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv1_act(self.conv1_bn(self.conv1(x)))
        return self.conv2_act(self.conv2_bn(self.conv2(x)))


class StridedBlock(nn.Module):
    """[ReLU] sepconv1 BN ReLU sepconv2 BN maxpool(3, 2) + residual(1x1 conv stride 2, BN).

    block2 has no ReLU before its first sepconv (it follows block1's ReLU), as in Keras.
    """

    def __init__(self, in_channels: int, mid_channels: int, out_channels: int, first_act: bool) -> None:
        super().__init__()
        self.residual = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 1, stride=2, bias=False), _bn(out_channels)
        )
        self.sepconv1_act = nn.ReLU() if first_act else nn.Identity()
        self.sepconv1 = SeparableConv2d(in_channels, mid_channels)
        self.sepconv1_bn = _bn(mid_channels)
        self.sepconv2_act = nn.ReLU()
        self.sepconv2 = SeparableConv2d(mid_channels, out_channels)
        self.sepconv2_bn = _bn(out_channels)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        residual = self.residual(x)
        x = self.sepconv1_bn(self.sepconv1(self.sepconv1_act(x)))
        x = self.sepconv2_bn(self.sepconv2(self.sepconv2_act(x)))
        return self.pool(x) + residual


class MiddleFlowBlock(nn.Module):
    """Three times ReLU -> sepconv(728) -> BN, plus the identity."""

    def __init__(self, channels: int = 728) -> None:
        super().__init__()
        for i in (1, 2, 3):
            self.add_module(f"sepconv{i}_act", nn.ReLU())
            self.add_module(f"sepconv{i}", SeparableConv2d(channels, channels))
            self.add_module(f"sepconv{i}_bn", _bn(channels))

    def forward(self, x: Tensor) -> Tensor:
        out = x
        for i in (1, 2, 3):
            act, conv, bn = (getattr(self, f"sepconv{i}{suffix}") for suffix in ("_act", "", "_bn"))
            out = bn(conv(act(out)))
        return out + x


class ExitFlowBlock14(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.sepconv1 = SeparableConv2d(1024, 1536)
        self.sepconv1_bn = _bn(1536)
        self.sepconv1_act = nn.ReLU()
        self.sepconv2 = SeparableConv2d(1536, 2048)
        self.sepconv2_bn = _bn(2048)
        self.sepconv2_act = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        x = self.sepconv1_act(self.sepconv1_bn(self.sepconv1(x)))
        return self.sepconv2_act(self.sepconv2_bn(self.sepconv2(x)))


class Xception(nn.Module):
    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.block1 = EntryFlowBlock1()
        self.block2 = StridedBlock(64, 128, 128, first_act=False)
        self.block3 = StridedBlock(128, 256, 256, first_act=True)
        self.block4 = StridedBlock(256, 728, 728, first_act=True)
        for i in range(5, 13):
            self.add_module(f"block{i}", MiddleFlowBlock(728))
        self.block13 = StridedBlock(728, 728, 1024, first_act=True)
        self.block14 = ExitFlowBlock14()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.predictions = nn.Linear(2048, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        for i in range(1, 15):
            x = getattr(self, f"block{i}")(x)
        return self.predictions(torch.flatten(self.avg_pool(x), 1))


def xception(num_classes: int = 1000) -> Xception:
    return Xception(num_classes=num_classes)
