"""What a student reads after a submission, in the terminal (fa + en)."""

from __future__ import annotations

from typing import Any

STATUS_MARK = {
    "correct": "✓",
    "partial": "½",
    "wrong": "✗",
    "blank": "·",
    "format_error": "?",
    "pending": "…",
}


def format_outcome(document: dict[str, Any]) -> str:
    """For the terminal: a line per item, feedback (fa + en) for every part not fully right, score, attempts."""
    from lang import localize

    lines = [f"{document['assignment']} — {document['student']}"]
    parts_by_item: dict[str, list[dict[str, Any]]] = {}
    for part in document["parts"]:
        parts_by_item.setdefault(part["item"], []).append(part)
    for item in document["items"]:
        parts = parts_by_item.get(item["item"], [])
        right = sum(p["status"] == "correct" for p in parts)
        score = (
            f"{item['score']:g}/{item['max_score']:g} points"
            if document["status"] == "graded"
            else "not graded"
        )
        lines.append(f"  {item['item']}: {score} ({right} of {len(parts)} parts right)")
        for part in parts:
            if part["status"] == "correct":
                continue
            mark = STATUS_MARK.get(part["status"], " ")
            lines.append(f"    {mark} {part['id']} [{part['status']}]")
            lines.append(f"        en: {part['feedback']['en']}")
            lines.append(f"        fa: {part['feedback']['fa']}")
    left = document["attempts_left"]
    if document["status"] == "graded":
        lines.append(
            f"score: {document['score']:g} / {document['max_score']:g} — attempt {document['attempt']}, {left} left"
        )
        lines.append(
            localize(
                f"نمره: {document['score']:g} از {document['max_score']:g} — تلاش {document['attempt']}، "
                f"{left} تلاش دیگر باقی است",
                "fa",
            )
        )
    else:
        lines.append(document["message"]["en"] + f" Attempts left: {left}.")
        lines.append(localize(document["message"]["fa"] + f" تلاش‌های باقی‌مانده: {left}.", "fa"))
    return "\n".join(lines)
