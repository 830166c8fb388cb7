"""Sheet notation: verbatim sheet lines work; anything else is a clear error naming the line."""

from __future__ import annotations

import pytest

from analysis.sheet import SheetError, build_sheet, parse_sheet


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
