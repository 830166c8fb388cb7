"""bank/mistakes.py `distinct_mistakes` and grader.grade `same_answer`: the key keeps a family's mistake only when
the part's own comparator, with the part's settings, tells it apart from the answer and from every earlier mistake.

One table per comparator: a mistake that must be dropped (graded right against the answer, or equal to an
earlier mistake) and one that must be kept, the numbers written as the arithmetic that makes them so. Every row
is also checked against the grader itself: a dropped value typed by a student is graded right (or as the earlier
mistake), a kept one shows its own hint, so the bank and the grader cannot drift apart."""

from __future__ import annotations

from typing import Any

import pytest

from bank.item import Bilingual
from bank.mistakes import distinct_mistakes
from bank.registry import Misconception
from grader.grade import grade_part, same_answer

OPTIONS = [{"id": o, "text": {"fa": o, "en": o}} for o in ("relu", "tanh", "sigmoid")]


def part(
    kind: str, answer: Any, grading: dict[str, Any] | None = None, text: str | None = None
) -> dict[str, Any]:
    """A stored part key as the bank writes it, without mistakes (what distinct_mistakes is given)."""
    key = {
        "id": "p",
        "kind": kind,
        "answer": answer,
        "points": 1,
        "grading": grading or {},
        "misconceptions": [],
    }
    key["answer_text"] = (
        text if text is not None else "×".join(map(str, answer)) if kind == "shape" else str(answer)
    )
    if kind == "choice":
        key["options"] = OPTIONS
    return key


def slip(value: Any, name: str = "slip") -> Misconception:
    return Misconception(value, Bilingual(fa=f"اشتباه {name}", en=f"mistake {name}"))


def typed(value: Any, key: dict[str, Any]) -> str:
    """What a student who made the mistake types (a percent part's value as a percentage: `1.84%`)."""
    if isinstance(value, list | tuple):
        return "×".join(str(v) for v in value)
    if key["grading"].get("percent"):
        shown = float(key["answer_text"].rstrip("%"))
        scale = 100 if abs(shown / 100 - key["answer"]) < 1e-12 else 1
        return f"{round(float(value) * scale, 10)!r}%"
    return repr(value) if isinstance(value, float) else str(value)


EXACT = part("integer", 16 * 3 * 3 * 3 + 16, {"comparator": "exact"})  # Conv2d(3, 16, 3): 448
RELABS = part("real", 2.5, {"comparator": "relabs", "rtol": 0.01})  # within 0.01 * 2.5 = 0.025 (atol 1e-8)
RELABS_5 = part("real", 0.056289152, {"comparator": "relabs", "rtol": 0.005})  # GMACs, ±0.5 %
SIGFIG = part("real", 1234.0, {"comparator": "sigfig", "digits": 3})  # 0.51 units of the 3rd figure: ±5.1
DECDIG = part("real", 0.862, {"comparator": "decdig", "digits": 3})  # 0.51 units of the 3rd decimal: ±0.00051
PERCENT = part(
    "real", 1.83, {"comparator": "relabs", "rtol": 0.01, "percent": True}, "1.83%"
)  # ±0.0183 points
FRACTION_PERCENT = part("real", 0.0183, {"comparator": "relabs", "rtol": 0.01, "percent": True}, "1.83%")
SHAPE = part("shape", [16, 32, 32], {"comparator": "shape", "order": "CHW"})
EXPRESSION = part("expression", "2*x*exp(x**2)")  # d/dx exp(x²)
CHOICE = part("choice", "tanh")

# (name, part key, a mistake graded right against the answer -> dropped, a mistake graded wrong -> kept)
AGAINST_THE_ANSWER = [
    ("exact: biases of a bias-free layer", EXACT, 16 * 3 * 3 * 3 + 16 - 0, 16 * 3 * 3 * 3),
    ("exact: the same number as a float", EXACT, 448.0, 448 + 1),
    ("relabs: 1 % of 2.5 above", RELABS, 2.5 + 0.025, 2.5 + 0.025 + 0.001),
    ("relabs: 2 % apart (only_present's 2·rtol dropped it)", RELABS, 2.5 - 0.02, 2.5 * 1.02),
    ("relabs: a text value", RELABS, "5/2", "2.55"),
    ("relabs rtol 0.005", RELABS_5, 0.056289152 * 1.004, 0.056289152 * 1.006),
    ("sigfig: 1234 + 5 rounds to 1230 too", SIGFIG, 1234.0 + 5, 1234.0 + 6),
    ("sigfig: below", SIGFIG, 1234.0 - 5, 1234.0 - 6),
    ("decdig: 0.862 + 0.0005", DECDIG, 0.862 + 0.0005, 0.862 + 0.0006),
    ("decdig: 1.4 units (only_present's 1.5-unit margin dropped it)", DECDIG, 0.862 - 0.0005, 0.862 - 0.0014),
    ("percent stored in percent: 1.83 + 0.01", PERCENT, 1.83 + 0.01, 1.83 + 0.04),
    ("percent stored as a fraction: 1.84 % vs 1.83 %", FRACTION_PERCENT, 0.0184, 0.0187),
    ("shape: H×W×C of a cube is C×H×W", part("shape", [24, 24, 24]), [24, 24, 24][1:] + [24], [16, 48, 48]),
    ("shape: a tuple", SHAPE, (16, 32, 32), [32, 32, 16]),
    ("expression: the factors in another order", EXPRESSION, "exp(x**2)*2*x", "exp(x**2)"),
    ("expression: expanded the other way", EXPRESSION, "x*exp(x**2) + x*exp(x**2)", "2*exp(x**2)"),
    ("choice", CHOICE, "tanh", "relu"),
]


