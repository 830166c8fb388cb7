"""`submit`'s terminal text (course.feedback.format_outcome): verdict first, then format errors, then what is not
right with its notes, then one line counting the blank parts; Persian and English; `verbose` shows every part.
The documents are made by the real grader (grader.grade_answers) on real part keys."""

from __future__ import annotations

from typing import Any

import pytest

from course.feedback import format_outcome
from grader import grade_answers
from lang import LRI, PDI

KEYS = [
    {"id": "out", "kind": "integer", "points": 1, "answer": 41, "answer_text": "41"},
    {"id": "flops", "kind": "integer", "points": 1, "answer": 200, "answer_text": "200"},
    {"id": "w1", "kind": "integer", "points": 1, "answer": 7, "answer_text": "7"},
    {"id": "w2", "kind": "integer", "points": 1, "answer": 8, "answer_text": "8"},
    {"id": "b1", "kind": "integer", "points": 1, "answer": 9, "answer_text": "9"},
    {"id": "b2", "kind": "integer", "points": 1, "answer": 10, "answer_text": "10"},
]


def document(answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    result = grade_answers(KEYS, answers)
    score = result["score"] / result["max_score"] * 3  # the item is worth 3 points in the assignment
    parts = [{"item": "conv_output_size", **p} for p in result["parts"]]
    status = "format_error" if result["format_error"] else "graded"
    return {
        "assignment": "hw4",
        "student": "40112345",
        "status": status,
        "score": round(score, 4),
        "max_score": 3.0,
        "items": [{"item": "conv_output_size", "score": round(score, 4), "max_score": 3.0}],
        "parts": parts,
        "attempt": 1 if status == "graded" else None,
        "attempts_left": 2 if status == "graded" else 3,
        **extra,
    }


HALF = {"out": "41", "flops": "100", "w1": "123"}  # right; half of the FLOPs (a note); wrong; three blank


def test_verdict_first_then_not_right_then_one_blank_line() -> None:
    text = format_outcome(document(HALF))
    lines = text.splitlines()
    assert lines[0] == "hw4 — 40112345: score 0.50 / 3.00 — attempt 1, 2 left"
    assert "نمره ۰٫۵۰ از ۳٫۰۰" in lines[1]
    flops = next(k for k, line in enumerate(lines) if "conv_output_size.flops" in line)
    assert (
        "half" in lines[flops] and "0.00/0.50" in lines[flops]
    )  # the part's points in the assignment's scale
    assert lines[-2] == "3 part(s) left blank (conv_output_size: 3)"
    assert lines[-1].startswith("۳ بخش بی‌پاسخ ماند")
    assert (
        "b1" not in text and "out " not in text
    )  # blank parts are counted, right ones without a note hidden
    assert "w1" in text and "w1" in lines[-4]  # the wrong part without a note: grouped on one line per item
    assert len(lines) < 16


def test_scores_to_two_decimals_and_late_status() -> None:
    late = {"accepted": True, "late_seconds": 7800, "penalty_percent": 10.0,
            "message": {"fa": "۲ ساعت و ۱۰ دقیقه دیر: −۱۰٪", "en": "late by 2 h 10 min: −10%"}}  # fmt: skip
    lines = format_outcome(document({"out": "41"}, late=late)).splitlines()
    assert lines[0].endswith("score 0.50 / 3.00 — attempt 1, 2 left")
    assert lines[2:4] == ["late by 2 h 10 min: −10%", f"۲ ساعت و ۱۰ دقیقه دیر: {LRI}−۱۰٪{PDI}"]


def test_a_note_on_a_right_answer_is_shown() -> None:
    doc = document({"out": "41"})
    doc["parts"][0]["feedback"] = {"fa": "درست است. این گرد شده‌ی پاسخ است.", "en": "Correct. Rounded right."}
    text = format_outcome(doc)
    assert "✓ conv_output_size.out" in text and "Rounded right." in text


def test_an_unreadable_file_shows_its_problems_only() -> None:
    problems = [
        {
            "item": "conv_output",
            "part": None,
            "code": "unknown_item",
            "message": {"fa": "سؤال `conv_output` نیست؛ `conv_output_size`؟", "en": "no item conv_output"},
        }
    ]
    doc = document({}, status="format_error", problems=problems, attempt=None, attempts_left=3)
    doc["message"] = {"fa": "این ارسال نمره نگرفت.", "en": "This submission was not graded."}
    lines = format_outcome(doc).splitlines()
    assert lines[0].startswith("hw4 — 40112345: This submission was not graded. Attempts left: 3")
    assert lines[2].startswith("Format errors") and lines[3].startswith("خطاهای قالب")
    assert lines[4] == "  ? conv_output — no item conv_output"
    assert len(lines) == 6 and "blank" not in "\n".join(lines)


def test_unreadable_parts_are_format_errors_before_anything_else() -> None:
    doc = document({"out": "forty one", "w1": "6"})
    lines = format_outcome(doc).splitlines()
    assert doc["status"] == "format_error"
    assert lines[2].startswith("Format errors") and "conv_output_size.out" in lines[4]
    assert not any("w1" in line for line in lines)  # nothing is graded or revealed until the file reads whole


def test_persian_lines_isolate_ids() -> None:
    text = format_outcome(document(HALF))
    assert f"{LRI}`conv_output_size`{PDI}" in text


@pytest.mark.parametrize("verbose", [False, True])
def test_verbose_lists_every_part(verbose: bool) -> None:
    text = format_outcome(document(HALF), verbose=verbose)
    listed = [k["id"] for k in KEYS if f"conv_output_size.{k['id']} " in text]
    assert listed == ([k["id"] for k in KEYS] if verbose else ["flops"])
