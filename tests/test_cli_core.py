"""The foundation commands through Typer's runner: exact output where it is stable, the contract's JSON keys."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_trace_table_for_the_seed_sheet() -> None:
    result = run("trace", "examples/sheet002_q1.txt", "--input", "3x128x128")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "input: 3×128×128   params: 5,827,786   FLOPs = 2 × MACs"
    assert lines[1].split() == [
        "layer",
        "op",
        "output",
        "weights",
        "biases",
        "params",
        "MACs",
        "FLOPs",
        "RF",
        "jump",
    ]
    layer1 = [
        "Layer1",
        "Conv2d",
        "32×122×122",
        "4,704",
        "32",
        "4,736",
        "70,014,336",
        "140,028,672",
        "7×7",
        "1×1",
    ]
    assert lines[3].split() == layer1
    assert lines[10].split() == ["Layer8", "AvgPool2d", "256×4×4", "0", "0", "0", "0", "0", "65×65", "16×16"]
    assert lines[-1].split() == ["total", "5,825,120", "2,666", "5,827,786", "401,466,752", "802,933,504"]


def test_trace_json_follows_the_contract() -> None:
    result = run("trace", "examples/sheet002_q1.txt", "--input", "3x128x128", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) >= {"input_shape", "layers", "totals"}
    assert document["input_shape"] == [3, 128, 128]
    layer = document["layers"][0]
    assert set(layer) >= {
        "label",
        "op",
        "output_shape",
        "weights",
        "biases",
        "macs",
        "flops",
        "receptive_field",
        "jump",
    }
    assert set(document["totals"]) == {"weights", "biases", "params", "macs", "flops"}
    assert [row["receptive_field"] for row in document["layers"][:8]] == [
        [r, r] for r in (7, 11, 13, 29, 37, 41, 57, 65)
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trace", "examples/sheet002_q1.txt"], "error: give the input shape with --input"),
        (["trace", "no/such/file.txt", "--input", "3x8x8"], "error: no sheet file 'no/such/file.txt'"),
        (
            ["trace", "examples/sheet002_q1.txt", "--input", "3xx"],
            "error: input shape '3xx' should look like",
        ),
        (
            ["trace", "examples/sheet002_q1.txt", "--input", "3x16x16"],
            "error: line 7 (Layer4): does not fit its input 64×1×1",
        ),
        (["solve", "no_such_item"], "error: no item 'no_such_item' in the bank"),
        (["solve", "../../etc/passwd"], "error: no item '../../etc/passwd' in the bank"),
    ],
)
def test_bad_input_is_a_one_line_error_without_traceback(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_solve_json_follows_the_contract() -> None:
    result = run("solve", "cnn_table", "--seed", "0", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) >= {"item", "seed", "params", "parts", "solution"}
    assert set(document["solution"]) >= {"fa", "en"}
    part = next(p for p in document["parts"] if p["id"] == "Layer2_shape")
    assert set(part) >= {"id", "kind", "prompt", "answer", "answer_text", "points"}
    assert (part["answer"], part["answer_text"]) == ([64, 59, 59], "64×59×59")


def test_questions_list_json_has_catalogue_and_both_titles() -> None:
    result = run("questions", "list", "--json")
    assert result.exit_code == 0
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["cnn_table"]["catalogue"] == "A1"
    assert rows["cnn_whatif"]["catalogue"] == "A2"
    for row in rows.values():
        assert set(row) >= {"id", "catalogue", "topic", "title", "kind", "parts"}
        assert row["title"]["fa"] and row["title"]["en"]


def test_questions_test_reports_and_exits_zero() -> None:
    result = run("questions", "test", "cnn_whatif", "--seeds", "3", "--json")
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)
    assert report == {"item": "cnn_whatif", "seeds": 3, "distinct_variants": 3, "ok": True, "failures": []}
