"""What the API answers, as plain functions over the course store (the routes in server/app.py only call these).

Everything a student gets is built from their own rows: their assignments, their answer file, their worksheet,
their submissions and the feedback they were shown. Keys stay in the store.
"""

from __future__ import annotations

import inspect
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from course.config import Course
from course.store import tokens as db
from server.auth import Identity
from server.errors import ApiError

NOT_GENERATED = (
    "no_worksheet",
    "برای شما برگه‌ای از این تمرین ساخته نشده است.",
    "No worksheet of this assignment was generated for you.",
)


def server_time() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _assignments(course: Course) -> list[Any]:
    from course.assignments import list_assignments

    return list_assignments(course)


def my_assignments(course: Course, student_id: str) -> list[dict[str, Any]]:
    with course.connect() as conn:
        generated = db.generated_assignments(conn, student_id)
        rows = db.submissions_of(conn, student_id=student_id)
    listed = []
    for assignment in _assignments(course):
        graded = [r for r in rows if r["assignment"] == assignment.name and r["status"] == "graded"]
        scores = [float(r["score"]) for r in graded if r["score"] is not None]
        listed.append(
            {
                "name": assignment.name,
                "title": assignment.title,
                "due": assignment.due,
                "max_score": assignment.max_points,
                "attempts": assignment.attempts,
                "attempts_used": len(graded),
                "attempts_left": max(0, assignment.attempts - len(graded)),
                "best_score": max(scores) if scores else None,
                "generated": assignment.name in generated,
            }
        )
    return listed


def whoami(course: Course, who: Identity) -> dict[str, Any]:
    document: dict[str, Any] = {"role": who.role, "student_id": who.student_id, "name": who.name}
    document["server_time"] = server_time()
    if who.role == "student":
        document["assignments"] = my_assignments(course, who.student_id or "")
    else:
        document["assignments"] = [a.to_json() for a in _assignments(course)]
    return document


def _template(**fields: Any) -> str:
    from course.answers import answer_file_template

    server = fields.pop("server")
    if "server" in inspect.signature(answer_file_template).parameters:
        return answer_file_template(**fields, server=server)
    text = answer_file_template(**fields)  # until course/answers.py writes the header itself
    return text.replace("\nanswers:\n", f"\nserver: {json.dumps(server)}\nanswers:\n", 1)


def _assignment(conn: Any, name: str) -> Any:
    """The assignment's row, or 404 with a bilingual message (never a 500)."""
    from course.assignments import get_assignment
    from course.config import CourseError

    try:
        return get_assignment(conn, name)
    except CourseError as exc:
        raise ApiError(404, "no_assignment", f"چنین تکلیفی نیست: {name}", str(exc)) from None


def my_answer_file(course: Course, student_id: str, assignment_name: str, server_url: str) -> str:
    with course.connect() as conn:
        assignment = _assignment(conn, assignment_name)
        variant = db.variant_of(conn, assignment_name, student_id)
        student = db.student_row(conn, student_id)
        rows = db.variant_items(conn, assignment_name, student_id)
    if variant is None or student is None:
        raise ApiError(404, *NOT_GENERATED)
    points = {entry["item"]: entry["points"] for entry in assignment.items}
    items = [
        {**json.loads(r["solved"]), "item": r["item"], "points": points.get(r["item"], 0.0)} for r in rows
    ]
    return _template(
        course_name=course.name,
        assignment=assignment_name,
        student_id=student_id,
        student_name=student["name"],
        token=variant["token"],
        items=items,
        server=server_url,
    )


def my_worksheet(course: Course, student_id: str, assignment_name: str) -> Path:
    with course.connect() as conn:
        recorded = db.build_dir(conn, assignment_name)
        variant = db.variant_of(conn, assignment_name, student_id)
    if variant is None:
        raise ApiError(404, *NOT_GENERATED)
    folders = [Path(recorded)] if recorded else []
    folders.append(course.root / "build" / assignment_name)
    for folder in folders:
        pdf = (course.root / folder if not folder.is_absolute() else folder) / student_id / "worksheet.pdf"
        if pdf.is_file():
            return pdf
    raise ApiError(
        404,
        "no_pdf",
        "برگه‌ی PDF شما روی کارساز نیست؛ از دستیار آموزشی بخواهید.",
        "Your worksheet PDF is not on the server; ask the course staff.",
    )


def _submission(row: Any, *, staff: bool) -> dict[str, Any]:
    document = {
        "submission": row["id"],
        "assignment": row["assignment"],
        "received_at": row["received_at"],
        "status": row["status"],
        "attempt": row["attempt"],
        "score": row["score"],
        "max_score": row["max_score"],
        "reason": row["reason"],
        "feedback": json.loads(row["result"]) if row["result"] else None,
    }
    if staff:
        document["student_id"] = row["student_id"]
    return document


def my_submissions(course: Course, student_id: str, assignment: str | None) -> list[dict[str, Any]]:
    with course.connect() as conn:
        rows = db.submissions_of(conn, student_id=student_id, assignment=assignment)
    return [_submission(r, staff=False) for r in rows]


def assignment_submissions(course: Course, assignment_name: str) -> list[dict[str, Any]]:
    with course.connect() as conn:
        _assignment(conn, assignment_name)
        rows = db.submissions_of(conn, assignment=assignment_name)
    return [_submission(r, staff=True) for r in rows]


def gradebook_csv(course: Course, assignment_name: str, fmt: str) -> str:
    from course.gradebook import export_gradebook

    with tempfile.TemporaryDirectory(prefix="azmoon-gradebook-") as folder:
        out = Path(folder) / "grades.csv"
        export_gradebook(course, assignment_name, fmt, out)
        return out.read_text(encoding="utf-8-sig")
