"""GoogLeNet / Inception v1 (Szegedy et al. 2015) without the auxiliary classifiers, laid out as torchvision's.

`conv1` (7x7, stride 2) `maxpool1` `conv2` (1x1) `conv3` (3x3) `maxpool2`, `inception3a` `inception3b`
`maxpool3`, `inception4a` … `inception4e` `maxpool4`, `inception5a` `inception5b`, `avgpool` `dropout` `fc`.
Every conv is a `BasicConv2d` (conv without bias, BN with eps 0.001, ReLU). An Inception module concatenates four
branches: `branch1` 1x1; `branch2` 1x1 reduce -> 3x3; `branch3` 1x1 reduce -> "5x5"; `branch4` 3x3 max pool ->
1x1 projection.

torchvision's `branch3` uses a 3x3 kernel where the paper has 5x5 (a known bug kept for its pretrained weights);
the published 6,624,904 parameters and 1.498 GMACs are for the 3x3 version, so that is the default here and
`branch3_kernel=5` builds the paper's module.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class BasicConv2d(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, **kwargs: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: Tensor) -> Tensor:
        return nn.functional.relu(self.bn(self.conv(x)), inplace=True)


class Inception(nn.Module):
    def __init__(
        self,
        in_channels: int,
        ch1x1: int,
        ch3x3red: int,
        ch3x3: int,
        ch5x5red: int,
        ch5x5: int,
        pool_proj: int,
        branch3_kernel: int = 3,
    ) -> None:
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(
            BasicConv2d(in_channels, ch3x3red, kernel_size=1),
            BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1),
        )
        self.branch3 = nn.Sequential(
            BasicConv2d(in_channels, ch5x5red, kernel_size=1),
            BasicConv2d(ch5x5red, ch5x5, kernel_size=branch3_kernel, padding=branch3_kernel // 2),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
            BasicConv2d(in_channels, pool_proj, kernel_size=1),
        )

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


# in, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj (the paper's Table 1)
INCEPTION_SETTING = {
    "inception3a": (192, 64, 96, 128, 16, 32, 32),
    "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64),
    "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64),
    "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128),
    "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}


class GoogLeNet(nn.Module):
    def __init__(self, num_classes: int = 1000, dropout: float = 0.2, branch3_kernel: int = 3) -> None:
        super().__init__()

        def inception(name: str) -> Inception:
            return Inception(*INCEPTION_SETTING[name], branch3_kernel=branch3_kernel)

        self.conv1 = BasicConv2d(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = inception("inception3a")
        self.inception3b = inception("inception3b")
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = inception("inception4a")
        self.inception4b = inception("inception4b")
        self.inception4c = inception("inception4c")
        self.inception4d = inception("inception4d")
        self.inception4e = inception("inception4e")
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = inception("inception5a")
        self.inception5b = inception("inception5b")
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        for name in ("inception4a", "inception4b", "inception4c", "inception4d", "inception4e"):
            x = getattr(self, name)(x)
        x = self.inception5b(self.inception5a(self.maxpool4(x)))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(self.dropout(x))


def googlenet(num_classes: int = 1000, branch3_kernel: int = 3) -> GoogLeNet:
    if branch3_kernel not in (3, 5):
        raise ValueError("googlenet: branch3_kernel must be 3 (torchvision) or 5 (the paper)")
    return GoogLeNet(num_classes=num_classes, branch3_kernel=branch3_kernel)