@pytest.mark.parametrize(
    ("key", "dropped", "kept"), [r[1:] for r in AGAINST_THE_ANSWER], ids=[r[0] for r in AGAINST_THE_ANSWER]
)
def test_a_mistake_graded_right_is_dropped_and_one_graded_wrong_kept(key, dropped, kept) -> None:
    assert same_answer(key, dropped, key["answer"]) is True
    assert same_answer(key, kept, key["answer"]) is False
    assert [m.value for m in distinct_mistakes(key, [slip(dropped), slip(kept)])] == [kept]


@pytest.mark.parametrize(
    ("key", "dropped", "kept"), [r[1:] for r in AGAINST_THE_ANSWER], ids=[r[0] for r in AGAINST_THE_ANSWER]
)
def test_the_grader_agrees_dropped_is_right_and_kept_shows_its_hint(key, dropped, kept) -> None:
    assert grade_part(key, typed(dropped, key))["status"] == "correct"
    with_hint = {**key, "misconceptions": [{"value": kept, "hint": {"fa": "اشتباه", "en": "mistake kept"}}]}
    graded = grade_part(with_hint, typed(kept, key))
    assert graded["status"] == "wrong" and graded["feedback"]["en"].endswith("mistake kept"), graded


# (name, part key, the mistakes a family lists, the values the key keeps): later ones equal to an earlier one go
AGAINST_EARLIER = [
    ("exact", EXACT, [16 * 3 * 3 * 3, 448 - 16, 2 * 448], [432, 896]),
    ("relabs: 2·2.5 and 1 % of it", RELABS, [2 * 2.5, 2 * 2.5 + 0.04, 2.5 / 2], [5.0, 1.25]),
    (
        "relabs: within 1 % of the earlier, not of the answer",
        RELABS,
        [3.0, 3.0 + 0.03, 3.0 + 0.031],
        [3.0, 3.031],
    ),
    ("sigfig", SIGFIG, [2 * 1234.0, 2 * 1234.0 + 5, 2 * 1234.0 + 6, 1234.0 / 2], [2468.0, 2474.0, 617.0]),
    ("decdig", DECDIG, [0.431, 0.431 + 0.0005, 0.431 + 0.0006], [0.431, 0.4316]),
    ("percent", PERCENT, [1.87, 1.87 + 0.018, 1.87 + 0.019], [1.87, 1.889]),
    ("shape", SHAPE, [[32, 32, 16], (32, 32, 16), [16, 64, 64]], [[32, 32, 16], [16, 64, 64]]),
    (
        "expression",
        EXPRESSION,
        ["exp(x**2)", "exp(x**2)*1", "-2*x*exp(x**2)"],
        ["exp(x**2)", "-2*x*exp(x**2)"],
    ),
    ("choice", CHOICE, ["relu", "relu", "sigmoid"], ["relu", "sigmoid"]),
]


@pytest.mark.parametrize(
    ("key", "given", "kept"), [r[1:] for r in AGAINST_EARLIER], ids=[r[0] for r in AGAINST_EARLIER]
)
def test_a_mistake_equal_to_an_earlier_one_is_dropped(key, given, kept) -> None:
    got = distinct_mistakes(key, [slip(v, str(i)) for i, v in enumerate(given)])
    assert [m.value for m in got] == [pytest.approx(v) if isinstance(v, float) else v for v in kept]
    assert [m.hint.en for m in got] == [
        f"mistake {given.index(v)}" for v in [m.value for m in got]
    ]  # the first


def test_none_is_dropped_and_the_familys_order_is_kept() -> None:
    given = [
        None,
        slip(2 * 448, "flops"),
        None,
        slip(432, "bias"),
        slip(448, "answer"),
        slip(448 // 2, "half"),
    ]
    assert [m.hint.en for m in distinct_mistakes(EXACT, given)] == [
        "mistake flops",
        "mistake bias",
        "mistake half",
    ]
    assert distinct_mistakes(EXACT, []) == [] and distinct_mistakes(EXACT, [None, None]) == []


def test_unreadable_or_mismatched_values_are_kept_never_matched() -> None:
    # a value the comparator cannot read is never "the same": the key keeps it (the grader never matches it)
    assert same_answer(RELABS, "abc", 2.5) is False
    assert same_answer(RELABS, None, 2.5) is False
    assert same_answer(RELABS, True, 2.5) is False
    assert same_answer(SHAPE, 16, [16, 32, 32]) is False
    assert same_answer(EXPRESSION, "exp(x**", "2*x*exp(x**2)") is False


# --- a mistake the grader grades right in another reading: reordered shapes, a percent typed as a fraction ---


def test_a_reordered_shape_accepted_by_the_part_is_dropped() -> None:
    key = part("shape", [16, 32, 32], {"comparator": "shape", "accept_reordered": True})
    assert grade_part(key, "32×32×16")["status"] == "correct"
    assert distinct_mistakes(key, [slip([32, 32, 16])]) == []


def test_a_percent_parts_fraction_graded_right_is_dropped() -> None:
    assert grade_part(PERCENT, "0.0183")["status"] == "correct"
    assert distinct_mistakes(PERCENT, [slip(1.83 / 100)]) == []
