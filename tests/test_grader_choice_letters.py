"""Choice parts by letter (issue 12.7): the letter in the variant's order, besides the id and the text."""

from __future__ import annotations

from typing import Any

import pytest

from grader import grade_part
from grader.grade import option_letter


def choice(ids: list[str], answer: str) -> dict[str, Any]:
    texts = {"more_params": ("بیشتر", "more parameters"), "fewer_params": ("کمتر", "fewer parameters")}
    texts |= {"same": ("برابر", "the same")}
    options = [
        {
            "id": i,
            "text": dict(zip(("fa", "en"), texts.get(i, (f"گزینه {i}", f"option text {i}")), strict=True)),
        }
        for i in ids
    ]
    return {
        "id": "q",
        "kind": "choice",
        "answer": answer,
        "answer_text": answer,
        "points": 1,
        "grading": {},
        "options": options,
    }


WORDS = choice(["fewer_params", "same", "more_params"], "more_params")  # the variant's order: A, B, C
SHUFFLED = choice(["c", "a", "d", "b"], "d")  # single-letter ids shuffled: letter C is option d

# (key, typed, status, parsed)
CASES = [
    (WORDS, "C", "correct", "more_params"),
    (WORDS, "c", "correct", "more_params"),
    (WORDS, "(C)", "correct", "more_params"),
    (WORDS, "option c", "correct", "more_params"),
    (WORDS, "گزینه ج", "correct", "more_params"),  # ج: the third letter in Persian (abjad) order
    (WORDS, "ج", "correct", "more_params"),
    (WORDS, "A", "wrong", "fewer_params"),
    (WORDS, "الف", "wrong", "fewer_params"),
    (WORDS, "b", "wrong", "same"),
    (WORDS, "more_params", "correct", "more_params"),
    (WORDS, "more parameters", "correct", "more_params"),
    (WORDS, "D", "format_error", None),  # three options: no D
    (SHUFFLED, "C", "correct", "d"),  # capital: the letter as the worksheet prints it
    (SHUFFLED, "d", "correct", "d"),  # lower case: the id
    (SHUFFLED, "c", "wrong", "c"),
    (SHUFFLED, "A", "wrong", "c"),
    (SHUFFLED, "option D", "wrong", "b"),
]


@pytest.mark.parametrize(("key", "typed", "status", "parsed"), CASES)
def test_choice_by_letter(key: dict[str, Any], typed: str, status: str, parsed: str | None) -> None:
    result = grade_part(key, typed)
    assert (result["status"], result["parsed"]) == (status, parsed)


def test_the_result_names_the_letter_of_the_option_chosen() -> None:
    assert grade_part(SHUFFLED, "d")["letter"] == "C"
    assert grade_part(WORDS, "same")["letter"] == "B"


def test_a_capital_letter_that_is_also_another_options_id_is_ambiguous() -> None:
    key = choice(["B", "A"], "A")  # letter A is option B; id A is the other
    result = grade_part(key, "A")
    assert result["status"] == "format_error"
    assert (
        "'A' is ambiguous: it is the letter of option 'B' and the id of option 'A'"
        in result["feedback"]["en"]
    )
    assert "مبهم" in result["feedback"]["fa"]


def test_the_expected_form_lists_the_letters() -> None:
    feedback = grade_part(WORDS, "Z")["feedback"]
    assert "the letter of one option (A, B, C), or its id (fewer_params, same, more_params)" in feedback["en"]


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (27, "AB")])
def test_option_letter(index: int, letter: str) -> None:
    assert option_letter(index) == letter
