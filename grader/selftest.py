"""The grader's checks of one stored part key (behind `azmoon questions test`, run for every part of every seed).

The reference answer must grade full marks as `answer_text`, as the raw `answer` value, with Persian digits, and
as an equivalent form (arithmetic, another bracket style, an expression rewritten); perturbed answers (numbers
x1.5+1, and +1 for exact parts; a shape with one entry changed; every other option; the expression plus one)
and every misconception value attached by the solver must not. Manual parts have nothing to check.
"""

from __future__ import annotations

from typing import Any

from grader.grade import NUMERIC_COMPARATORS, grade_part, key_number, settings_for
from grader.numbers import show_number
from grader.shapes import show_shape
from lang import localize


def _reference_forms(part_key: dict[str, Any], comparator: str) -> list[tuple[str, Any]]:
    text = part_key.get("answer_text")
    value = part_key.get("answer")
    forms: list[tuple[str, Any]] = [("answer_text", text), ("answer value", value)]
    if isinstance(text, str):
        forms.append(("answer_text in Persian digits", localize(text, "fa")))
    if comparator in NUMERIC_COMPARATORS and isinstance(text, str):
        number, percent = (text.rstrip()[:-1], "%") if text.rstrip().endswith("%") else (text, "")
        forms.append(("answer_text as arithmetic", f"({number}) * 2 / 2{percent}"))
    elif comparator == "shape" and isinstance(value, list):
        forms.append(("answer as a tuple", "(" + ", ".join(str(v) for v in value) + ")"))
    elif comparator == "expression":
        forms.append(("answer rewritten", f"2*({value})/2 + 0"))
    return forms


def _perturbed(part_key: dict[str, Any], settings: dict[str, Any]) -> list[Any]:
    comparator = settings["comparator"]
    value = part_key.get("answer")
    if comparator in NUMERIC_COMPARATORS:
        key, scale = key_number(part_key, settings)
        stored = key / scale
        # moved by at least 1 and at least |stored|: never back within a tolerance (x * 1.5 + 1 keeps -2 at -2)
        scaled = stored + max(1, abs(stored))
        # +1 is a perturbation only where the comparator is exact: 101 is within 1% of 100
        wrong = [scaled, stored + 1] if comparator == "exact" else [scaled]
        if isinstance(value, int) and not isinstance(value, bool):
            return [str(int(w)) if w.denominator == 1 else show_number(w) for w in wrong]
        return [show_number(w) for w in wrong]
    if comparator == "shape":
        return [show_shape([value[0] + 1, *value[1:]])]
    if comparator == "choice":
        return [str(o["id"]) for o in part_key.get("options") or [] if str(o["id"]) != str(value)]
    if comparator == "expression":
        return [f"({value}) + 1"]
    return []


def _misconception_text(value: Any) -> Any:
    if isinstance(value, list):
        return show_shape(value)
    if isinstance(value, float):
        return repr(value)
    return value


def selftest_part(part_key: dict[str, Any]) -> list[str]:
    """Problems found with one part's key (an empty list when the grader and the key agree)."""
    try:
        settings = settings_for(part_key)
    except ValueError as exc:  # a misspelt or misplaced grading setting: the key itself is wrong
        return [f"the grader cannot use this key: {exc}"]
    if settings["comparator"] == "manual":
        return []
    problems: list[str] = []
    try:
        for what, typed in _reference_forms(part_key, settings["comparator"]):
            result = grade_part(part_key, typed)
            if result["status"] != "correct":
                problems.append(
                    f"reference {what} {typed!r} grades {result['status']}: {result['feedback']['en']}"
                )
        for typed in _perturbed(part_key, settings):
            if grade_part(part_key, typed)["status"] == "correct":
                problems.append(f"perturbed answer {typed!r} grades full marks")
        for misconception in part_key.get("misconceptions") or []:
            typed = _misconception_text(misconception.get("value"))
            if grade_part(part_key, typed)["status"] == "correct":
                problems.append(f"misconception value {typed!r} grades full marks (it equals the answer)")
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"the grader cannot use this key: {type(exc).__name__}: {exc}")
    return problems
