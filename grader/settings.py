"""A part's `grading:` settings: a closed set of keys, validated (CONTRACTS interface 3).

`validate_grading(kind, grading)` is the one reader of a `grading:` mapping, for the item format (bank/item.py,
when an item is loaded) and for the grader (`grade_part` reads every stored key through it), so a misspelt key
(`rtoll:`) fails loudly — `ValueError("unknown grading setting 'rtoll' (did you mean 'rtol'?)")` — instead of
silently taking the default. A key of another comparator (`digits:` on a `relabs` part), a value of the wrong
type or out of its range, and a comparator that does not fit the part's kind are errors that name the key.

`GRADING_KEYS` describes every key (a JSON-Schema fragment each, for `azmoon questions schema`). Defaults by
kind and by comparator live here too (`KIND_DEFAULTS`, `COMPARATOR_DEFAULTS`); `GradingSettings.effective()`
is the plain dict the comparators read (defaults filled in).

`short_digits_credit` (sigfig and decdig parts, default 0.5): the credit for a value that is the key rounded to
the fewer digits the student wrote (`0.86` where three decimals of `0.862` are asked): status "partial" with a
note saying how many digits to give.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grader.symbolic import DECIMAL_RTOL  # light: sympy is imported only inside its functions

NUMERIC_COMPARATORS = ("exact", "relabs", "sigfig", "decdig")
COMPARATORS = (*NUMERIC_COMPARATORS, "shape", "expression", "choice", "manual")
KIND_DEFAULTS = {
    "integer": "exact",
    "real": "relabs",
    "shape": "shape",
    "expression": "expression",
    "choice": "choice",
    "text": "manual",
}
KIND_COMPARATORS: dict[str, tuple[str, ...]] = {
    "integer": NUMERIC_COMPARATORS,
    "real": NUMERIC_COMPARATORS,
    "shape": ("shape",),
    "expression": ("expression",),
    "choice": ("choice",),
    "text": ("manual",),
}
SHORT_DIGITS_CREDIT = 0.5  # default credit for the right value written with fewer digits than asked
COMPARATOR_DEFAULTS: dict[str, dict[str, Any]] = {
    "relabs": {"rtol": 1e-2, "atol": 1e-8},
    "sigfig": {"digits": 3, "short_digits_credit": SHORT_DIGITS_CREDIT},
    "decdig": {"digits": 2, "short_digits_credit": SHORT_DIGITS_CREDIT},
    "expression": {"samples": 8, "time_limit": 4.0, "rtol": DECIMAL_RTOL},
}

_NUMBER = {"type": "number"}
_CREDIT = {"type": "number", "minimum": 0, "maximum": 1}
_INTERVAL = {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 2}
GRADING_KEYS: dict[str, dict[str, Any]] = {
    "comparator": {"enum": list(COMPARATORS), "description": "how the answer is compared (default by kind)"},
    "rtol": {
        **_NUMBER,
        "minimum": 0,
        "maximum": 1,
        "description": "relabs: relative tolerance (1e-2); expression: for typed decimals against an exact key (1e-4)",
    },
    "atol": {**_NUMBER, "minimum": 0, "description": "relabs: absolute tolerance (1e-8)"},
    "digits": {
        "type": "integer",
        "minimum": 0,
        "maximum": 15,
        "description": "sigfig: significant figures (3); decdig: decimal places (2)",
    },
    "short_digits_credit": {
        **_CREDIT,
        "description": "sigfig/decdig: credit for the key rounded to fewer digits than asked (0.5)",
    },
    "percent": {"type": "boolean", "description": "numbers: the student is asked for a percentage"},
    "form_credit": {**_CREDIT, "description": "percent parts: credit for 0.897 where 89.7% is asked (1.0)"},
    "order": {"type": "string", "minLength": 1, "description": "shape: the order asked, e.g. CHW or HWC"},
    "accept_reordered": {
        "anyOf": [{"type": "boolean"}, _CREDIT],
        "description": "shape: credit for the right numbers in another order (false)",
    },
    "domain": {
        "anyOf": [_INTERVAL, {"type": "object", "additionalProperties": _INTERVAL}],
        "description": "expression: [lo, hi] for every variable, or {name: [lo, hi]} ([-3, 3])",
    },
    "variables": {
        "type": "array",
        "items": {"type": "string"},
        "description": "expression: extra variable names a student may use",
    },
    "samples": {"type": "integer", "minimum": 1, "maximum": 64, "description": "expression: points (8)"},
    "time_limit": {
        **_NUMBER,
        "exclusiveMinimum": 0,
        "maximum": 60,
        "description": "expression: seconds for one equivalence check (4)",
    },
    "rubric": {
        "type": "object",
        "properties": {"fa": {"type": "string"}, "en": {"type": "string"}},
        "additionalProperties": False,
        "description": "manual parts: the model answer / rubric shown to the TA",
    },
}
APPLIES_TO: dict[str, tuple[str, ...]] = {
    "comparator": COMPARATORS,
    "rtol": ("relabs", "expression"),
    "atol": ("relabs",),
    "digits": ("sigfig", "decdig"),
    "short_digits_credit": ("sigfig", "decdig"),
    "percent": NUMERIC_COMPARATORS,
    "form_credit": NUMERIC_COMPARATORS,
    "order": ("shape",),
    "accept_reordered": ("shape",),
    "domain": ("expression",),
    "variables": ("expression",),
    "samples": ("expression",),
    "time_limit": ("expression",),
    "rubric": ("manual",),
}


def _nearest(name: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(choices)})"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(name: str, value: Any, low: float, high: float, *, open_low: bool = False) -> float:
    if not _is_number(value):
        raise ValueError(f"grading setting '{name}' must be a number, not {value!r}")
    if value < low or value > high or (open_low and value == low):
        bounds = f"{'(' if open_low else '['}{low:g}, {high:g}]"
        raise ValueError(f"grading setting '{name}' must be in {bounds}, not {value!r}")
    return float(value)


def _integer(name: str, value: Any, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"grading setting '{name}' must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"grading setting '{name}' must be between {low} and {high}, not {value!r}")
    return value


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"grading setting '{name}' must be true or false, not {value!r}")
    return value


def _interval(name: str, value: Any) -> tuple[float, float]:
    if not (isinstance(value, list | tuple) and len(value) == 2 and all(_is_number(v) for v in value)):
        raise ValueError(f"grading setting '{name}' must be [lo, hi] (two numbers), not {value!r}")
    low, high = float(value[0]), float(value[1])
    if not low < high:
        raise ValueError(f"grading setting '{name}' must have lo < hi, not {value!r}")
    return low, high


def _domain(value: Any) -> Any:
    if isinstance(value, Mapping):
        if not value:
            raise ValueError("grading setting 'domain' must name at least one variable")
        return {str(k): _interval(f"domain.{k}", v) for k, v in value.items()}
    return _interval("domain", value)


def _variables(value: Any) -> tuple[str, ...]:
    if not (isinstance(value, list | tuple) and all(isinstance(v, str) and v.isidentifier() for v in value)):
        raise ValueError(f"grading setting 'variables' must be a list of names, not {value!r}")
    return tuple(value)


def _rubric(value: Any) -> dict[str, str]:
    if not (isinstance(value, Mapping) and value and set(value) <= {"fa", "en"}):
        raise ValueError("grading setting 'rubric' must be a mapping with 'fa' and/or 'en' texts")
    if not all(isinstance(v, str) for v in value.values()):
        raise ValueError("grading setting 'rubric' must hold texts ('fa', 'en')")
    return dict(value)


def _accept_reordered(value: Any) -> bool | float:
    if isinstance(value, bool):
        return value
    return _number("accept_reordered", value, 0, 1)


def _order(value: Any) -> str:
    if not (isinstance(value, str) and value.strip()):
        raise ValueError(f"grading setting 'order' must be a text such as 'CHW', not {value!r}")
    return value


CHECKS = {
    "rtol": lambda v: _number("rtol", v, 0, 1),
    "atol": lambda v: _number("atol", v, 0, math.inf),
    "digits": lambda v: _integer("digits", v, 0, 15),
    "short_digits_credit": lambda v: _number("short_digits_credit", v, 0, 1),
    "percent": lambda v: _boolean("percent", v),
    "form_credit": lambda v: _number("form_credit", v, 0, 1),
    "order": _order,
    "accept_reordered": _accept_reordered,
    "domain": _domain,
    "variables": _variables,
    "samples": lambda v: _integer("samples", v, 1, 64),
    "time_limit": lambda v: _number("time_limit", v, 0, 60, open_low=True),
    "rubric": _rubric,
}


@dataclass(frozen=True)
class GradingSettings:
    """The validated `grading:` of one part: its comparator and the settings given (checked, not defaulted)."""

    comparator: str
    given: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        if name == "comparator":
            return self.comparator
        if name in self.given:
            return self.given[name]
        return COMPARATOR_DEFAULTS.get(self.comparator, {}).get(name, default)

    def effective(self) -> dict[str, Any]:
        """The plain dict the comparators read: the comparator's defaults, then the given settings."""
        return {**COMPARATOR_DEFAULTS.get(self.comparator, {}), **self.given, "comparator": self.comparator}


