"""Judging one part, and an answer file's worth of parts (the `check` JSON of the CLI contract).

A part's comparator comes from its `grading:` mapping or, when absent, from its kind (KIND_DEFAULTS); its
settings fall back to COMPARATOR_DEFAULTS (PrairieLearn's rtol 1e-2 / atol 1e-8 for reals). Each comparator
reads the typed text (FormatProblem when it cannot), decides the credit, and explains a wrong answer with the
solver's misconceptions (matched with the same comparator) or with generic ones the grader knows itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from grader.messages import Bilingual, default_form, join, reason, say
from grader.numbers import numbers_close, parse_number, product_factors, show_number, to_fraction
from grader.settings import (  # noqa: F401 - KIND_DEFAULTS, COMPARATOR_DEFAULTS re-exported
    COMPARATOR_DEFAULTS,
    KIND_DEFAULTS,
    NUMERIC_COMPARATORS,
    SHORT_DIGITS_CREDIT,
    settings_of,
)
from grader.shapes import parse_shape, show_shape
from grader.text import FormatProblem, fold_words, is_blank, normalize

STATUSES = ("correct", "partial", "wrong", "blank", "format_error", "pending")


def settings_for(part_key: dict[str, Any]) -> dict[str, Any]:
    """The part's settings, validated by grader.settings (a misspelt key raises ValueError), defaults filled."""
    return settings_of(part_key).effective()


@dataclass
class Verdict:
    credit: float
    parsed: str
    notes: list[Bilingual] = field(default_factory=list)


# --- numbers ----------------------------------------------------------------------------------------------------


def _fraction_setting(value: Any) -> Fraction:
    return Fraction(str(value))


def _floor_log10(value: Fraction) -> int:
    value = abs(value)
    exponent = len(str(value.numerator)) - len(str(value.denominator))
    while Fraction(10) ** exponent > value:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= value:
        exponent += 1
    return exponent


def numeric_test(settings: dict[str, Any]) -> Callable[[Fraction, Fraction], bool]:
    """`same(typed, key)` for a numeric comparator (PrairieLearn's definitions of sigfig and decdig)."""
    name = settings["comparator"]
    if name == "exact":
        return lambda typed, key: typed == key
    if name == "relabs":
        rtol, atol = _fraction_setting(settings["rtol"]), _fraction_setting(settings["atol"])
        return lambda typed, key: abs(typed - key) <= atol + rtol * abs(key)
    digits = int(settings["digits"])
    if name == "sigfig":

        def same_sigfig(typed: Fraction, key: Fraction) -> bool:
            place = (_floor_log10(key) if key != 0 else 0) - digits + 1
            return abs(typed - key) < Fraction(51, 100) * Fraction(10) ** place

        return same_sigfig
    if name == "decdig":
        return lambda typed, key: abs(typed - key) < Fraction(51, 100) * Fraction(10) ** -digits
    raise ValueError(f"unknown numeric comparator '{name}'")


def _percent_scale(part_key: dict[str, Any], key: Fraction) -> Fraction:
    """1 when the key is stored in percent units (89.7), 100 when stored as a fraction (0.897 with text '89.7%')."""
    text = part_key.get("answer_text")
    if isinstance(text, str):
        try:
            shown = parse_number(text)
        except FormatProblem:
            return Fraction(1)
        if shown.percent and key != 0 and numbers_close(to_fraction(shown.value) / 100, key):
            return Fraction(100)
    return Fraction(1)


def _number(value: Any) -> Fraction | None:
    try:
        return to_fraction(parse_number(value).value)
    except (FormatProblem, TypeError, ValueError, OverflowError):
        return None


def key_number(part_key: dict[str, Any], settings: dict[str, Any]) -> tuple[Fraction, Fraction]:
    """(key in the units the student is asked to type, scale applied to the stored values)."""
    key = _number(part_key.get("answer"))
    if key is None:
        key = _number(part_key.get("answer_text"))
    if key is None:
        raise ValueError(f"part {part_key.get('id')}: the key {part_key.get('answer')!r} is not a number")
    scale = _percent_scale(part_key, key) if settings.get("percent") else Fraction(1)
    return key * scale, scale


def _form_credit(settings: dict[str, Any]) -> float:
    return float(settings.get("form_credit", 1.0))


def _tolerance_text(settings: dict[str, Any]) -> str:
    return f"±{float(settings['rtol']) * 100:g}%" if settings["comparator"] == "relabs" else ""


