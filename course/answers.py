"""The answer file a student fills in: header (assignment, student, signed variant) and one entry per part.

    # Azmoon answer file · پاسخ‌نامه
    assignment: hw4
    student: "40112345"
    variant: 815062349117208
    answers:
      conv_output_size:
        # out (2 pts) — What is the side length of the output feature map, in pixels?
        #   form: one integer, e.g. 57 | فرم: یک عدد صحیح، مثلاً 57
        out:

Values are written with JSON quoting (valid YAML), comments carry each part's prompt and expected form, choice
parts list their options by letter (A, B, C … in the variant's order). Part points are printed in the
assignment's points (`display_items`: each item's parts scaled to the item's points, summing exactly).
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from functools import lru_cache
from typing import Any

from grader.grade import option_letter
from lang import strip_isolates

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
COMMENT_CHARS = 110


def _key(text: str) -> str:
    return text if _PLAIN_KEY.match(text) else json.dumps(text, ensure_ascii=False)


def _one_line(text: str, limit: int = COMMENT_CHARS) -> str:
    flat = " ".join(strip_isolates(str(text)).replace("`", "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _points(value: float) -> str:
    return f"{value:g} pt" + ("" if value == 1 else "s")


# --- points in the assignment's scale ---------------------------------------------------------------------------

POINT_STEPS = tuple(Fraction(1, d) for d in (1, 2, 4, 10, 20, 100))
MAX_RELATIVE_ROUNDING = Fraction(1, 10)  # a part's shown points are within 10% of its exact share


def _largest_remainder(exact: list[Fraction], total: Fraction, step: Fraction) -> list[Fraction]:
    units = [e / step for e in exact]
    floors = [u.numerator // u.denominator for u in units]
    missing = int(total / step) - sum(floors)
    order = sorted(range(len(units)), key=lambda k: (-(units[k] - floors[k]), k))
    for k in order[:missing]:
        floors[k] += 1
    return [f * step for f in floors]


def scale_points(raw: list[float], total: float) -> list[float]:
    """Each part's points in the assignment's scale: proportional to its raw points, summing exactly to `total`
    (largest-remainder rounding to the coarsest step of POINT_STEPS that keeps every part within 10% of its
    exact share and above zero)."""
    return list(_scaled_points(tuple(raw), total))


@lru_cache(maxsize=1024)
def _scaled_points(raw: tuple[float, ...], total: float) -> tuple[float, ...]:
    """scale_points, once per distinct (raw points, total): students' variants repeat the same few."""
    raw_sum = sum(Fraction(str(r)) for r in raw)
    if not raw or raw_sum <= 0:
        return tuple(float(r) for r in raw)
    target = Fraction(str(total))
    exact = [Fraction(str(r)) * target / raw_sum for r in raw]
    for step in POINT_STEPS:
        if (target / step).denominator != 1:
            continue
        shown = _largest_remainder(exact, target, step)
        if all(
            (e == 0 and s == 0) or (s > 0 and abs(s - e) <= MAX_RELATIVE_ROUNDING * e)
            for e, s in zip(exact, shown, strict=True)
        ):
            return tuple(float(v) for v in shown)
    return tuple(float(v) for v in _largest_remainder(exact, target, POINT_STEPS[-1]))


