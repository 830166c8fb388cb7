"""`azmoon submit`: verify the signed variant, grade against the stored key, record the attempt — no torch.

Every answer file received is stored (table `submissions`), whatever happens to it:
- `graded`: counted as attempt k of the assignment's limit; its score enters the gradebook;
- `format_error`: some part could not be read (or the file itself could not): feedback is shown, no attempt used;
- `refused`: unknown assignment or student, wrong variant token, no generated variant, or no attempts left.
Counting the attempts and inserting the new one happen in one IMMEDIATE transaction, so two submits racing for
the last attempt cannot both get it.

Imports: standard library, PyYAML and grader/ (which imports sympy only for expression parts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.config import Course, CourseError
from course.seeds import token_matches
from course.store import transaction

MAX_ANSWER_FILE_BYTES = 256 * 1024


class SubmissionRefused(CourseError):
    """A submission that was stored as refused; the message says why (and that it was kept)."""


@dataclass
class Outcome:
    status: str  # graded | format_error
    document: dict[str, Any]  # the contract's JSON (check + attempt, attempts_left)


def _read_raw(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CourseError(f"{path}: cannot read the answer file ({exc.strerror})") from None
    if size > MAX_ANSWER_FILE_BYTES:
        raise CourseError(
            f"{path}: {size} bytes is too large for an answer file (limit {MAX_ANSWER_FILE_BYTES})"
        )
    return path.read_bytes()


def _store(
    conn: Any, assignment: str | None, student: str | None, status: str, raw: str, **fields: Any
) -> int:
    columns = ["assignment", "student_id", "status", "raw", *fields]
    values = [assignment, student, status, raw, *fields.values()]
    cursor = conn.execute(
        f"INSERT INTO submissions ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", values
    )
    return int(cursor.lastrowid)


def _refuse(
    conn: Any, assignment: str | None, student: str | None, raw: str, reason: str
) -> SubmissionRefused:
    with transaction(conn):
        number = _store(conn, assignment, student, "refused", raw, reason=reason)
    return SubmissionRefused(f"submission refused: {reason} (kept as submission #{number})")


def _scale(result: dict[str, Any], points: float) -> tuple[float, float]:
    """An item's score in the assignment's points: its grader score scaled to the item's points."""
    max_score = float(result.get("max_score") or 0.0)
    score = float(result.get("score") or 0.0)
    return (score / max_score * points if max_score else 0.0), float(points)


