"""What a student reads after a submission, in the terminal (fa + en).

Order (issue 16.5): the verdict (score to two decimals, attempt and attempts left, late status), then format
errors, then the parts that are not right with their notes, right parts that carry a note, and one line counting
the blank parts. `verbose=True` lists every part. Persian lines follow the island rule (lang.localize): ids and
formulas are left-to-right isolates, digits Persian outside them.
"""

from __future__ import annotations

from typing import Any

from lang import localize

STATUS_MARK = {
    "correct": "✓",
    "partial": "½",
    "wrong": "✗",
    "blank": "·",
    "format_error": "?",
    "pending": "…",
}
STATUS_WORDS = {
    "correct": ("درست", "right"),
    "partial": ("بخشی درست", "partly right"),
    "wrong": ("نادرست", "not right"),
    "blank": ("بی‌پاسخ", "blank"),
    "format_error": ("خوانده نشد", "unreadable"),
    "pending": ("در انتظار تصحیح دستیار", "waiting for a TA"),
}
BARE_FEEDBACK = {"Correct.", "Not correct.", "Partly correct.", "Not answered."}  # the status alone, no note
INDENT = "    "


def _fa(text: str) -> str:
    return localize(text, "fa")


def _num(value: Any) -> str:
    return f"{float(value or 0):.2f}"


def _bilingual(fa: str, en: str, indent: str = "") -> list[str]:
    return [f"{indent}{en}", f"{indent}{_fa(fa)}"]


def _verdict(document: dict[str, Any]) -> list[str]:
    head = f"{document.get('assignment', '?')} — {document.get('student', '?')}"
    left = document.get("attempts_left")
    if document.get("status") == "graded":
        score, maximum, attempt = (
            _num(document.get("score")),
            _num(document.get("max_score")),
            document["attempt"],
        )
        lines = _bilingual(
            f"`{head}`: نمره {score} از {maximum} — تلاش {attempt}، {left} تلاش دیگر باقی است",
            f"{head}: score {score} / {maximum} — attempt {attempt}, {left} left",
        )
    else:
        message = document.get("message") or {}
        lines = _bilingual(
            f"`{head}`: {message.get('fa', 'این ارسال نمره نگرفت.')} تلاش‌های باقی‌مانده: {left}",
            f"{head}: {message.get('en', 'This submission was not graded.')} Attempts left: {left}",
        )
    late = document.get("late")
    if isinstance(late, dict):
        message = late.get("message") or {}
        if late.get("late_seconds"):
            lines += _bilingual(message.get("fa", "دیر"), message.get("en", "late"))
        else:
            lines += _bilingual(message.get("fa", "به موقع"), message.get("en", "on time"))
    return lines


def _item_scores(document: dict[str, Any]) -> list[str]:
    if document.get("status") != "graded" or not document.get("items"):
        return []
    scores = [(i["item"], _num(i.get("score")), _num(i.get("max_score"))) for i in document["items"]]
    return _bilingual(
        "سؤال‌ها: " + " · ".join(f"`{item}` {s}/{m}" for item, s, m in scores),
        "items: " + " · ".join(f"{item} {s}/{m}" for item, s, m in scores),
    )


def _problems(document: dict[str, Any]) -> list[str]:
    """A file that does not read whole: its problems (grader.submission_problems) or unreadable parts."""
    problems = document.get("problems") or document.get("format_errors") or []
    if not problems and document.get("status") == "format_error":
        problems = [
            {"item": p.get("item"), "part": p.get("id"), "message": p.get("feedback") or {}}
            for p in document.get("parts", [])
            if p.get("status") == "format_error"
        ]
    if not problems:
        return []
    lines = _bilingual(
        "خطاهای قالب (این ارسال نمره نگرفت و از تلاش‌ها کم نشد):",
        "Format errors (this submission was not graded and used no attempt):",
    )
    for problem in problems:
        where = ".".join(str(x) for x in (problem.get("item"), problem.get("part")) if x) or "file"
        message = problem.get("message") or {}
        lines.append(f"  ? {where} — {message.get('en', '')}")
        lines.append(f"{INDENT}{_fa(message.get('fa', ''))}")
    return lines


def _has_note(part: dict[str, Any]) -> bool:
    if part.get("notes"):
        return True
    return (part.get("feedback") or {}).get("en", "").strip() not in BARE_FEEDBACK | {""}


