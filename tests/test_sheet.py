"""Sheet notation: verbatim sheet lines work; anything else is a clear error naming the line."""

from __future__ import annotations

import inspect
from typing import Any
from unittest import mock

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from analysis import trace
from analysis.meta_shapes import FastMeta
from analysis.sheet import LAYERS, SheetError, build_sheet, parse_sheet
from analysis.trace import trace_module
from base.errors import AzmoonError


@pytest.mark.parametrize(
    ("line", "name", "args", "kwargs"),
    [
        ("Layer1: Conv2d(in_channels=3, out_channels=32, kernel_size=(7,7), stride=1, padding=0)", "Conv2d", [],
         {"in_channels": 3, "out_channels": 32, "kernel_size": (7, 7), "stride": 1, "padding": 0}),
        ("Layer3: MaxPool2d(kernel_size=(2,2), stride=2)", "MaxPool2d", [], {"kernel_size": (2, 2), "stride": 2}),
        ("Layer11: Dropout(0.5)", "Dropout", [0.5], {}),
        ("Layer12: Linear(10)", "Linear", [10], {}),
        ("nn.Conv2d(3, 8, 3, padding='same')", "Conv2d", [3, 8, 3], {"padding": "same"}),
        ("torch.nn.ReLU()", "ReLU", [], {}),
        ("- Conv2d(8, 16, 3, bias=False)", "Conv2d", [8, 16, 3], {"bias": False}),
        ("Linear(64 * 7 * 7, 10)", "Linear", [64 * 7 * 7, 10], {}),
    ],
)  # fmt: skip
def test_reads_sheet_lines(line: str, name: str, args: list, kwargs: dict) -> None:
    (call,) = parse_sheet(line)
    assert (call.name, call.args, call.kwargs) == (name, args, kwargs)


def test_chain_on_one_line_continues_the_numbering() -> None:
    calls = parse_sheet("Layer9: Linear(N, 1024) → Linear(1024, 1024)\nLayer11: Dropout(0.5)")
    sheet = build_sheet("Layer9: Linear(N, 1024) → Linear(1024, 1024)\nLayer11: Dropout(0.5)", [4096])
    assert [c.name for c in calls] == ["Linear", "Linear", "Dropout"]
    assert list(sheet.labels.values()) == ["Layer9", "Layer10", "Layer11"]


def test_ascii_arrows_and_unlabelled_layers() -> None:
    sheet = build_sheet("Conv2d(3, 8, 3) -> ReLU() -> MaxPool2d(2)\nLinear(10)", [3, 10, 10])
    names = [type(m).__name__ for m in sheet.model]
    assert names == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]
    assert sheet.model[4].in_features == 8 * 4 * 4


def test_symbolic_and_missing_sizes_are_inferred() -> None:
    sheet = build_sheet("Conv2d(out_channels=16, kernel_size=3)\nBatchNorm2d()\nLinear(N, 5)", [3, 6, 6])
    assert sheet.model[0].in_channels == 3
    assert sheet.model[1].num_features == 16
    assert sheet.model[3].in_features == 16 * 4 * 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Layer1: Conv2d(4, 8, 3)", "in_channels=4, but the previous layer gives 3 channels"),
        # 8 channels x 8 x 8 after a 3x3 conv on 10x10
        ("Conv2d(3, 8, 3)\nLinear(100, 10)", "in_features=100, but the previous layer gives 512 features"),
        ("Conv2d(3, 8, 11)", "does not fit its input 3×10×10"),
        ("Layer1: Conv9d(3, 8, 3)", "unknown layer 'Conv9d'"),
        ("os.system('ls')", "unknown layer"),
        ("__import__('os').system('ls')", "is not a layer call"),
        ("Conv2d(3, 8, kernel_size=__import__('os'))", "only numbers"),
        ("Conv2d(3, 8, lambda: 3)", "only numbers"),
        ("Conv2d(3, 8, 3).__class__", "is not a layer call"),
        ("Conv2d(*[3, 8, 3])", "* and ** arguments"),
        ("Conv2d(3, 8, 3", "cannot read"),
        ("Linear(10 ** 100, 3)", "only numbers"),
        ("Linear(99999999 * 99999999, 3)", "too large"),
        ("Layer5: nothing here", "has no layer"),
        ("", "no layers"),
        ("Conv2d(3, 8, 3, stride=0)", "line 1"),
    ],
)
def test_bad_sheets_give_clear_errors(text: str, message: str) -> None:
    with pytest.raises(SheetError, match="line|no layers") as info:
        build_sheet(text, [3, 10, 10])
    assert message in str(info.value)