def grade_variant(items: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """Grade nested answers {item: {part: typed}} against the stored keys of one variant."""
    from grader import grade_answers

    parts: list[dict[str, Any]] = []
    item_results: list[dict[str, Any]] = []
    total = maximum = 0.0
    for item in items:
        typed = answers.get(item["item"]) or {}
        if not isinstance(typed, dict):
            typed = {}
        result = grade_answers(item["parts"], typed)
        score, max_score = _scale(result, item["points"])
        total += score
        maximum += max_score
        item_results.append(
            {"item": item["item"], "score": round(score, 4), "max_score": max_score, "raw": result}
        )
        parts.extend({"item": item["item"], **part} for part in result["parts"])
    known = {item["item"] for item in items}
    unknown = sorted(str(k) for k in answers if k not in known)
    return {
        "score": round(total, 4),
        "max_score": maximum,
        "items": [{k: v for k, v in r.items() if k != "raw"} for r in item_results],
        "parts": parts,
        "unknown_items": unknown,
    }


def submit(course: Course, path: Path | str) -> Outcome:
    """Grade and record one answer file; raises SubmissionRefused (after storing it) when it cannot count."""
    from grader.answerfile import AnswerFileError, read_answer_file

    path = Path(path)
    data = _read_raw(path)
    raw = data.decode("utf-8", errors="replace")  # what is stored, whatever the file holds
    conn = course.connect()
    try:
        try:
            answer_file = read_answer_file(data)
        except AnswerFileError as exc:
            with transaction(conn):
                number = _store(conn, None, None, "format_error", raw, reason=str(exc))
            raise CourseError(
                f"the answer file cannot be read, so it was not graded and used no attempt "
                f"(kept as submission #{number}): {exc}"
            ) from None
        if answer_file.answers and not answer_file.nested:
            with transaction(conn):
                number = _store(conn, None, None, "format_error", raw, reason="answers not nested by item")
            raise CourseError(
                "the answers must be nested by item (`answers: {item_id: {part_id: answer}}`), as in the "
                f"answers.yaml you were given; not graded, no attempt used (kept as submission #{number})"
            )
        assignment_name = str(answer_file.assignment or "").strip() or None
        student_id = str(answer_file.student or "").strip() or None
        if assignment_name is None or student_id is None:
            raise _refuse(
                conn, assignment_name, student_id, raw, "the header needs `assignment:` and `student:`"
            )
        row = conn.execute("SELECT * FROM assignments WHERE name = ?", (assignment_name,)).fetchone()
        if row is None:
            raise _refuse(conn, None, student_id, raw, f"no assignment '{assignment_name}' in this course")
        if conn.execute("SELECT 1 FROM students WHERE student_id = ?", (student_id,)).fetchone() is None:
            raise _refuse(conn, assignment_name, None, raw, f"student {student_id} is not on the roster")
        variant = conn.execute(
            "SELECT seed FROM variants WHERE assignment = ? AND student_id = ?", (assignment_name, student_id)
        ).fetchone()
        if variant is None:
            raise _refuse(
                conn,
                assignment_name,
                student_id,
                raw,
                f"no worksheet of '{assignment_name}' was generated for you",
            )
        if not token_matches(
            course.secret(), assignment_name, student_id, variant["seed"], answer_file.variant
        ):
            raise _refuse(
                conn,
                assignment_name,
                student_id,
                raw,
                "the `variant:` in the header does not match your worksheet; use the answers.yaml you were given",
            )
        points = {entry["item"]: entry["points"] for entry in json.loads(row["items"])}
        items = [
            {**json.loads(r["solved"]), "item": r["item"], "points": points.get(r["item"], 0.0)}
            for r in conn.execute(
                "SELECT item, solved FROM variant_items WHERE assignment = ? AND student_id = ? ORDER BY position",
                (assignment_name, student_id),
            )
        ]
        graded = grade_variant(items, answer_file.answers or {})
        format_errors = [p for p in graded["parts"] if p.get("status") == "format_error"]
        limit = int(row["attempts"])
        with transaction(conn):
            used = conn.execute(
                "SELECT count(*) FROM submissions WHERE assignment = ? AND student_id = ? AND status = 'graded'",
                (assignment_name, student_id),
            ).fetchone()[0]
            if used >= limit:
                number = _store(
                    conn,
                    assignment_name,
                    student_id,
                    "refused",
                    raw,
                    reason=f"no attempts left ({used} of {limit})",
                )
                refusal = SubmissionRefused(
                    f"submission refused: you have used all {limit} attempts of '{assignment_name}' "
                    f"(kept as submission #{number})"
                )
            else:
                refusal = None
                status = "format_error" if format_errors else "graded"
                attempt = used + 1 if status == "graded" else None
                document = {
                    "assignment": assignment_name,
                    "student": student_id,
                    "status": status,
                    **graded,
                    "attempt": attempt,
                    "attempts_left": limit - used - (1 if attempt else 0),
                }
                if format_errors:
                    document["message"] = {
                        "fa": f"{len(format_errors)} پاسخ خوانده نشد؛ این ارسال نمره نگرفت و از تلاش‌هایتان کم نشد.",
                        "en": f"{len(format_errors)} answer(s) could not be read; this submission was not graded "
                        "and used no attempt.",
                    }
                document["submission"] = _store(
                    conn,
                    assignment_name,
                    student_id,
                    status,
                    raw,
                    attempt=attempt,
                    score=graded["score"] if attempt else None,
                    max_score=graded["max_score"],
                    result=json.dumps(document, ensure_ascii=False),
                    reason=document.get("message", {}).get("en"),
                )
        if refusal is not None:
            raise refusal
        return Outcome(status=document["status"], document=document)
    finally:
        conn.close()
