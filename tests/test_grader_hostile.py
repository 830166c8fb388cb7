"""Hostile input: huge numbers, deep nesting, code, long strings, broken files. Clear errors, nothing executed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader import grade_part
from grader.answerfile import MAX_BYTES, AnswerFileError, read_answer_file

INTEGER = {"id": "n", "kind": "integer", "answer": 120, "answer_text": "120", "points": 1, "grading": {}}
REAL = {"id": "r", "kind": "real", "answer": 0.862, "answer_text": "0.862", "points": 1, "grading": {}}
SHAPE = {"id": "s", "kind": "shape", "answer": [64, 59, 59], "answer_text": "64×59×59", "points": 1}
EXPRESSION = {"id": "e", "kind": "expression", "answer": "x*exp(-x)", "answer_text": "x*exp(-x)", "points": 1}
CHOICE = {
    "id": "c",
    "kind": "choice",
    "answer": "a",
    "answer_text": "a",
    "points": 1,
    "options": [{"id": "a", "text": {"fa": "الف", "en": "A"}}, {"id": "b", "text": {"fa": "ب", "en": "B"}}],
}
KEYS = [INTEGER, REAL, SHAPE, EXPRESSION, CHOICE]


def payloads(marker: Path) -> list[str]:
    touch = f"__import__('os').system('touch {marker}')"
    return [
        touch,
        f"open('{marker}', 'w')",
        f"exec(\"open('{marker}','w')\")",
        f"eval(\"open('{marker}','w')\")",
        f"(lambda: open('{marker}', 'w'))()",
        "[c for c in ().__class__.__base__.__subclasses__()]",
        "().__class__.__mro__[1].__subclasses__()",
        "x.__class__.__init__.__globals__",
        "globals()",
        "breakpoint()",
        "import os",
        f"x if open('{marker}','w') else x",
        "__builtins__",
        "sympify('x')",
        "Symbol('x')",
        "S('x')",
        "Function('f')(x)",
        "Integral(x, x)",
        "{**{}}",
        "(yield)",
        "await x",
        "x := 1",
        "f'{x}'",
        "b'1'",
        "...",
    ]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: k["kind"])
def test_code_is_never_run(tmp_path: Path, key: dict) -> None:
    marker = tmp_path / "pwned"
    for typed in payloads(marker):
        result = grade_part(key, typed)
        assert result["status"] in ("format_error", "wrong"), (typed, result)
        assert result["score"] == 0
    assert not marker.exists()


HUGE = [
    "9**9**9**9",
    "9^9^9^9",
    "10**10**10",
    "2**(2**64)",
    "(10**1000)**1000",
    "x**10**9",
    "x**(9**9)",
    "exp(exp(exp(1000)))",
    "1" * 1999,
    "1e999999999",
    "factorial(10**9)",
    "max(*[1]*10)",
    "-" * 1500 + "1",
    "(" * 1000 + "1" + ")" * 1000,
    "-(" * 500 + "1" + ")" * 500,
    "[" * 1000 + "]" * 1000,
    "sigma(" * 300 + "x" + ")" * 300,
    "+".join(["x"] * 900),
    "1" + "*1" * 900,
]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: k["kind"])
@pytest.mark.parametrize("typed", HUGE, ids=range(len(HUGE)))
def test_huge_and_deep_input_is_refused(key: dict, typed: str) -> None:
    result = grade_part(key, typed)
    assert result["status"] in ("format_error", "wrong")
    assert result["score"] == 0 and result["feedback"]["en"] and result["feedback"]["fa"]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: k["kind"])
def test_a_megabyte_string_is_refused_before_parsing(key: dict) -> None:
    for typed in ("1" * 1_000_000, "x+" * 500_000, "(" * 1_000_000, "۱" * 1_000_000):
        result = grade_part(key, typed)
        assert result["status"] == "format_error"
        assert "too long" in result["feedback"]["en"]


@pytest.mark.parametrize("typed", ["\x00", "1\x00", "\ud800", "120\n\n\n", "\t120\t", "120\r\n", "\u202e021"])
def test_control_characters(typed: str) -> None:
    result = grade_part(INTEGER, typed)
    assert result["status"] in ("correct", "format_error", "wrong")


# --- answer files -----------------------------------------------------------------------------------------------

ALIAS_BOMB = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
answers: {out: *f}
"""


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (ALIAS_BOMB, "anchors and aliases"),
        (b"answers: {a: &x 1, b: *x}", "anchors and aliases"),
        (b"answers: &a {out: 1}", "anchors and aliases"),
        (b"answers:\n  out: \xff\xfe\n", "not valid UTF-8"),
        (b"\x80answers: {}", "not valid UTF-8"),
        (b"answers: {out: !!python/object/apply:os.system [touch /tmp/azmoon-pwned]}", "tags"),
        (b"answers: !!map {out: 1}", "tags"),
        (b"answers: {out: !custom 1}", "tags"),
        (b"- 1\n- 2\n", "mapping"),
        (b"just text", "mapping"),
        (b"answers: [1, 2]", "mapping"),
        (b"answers: 7", "mapping"),
        (b"out: 120", "no `answers:`"),
        (b"answers: {a: {b: {c: {d: 1}}}}", "value"),
        (b"answers: " + b"[" * 50 + b"]" * 50, "nested"),
        (b"answers: {a: 1, b: {c: 1}}", "mixes"),
        (b"answers: {a: 1}\n---\nanswers: {b: 2}\n", "one YAML document"),
        (b"answers: {out: [", "not valid YAML"),
        (b"answers:\n\tout: 1\n", "not valid YAML"),
        (b"answers: {}\nvariant: three\n", "whole number"),
        (b"answers: {}\nstudent: [1, 2]\n", "single value"),
        (b"answers: {" + b"k" * 300 + b": 1}", "longer than"),
        (b"answers:\n" + b"".join(b"  p%d: 1\n" % i for i in range(6000)), "entries"),
        (b"answers: {out: '" + b"1" * (MAX_BYTES + 10) + b"'}", "larger than"),
        (b"answers: {out: 1}\x00", "NUL"),
    ],
)
def test_bad_answer_files_give_one_line_errors(data: bytes, phrase: str, tmp_path: Path) -> None:
    with pytest.raises(AnswerFileError) as caught:
        read_answer_file(data)
    message = str(caught.value)
    assert phrase in message and "\n" not in message and isinstance(caught.value, ValueError)
    path = tmp_path / "answers.yaml"
    path.write_bytes(data)
    with pytest.raises(AnswerFileError):
        read_answer_file(path)
    assert not Path("/tmp/azmoon-pwned").exists()


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(AnswerFileError, match="cannot read"):
        read_answer_file(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("data", "answers", "nested"),
    [
        (b"answers:\n  out: 120\n", {"out": "120"}, False),
        ("answers:\n  out: ۱۲۰\n".encode(), {"out": "۱۲۰"}, False),
        (b"\xef\xbb\xbfanswers: {out: 120}", {"out": "120"}, False),  # a UTF-8 BOM from Notepad
        (b"answers: {out: 0123, t: yes, n: 1_000, c: 12:30, f: 1.0e3, z: ~}", None, False),
        (b"answers: {s: [64, 59, 59]}", {"s": ["64", "59", "59"]}, False),
        (b"answers: {out: }", {"out": ""}, False),  # empty: blank
        (b"answers: {out: ''}", {"out": ""}, False),
        (b"answers:\n", {}, False),
        (b"answers: {}", {}, False),
        (
            b"answers:\n  conv:\n    out: 120\n  vit:\n    n: 196\n",
            {"conv": {"out": "120"}, "vit": {"n": "196"}},
            True,
        ),
    ],
)
def test_good_answer_files_keep_what_was_typed(data: bytes, answers: dict | None, nested: bool) -> None:
    parsed = read_answer_file(data)
    assert parsed.nested is nested
    if answers is None:  # YAML 1.1 would turn these into 83, True, 1000, 750, 1000.0 and None
        assert parsed.answers == {
            "out": "0123",
            "t": "yes",
            "n": "1_000",
            "c": "12:30",
            "f": "1.0e3",
            "z": "~",
        }
    else:
        assert parsed.answers == answers