def grade_number(part_key: dict[str, Any], typed: Any, settings: dict[str, Any]) -> Verdict:
    reading = parse_number(typed)
    value = to_fraction(reading.value)
    key, scale = key_number(part_key, settings)
    same = numeric_test(settings)
    percent_part = bool(settings.get("percent"))
    form_credit = _form_credit(settings)
    if percent_part:
        candidates = (
            [(value, None)] if reading.percent else [(value, None), (value * 100, "fraction_for_percent")]
        )
    else:
        candidates = (
            [(value / 100, "percent_for_fraction"), (value, None)] if reading.percent else [(value, None)]
        )
    parsed = show_number(reading.value) + ("%" if reading.percent else "")
    notes: list[Bilingual] = []
    if reading.slash_decimal is not None:
        notes.append(say("slash_decimal", typed=str(typed).strip(), decimal=parsed))
    if reading.working is not None:
        notes.append(say("working_mismatch", working=show_number(reading.working), result=parsed))
    for candidate, note in candidates:
        if same(candidate, key):
            if note == "fraction_for_percent":
                notes.append(say(note, fraction=show_number(value), percent=show_number(value * 100)))
                return Verdict(form_credit, parsed, notes)
            if note == "percent_for_fraction":
                notes.append(say(note, percent=show_number(value), fraction=show_number(value / 100)))
                return Verdict(form_credit, parsed, notes)
            return Verdict(1.0, parsed, notes)
    short = _short_digits(settings, reading, value, key)
    if short is not None:
        credit = float(settings.get("short_digits_credit", SHORT_DIGITS_CREDIT))
        return Verdict(credit, parsed, [*notes, short])
    first = candidates[0][0]
    notes.extend(_number_hints(part_key, settings, first, key, scale, same, reading.text))
    return Verdict(0.0, parsed, notes)


_PLAIN_DECIMAL = re.compile(
    r"^[+-]?(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:(?:[eE]|\*10\*\*\(?)(?P<exp>[+-]?\d+)\)?)?$"
)


def written_digits(text: str) -> tuple[int, int] | None:
    """(decimal places, significant figures) a plain typed decimal shows: `0.86` (2, 2), `8.6e-1` (2, 2),
    `1.20` (2, 3), `120000` (0, 2: trailing zeros of a whole number are not counted); None for arithmetic."""
    match = _PLAIN_DECIMAL.match(text.replace(" ", ""))
    if match is None or not (match["int"] or match["frac"]):
        return None
    whole, fraction = match["int"] or "", match["frac"] or ""
    exponent = int(match["exp"] or 0)
    if abs(exponent) > 400:
        return None
    digits = (whole + fraction).lstrip("0")
    if not fraction:
        digits = digits.rstrip("0")
    return max(0, len(fraction) - exponent), max(1, len(digits))


def _short_digits(settings: dict[str, Any], reading: Any, value: Fraction, key: Fraction) -> Bilingual | None:
    """The note for the key rounded to fewer digits than asked (`0.86` for 0.862 at 3 decimals), else None.

    Recognised when the student wrote a plain decimal with fewer digits than asked but at least half of them
    (rounded up, at least 1), and the value is the key correctly rounded to the digits written
    (|typed − key| ≤ ½ unit of the last digit written).
    """
    comparator = settings["comparator"]
    if comparator not in ("sigfig", "decdig") or reading.slash_decimal is not None:
        return None
    shown = written_digits(reading.text)
    if shown is None:
        return None
    asked = int(settings["digits"])
    written = shown[0] if comparator == "decdig" else shown[1]
    if not (max(1, math.ceil(asked / 2)) <= written < asked):
        return None
    if comparator == "decdig":
        place = -written
    else:
        place = (_floor_log10(key) if key != 0 else 0) - written + 1
    if abs(value - key) > Fraction(1, 2) * Fraction(10) ** place:
        return None
    return say(f"short_{comparator}", asked=asked, written=written)


def _wrong_factor(text: str, value: Fraction, key: Fraction) -> tuple[int, int] | None:
    """In a typed product, the one factor that, changed to another whole number, makes the product right."""
    factors = product_factors(text) if key.denominator == 1 and key > 0 and value > 0 else None
    if not factors:
        return None
    fixes = {(f, int(f * key / value)) for f in factors if f > 0 and (f * key / value).denominator == 1}
    return fixes.pop() if len(fixes) == 1 else None