def test_error_names_the_line_number() -> None:
    with pytest.raises(SheetError, match=r"^line 3 \(Layer3\)"):
        build_sheet("Layer1: Conv2d(3, 8, 3)\n\nLayer3: Conv2d(9, 8, 3)", [3, 10, 10])


def test_oversized_sheet_is_refused() -> None:
    with pytest.raises(SheetError, match="longer than"):
        parse_sheet("ReLU()\n" * 20_000)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Linear(" + "-" * 50_000 + "1, 3)", "line 1"),
        ("Linear(" + "+".join(["1"] * 20_000) + ", 3)", "line 1"),
        ("nn.Sequential(" * 150 + "nn.ReLU()" + ")" * 150, None),
        ("self.a = nn.Sequential(" + "nn.ReLU(), " * 3000 + ")", "at most 2000"),
    ],
)
def test_hostile_nesting_and_sizes_are_clean_errors(text: str, message: str | None) -> None:
    if message is None:
        assert len(build_sheet(text, [3, 8, 8]).model) == 1
        return
    with pytest.raises(SheetError, match=message):
        build_sheet(text, [3, 8, 8])


# --- torch's own notation (issue 13.1) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "shape", "expected"),
    [
        ("Conv2d(1, 6, kernel_size=5, padding=2)", [1, 28, 28], nn.Conv2d(1, 6, kernel_size=5, padding=2)),
        ("nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)", [3, 32, 32],
         nn.Conv2d(3, 64, 7, 2, 3, bias=False)),
        ("torch.nn.Conv2d(3, 8, (3, 5), 1, 'same')", [3, 9, 9], nn.Conv2d(3, 8, (3, 5), padding="same")),
        ("nn.MaxPool2d(3, stride=2, padding=1)", [3, 9, 9], nn.MaxPool2d(3, 2, 1)),
        ("nn.ReLU(inplace=True)", [3, 9, 9], nn.ReLU(True)),
        ("nn.Linear(10, out_features=4, bias=False)", [10], nn.Linear(10, 4, bias=False)),
        ("nn.BatchNorm2d(3, eps=1e-3, momentum=0.01)", [3, 9, 9], nn.BatchNorm2d(3, 1e-3, 0.01)),
        ("self.conv1 = nn.Conv2d(3, 6, 5)", [3, 9, 9], nn.Conv2d(3, 6, 5)),
        ("nn.Sequential(nn.Conv2d(3, 6, 5),)", [3, 9, 9], nn.Conv2d(3, 6, 5)),
    ],
)  # fmt: skip
def test_torch_notation_builds_the_same_layer(line: str, shape: list[int], expected: nn.Module) -> None:
    sheet = build_sheet(line, shape)
    assert repr(sheet.model[-1]) == repr(expected)


PASTED_INIT = """\
class LeNet(nn.Module):
    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2),  # C1: 28 -> 28
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),

            # C3
            nn.Conv2d(6, 16, 5),
            nn.ReLU(inplace=True),
            nn.Sequential(nn.MaxPool2d(2),),
        )
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = torch.nn.Linear(120, 84, bias=False)
        self.out = nn.Linear(
            84,
            10,
        )
"""


def test_pasted_init_block_reads_whole() -> None:
    calls = parse_sheet(PASTED_INIT)
    assert [(c.line, c.label, c.name) for c in calls] == [
        (5, "features.0", "Conv2d"), (6, "features.1", "ReLU"), (7, "features.2", "MaxPool2d"),
        (10, "features.3", "Conv2d"), (11, "features.4", "ReLU"), (12, "features.5.0", "MaxPool2d"),
        (14, "flatten", "Flatten"), (15, "fc1", "Linear"), (16, "fc2", "Linear"), (17, "out", "Linear"),
    ]  # fmt: skip
    sheet = build_sheet(PASTED_INIT, [1, 28, 28])
    result = trace_module(sheet.model, [1, 28, 28], labels=sheet.labels)
    assert result.row("features.3").output_shape == [16, 10, 10]
    assert result.row("fc2").weights == 120 * 84 and result.row("fc2").biases == 0
    assert result.totals["params"] == (6 * 1 * 5 * 5 + 6) + (16 * 6 * 5 * 5 + 16) + (400 * 120 + 120) + (
        120 * 84
    ) + (84 * 10 + 10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (PASTED_INIT.replace("nn.Conv2d(6, 16, 5)", "nn.Conv2d(7, 16, 5)"),
         "line 10 (features.3): in_channels=7, but the previous layer gives 6 channels"),
        (PASTED_INIT.replace("nn.ReLU(inplace=True),\n            nn.Seq", "nn.ReLU(inplace=True),\n            relu,\n"
                             "            nn.Seq"), "line 12 (features): 'relu' is not a layer call"),
        (PASTED_INIT.replace("self.fc1 = nn.Linear", "self.fc1 = nn.Bilinear"), "line 15 (fc1): unknown layer"),
        ("self.features = nn.Sequential(\n    nn.Conv2d(3, 8, 3),\n    nn.Conv2d(3, 8, 3, eval('1')),\n)",
         "line 3 (features.1): only numbers"),
        ("self.n = num_classes", "line 1"),
        ("def forward(self, x):\n    return self.fc(x)", "line 1"),
        ("nn.Sequential(nn.ReLU(), inplace=True)", "line 1 (Sequential): write the layers of a Sequential"),
        ("Conv2d(3, 8, 3, 1, 0, kernel_size=3)", "multiple values for argument 'kernel_size'"),
    ],
)  # fmt: skip
def test_errors_in_pasted_code_name_the_line(text: str, message: str) -> None:
    with pytest.raises(SheetError) as info:
        build_sheet(text, [3, 10, 10] if "LeNet" not in text else [1, 28, 28])
    assert message in str(info.value)
    assert isinstance(info.value, AzmoonError)


