"""Small building blocks the zoo's architectures share, written as torchvision writes them (`torchvision.ops`).

Module names follow torchvision, so a block reads the same here and there: `Conv2dNormActivation` is an
`nn.Sequential` whose children are `0` (conv), `1` (norm), `2` (activation); `MLP` is `0` Linear, `1` activation,
`2` Dropout, `3` Linear, `4` Dropout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn


def make_divisible(value: float, divisor: int = 8, min_value: int | None = None) -> int:
    """Round a channel count to the nearest multiple of `divisor`, never more than 10% below `value`.

    MobileNetV2's and EfficientNet's rule for width multipliers (torchvision's `_make_divisible`).
    """
    if min_value is None:
        min_value = divisor
    new_value = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if new_value < 0.9 * value:
        new_value += divisor
    return new_value


class Conv2dNormActivation(nn.Sequential):
    """Conv2d ("same" padding for odd kernels, no bias when a norm follows) -> norm -> activation."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        groups: int = 1,
        norm_layer: Callable[[int], nn.Module] | None = nn.BatchNorm2d,
        activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
    ) -> None:
        layers: list[nn.Module] = [
            nn.Conv2d(
                in_channels,
                out_channels,
                kernel_size,
                stride,
                padding=(kernel_size - 1) // 2,
                groups=groups,
                bias=norm_layer is None,
            )
        ]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(inplace=True))
        super().__init__(*layers)
        self.out_channels = out_channels


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation: global average -> 1x1 conv (reduce) -> act -> 1x1 conv (expand) -> sigmoid -> scale."""

    def __init__(
        self,
        input_channels: int,
        squeeze_channels: int,
        activation: Callable[..., nn.Module] = nn.ReLU,
        scale_activation: Callable[..., nn.Module] = nn.Sigmoid,
    ) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def forward(self, x: Tensor) -> Tensor:
        scale = self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))
        return scale * x


class StochasticDepth(nn.Module):
    """Drop a residual branch per sample ("row" mode) with probability p while training; identity in eval."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        survival = 1.0 - self.p
        keep = torch.empty([x.shape[0]] + [1] * (x.ndim - 1), dtype=x.dtype, device=x.device)
        keep = keep.bernoulli_(survival).div_(survival)
        return x * keep

    def extra_repr(self) -> str:
        return f"p={self.p}"


class MLP(nn.Sequential):
    """Linear -> activation -> Dropout for each hidden size, then Linear -> Dropout (torchvision.ops.MLP)."""

    def __init__(
        self,
        in_channels: int,
        hidden_channels: Sequence[int],
        activation_layer: Callable[..., nn.Module] = nn.GELU,
        dropout: float = 0.0,
    ) -> None:
        layers: list[nn.Module] = []
        width = in_channels
        for hidden in hidden_channels[:-1]:
            layers += [nn.Linear(width, hidden), activation_layer(), nn.Dropout(dropout)]
            width = hidden
        layers += [nn.Linear(width, hidden_channels[-1]), nn.Dropout(dropout)]
        super().__init__(*layers)


class Permute(nn.Module):
    def __init__(self, dims: Sequence[int]) -> None:
        super().__init__()
        self.dims = list(dims)

    def forward(self, x: Tensor) -> Tensor:
        return torch.permute(x, self.dims)

    def extra_repr(self) -> str:
        return f"dims={self.dims}"