def _scaled(document: dict[str, Any]) -> dict[tuple[str, str], tuple[float, float]]:
    """Each part's (score, points) in the assignment's points, as the worksheet prints them."""
    from course.answers import scale_points

    item_points = {i["item"]: i.get("max_score") for i in document.get("items", [])}
    by_item: dict[str, list[dict[str, Any]]] = {}
    for part in document.get("parts", []):
        by_item.setdefault(str(part.get("item")), []).append(part)
    scaled: dict[tuple[str, str], tuple[float, float]] = {}
    for item, parts in by_item.items():
        raw = [float(p.get("max_score") or 0) for p in parts]
        total = item_points.get(item)
        shown = scale_points(raw, total) if total else raw
        for part, points, raw_points in zip(parts, shown, raw, strict=True):
            credit = float(part.get("score") or 0) / raw_points if raw_points else 0.0
            scaled[(item, str(part.get("id")))] = (credit * points, points)
    return scaled


def _part_lines(part: dict[str, Any], scaled: dict[tuple[str, str], tuple[float, float]]) -> list[str]:
    """A part with its own note: two lines (en, fa)."""
    mark = STATUS_MARK.get(part.get("status", ""), " ")
    score, points = scaled.get((str(part.get("item")), str(part.get("id"))), (0.0, 0.0))
    where = f"{part.get('item')}.{part.get('id')}"
    feedback = part.get("feedback") or {}
    return [
        f"  {mark} {where} {_num(score)}/{_num(points)} — {feedback.get('en', '')}",
        f"{INDENT}{_fa(f'`{where}`: ' + feedback.get('fa', ''))}",
    ]


def _grouped_lines(parts: list[dict[str, Any]]) -> list[str]:
    """Parts whose feedback is their status alone: one line (en, fa) per item and status."""
    groups: dict[tuple[str, str], list[str]] = {}
    for part in parts:
        groups.setdefault((str(part.get("item")), part.get("status", "")), []).append(str(part.get("id")))
    lines: list[str] = []
    for (item, status), ids in groups.items():
        fa_word, en_word = STATUS_WORDS.get(status, (status, status))
        lines.append(f"  {STATUS_MARK.get(status, ' ')} {item}: {', '.join(ids)} — {en_word}")
        lines.append(f"{INDENT}{_fa(f'`{item}`: ' + '، '.join(f'`{i}`' for i in ids) + f' — {fa_word}')}")
    return lines


def _blank_line(blank: list[dict[str, Any]]) -> list[str]:
    if not blank:
        return []
    by_item: dict[str, int] = {}
    for part in blank:
        by_item[str(part.get("item"))] = by_item.get(str(part.get("item")), 0) + 1
    spread = ", ".join(f"{item}: {n}" for item, n in by_item.items())
    return _bilingual(
        f"{len(blank)} بخش بی‌پاسخ ماند ({'، '.join(f'`{i}`: {n}' for i, n in by_item.items())})",
        f"{len(blank)} part(s) left blank ({spread})",
    )


def format_outcome(document: dict[str, Any], verbose: bool = False) -> str:
    """For the terminal: verdict, format errors, what is not right (with notes), a count of blank parts.
    `verbose`: every part, each with its feedback."""
    lines = _verdict(document) + _item_scores(document)
    problems = _problems(document)
    lines += problems
    if problems and document.get("status") != "graded" and not verbose:
        return "\n".join(lines)  # an unreadable file shows its problems only
    parts = document.get("parts", [])
    scaled = _scaled(document)
    if verbose:
        shown = [p for p in parts if p.get("status") != "format_error" or not problems]
        noted, bare = shown, []
    else:
        shown = [
            p
            for p in parts
            if p.get("status") in ("wrong", "partial", "pending")
            or (p.get("status") == "correct" and _has_note(p))
        ]
        noted = [p for p in shown if _has_note(p)]
        bare = [p for p in shown if not _has_note(p)]
    if shown:
        lines += _bilingual("بخش‌ها:", "Parts:")
        for part in noted:
            lines += _part_lines(part, scaled)
        lines += _grouped_lines(bare)
    if not verbose:
        lines += _blank_line([p for p in parts if p.get("status") == "blank"])
    return "\n".join(lines)
