"""A submission is graded whole or not at all (issue 13.5): grader.submission_problems, bilingual file errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from grader import grade_part, submission_problems
from grader.answerfile import AnswerFileError, read_answer_file

PERSIAN = re.compile(r"[\u0600-\u06FF]")


def key(part_id: str, kind: str, answer: Any, text: str, **grading: Any) -> dict[str, Any]:
    """A stored part key as solve_item writes it (docs/ARCHITECTURE.md "The stored key")."""
    return {
        "id": part_id,
        "kind": kind,
        "prompt": {"fa": "…", "en": "…"},
        "answer": answer,
        "answer_text": text,
        "points": 1,
        "grading": grading,
        "misconceptions": [],
    }


ITEMS = [
    {"item": "conv_output_size", "parts": [key("out", "integer", (114 + 2 * 1 - 3) // 2 + 1, "57")]},
    {
        "item": "cnn_table",
        "parts": [
            key("L1_shape", "shape", [32, 122, 122], "32×122×122", order="CHW"),
            key("L1_weights", "integer", 32 * 3 * 7 * 7, "4704", comparator="exact"),
        ],
    },
    {
        "item": "activation_derivative",
        "parts": [key("d", "expression", "exp(-x)/(1 + exp(-x))**2", "σ(x)(1−σ(x))", domain={"x": [-3, 3]})],
    },
]


def codes(problems: list[dict[str, Any]]) -> list[tuple[Any, Any, str]]:
    return [(p["item"], p["part"], p["code"]) for p in problems]


def assert_bilingual(problems: list[dict[str, Any]]) -> None:
    for problem in problems:
        assert set(problem) == {"item", "part", "code", "message"}
        assert set(problem["message"]) == {"fa", "en"}
        assert PERSIAN.search(problem["message"]["fa"]) and problem["message"]["en"].isascii()
        assert "\n" not in problem["message"]["en"]


def test_a_whole_file_has_no_problems_even_with_wrong_and_blank_answers() -> None:
    answers = {
        "conv_output_size": {"out": "121"},  # wrong, but readable
        "cnn_table": {"L1_shape": "32x122x122", "L1_weights": ""},  # blank is graded 0, not a problem
        "activation_derivative": {"d": "sigma(x)*(1-sigma(x))"},
    }
    assert submission_problems(ITEMS, answers) == []


# (answers, expected (item, part, code) list, words in the English messages)
CASES = [
    (
        {"conv_output": {"out": "120"}},
        [("conv_output", None, "unknown_item"), (None, None, "nothing_answered")],
        ["did you mean 'conv_output_size'?", "nothing is answered"],
    ),
    (
        {"conv_output_size": {"out": "120"}, "Cnn_Table": {"L1_shape": "32x122x122"}},
        [("Cnn_Table", None, "unknown_item")],
        ["did you mean 'cnn_table'?"],
    ),
    (
        {"conv_output_size": {"out": "120"}, "zzzz": {}},
        [("zzzz", None, "unknown_item")],
        ["(items: conv_output_size, cnn_table, activation_derivative)"],
    ),
    (
        {"cnn_table": {"L1_shap": "32x122x122", "L1_weights": "4704"}},
        [("cnn_table", "L1_shap", "unknown_part")],
        ["item 'cnn_table' has no part 'L1_shap' (did you mean 'L1_shape'?)"],
    ),
    (
        {"conv_output_size": {"Out": "120", "qq": "1"}},
        [
            ("conv_output_size", "Out", "unknown_part"),
            ("conv_output_size", "qq", "unknown_part"),
            (None, None, "nothing_answered"),
        ],
        ["did you mean 'out'?", "has no part 'qq' (parts: out)"],
    ),
    (
        {"conv_output_size": {"out": "12O"}, "cnn_table": {"L1_weights": "4704"}},
        [("conv_output_size", "out", "unreadable")],
        ["conv_output_size.out: Your answer could not be read", "Expected form: a whole number"],
    ),
    (
        {"activation_derivative": {"d": "sigma(x)*(1-"}},
        [("activation_derivative", "d", "unreadable")],
        ["activation_derivative.d: Your answer could not be read"],
    ),
    (
        {"conv_output_size": "120"},
        [("conv_output_size", None, "unreadable"), (None, None, "nothing_answered")],
        ["the answers of item 'conv_output_size' must map part ids to answers"],
    ),
    ({}, [(None, None, "nothing_answered")], ["nothing is answered"]),
    (
        {"conv_output_size": {"out": ""}, "cnn_table": {"L1_shape": "  ", "L1_weights": None}},
        [(None, None, "nothing_answered")],
        ["nothing is answered"],
    ),
    (
        {"conv_output_size": None, "cnn_table": ""},
        [(None, None, "nothing_answered")],
        ["nothing is answered"],
    ),
]


@pytest.mark.parametrize(("answers", "expected", "words"), CASES)
def test_problems(answers: dict[str, Any], expected: list[tuple], words: list[str]) -> None:
    problems = submission_problems(ITEMS, answers)
    assert codes(problems) == expected
    assert_bilingual(problems)
    english = " ".join(p["message"]["en"] for p in problems)
    for word in words:
        assert word in english


def test_the_persian_message_names_the_nearest_id_too() -> None:
    (problem, _) = submission_problems(ITEMS, {"conv_output": {"out": "120"}})
    assert "`conv_output_size`" in problem["message"]["fa"] and "منظورتان" in problem["message"]["fa"]


def test_an_expression_that_cannot_be_checked_in_time() -> None:
    items = [{"item": "poly", "parts": [key("p", "expression", "(x + 1)**60", "(x+1)^60", time_limit=1e-6)]}]
    problems = submission_problems(items, {"poly": {"p": "(1 + x)**60"}})
    assert codes(problems) == [("poly", "p", "unchecked")]
    assert_bilingual(problems)
    assert "could not be checked in time" in problems[0]["message"]["en"]


def test_problems_reveal_no_verdict_and_no_key() -> None:
    answers = {"conv_output_size": {"out": "12O"}, "cnn_table": {"L1_weights": "4700", "L1_shape": "1x2"}}
    problems = submission_problems(ITEMS, answers)
    text = repr(problems)
    assert codes(problems) == [("conv_output_size", "out", "unreadable")]
    for secret in ("57", "4704", "122", "Not correct", "نادرست", "Correct"):
        assert secret not in text


def test_the_checks_of_the_problems_are_remembered_for_grading() -> None:
    from grader import symbolic

    expression_key = ITEMS[2]["parts"][0]
    typed = "exp(x)/(exp(x) + 1)**2"
    assert submission_problems(ITEMS, {"activation_derivative": {"d": typed}}) == []
    before = len(symbolic._DECIDED)
    assert grade_part(expression_key, typed)["status"] == "correct"
    assert len(symbolic._DECIDED) == before  # graded from the remembered check, not a second one


# --- the answer file as a whole (AnswerFileError, issues 13.5 / 17.6 / 17.7) ----------------------------------


@pytest.mark.parametrize(
    ("data", "code", "english"),
    [
        (b"answers: {out: 1, out: 2}\n", "duplicate_key", "the key 'out' is repeated at line 1"),
        (
            b"answers:\n  cnn_table:\n    L1_shape: 1x2\n    L1_shape: 32x122x122\n",
            "duplicate_key",
            "the key 'L1_shape' is repeated at line 4 (first at line 3)",
        ),
        (b"student: 1\nstudent: 2\nanswers: {}\n", "duplicate_key", "'student' is repeated at line 2"),
        (b'assignment: hw4\nstudent: "\\e[2J401"\nanswers: {}\n', "control", "(U+001B) at line 2"),
        (b"assignment: hw4\nstudent: 401\x1b[2J\nanswers: {}\n", "control", "(U+001B) at line 2"),
        (b'answers: {"out\\a": 1}\n', "control", "(U+0007) at line 1"),
        (b"answers: {out: [\n", "not_yaml", "not valid YAML"),
        (b"out: 120\n", "no_answers", "no `answers:` key"),
        (b"\x80answers: {}", "not_utf8", "not valid UTF-8"),
    ],
)
def test_file_errors_are_bilingual_one_liners(data: bytes, code: str, english: str) -> None:
    with pytest.raises(AnswerFileError) as caught:
        read_answer_file(data)
    error = caught.value
    assert error.code == code
    assert set(error.bilingual) == {"fa", "en"} and english in error.bilingual["en"]
    assert PERSIAN.search(error.bilingual["fa"])
    message = str(error)
    assert (
        "\n" not in message and message.startswith(error.bilingual["en"]) and error.bilingual["fa"] in message
    )
    assert "\x1b" not in message


def test_tabs_and_persian_marks_in_answers_are_still_read() -> None:
    answer_file = read_answer_file('answers: {out: "۱۲۰\u200f", note: "a\\tb"}\n'.encode())
    assert answer_file.answers == {"out": "۱۲۰\u200f", "note": "a\tb"}
