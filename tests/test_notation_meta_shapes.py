"""The tracer makes the outputs of common ops itself (analysis.meta_shapes): each must equal torch's own meta
kernel (shape, stride, dtype), and a cold trace of a zoo model must not pull in torch._dynamo or sympy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from analysis import trace as tracer
from analysis.meta_shapes import broadcast, fast_output
from analysis.trace import trace_module
from analysis.zoo import MODELS, build, default_input

ROOT = Path(__file__).resolve().parent.parent
aten = torch.ops.aten


@pytest.fixture
def verify(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracer._Tracer, "verify", True)


@pytest.mark.parametrize("name", list(MODELS))
def test_made_outputs_equal_torch_on_every_zoo_model(name: str, verify: None) -> None:
    with torch.device("meta"):
        model = build(name)
    assert trace_module(model, list(default_input(name))).totals["macs"] > 0


class SelfAttention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attn(x, x, x)[0] + x * 2


LAYERS = [
    (lambda: nn.Conv2d(3, 8, 3, stride=2, padding=1, dilation=2), [3, 17, 17]),
    (lambda: nn.Conv2d(4, 8, (3, 5), groups=2, bias=False), [4, 9, 11]),
    (lambda: nn.Conv2d(3, 8, 4, padding="same"), [3, 9, 9]),
    (lambda: nn.Conv1d(3, 8, 5, stride=3), [3, 40]),
    (lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1), [4, 5, 5]),
    (lambda: nn.MaxPool2d(3, 2, padding=1, ceil_mode=True), [4, 10, 10]),
    (lambda: nn.MaxPool2d(2, dilation=2), [4, 9, 9]),
    (lambda: nn.MaxPool2d(2, 2, padding=1, ceil_mode=True), [4, 9, 9]),  # a last window in the padding
    (lambda: nn.AvgPool2d(3, 2, ceil_mode=True, count_include_pad=False, padding=1), [4, 10, 10]),
    (lambda: nn.AdaptiveAvgPool2d((2, 3)), [4, 7, 7]),
    (lambda: nn.BatchNorm2d(4), [4, 5, 5]),
    (lambda: nn.BatchNorm1d(4), [4, 6]),
    (lambda: nn.LayerNorm([5, 6]), [4, 5, 6]),
    (lambda: nn.Linear(6, 3), [4, 6]),
    (lambda: nn.Sequential(nn.Linear(6, 3), nn.ReLU(inplace=True), nn.Hardswish(), nn.GELU()), [6]),
    (
        lambda: nn.Sequential(nn.Softmax(dim=-1), nn.LeakyReLU(0.2, inplace=True), nn.SiLU(), nn.Tanh()),
        [4, 6],
    ),
    (SelfAttention, [5, 8]),
]


@pytest.mark.parametrize("case", range(len(LAYERS)))
def test_made_outputs_equal_torch_on_layers(case: int, verify: None) -> None:
    make, shape = LAYERS[case]
    with torch.device("meta"):
        model = make()
    trace_module(model, shape)


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (aten.convolution.default, "conv 5x5 kernel on a 3x3 input"),
        (aten.convolution.default, "conv channels that do not match"),
        (aten.max_pool2d_with_indices.default, "padding larger than half the kernel"),
        (aten.addmm.default, "a product of mismatched sizes"),
        (aten.add.Tensor, "shapes that do not broadcast"),
        (aten.convolution.default, "a channels-last input"),
        (aten.add.Tensor, "a half-precision input"),
    ],
)
def test_what_torch_would_refuse_is_left_to_torch(func, args: str) -> None:
    meta = {"device": "meta"}
    cases = {
        "conv 5x5 kernel on a 3x3 input": (torch.empty(1, 3, 3, 3, **meta), torch.empty(8, 3, 5, 5, **meta), None,
                                           [1, 1], [0, 0], [1, 1], False, [0, 0], 1),
        "conv channels that do not match": (torch.empty(1, 4, 9, 9, **meta), torch.empty(8, 3, 3, 3, **meta), None,
                                            [1, 1], [0, 0], [1, 1], False, [0, 0], 1),
        "padding larger than half the kernel": (torch.empty(1, 3, 9, 9, **meta), [2, 2], [2, 2], [2, 2]),
        "a product of mismatched sizes": (torch.empty(3, **meta), torch.empty(2, 4, **meta), torch.empty(5, 3, **meta)),
        "shapes that do not broadcast": (torch.empty(2, 3, **meta), torch.empty(4, 3, **meta)),
        "a channels-last input": (torch.empty(1, 3, 9, 9, **meta).to(memory_format=torch.channels_last),
                                  torch.empty(8, 3, 3, 3, **meta), None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1),
        "a half-precision input": (torch.empty(2, 3, dtype=torch.half, **meta), torch.empty(2, 3, **meta)),
    }  # fmt: skip
    assert fast_output(func, cases[args], {}) is None


@pytest.mark.parametrize(
    ("shapes", "expected"),
    [
        (([2, 1, 4], [3, 1]), [2, 3, 4]),
        (([5], [1, 5], [7, 1, 1]), [7, 1, 5]),
        (([2, 3], [4, 3]), None),
    ],
)
def test_broadcast(shapes: tuple, expected: list[int] | None) -> None:
    assert broadcast(*shapes) == expected


@pytest.mark.parametrize(
    ("args", "params"),
    [
        (["zoo:resnet50"], 25_557_032),
        (["examples/sheet002_q1.txt", "--input", "3x128x128"], 5_827_786),
    ],
)
def test_cold_trace_imports_neither_dynamo_nor_sympy(args: list[str], params: int) -> None:
    probe = (
        f"import sys, json; sys.argv = ['cli.py', 'trace', *{args!r}, '--json']\n"
        "from cli import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps([m for m in ('torch._dynamo', 'sympy') if m in sys.modules]), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert json.loads(run.stdout)["totals"]["params"] == params
    assert json.loads(run.stderr.strip().splitlines()[-1]) == []