# --- property: every positional/keyword split of every layer's arguments builds the same layer --------------------

# name: (required arguments, optional arguments -> candidate values, input [C, *spatial])
EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, list[Any]], list[int]]] = {
    "Conv1d": ({"in_channels": 4, "out_channels": 6, "kernel_size": 3},
               {"stride": [2], "padding": [1, 2, "same"], "dilation": [2], "groups": [2], "bias": [False],
                "padding_mode": ["zeros", "reflect", "circular"]}, [4, 20]),
    "Conv2d": ({"in_channels": 4, "out_channels": 6, "kernel_size": (3, 5)},
               {"stride": [2, (1, 2)], "padding": [1, (2, 1), "same", "valid"], "dilation": [2], "groups": [2],
                "bias": [False], "padding_mode": ["zeros", "reflect"]}, [4, 12, 12]),
    "Conv3d": ({"in_channels": 2, "out_channels": 4, "kernel_size": 3},
               {"stride": [2], "padding": [1], "dilation": [1], "groups": [2], "bias": [False]}, [2, 6, 6, 6]),
    "ConvTranspose1d": ({"in_channels": 4, "out_channels": 6, "kernel_size": 3},
                        {"stride": [2], "padding": [1], "output_padding": [1], "groups": [2], "bias": [False],
                         "dilation": [2]}, [4, 10]),
    "ConvTranspose2d": ({"in_channels": 4, "out_channels": 6, "kernel_size": (3, 2)},
                        {"stride": [2, (2, 1)], "padding": [1], "output_padding": [1], "groups": [2],
                         "bias": [False], "dilation": [2]}, [4, 6, 6]),
    "MaxPool1d": ({"kernel_size": 3}, {"stride": [2], "padding": [1], "dilation": [2], "ceil_mode": [True]},
                  [4, 20]),
    "MaxPool2d": ({"kernel_size": (3, 2)}, {"stride": [2, (1, 2)], "padding": [1], "dilation": [2],
                                            "ceil_mode": [True]}, [4, 11, 11]),
    "AvgPool1d": ({"kernel_size": 3}, {"stride": [2], "padding": [1], "ceil_mode": [True],
                                       "count_include_pad": [False]}, [4, 20]),
    "AvgPool2d": ({"kernel_size": 3}, {"stride": [2], "padding": [1], "ceil_mode": [True],
                                       "count_include_pad": [False], "divisor_override": [2]}, [4, 11, 11]),
    "AdaptiveAvgPool1d": ({"output_size": 5}, {}, [4, 20]),
    "AdaptiveAvgPool2d": ({"output_size": (2, 3)}, {}, [4, 7, 7]),
    "AdaptiveMaxPool1d": ({"output_size": 5}, {}, [4, 20]),
    "AdaptiveMaxPool2d": ({"output_size": 2}, {}, [4, 7, 7]),
    "BatchNorm1d": ({"num_features": 4}, {"eps": [1e-3], "momentum": [0.2, None], "affine": [False],
                                          "track_running_stats": [False]}, [4, 10]),
    "BatchNorm2d": ({"num_features": 4}, {"eps": [1e-3], "momentum": [0.2], "affine": [False]}, [4, 5, 5]),
    "LayerNorm": ({"normalized_shape": 10}, {"eps": [1e-6], "elementwise_affine": [False], "bias": [False]},
                  [5, 10]),
    "GroupNorm": ({"num_groups": 2, "num_channels": 4}, {"eps": [1e-3], "affine": [False]}, [4, 5, 5]),
    "InstanceNorm2d": ({"num_features": 4}, {"eps": [1e-3], "momentum": [0.2], "affine": [True],
                                             "track_running_stats": [True]}, [4, 5, 5]),
    "ReLU": ({}, {"inplace": [True, False]}, [4, 5, 5]),
    "ReLU6": ({}, {"inplace": [True]}, [4, 5, 5]),
    "LeakyReLU": ({}, {"negative_slope": [0.2], "inplace": [True]}, [4, 5, 5]),
    "PReLU": ({}, {"num_parameters": [1, 4], "init": [0.1]}, [4, 5, 5]),
    "ELU": ({}, {"alpha": [0.5], "inplace": [True]}, [4, 5, 5]),
    "GELU": ({}, {"approximate": ["none", "tanh"]}, [4, 5, 5]),
    "SiLU": ({}, {"inplace": [True]}, [4, 5, 5]),
    "Sigmoid": ({}, {}, [4, 5, 5]),
    "Tanh": ({}, {}, [4, 5, 5]),
    "Softmax": ({}, {"dim": [1, -1]}, [4, 5]),
    "Hardswish": ({}, {"inplace": [True]}, [4, 5, 5]),
    "Dropout": ({}, {"p": [0.3], "inplace": [True]}, [4, 5, 5]),
    "Dropout2d": ({}, {"p": [0.3], "inplace": [True]}, [4, 5, 5]),
    "Flatten": ({}, {"start_dim": [1, 2], "end_dim": [-1, 2]}, [4, 5, 5]),
    "Linear": ({"in_features": 10, "out_features": 4}, {"bias": [False]}, [3, 10]),
    "Identity": ({}, {}, [4, 5, 5]),
    "Upsample": ({}, {"size": [(10, 12)], "scale_factor": [2, 1.5], "mode": ["nearest", "bilinear"],
                      "align_corners": [False]}, [4, 5, 5]),
    "ZeroPad2d": ({"padding": (1, 2, 0, 3)}, {}, [4, 5, 5]),
}  # fmt: skip
WRAPPERS = ["{}", "Layer1: {}", "- {}", "self.layer = {}", "nn.Sequential(\n    {},  # the layer\n)"]


