"""A right value written with fewer digits than asked (issue 13.4): partial credit with a note, not "Not correct"."""

from __future__ import annotations

from fractions import Fraction as F
from typing import Any

import pytest

from grader import grade_part, settings_for
from grader.grade import written_digits
from grader.settings import SHORT_DIGITS_CREDIT


def part(answer: Any, text: str, **grading: Any) -> dict[str, Any]:
    return {"id": "p", "kind": "real", "answer": answer, "answer_text": text, "points": 2, "grading": grading}


ACCURACY = part(F(862, 1000), "0.862", comparator="decdig", digits=3)  # 862 right of 1000
GFLOPS = part(1.8 * 10**9 * 0.0731, "1.32e8", comparator="sigfig", digits=3)  # 131,580,000

# (key, typed, status, score out of 2)
CASES = [
    (ACCURACY, "0.862", "correct", 2.0),
    (ACCURACY, "0.8620", "correct", 2.0),
    (ACCURACY, "0.86", "partial", 2 * SHORT_DIGITS_CREDIT),  # the issue's case
    (ACCURACY, "۰٫۸۶", "partial", 2 * SHORT_DIGITS_CREDIT),
    (ACCURACY, "8.6e-1", "partial", 2 * SHORT_DIGITS_CREDIT),
    (ACCURACY, "0.87", "wrong", 0.0),  # 0.862 rounds to 0.86, not 0.87
    (ACCURACY, "0.85", "wrong", 0.0),
    (ACCURACY, "0.9", "wrong", 0.0),  # one decimal of three: too few to count
    (ACCURACY, "1", "wrong", 0.0),
    (ACCURACY, "0.86*1", "wrong", 0.0),  # arithmetic shows no digits written
    (part(0.8155, "0.816", comparator="decdig", digits=3), "0.82", "partial", 2 * SHORT_DIGITS_CREDIT),
    (part(0.8155, "0.816", comparator="decdig", digits=3), "0.81", "wrong", 0.0),
    (GFLOPS, "1.32e8", "correct", 2.0),
    (GFLOPS, "1.3e8", "partial", 2 * SHORT_DIGITS_CREDIT),
    (GFLOPS, "130000000", "partial", 2 * SHORT_DIGITS_CREDIT),
    (GFLOPS, "1.3×10^8", "partial", 2 * SHORT_DIGITS_CREDIT),
    (GFLOPS, "1.4e8", "wrong", 0.0),
    (GFLOPS, "1e8", "wrong", 0.0),
    (
        part(F(314159, 100000), "3.142", comparator="sigfig", digits=4),
        "3.14",
        "partial",
        2 * SHORT_DIGITS_CREDIT,
    ),
    (
        part(F(314159, 100000), "3.142", comparator="sigfig", digits=4),
        "3.1",
        "partial",
        2 * SHORT_DIGITS_CREDIT,
    ),
    (part(F(314159, 100000), "3.142", comparator="sigfig", digits=4), "3", "wrong", 0.0),
    (
        part(F(862, 1000), "0.862", comparator="decdig", digits=3, short_digits_credit=0.25),
        "0.86",
        "partial",
        0.5,
    ),
    (part(F(862, 1000), "0.862", comparator="decdig", digits=3, short_digits_credit=0), "0.86", "wrong", 0.0),
    (
        part(F(862, 1000), "0.862", comparator="decdig", digits=3, short_digits_credit=1),
        "0.86",
        "correct",
        2.0,
    ),
    (part(F(862, 1000), "0.862", rtol=0.001), "0.86", "wrong", 0.0),  # relabs has no digits to ask for
]


@pytest.mark.parametrize(("key", "typed", "status", "score"), CASES)
def test_short_digits(key: dict[str, Any], typed: str, status: str, score: float) -> None:
    result = grade_part(key, typed)
    assert (result["status"], result["score"]) == (status, score)


def test_the_note_says_how_many_digits_in_both_languages() -> None:
    feedback = grade_part(ACCURACY, "0.86")["feedback"]
    assert "The value is right, but give 3 decimal places (you wrote 2)" in feedback["en"]
    assert "Not correct" not in feedback["en"]
    assert "۳ رقم اعشار" in feedback["fa"] and "نادرست" not in feedback["fa"]
    feedback = grade_part(GFLOPS, "1.3e8")["feedback"]
    assert "give 3 significant figures (you wrote 2)" in feedback["en"] and "رقم معنادار" in feedback["fa"]


def test_a_wrong_value_keeps_its_own_words() -> None:
    assert "Compared to 3 decimal places" in grade_part(ACCURACY, "0.87")["feedback"]["en"]


def test_the_default_credit_is_half_and_documented_in_the_settings() -> None:
    assert SHORT_DIGITS_CREDIT == 0.5
    assert settings_for(ACCURACY)["short_digits_credit"] == 0.5


@pytest.mark.parametrize(
    ("text", "shown"),
    [("0.86", (2, 2)), ("8.6e-1", (2, 2)), ("1.20", (2, 3)), ("120000", (0, 2)), ("1.3*10**8", (0, 2))]
    + [("-0.0050", (4, 2)), ("12*3", None), (".5", (1, 1))],
)
def test_written_digits(text: str, shown: tuple[int, int] | None) -> None:
    assert written_digits(text) == shown


def test_the_bank_item_of_the_issue() -> None:
    from bank.item import find_item
    from bank.pipeline import solve_item

    parts = {p["id"]: p for p in solve_item(find_item("classification_report"), 0).to_json()["parts"]}
    accuracy = parts["accuracy"]
    assert accuracy["grading"] == {"comparator": "decdig", "digits": 3}
    right = F(str(accuracy["answer_text"]))
    two_decimals = round(right, 2)
    result = grade_part(accuracy, f"{float(two_decimals):.2f}")
    assert result["status"] == "partial" and result["score"] == accuracy["points"] * SHORT_DIGITS_CREDIT
    assert grade_part(accuracy, f"{float(two_decimals + F(1, 100)):.2f}")["status"] == "wrong"