def display_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items as printed: each part's `points` in the assignment's points (the item's `points`), its stored
    points kept as `raw_points`; choice options with their letters. Items without assignment points (a
    preview) keep the raw points."""
    shown: list[dict[str, Any]] = []
    for item in items:
        parts = item.get("parts", [])
        total = item.get("points")
        raw = [p.get("raw_points", p["points"]) for p in parts]
        points = scale_points(raw, total) if total is not None else raw
        new_parts = []
        for part, value, raw_value in zip(parts, points, raw, strict=True):
            part = {**part, "points": value, "raw_points": raw_value}
            if part.get("options"):
                part["options"] = [{**o, "letter": option_letter(k)} for k, o in enumerate(part["options"])]
            new_parts.append(part)
        shown.append({**item, "parts": new_parts})
    return shown


# --- forms and prompts ------------------------------------------------------------------------------------------

_CHW_ASIDE = re.compile(r"\s*\((?:as|به شکل) `?C×H×W`?\)")
FEATURES_FORM = {"fa": "تعداد ویژگی‌ها: یک عدد صحیح، مثلاً `512`", "en": "the number of features, e.g. `512`"}


def is_flat_shape(part: dict[str, Any]) -> bool:
    """A shape part whose key has one dimension (a Linear layer's output): it asks for a number of features."""
    answer = part.get("answer")
    return part.get("kind") == "shape" and isinstance(answer, list) and len(answer) == 1


def is_written(part: dict[str, Any]) -> bool:
    """A part the TA grades by hand (free text)."""
    return part.get("kind") == "text" or bool(part.get("manual"))


def part_prompt(part: dict[str, Any]) -> dict[str, str]:
    """The part's prompt as printed: a flat shape part drops its "(as C×H×W)" aside."""
    prompt = part["prompt"]
    if is_flat_shape(part):
        return {lang: _CHW_ASIDE.sub("", strip_isolates(text)) for lang, text in prompt.items()}
    return prompt


def part_form(part: dict[str, Any]) -> dict[str, str]:
    """The expected form of a part, in both languages (the item's `form`, else one derived from its kind)."""
    if is_flat_shape(part):
        return FEATURES_FORM
    if part["kind"] == "choice":
        options = part.get("options", [])
        letters = ", ".join(option_letter(k) for k in range(len(options)))
        return {
            "fa": f"حرف یک گزینه ({letters})، یا شناسه یا متن آن",
            "en": f"the letter of one option ({letters}), or its id or text",
        }
    if "form" in part:
        return part["form"]
    defaults = {
        "integer": ("یک عدد صحیح", "an integer"),
        "real": ("یک عدد", "a number"),
        "shape": ("ابعاد به صورت C×H×W، مثلاً 32×122×122", "a shape C×H×W, e.g. 32×122×122"),
        "expression": ("یک عبارت ریاضی", "a math expression"),
        "text": ("متن کوتاه (تصحیح دستی)", "short text (graded by the TA)"),
    }
    fa, en = defaults.get(part["kind"], ("", ""))
    return {"fa": fa, "en": en}


def answer_file_template(
    course_name: dict[str, str],
    assignment: str,
    student_id: str,
    student_name: str,
    token: str,
    items: list[dict[str, Any]],
    server: str | None = None,
) -> str:
    """The YAML text of a blank answer file for one student's variant; `server` is where `azmoon submit`
    sends it (a course server's URL), absent for a course graded locally by its staff."""
    lines = [
        "# Azmoon answer file · پاسخ‌نامه‌ی آزمون",
        f"# {_one_line(course_name['en'])} · {_one_line(course_name['fa'])} — {assignment} — "
        f"{student_id} {_one_line(student_name)}",
        "# Write each answer after its part id; a part left empty counts as not answered.",
        "# پاسخ هر بخش را جلوی شناسه‌اش بنویسید؛ بخش خالی یعنی بی‌پاسخ.",
        "# Keep the header as it is: `variant` is signed for this student.",
        f"assignment: {json.dumps(assignment)}",
        f"student: {json.dumps(student_id)}",
        f"variant: {int(token)}",
        *([f"server: {json.dumps(server)}"] if server else []),
        "answers:",
    ]
    for item in display_items(items):
        lines.append(f"  {_key(item['item'])}:")
        for part in item["parts"]:
            form, prompt = part_form(part), part_prompt(part)
            lines.append(f"    # {part['id']} ({_points(part['points'])}) — {_one_line(prompt['en'])}")
            lines.append(f"    #   {_one_line(prompt['fa'])}")
            for option in part.get("options", []):
                lines.append(
                    f"    #     {option['letter']}: {_one_line(option.get('text', {}).get('en', ''), 70)} ({option['id']})"
                )
            if form["en"] or form["fa"]:
                lines.append(f"    #   form: {_one_line(form['en'], 60)} | فرم: {_one_line(form['fa'], 60)}")
            lines.append(f"    {_key(part['id'])}:")
    return "\n".join(lines) + "\n"