def _number_hints(
    part_key: dict[str, Any],
    settings: dict[str, Any],
    value: Fraction,
    key: Fraction,
    scale: Fraction,
    same: Callable[[Fraction, Fraction], bool],
    reading_text: str = "",
) -> list[Bilingual]:
    for misconception in part_key.get("misconceptions") or []:
        wrong = _number(misconception.get("value"))
        if wrong is not None and same(value, wrong * scale):
            return [misconception["hint"]]
    if key != 0:
        if same(value * 2, key):
            return [say("half")]
        if same(value, key * 2):
            return [say("double")]
        if not settings.get("percent") and same(value / 100, key):
            return [say("hundred_times")]
        if settings.get("percent") and same(value * 100, key):
            return [say("hundredth")]
    if settings["comparator"] == "exact" and key.denominator == 1 and key != 0 and abs(value - key) == 1:
        return [say("off_by_one")]
    factor = _wrong_factor(reading_text, value, key)
    if factor is not None:
        return [say("wrong_factor", wrong=factor[0], right=factor[1])]
    if settings["comparator"] == "relabs":
        slack = _fraction_setting(settings["atol"]) + _fraction_setting(settings["rtol"]) * abs(key)
        if abs(value - key) <= 5 * slack:
            return [say("rounding", tolerance=_tolerance_text(settings))]
    if settings["comparator"] in ("sigfig", "decdig"):
        return [say(settings["comparator"], digits=settings["digits"])]
    return []


# --- shapes -----------------------------------------------------------------------------------------------------


def _order_name(settings: dict[str, Any], size: int) -> str:
    order = settings.get("order")
    if isinstance(order, str) and order:
        letters = [c for c in order if c.isalpha()]
        return "×".join(letters) if letters else order
    return "C×H×W" if size == 3 else "×".join(["?"] * size)


def _reorder_credit(settings: dict[str, Any]) -> float:
    accept = settings.get("accept_reordered", False)
    if accept is True:
        return 1.0
    if isinstance(accept, int | float) and not isinstance(accept, bool):
        return max(0.0, min(1.0, float(accept)))
    return 0.0


def grade_shape(part_key: dict[str, Any], typed: Any, settings: dict[str, Any]) -> Verdict:
    entries, batch_named = parse_shape(typed)
    key = [int(v) for v in part_key["answer"]]
    parsed = show_shape(entries)
    notes = [say("batch_dimension")] if batch_named else []
    if entries == key:
        return Verdict(1.0, parsed, notes)
    hint = next(
        (m["hint"] for m in part_key.get("misconceptions") or [] if list(m.get("value") or []) == entries),
        None,
    )
    if sorted(entries) == sorted(key):
        credit = _reorder_credit(settings)
        notes.append(hint or say("reordered", order=_order_name(settings, len(key))))
        if credit > 0:
            notes.append(say("reordered_credit"))
        return Verdict(credit, parsed, notes)
    if hint:
        notes.append(hint)
    elif len(entries) == len(key) + 1 and entries[1:] == key:
        notes.append(say("batch_dimension"))
    elif len(entries) != len(key):
        notes.append(
            say("one_dimension" if len(key) == 1 else "dimensions", expected=len(key), given=len(entries))
        )
    return Verdict(0.0, parsed, notes)


# --- expressions ------------------------------------------------------------------------------------------------


def expression_names(part_key: dict[str, Any], settings: dict[str, Any]) -> set[str]:
    from grader.symbolic import free_names

    names = free_names(str(part_key["answer"]))
    domain = settings.get("domain")
    if isinstance(domain, dict):
        names |= {str(k) for k in domain}
    names |= {str(v) for v in settings.get("variables") or []}
    return names or {"x"}


def _expression_check(part_key: dict[str, Any], settings: dict[str, Any]) -> Callable[[str, str], tuple]:
    """`check(key_text, typed_text)` -> (equal, how typed was read, how decided), with the part's names,
    domain, samples, time limit and rtol (grader.symbolic.check_equivalence)."""
    from grader.symbolic import check_equivalence, parse_domain

    names = expression_names(part_key, settings)
    domain = parse_domain(settings.get("domain"), names)
    samples, limit, rtol = int(settings["samples"]), float(settings["time_limit"]), float(settings["rtol"])
    return lambda key_text, typed_text: check_equivalence(
        str(key_text), str(typed_text), names, domain, samples, limit, rtol
    )