def test_an_item_left_empty_in_a_nested_file_is_blank() -> None:
    parsed = read_answer_file(b"answers:\n  conv:\n  vit:\n    n: 196\n    m:\n")
    assert parsed.nested and parsed.for_item("conv") == {} and parsed.for_item("vit") == {"n": "196", "m": ""}


def test_header_and_for_item() -> None:
    parsed = read_answer_file(
        b"assignment: hw4\nstudent: '0012'\nvariant: 3\nanswers: {conv: {out: 1}}\nx: 1\n"
    )
    assert (parsed.assignment, parsed.student, parsed.variant) == ("hw4", "0012", 3)
    assert parsed.for_item("conv") == {"out": "1"} and parsed.for_item("other") == {}
    assert parsed.extra_keys == ["x"]
    flat = read_answer_file(b"answers: {out: 1}")
    assert flat.for_item("anything") == {"out": "1"}


# --- the CLI ----------------------------------------------------------------------------------------------------


def _cli(*args: str):
    from cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_check_and_compare(tmp_path: Path) -> None:
    import json

    answers = tmp_path / "answers.yaml"
    answers.write_text("answers:\n  out: '(240+2*1-3)//2+1'\n", encoding="utf-8")
    result = _cli("check", "conv_output_size", str(answers), "--seed", "0", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["score"] == report["max_score"] == 1 and report["parts"][0]["correct"] is True
    result = _cli("compare", "0.862", "86.2%", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["correct"] is True
    result = _cli("compare", "3.14159", "3.15", "--comparator", "sigfig", "--digits", "3")
    assert result.exit_code == 0 and result.stdout.startswith("wrong")


@pytest.mark.parametrize("data", [ALIAS_BOMB, b"\xff", b"answers: {other_item: {out: 1}}", b"[]"])
def test_cli_check_refuses_bad_files_without_traceback(tmp_path: Path, data: bytes) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_bytes(data)
    result = _cli("check", "conv_output_size", str(answers))
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "error:" in result.output


def test_cli_compare_refuses_a_hostile_key_cleanly() -> None:
    result = _cli("compare", "9**9**9**9", "1")
    assert result.exit_code == 1 and "Traceback" not in result.output
