"""Symbolic equivalence is exact where it can be (issue 13.3); typed decimals against an exact key."""

from __future__ import annotations

from typing import Any

import pytest
import sympy as sp

from grader import grade_part
from grader.symbolic import check_equivalence

x, y = sp.symbols("x y")
DEGREE_13 = sp.expand((x + 2) ** 13)  # 8192 + 53248 x + ... + x**13
NO_ROOT_13 = sp.expand((x + 7) ** 13)  # at least 4**13 = 67,108,864 on [-3, 3]: +1 is < 1.5e-8 relative


def part(answer: Any, **grading: Any) -> dict[str, Any]:
    return {
        "id": "d",
        "kind": "expression",
        "answer": str(answer),
        "answer_text": str(answer),
        "points": 1,
        "grading": grading,
    }


# (key, typed, status): keys built with sympy, as the solvers build them
CASES = [
    (DEGREE_13, str(DEGREE_13 + 1), "wrong"),  # the issue: constant term off by one, 1e-11 relative
    (NO_ROOT_13, str(NO_ROOT_13 + 1), "wrong"),  # a float random-point check calls this equal
    (NO_ROOT_13, "(x + 7)^13", "correct"),
    (sp.exp(x) * NO_ROOT_13, f"exp(x)*({NO_ROOT_13 + 1})", "wrong"),
    (DEGREE_13, str(DEGREE_13 - x**5), "wrong"),
    (DEGREE_13, "(x + 2)^13", "correct"),
    (DEGREE_13, str(DEGREE_13), "correct"),
    ((x**2 - 1) / (x - 1), "x + 1", "correct"),
    ((x**2 - 1) / (x - 1), "x + 1 + 1/10^12", "wrong"),
    (1 / (x**2 + 1) + x / 3, "(3 + x^3 + x)/(3*(x^2 + 1))", "correct"),
    (1 / (x**2 + 1) + x / 3, "(3 + x^3 + x)/(3*(x^2 + 1)) + 1/10^15", "wrong"),
    (sp.expand((x + y) ** 7), "(x + y)^7", "correct"),
    (sp.expand((x + y) ** 7), str(sp.expand((x + y) ** 7) - 1), "wrong"),
    # transcendental: random points at 50 digits see a 1e-12 relative difference
    (sp.exp(x) * DEGREE_13, "exp(x)*(x + 2)^13", "correct"),
    (sp.exp(x) * DEGREE_13, f"exp(x)*({DEGREE_13 + 1})", "wrong"),
    (sp.exp(x) * DEGREE_13, "exp(x)*(x + 2)^13*(1 + 10^-12)", "wrong"),
    (sp.exp(-x) / (1 + sp.exp(-x)) ** 2, "sigma(x)*(1 - sigma(x))", "correct"),
    (sp.exp(-x) / (1 + sp.exp(-x)) ** 2, "sigma(x)*(1 - sigma(x)) + 10^-13", "wrong"),
    (sp.sin(x) ** 2, "1 - cos(x)^2", "correct"),
]


@pytest.mark.parametrize(("key", "typed", "status"), CASES)
def test_exact_where_it_can_be(key: Any, typed: str, status: str) -> None:
    assert grade_part(part(key), typed)["status"] == status


@pytest.mark.parametrize(
    ("key", "typed", "how"),
    [
        (DEGREE_13, str(DEGREE_13 + 1), "exact"),
        ((x**2 - 1) / (x - 1), "x + 1", "exact"),
        (sp.exp(x) * x, "x*exp(x)*(1 + 10^-12)", "points"),
    ],
)
def test_how_it_was_decided(key: Any, typed: str, how: str) -> None:
    assert check_equivalence(str(key), typed, {"x"}, {"x": (-3.0, 3.0)})[2] == how


# typed decimals against an exact key: read as the exact decimal written, compared at points within rtol
DECIMALS = [
    (x / 3, "0.333333*x", {}, "correct"),
    (x / 3, "0.33333*x", {}, "correct"),  # 1e-5 relative: within the default 1e-4
    (x / 3, "0.333*x", {}, "wrong"),  # 1e-3 relative
    (x / 3, "0.333*x", {"rtol": 0.01}, "correct"),  # the part's rtol decides
    (x / 3, "0.33*x", {"rtol": 0.001}, "wrong"),
    (sp.exp(-x / 3), "exp(-0.33333*x)", {}, "correct"),
    (sp.Rational(1, 3) * x**2 + x, "0.333333 x^2 + x", {}, "correct"),
    (sp.Rational(1, 3) * x**2 + x, "0.333333 x^2 + 2x", {}, "wrong"),
]


@pytest.mark.parametrize(("key", "typed", "grading", "status"), DECIMALS)
def test_decimals_against_an_exact_key(key: Any, typed: str, grading: dict[str, Any], status: str) -> None:
    result = grade_part(part(key, **grading), typed)
    assert result["status"] == status
    tolerance = f"±{grading.get('rtol', 1e-4) * 100:g}%"
    assert (
        f"Your decimals were compared with the exact answer at sample points within {tolerance}"
        in (result["feedback"]["en"])
    )
    assert "اعشاری" in result["feedback"]["fa"]


def test_exact_answers_get_no_decimal_note() -> None:
    assert grade_part(part(x / 3), "x/3")["feedback"]["en"] == "Correct."
    assert grade_part(part(x / 2), "0.5*x")["feedback"]["en"] == "Correct."  # the decimal written is exact


def test_a_decimal_key_is_compared_exactly() -> None:
    assert grade_part(part("0.5*x"), "x/2")["status"] == "correct"
    assert grade_part(part("0.25*x"), "x/4 + 10^-14")["status"] == "wrong"
