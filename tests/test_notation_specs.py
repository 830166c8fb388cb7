"""`azmoon trace` on a model file: a missing package and a missing `:factory` are one clear line (issue 13.6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.handlers import TraceError
from analysis.specs import factories_in
from base.errors import AzmoonError
from cli import app

runner = CliRunner()

MODEL_FILE = """\
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, channels: int = 8) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(x) + x


class Net(Block):
    pass


class NeedsArguments(nn.Module):
    def __init__(self, depth):
        super().__init__()


class Helper:
    pass


def make():
    return nn.Sequential(nn.Conv2d(3, 8, 3), Block())


def make_wide() -> nn.Module:
    return make()


def _private():
    return Block()


def pick(n):
    return Block()


def count() -> int:
    return 3
"""


def run_trace(*args: str):
    return runner.invoke(app, ["trace", *args])


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "mynet.py"
    path.write_text(MODEL_FILE, encoding="utf-8")
    return path


def test_factories_are_read_without_running_the_file() -> None:
    assert factories_in(MODEL_FILE) == ["Block", "Net", "make", "make_wide"]


def test_model_file_without_factory_lists_the_factories(model_file: Path) -> None:
    assert one_line_error(run_trace(str(model_file), "--input", "3x8x8")) == (
        f"error: '{model_file}' is a Python file: name the model to trace, as '{model_file}:Block' "
        "(it defines Block, Net, make, make_wide)"
    )


def test_model_file_without_any_factory(tmp_path: Path) -> None:
    path = tmp_path / "helpers.py"
    path.write_text("def size():\n    return 3\n", encoding="utf-8")
    assert one_line_error(run_trace(str(path))) == (
        f"error: '{path}' is a Python file: name a function returning an nn.Module (or an nn.Module class) that "
        f"needs no arguments, as '{path}:make'; the file defines none"
    )


@pytest.mark.parametrize("where", ["top", "factory"])
def test_missing_package_is_one_line_naming_it(tmp_path: Path, where: str) -> None:
    path = tmp_path / "visionnet.py"
    body = "import torchvision_not_installed_here.models as tvm\n\ndef make():\n    return tvm.resnet18()\n"
    if where == "factory":
        body = "from torch import nn\n\ndef make() -> nn.Module:\n    import torchvision_not_installed_here\n"
    path.write_text(body, encoding="utf-8")
    assert one_line_error(run_trace(f"{path}:make", "--input", "3x32x32")) == (
        f"error: '{path}' imports 'torchvision_not_installed_here', which is not installed "
        "(pip install it, or trace without it)"
    )


@pytest.mark.parametrize(
    ("source", "spec_suffix", "message"),
    [
        ("def make(:\n    pass\n", ":make", "line 1: invalid syntax"),
        ("def make(:\n    pass\n", "", "line 1: invalid syntax"),
        (MODEL_FILE, ":build", "has no callable 'build' (it defines Block, Net, make, make_wide)"),
    ],
)
def test_other_model_file_mistakes_are_one_line(
    tmp_path: Path, source: str, spec_suffix: str, message: str
) -> None:
    path = tmp_path / "mynet.py"
    path.write_text(source, encoding="utf-8")
    line = one_line_error(run_trace(f"{path}{spec_suffix}", "--input", "3x8x8"))
    assert line.startswith(f"error: '{path}'") and line.endswith(message), line


def test_the_named_factory_still_traces(model_file: Path) -> None:
    result = run_trace(f"{model_file}:make", "--input", "3x10x10")
    assert result.exit_code == 0, result.output
    assert "params: " + f"{8 * 3 * 3 * 3 + 8 + 8 * 8 * 3 * 3 + 8:,}" in result.output


def test_trace_error_is_an_azmoon_error_and_a_value_error() -> None:
    assert issubclass(TraceError, AzmoonError) and issubclass(TraceError, ValueError)
