"""The closed grading-settings model (CONTRACTS interface 3, issue 15.5): a misspelt key fails loudly."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from base.paths import QUESTIONS_DIR
from grader import grade_part, settings_for
from grader.settings import COMPARATOR_DEFAULTS, GRADING_KEYS, GradingSettings, validate_grading

# (kind, grading, words the error must contain)
REFUSED = [
    ("real", {"rtoll": 0.01}, ["unknown grading setting 'rtoll'", "did you mean 'rtol'"]),
    ("real", {"comparator": "sigfg"}, ["unknown comparator 'sigfg'", "did you mean 'sigfig'"]),
    ("shape", {"ordr": "CHW"}, ["'ordr'", "did you mean 'order'"]),
    ("expression", {"domian": [0, 1]}, ["'domian'", "did you mean 'domain'"]),
    ("real", {"short_digit_credit": 0.5, "comparator": "decdig"}, ["did you mean 'short_digits_credit'"]),
    ("real", {"rtol": "0.01"}, ["'rtol' must be a number"]),
    ("real", {"rtol": -0.01}, ["'rtol' must be in"]),
    ("real", {"rtol": 2}, ["'rtol' must be in"]),
    ("real", {"atol": float("nan")}, ["'atol' must be a number"]),
    ("real", {"comparator": "sigfig", "digits": 3.5}, ["'digits' must be a whole number"]),
    ("real", {"comparator": "sigfig", "digits": True}, ["'digits' must be a whole number"]),
    ("real", {"comparator": "sigfig", "digits": 0}, ["'digits' must be at least 1"]),
    ("real", {"comparator": "decdig", "digits": 99}, ["'digits' must be between 0 and 15"]),
    ("real", {"comparator": "decdig", "short_digits_credit": 1.5}, ["'short_digits_credit' must be in"]),
    ("real", {"percent": "yes"}, ["'percent' must be true or false"]),
    ("real", {"form_credit": 2}, ["'form_credit' must be in"]),
    ("real", {"digits": 3}, ["'digits' does not apply to the 'relabs' comparator"]),
    ("integer", {"rtol": 0.1}, ["'rtol' does not apply to the 'exact' comparator"]),
    ("shape", {"accept_reordered": 3}, ["'accept_reordered' must be in"]),
    ("shape", {"order": ""}, ["'order' must be a text"]),
    ("shape", {"comparator": "exact"}, ["'exact' does not fit a shape part"]),
    ("choice", {"comparator": "relabs"}, ["does not fit a choice part"]),
    ("expression", {"domain": [3, -3]}, ["lo < hi"]),
    ("expression", {"domain": {"x": [0]}}, ["'domain.x' must be [lo, hi]"]),
    ("expression", {"domain": "wide"}, ["'domain' must be [lo, hi]"]),
    ("expression", {"variables": ["x y"]}, ["'variables' must be a list of names"]),
    ("expression", {"samples": 0}, ["'samples' must be between 1 and 64"]),
    ("expression", {"time_limit": 0}, ["'time_limit' must be in"]),
    ("text", {"rubric": "full marks if ..."}, ["'rubric' must be a mapping"]),
    ("text", {"rubric": {"de": "..."}}, ["'rubric' must be a mapping"]),
    ("reel", {}, ["unknown part kind 'reel'", "did you mean 'real'"]),
]


@pytest.mark.parametrize(("kind", "grading", "words"), REFUSED)
def test_refused_settings_name_the_key(kind: str, grading: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(ValueError) as caught:
        validate_grading(kind, grading)
    for word in words:
        assert word in str(caught.value)


ACCEPTED = [
    ("integer", {}, "exact"),
    ("integer", {"comparator": "exact"}, "exact"),
    ("real", {"rtol": 0.002, "atol": 0}, "relabs"),
    ("real", {"comparator": "decdig", "digits": 3, "short_digits_credit": 0.25}, "decdig"),
    ("real", {"comparator": "sigfig", "digits": 2}, "sigfig"),
    ("real", {"comparator": "relabs", "percent": True, "form_credit": 0.5}, "relabs"),
    ("shape", {"order": "HWC", "accept_reordered": 0.5}, "shape"),
    ("shape", {"accept_reordered": True}, "shape"),
    ("expression", {"domain": {"w": [3, 12], "d": [2, 10]}, "variables": ["t"], "samples": 12}, "expression"),
    ("expression", {"domain": [0.1, 2], "time_limit": 1.5}, "expression"),
    ("choice", {}, "choice"),
    ("text", {"rubric": {"fa": "نمره‌ی کامل", "en": "full marks"}}, "manual"),
]


@pytest.mark.parametrize(("kind", "grading", "comparator"), ACCEPTED)
def test_accepted_settings(kind: str, grading: dict[str, Any], comparator: str) -> None:
    settings = validate_grading(kind, grading)
    assert isinstance(settings, GradingSettings)
    assert settings.comparator == comparator
    assert settings.effective() == {
        **COMPARATOR_DEFAULTS.get(comparator, {}),
        **grading,
        "comparator": comparator,
    }


def test_settings_are_frozen() -> None:
    settings = validate_grading("real", {"rtol": 0.01})
    with pytest.raises(AttributeError):
        settings.comparator = "exact"  # type: ignore[misc]


def test_manual_flag_makes_a_manual_part() -> None:
    assert validate_grading("real", {}, manual=True).comparator == "manual"


def test_every_key_the_grader_reads_is_declared() -> None:
    declared = {"comparator", "rtol", "atol", "digits", "order", "accept_reordered", "percent", "form_credit"}
    declared |= {"domain", "variables", "samples", "time_limit", "rubric", "short_digits_credit"}
    assert set(GRADING_KEYS) == declared
    assert all(isinstance(v, dict) and v.get("description") for v in GRADING_KEYS.values())


def _bank_parts() -> list[tuple[str, dict[str, Any]]]:
    parts = []
    for path in sorted(QUESTIONS_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        parts.extend((f"{path.stem}.{p['id']}", p) for p in document.get("parts") or [])
    return parts


BANK_PARTS = _bank_parts()


def test_the_bank_has_parts_with_grading() -> None:
    assert sum(1 for _, p in BANK_PARTS if p.get("grading")) > 100


@pytest.mark.parametrize(("where", "part"), BANK_PARTS, ids=[w for w, _ in BANK_PARTS])
def test_every_grading_in_the_bank_validates(where: str, part: dict[str, Any]) -> None:
    settings = validate_grading(part["kind"], part.get("grading") or {}, bool(part.get("manual")))
    assert settings.comparator in {"exact", "relabs", "sigfig", "decdig", "shape", "expression"} | {
        "choice",
        "manual",
    }


def test_grade_part_refuses_a_misspelt_key_instead_of_a_default() -> None:
    key = {"id": "acc", "kind": "real", "answer": 0.862, "answer_text": "0.862", "grading": {"rtoll": 0.5}}
    with pytest.raises(ValueError, match="unknown grading setting 'rtoll'.*did you mean 'rtol'"):
        grade_part(key, "0.5")
    with pytest.raises(ValueError, match="part acc"):
        settings_for(key)
