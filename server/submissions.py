"""A submission received over HTTP: graded by `course.submit.submit_text` (CONTRACTS 6) with the server's clock.

`submit_text` stores the submission and its idempotency key in one transaction and scopes the key to the
student (a key another student chose never finds your result), so a retried request returns the stored
original and never counts an attempt twice. Its refusals map to HTTP codes here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from course import submit as course_submit
from course.config import Course, CourseError
from course.store import StoreError
from server.errors import ApiError, store_error

MAX_KEY_CHARS = 200

REFUSED_STATUS = {"not_yours": 409, "deadline": 409, "no_attempts": 409, "refused": 409}
STAFF_SIDE = (
    "مشکل از سمت کادر درس است، نه از شما؛ پرونده‌ی پاسخ شما دست‌نخورده ماند. به دستیار آموزشی خبر دهید: ",
    "A problem on the course staff's side, not yours; your answer file was kept. Please tell the course staff: ",
)


def checked_key(key: str | None) -> str | None:
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
    return key


def _refusal(exc: CourseError) -> ApiError:
    if isinstance(exc, course_submit.SubmissionRefused):
        status = REFUSED_STATUS.get(exc.code, 409)
        return ApiError(status, exc.code, exc.message["fa"], exc.message["en"])
    if isinstance(exc, course_submit.StaffProblem):
        return ApiError(500, "staff_problem", STAFF_SIDE[0] + str(exc), STAFF_SIDE[1] + str(exc))
    return ApiError(422, "unreadable", "پرونده‌ی پاسخ خوانده نشد؛ هیچ تلاشی مصرف نشد: " + str(exc), str(exc))


def submit_for_student(course: Course, data: bytes, student_id: str, key: str | None) -> dict[str, Any]:
    """The outcome document of one submission, or ApiError (403/409 refused, 422 unreadable, 503 store)."""
    try:
        return course_submit.submit_text(
            course, data, as_student=student_id, idempotency_key=checked_key(key), at=datetime.now(UTC)
        ).document
    except StoreError as exc:
        raise store_error(exc) from None
    except CourseError as exc:
        raise _refusal(exc) from None