def _agrees(check: Callable[[str, str], tuple], key_text: Any, typed_text: Any) -> bool:
    """Equal for a mistake's sake: text that cannot be read or checked in time matches no mistake."""
    from grader.symbolic import Unchecked

    try:
        return bool(check(key_text, typed_text)[0])
    except (FormatProblem, Unchecked):
        return False


def grade_expression(part_key: dict[str, Any], typed: Any, settings: dict[str, Any]) -> Verdict:
    check = _expression_check(part_key, settings)
    same, parsed, how = check(part_key["answer"], typed)
    rtol = float(settings["rtol"])
    notes = [say("decimal_coefficients", tolerance=f"±{rtol * 100:g}%")] if how == "decimals" else []
    if same:
        return Verdict(1.0, parsed, notes)
    hint = next(
        (m["hint"] for m in part_key.get("misconceptions") or [] if _agrees(check, m["value"], typed)), None
    )
    return Verdict(0.0, parsed, notes if hint is None else [*notes, hint])


# --- choices ----------------------------------------------------------------------------------------------------

_OPTION_WORDS = re.compile(r"^(?:option|choice|answer|گزینه ی|گزینه ‌ی|گزینه|پاسخ)\s*", re.IGNORECASE)
_TRUE = {"t", "true", "yes", "y", "درست", "صحیح", "بله", "بلی", "right", "correct"}
_FALSE = {"f", "false", "no", "n", "نادرست", "غلط", "خیر", "نه", "wrong", "incorrect"}


PERSIAN_LETTERS = ("الف", "ب", "ج", "د", "ه", "و", "ز", "ح", "ط", "ی")  # abjad order, as Persian exams letter