def test_every_accepted_layer_has_examples() -> None:
    assert set(EXAMPLES) == set(LAYERS)


def _row_numbers(model: nn.Module, shape: list[int]) -> list[tuple]:
    return [(r.output_shape, r.weights, r.biases, r.params, r.macs, r.receptive_field, r.jump)
            for r in trace_module(model, shape).layers]  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXAMPLES))
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_any_split_of_arguments_builds_the_layer_torch_builds(name: str, data: st.DataObject) -> None:
    with mock.patch.object(FastMeta, "verify", True), mock.patch.object(trace._Tracer, "verify", True):
        _check_any_split(name, data)


def _check_any_split(name: str, data: st.DataObject) -> None:
    required, optional, shape = EXAMPLES[name]
    chosen = data.draw(st.sets(st.sampled_from(sorted(optional))), label="optional") if optional else set()
    given_args = dict(required) | {
        k: data.draw(st.sampled_from(optional[k]), label=k) for k in sorted(chosen)
    }
    cls = LAYERS[name]
    order = [p.name for p in inspect.signature(cls.__init__).parameters.values()
             if p.name != "self" and p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]  # fmt: skip
    prefix = 0
    while prefix < len(order) and order[prefix] in given_args:
        prefix += 1
    split = data.draw(st.integers(0, prefix), label="positional")
    keywords = data.draw(st.permutations([k for k in given_args if k not in order[:split]]), label="keywords")
    pieces = [repr(given_args[k]) for k in order[:split]] + [f"{k}={given_args[k]!r}" for k in keywords]
    spelled = data.draw(st.sampled_from(["", "nn.", "torch.nn."])) + f"{name}({', '.join(pieces)})"
    wrapper = data.draw(st.sampled_from(WRAPPERS), label="written as")
    text, line = wrapper.format(spelled), wrapper[: wrapper.index("{}")].count("\n") + 1  # the layer's line
    try:
        with torch.device("meta"):
            direct = cls(**given_args)
        expected = _row_numbers(direct, shape)
    except (TypeError, ValueError, RuntimeError):  # torch refuses the combination: so must the sheet
        with pytest.raises(SheetError, match=f"^line {line} "):
            build_sheet(text, shape)
        return
    sheet = build_sheet(text, shape)
    assert len(sheet.model) == 1
    assert repr(sheet.model[0]) == repr(direct)
    assert _row_numbers(sheet.model, shape) == expected
