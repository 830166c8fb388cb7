"""A submission received over HTTP: graded by `course.submit.submit_text` (CONTRACTS 6) with the server's clock.

The idempotency key is scoped to the student (a key another student chose never finds your result). While
course/submit.py has no `submit_text`, the stored file is graded by the local `submit` and the answer
remembered in the server's own idempotency table.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from course import submit as course_submit
from course.config import Course, CourseError
from course.store import tokens as db
from server.errors import ApiError

MAX_KEY_CHARS = 200


def _refused(exc: Exception) -> ApiError:
    if isinstance(exc, course_submit.SubmissionRefused):
        return ApiError(409, "refused", "ارسال پذیرفته نشد (و نگه داشته شد): " + str(exc), str(exc))
    return ApiError(422, "unreadable", "پرونده‌ی پاسخ خوانده نشد؛ هیچ تلاشی مصرف نشد: " + str(exc), str(exc))


def scoped_key(student_id: str, key: str | None) -> str | None:
    if key is None or not key.strip():
        return None
    key = key.strip()
    if len(key) > MAX_KEY_CHARS or not key.isascii() or not key.isprintable():
        raise ApiError(
            422,
            "bad_idempotency_key",
            "کلید Idempotency-Key نادرست است.",
            f"Idempotency-Key must be printable ASCII of at most {MAX_KEY_CHARS} characters.",
        )
    return f"{student_id}\x00{key}"


def submit_for_student(course: Course, data: bytes, student_id: str, key: str | None) -> dict[str, Any]:
    """The outcome document of one submission, or ApiError (409 refused, 422 unreadable)."""
    scope = scoped_key(student_id, key)
    at = datetime.now(UTC)
    submit_text = getattr(course_submit, "submit_text", None)
    if submit_text is not None:
        try:
            return submit_text(course, data, as_student=student_id, idempotency_key=scope, at=at).document
        except CourseError as exc:
            raise _refused(exc) from None
    return _submit_via_file(course, data, student_id, scope)


def _header_student(data: bytes) -> str | None:
    from grader.answerfile import AnswerFileError, read_answer_file

    try:
        return read_answer_file(data).student
    except AnswerFileError:
        return None  # `submit` stores it as a format error


def _submit_via_file(course: Course, data: bytes, student_id: str, scope: str | None) -> dict[str, Any]:
    conn = course.connect()
    try:
        if scope is not None and (stored := db.stored_response(conn, scope)) is not None:
            status, body = stored
            if status == 200:
                return json.loads(body)
            raise ApiError(**json.loads(body))
        claimed = _header_student(data)
        if claimed is not None and claimed != student_id:
            raise ApiError(
                409,
                "refused",
                "این پرونده‌ی پاسخ مال دانشجوی دیگری است.",
                "submission refused: this answer file names another student; send your own answers.yaml",
            )
        with tempfile.TemporaryDirectory(prefix="azmoon-submit-") as folder:
            path = Path(folder) / "answers.yaml"
            path.write_bytes(data)
            try:
                document = course_submit.submit(course, path).document
            except CourseError as exc:
                error = _refused(exc)
                if scope is not None:
                    body = {"status": error.status, "code": error.code, "fa": error.fa, "en": error.en}
                    db.store_response(conn, scope, error.status, json.dumps(body, ensure_ascii=False))
                raise error from None
        if scope is not None:
            db.store_response(conn, scope, 200, json.dumps(document, ensure_ascii=False))
        return document
    finally:
        conn.close()
