"""The answer file a student fills in: header (assignment, student, signed variant) and one entry per part.

    # Azmoon answer file · پاسخ‌نامه
    assignment: hw4
    student: "40112345"
    variant: 815062349117208
    answers:
      conv_output_size:
        # out (1 pt) — What is the side length of the output feature map, in pixels?
        #   form: one integer, e.g. 57 | فرم: یک عدد صحیح، مثلاً 57
        out:

Values are written with JSON quoting (valid YAML), comments carry each part's prompt and expected form.
"""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
COMMENT_CHARS = 110


def _key(text: str) -> str:
    return text if _PLAIN_KEY.match(text) else json.dumps(text, ensure_ascii=False)


def _one_line(text: str, limit: int = COMMENT_CHARS) -> str:
    flat = " ".join(str(text).replace("`", "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _points(value: float) -> str:
    return f"{value:g} pt" + ("" if value == 1 else "s")


def part_form(part: dict[str, Any]) -> dict[str, str]:
    """The expected form of a part, in both languages (the item's `form`, else one derived from its kind)."""
    if "form" in part:
        return part["form"]
    if part["kind"] == "choice":
        ids = ", ".join(o["id"] for o in part.get("options", []))
        return {"fa": f"شناسه‌ی یک گزینه: {ids}", "en": f"one option id: {ids}"}
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
) -> str:
    """The YAML text of a blank answer file for one student's variant."""
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
        "answers:",
    ]
    for item in items:
        lines.append(f"  {_key(item['item'])}:")
        for part in item["parts"]:
            form = part_form(part)
            lines.append(
                f"    # {part['id']} ({_points(part['points'])}) — {_one_line(part['prompt']['en'])}"
            )
            lines.append(f"    #   {_one_line(part['prompt']['fa'])}")
            if form["en"] or form["fa"]:
                lines.append(f"    #   form: {_one_line(form['en'], 60)} | فرم: {_one_line(form['fa'], 60)}")
            lines.append(f"    {_key(part['id'])}:")
    return "\n".join(lines) + "\n"