def option_letter(index: int) -> str:
    """A, B, … Z, then AA, AB …: the letter of the option at this place in the variant's order."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _letter_index(folded: str, count: int) -> int | None:
    """The place of the option a letter names: Latin A–Z, AA… (any case), or Persian الف، ب، ج، د …"""
    if folded in PERSIAN_LETTERS:
        index = PERSIAN_LETTERS.index(folded)
        return index if index < count else None
    if folded.isascii() and folded.isalpha() and len(folded) <= 2:
        index = next((k for k in range(count) if option_letter(k).casefold() == folded), None)
        return index
    return None


def match_option(options: list[dict[str, Any]], typed: Any) -> str:
    """The id of the option a student means: its letter in the variant's order of `options` (`B`, `(B)`,
    `option b`, Persian `ب` in abjad order الف، ب، ج، د …), its id (`b`, `(b)`, `option b`) or its text in
    either language.

    Letters and ids can collide (ids `a`–`d` shuffled per variant): a capital letter as typed (`B`, as the
    worksheet prints it) is the letter, a lower-case one is the id when some option has that id and the letter
    otherwise. A capital letter that is also, exactly, the id of another option is ambiguous: a format error
    naming both, never a guess.
    """
    raw = str(typed).strip()
    folded = _OPTION_WORDS.sub("", fold_words(raw)).strip()
    core = re.sub(r"[^A-Za-z\u0600-\u06FF]", "", _OPTION_WORDS.sub("", normalize(raw)))
    ids = [str(o["id"]) for o in options]
    by_id = [i for i in ids if fold_words(i) == folded]
    place = _letter_index(folded, len(options))
    by_letter = ids[place] if place is not None else None
    if by_letter is not None and core.isascii() and core.isupper():
        if core in ids and core != by_letter:
            raise FormatProblem(
                "letter_or_id", typed=raw[:40], letter_id=by_letter, id=core, letter=option_letter(place or 0)
            )
        return by_letter
    if len(by_id) == 1:
        return by_id[0]
    if by_letter is not None:
        return by_letter
    by_text = [
        str(o["id"]) for o in options if folded in {fold_words(t) for t in (o.get("text") or {}).values()}
    ]
    if len(by_text) == 1:
        return by_text[0]
    for group in (_TRUE, _FALSE):
        if folded in group:
            hits = [
                str(o["id"])
                for o in options
                if {fold_words(str(o["id"])), *(fold_words(t) for t in (o.get("text") or {}).values())}
                & group
            ]
            if len(hits) == 1:
                return hits[0]
    if len(by_text) > 1:
        raise FormatProblem("ambiguous_option", typed=raw[:40])
    raise FormatProblem("not_an_option", typed=raw[:40], ids=", ".join(ids))


def grade_choice(part_key: dict[str, Any], typed: Any, settings: dict[str, Any]) -> Verdict:
    options = part_key.get("options") or []
    chosen = match_option(options, typed)
    option = next(o for o in options if str(o["id"]) == chosen)
    notes = [option["feedback"]] if option.get("feedback") else []
    if chosen == str(part_key["answer"]):
        return Verdict(1.0, chosen, notes)
    hint = next(
        (m["hint"] for m in part_key.get("misconceptions") or [] if str(m.get("value")) == chosen), None
    )
    return Verdict(0.0, chosen, [*notes, hint] if hint else notes)


GRADERS: dict[str, Callable[[dict[str, Any], Any, dict[str, Any]], Verdict]] = {
    **{name: grade_number for name in NUMERIC_COMPARATORS},
    "shape": grade_shape,
    "expression": grade_expression,
    "choice": grade_choice,
}


# --- the interface ----------------------------------------------------------------------------------------------


def _typed_value(typed: Any, comparator: str) -> Any:
    if isinstance(typed, bool):
        return "true" if typed else "false"
    if isinstance(typed, list | tuple) and comparator != "shape":
        raise FormatProblem("list_not_expected")
    if isinstance(typed, float) and not math.isfinite(typed):
        raise FormatProblem("too_big")
    if not isinstance(typed, str | int | float | list | tuple):
        raise FormatProblem("syntax")
    return typed


def _form(part_key: dict[str, Any], settings: dict[str, Any]) -> Bilingual:
    if part_key.get("form"):
        return part_key["form"]
    kind = part_key.get("kind", "real")
    if settings.get("percent"):
        return default_form("percent")
    if kind == "choice":
        options = part_key.get("options") or []
        letters = ", ".join(option_letter(k) for k in range(len(options)))
        return default_form("choice", letters=letters, ids=", ".join(str(o["id"]) for o in options))
    if kind == "expression":
        return default_form("expression", names=", ".join(sorted(expression_names(part_key, settings))))
    return default_form(kind)


def _result(
    part_key: dict[str, Any], status: str, credit: float, parsed: str | None, feedback: Bilingual
) -> dict:
    points = float(part_key.get("points", 1))
    return {
        "id": part_key["id"],
        "status": status,
        "correct": status == "correct",
        "score": round(points * credit, 6),
        "max_score": points,
        "parsed": parsed,
        "feedback": feedback,
    }


def grade_part(part_key: dict[str, Any], typed: str | int | float | None) -> dict[str, Any]:
    """One part's verdict: status, score out of the part's points, how the answer was read, bilingual feedback."""
    from grader.symbolic import Unchecked  # light: the module imports sympy only inside its functions

    settings = settings_for(part_key)
    comparator = settings["comparator"]
    if is_blank(typed):
        return _result(part_key, "blank", 0.0, None, say("blank"))
    if comparator == "manual":
        text = typed if isinstance(typed, str) else str(typed)
        return _result(part_key, "pending", 0.0, text[:2000], say("pending"))
    if comparator not in GRADERS:
        raise ValueError(f"part {part_key.get('id')}: unknown comparator '{comparator}'")
    try:
        verdict = GRADERS[comparator](part_key, _typed_value(typed, comparator), settings)
    except FormatProblem as problem:
        why = reason(problem.reason, **problem.values)
        form = _form(part_key, settings)
        feedback = {
            lang: say("format_error", reason=why[lang], form=form[lang])[lang] for lang in ("fa", "en")
        }
        return _result(part_key, "format_error", 0.0, None, feedback)
    except Unchecked:
        result = _result(part_key, "format_error", 0.0, None, say("unchecked"))
        result["unchecked"] = True
        return result
    status = "correct" if verdict.credit >= 1 else "wrong" if verdict.credit <= 0 else "partial"
    result = _result(part_key, status, verdict.credit, verdict.parsed, join(say(status), *verdict.notes))
    if comparator == "choice":  # the chosen option's letter in this variant's order (the worksheet shows it)
        ids = [str(o["id"]) for o in part_key.get("options") or []]
        result["letter"] = option_letter(ids.index(verdict.parsed)) if verdict.parsed in ids else None
    return result


def grade_answers(part_keys: list[dict[str, Any]], answers: dict[str, Any] | None) -> dict[str, Any]:
    """The contract's `check` JSON; a missing or empty answer is blank, not an error.

    Extra keys: `format_error` (some part could not be read or checked: the course workflow does not count the
    attempt), `pending` (some part waits for a TA), `unknown_parts` (answer ids that match no part).
    """
    answers = dict(answers or {})
    parts = [grade_part(key, answers.get(key["id"])) for key in part_keys]
    known = {key["id"] for key in part_keys}
    return {
        "score": round(sum(p["score"] for p in parts), 6),
        "max_score": round(sum(p["max_score"] for p in parts), 6),
        "parts": parts,
        "format_error": any(p["status"] == "format_error" for p in parts),
        "pending": any(p["status"] == "pending" for p in parts),
        "unknown_parts": sorted(str(k) for k in answers if k not in known),
    }


# --- compare: one key against one answer, for authors -----------------------------------------------------------

_SHAPE_HINT = re.compile(r"[xX×\[\]()]|,\s")


def _infer_part(key: str) -> tuple[str, str, Any]:
    """(kind, comparator, answer value) for a key typed on the command line."""
    text = normalize(key)
    if _SHAPE_HINT.search(text):
        try:
            entries, _ = parse_shape(key)
            if len(entries) >= 2:
                return "shape", "shape", entries
        except FormatProblem:
            pass
    try:
        value = to_fraction(parse_number(key).value)
        return ("integer", "exact", key) if value.denominator == 1 else ("real", "relabs", key)
    except FormatProblem:
        return "expression", "expression", key


def compare(
    key: str,
    answer: str,
    comparator: str | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    digits: int | None = None,
) -> dict[str, Any]:
    """How a part with these settings judges `answer` against `key` (`azmoon compare`)."""
    kind, inferred, value = _infer_part(key)
    comparator = comparator or inferred
    if comparator == "shape":
        kind, value = "shape", parse_shape(key)[0]
    elif comparator == "expression":
        kind, value = "expression", key
    elif comparator in NUMERIC_COMPARATORS:
        kind, value = ("integer" if comparator == "exact" else "real"), key
        if _number(key) is None:
            raise ValueError(
                f"the key '{key}' is not a number, so the '{comparator}' comparator cannot use it"
            )
    else:
        raise ValueError(
            f"unknown comparator '{comparator}' (exact, relabs, sigfig, decdig, shape, expression)"
        )
    grading: dict[str, Any] = {"comparator": comparator}
    grading.update({k: v for k, v in (("rtol", rtol), ("atol", atol), ("digits", digits)) if v is not None})
    part_key = {
        "id": "compare",
        "kind": kind,
        "answer": value,
        "answer_text": key,
        "points": 1,
        "grading": grading,
    }
    result = grade_part(part_key, answer)
    return {
        "correct": result["correct"],
        "parsed": result["parsed"],
        "feedback": result["feedback"],
        "status": result["status"],
        "comparator": comparator,
        "settings": settings_for(part_key),
    }


# --- one value against another, as a part's comparator sees them (the bank's check of a solver's mistakes) -----


def same_answer(part_key: dict[str, Any], value: Any, other: Any) -> bool:
    """Would the part's comparator, with the part's settings, grade `value` right against the key `other`?

    `value` and `other` are stored values (an answer or a misconception's value, in the key's units): the bank
    uses this to drop a solver's mistake that the grader could never tell apart from the answer or from an
    earlier mistake, so no family repeats its answer or its tolerance."""
    settings = settings_for(part_key)
    comparator = settings["comparator"]
    if comparator in NUMERIC_COMPARATORS:
        a, b = _number(value), _number(other)
        if a is None or b is None:
            return False
        scale = key_number(part_key, settings)[1]  # percent parts: compared in the units the student types
        same, typed = numeric_test(settings), a * scale
        # as grade_number reads it: a percent part also takes the fraction typed without %, at form_credit
        readings = (
            [typed, typed * 100] if settings.get("percent") and _form_credit(settings) >= 1 else [typed]
        )
        return any(same(reading, b * scale) for reading in readings)
    if comparator == "shape":
        if not (isinstance(value, list | tuple) and isinstance(other, list | tuple)):
            return False
        reordered = sorted(value) == sorted(other) and _reorder_credit(settings) >= 1
        return list(value) == list(other) or reordered
    if comparator == "expression":
        return _agrees(_expression_check(part_key, settings), other, value)
    return value == other