def validate_grading(
    kind: str | None, grading: Mapping[str, Any] | None, manual: bool = False
) -> GradingSettings:
    """The checked settings of a part of this kind; ValueError naming the key (and the nearest valid one)."""
    grading = dict(grading or {})
    for name in grading:
        if not isinstance(name, str) or name not in GRADING_KEYS:
            raise ValueError(f"unknown grading setting '{name}'{_nearest(str(name), tuple(GRADING_KEYS))}")
    if kind and kind not in KIND_COMPARATORS:
        raise ValueError(f"unknown part kind '{kind}'{_nearest(kind, tuple(KIND_COMPARATORS))}")
    comparator = grading.get("comparator")
    if comparator is not None and comparator not in COMPARATORS:
        raise ValueError(f"unknown comparator '{comparator}'{_nearest(str(comparator), COMPARATORS)}")
    if manual or kind == "text":
        comparator = "manual"
    elif comparator is None:
        comparator = KIND_DEFAULTS.get(kind or "", "exact")
    elif kind and comparator not in KIND_COMPARATORS[kind]:
        allowed = ", ".join(KIND_COMPARATORS[kind])
        raise ValueError(
            f"grading setting 'comparator': '{comparator}' does not fit a {kind} part ({allowed})"
        )
    checked: dict[str, Any] = {}
    for name, value in grading.items():
        if name == "comparator":
            continue
        if comparator not in APPLIES_TO[name]:
            raise ValueError(
                f"grading setting '{name}' does not apply to the '{comparator}' comparator "
                f"(it is for {', '.join(APPLIES_TO[name])})"
            )
        CHECKS[name](value)
        checked[name] = value  # kept as written (the stored key's JSON); the check only refuses
    if comparator == "sigfig" and checked.get("digits") == 0:
        raise ValueError("grading setting 'digits' must be at least 1 for significant figures")
    return GradingSettings(comparator, checked)


def settings_of(part_key: Mapping[str, Any]) -> GradingSettings:
    """The validated settings of a stored part key (its kind, `manual` flag and `grading:`)."""
    try:
        return validate_grading(part_key.get("kind"), part_key.get("grading"), bool(part_key.get("manual")))
    except ValueError as exc:
        raise ValueError(f"part {part_key.get('id')}: {exc}") from None
