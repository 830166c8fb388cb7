"""EfficientNet-B0 (Tan & Le 2019), laid out as torchvision's.

`features.0` the stem (3x3 conv, stride 2, SiLU); `features.1` … `features.7` the seven stages, each an
`nn.Sequential` of `MBConv` (so the second block of stage 3 is `features.3.1`); `features.8` the 1x1 head conv
to 4 x 320 = 1280 channels; `avgpool`; `classifier` (`0` Dropout, `1` Linear). An MBConv's `block` is
[1x1 expand (absent when the ratio is 1)] -> kxk depthwise (the stride) -> squeeze-excitation (squeeze to a
quarter of the block's *input* channels) -> 1x1 project (no activation). Width and depth multipliers give B1-B7.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from functools import partial

import torch
from torch import Tensor, nn

from analysis.zoo.layers import Conv2dNormActivation, SqueezeExcitation, StochasticDepth, make_divisible


@dataclass
class MBConvConfig:
    expand_ratio: float
    kernel: int
    stride: int
    input_channels: int
    out_channels: int
    num_layers: int

    @staticmethod
    def adjust_channels(channels: float, width_mult: float) -> int:
        return make_divisible(channels * width_mult, 8)

    @classmethod
    def scaled(
        cls,
        expand: float,
        kernel: int,
        stride: int,
        cin: int,
        cout: int,
        layers: int,
        width: float,
        depth: float,
    ) -> MBConvConfig:
        return cls(
            expand,
            kernel,
            stride,
            cls.adjust_channels(cin, width),
            cls.adjust_channels(cout, width),
            int(math.ceil(layers * depth)),
        )


# expand ratio, kernel, stride, in, out, repeats (B0)
B0_STAGES = (
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
)


class MBConv(nn.Module):
    def __init__(self, cnf: MBConvConfig, stochastic_depth_prob: float) -> None:
        super().__init__()
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        expanded = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        layers: list[nn.Module] = []
        if expanded != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, expanded, 1, activation_layer=nn.SiLU))
        layers.append(
            Conv2dNormActivation(
                expanded, expanded, cnf.kernel, cnf.stride, groups=expanded, activation_layer=nn.SiLU
            )
        )
        squeeze = max(1, cnf.input_channels // 4)
        layers.append(SqueezeExcitation(expanded, squeeze, activation=partial(nn.SiLU, inplace=True)))
        layers.append(Conv2dNormActivation(expanded, cnf.out_channels, 1, activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob)
        self.out_channels = cnf.out_channels

    def forward(self, x: Tensor) -> Tensor:
        result = self.block(x)
        if self.use_res_connect:
            result = self.stochastic_depth(result) + x
        return result


class EfficientNet(nn.Module):
    def __init__(
        self,
        setting: list[MBConvConfig],
        dropout: float,
        stochastic_depth_prob: float = 0.2,
        num_classes: int = 1000,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            Conv2dNormActivation(3, setting[0].input_channels, 3, 2, activation_layer=nn.SiLU)
        ]
        total_blocks = sum(cnf.num_layers for cnf in setting)
        block_id = 0
        for cnf in setting:
            stage: list[nn.Module] = []
            for _ in range(cnf.num_layers):
                block_cnf = copy.copy(cnf)
                if stage:  # later repeats: same channels in and out, stride 1
                    block_cnf.input_channels = block_cnf.out_channels
                    block_cnf.stride = 1
                stage.append(MBConv(block_cnf, stochastic_depth_prob * block_id / total_blocks))
                block_id += 1
            layers.append(nn.Sequential(*stage))
        last_in = setting[-1].out_channels
        last_out = 4 * last_in
        layers.append(Conv2dNormActivation(last_in, last_out, 1, activation_layer=nn.SiLU))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True), nn.Linear(last_out, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        x = torch.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)


def efficientnet_b0(
    num_classes: int = 1000, width_mult: float = 1.0, depth_mult: float = 1.0, dropout: float = 0.2
) -> EfficientNet:
    """B0 by default; B1 is (width 1.0, depth 1.1), B2 (1.1, 1.2), B3 (1.2, 1.4), ... as in the paper."""
    setting = [MBConvConfig.scaled(*row, width=width_mult, depth=depth_mult) for row in B0_STAGES]
    return EfficientNet(setting, dropout=dropout, num_classes=num_classes)
