"""`azmoon submit`: read → verify → grade → record, each a small function; no torch, no sympy for most files.

Every answer file received is stored (table `submissions`), whatever happens to it:
- `graded`: counted as attempt k of the assignment's limit; its score enters the gradebook;
- `format_error`: the file, or some part of it, cannot be read (issue 13.5: graded whole or not at all): only
  the problems are shown — no ✓/✗, no hint, no score — and no attempt is used. Bounded per student: at most
  `FORMAT_ERRORS_PER_HOUR`, and a file identical to a stored format error is not stored again;
- `refused`: unknown assignment or student, another student's file (`as_student`), wrong variant token, no
  generated variant, no attempts left, or refused by the deadline (`course.deadlines.judge`).
Counting the attempts and inserting the new one happen in one write transaction locked on (assignment,
student), so two submits racing for the last attempt cannot both get it — processes and PostgreSQL included.

Trust: local `submit` is for staff (a TA grading files handed in); a student is identified on the server by a
token (`as_student`), never by the printed `variant:` alone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from course import store
from course.config import Course, CourseError
from course.seeds import token_matches, variant_seed
from course.store import transaction

MAX_ANSWER_FILE_BYTES = 256 * 1024
FORMAT_ERRORS_PER_HOUR = 20


class SubmissionRefused(CourseError):
    """A submission that was stored as refused; the message says why (and that it was kept)."""

    def __init__(self, message: dict[str, str], number: int | None = None, code: str = "refused") -> None:
        kept = f" (kept as submission #{number})" if number else ""
        kept_fa = f" (به شمارهٔ {number} نگه داشته شد)" if number else ""
        from course.files import terminal_safe  # header text goes to a terminal: escapes shown, not run

        super().__init__(
            terminal_safe(
                f"submission refused: {message['en']}{kept} | ارسال پذیرفته نشد: {message['fa']}{kept_fa}"
            )
        )
        self.message = message
        self.number = number
        self.code = code


class StaffProblem(CourseError):
    """Not the student's fault: the course itself is inconsistent (e.g. the secret was replaced)."""


@dataclass
class Outcome:
    status: str  # graded | format_error
    document: dict[str, Any]  # the contract's JSON (check + attempt, attempts_left, late)


@dataclass
class Received:
    """One answer file as received: its bytes, the text stored, its hash and the moment."""

    data: bytes
    raw: str
    sha256: str
    at: datetime
    staff: str | None
    as_student: str | None
    idempotency_key: str | None
    late_exempt: bool


def _words(en: str, fa: str) -> dict[str, str]:
    return {"en": en, "fa": fa}


# --- read -------------------------------------------------------------------------------------------------------


def read_answer_bytes(path: Path | str) -> bytes:
    """The answer file, bounded before it is read (regular file, at most 256 KiB)."""
    from course.files import read_bounded

    return read_bounded(Path(path), MAX_ANSWER_FILE_BYTES, "answer file")


def _parse(data: bytes) -> Any:
    """The answer file object, or a bilingual message saying why it cannot be read."""
    from grader.answerfile import AnswerFileError, read_answer_file

    try:
        answer_file = read_answer_file(data)
    except AnswerFileError as exc:
        return exc.bilingual
    except (ValueError, RecursionError, UnicodeError) as exc:
        return _words(
            f"a value in the file is malformed or too long ({str(exc)[:80]}); `variant:` must stay the number "
            "printed in your answers.yaml",
            "مقداری در فایل نادرست یا بیش از حد بلند است؛ variant باید همان عدد answers.yaml شما بماند",
        )
    if answer_file.answers and not answer_file.nested:
        return _words(
            "the answers must be nested by item (`answers: {item_id: {part_id: answer}}`), as in the answers.yaml "
            "you were given",
            "پاسخ‌ها باید زیر شناسهٔ هر سؤال بیایند، مانند فایل answers.yaml که به شما داده شد",
        )
    return answer_file


# --- verify -----------------------------------------------------------------------------------------------------


def _header(answer_file: Any, received: Received) -> tuple[str, str]:
    assignment = str(answer_file.assignment or "").replace("\x00", "\ufffd").strip()[:200] or None
    student = str(answer_file.student or "").replace("\x00", "\ufffd").strip()[:200] or None
    if assignment is None or student is None:
        raise _Refusal(
            _words(
                "the header needs `assignment:` and `student:`",
                "سرآیند فایل باید assignment و student داشته باشد",
            ),
            assignment,
            student,
        )
    if received.as_student is not None and student != received.as_student:
        raise _Refusal(
            _words(
                f"this answer file is student {student}'s, and you are signed in as {received.as_student}",
                f"این فایل پاسخ از آنِ دانشجو {student} است و شما با شناسهٔ {received.as_student} وارد شده‌اید",
            ),
            assignment,
            received.as_student,
            code="not_yours",
        )
    return assignment, student


class _Refusal(Exception):
    def __init__(
        self, message: dict[str, str], assignment: str | None, student: str | None, code: str = "refused"
    ):
        super().__init__(message["en"])
        self.message, self.assignment, self.student, self.code = message, assignment, student, code


def _verify(course: Course, conn: Any, assignment: str, student: str, variant: Any) -> Any:
    """The assignment row, once the student and their signed variant check out."""
    row = store.submission_context(conn, assignment, student)
    if row is None:
        raise _Refusal(
            _words(
                f"no assignment '{assignment}' in this course",
                f"تمرینی به نام «{assignment}» در این درس نیست",
            ),
            None,
            student,
        )
    if row["on_roster"] is None:
        raise _Refusal(
            _words(f"student {student} is not on the roster", f"دانشجو {student} در فهرست درس نیست"),
            assignment,
            None,
        )
    if row["variant_seed"] is None:
        raise _Refusal(
            _words(
                f"no worksheet of '{assignment}' was generated for you",
                f"برگهٔ تمرین «{assignment}» برای شما ساخته نشده است",
            ),
            assignment,
            student,
        )
    secret, seed = course.secret(), int(row["variant_seed"])
    if variant_seed(secret, assignment, student) != seed:
        raise StaffProblem(
            f"course problem, not the student's: the course secret no longer matches the stored variants of "
            f"'{assignment}' (was {course.root / 'secret'} replaced?); restore the original secret — nothing was "
            f"graded | مشکل از درس است نه دانشجو: کلید محرمانهٔ درس با برگه‌های ساخته‌شده نمی‌خواند"
        )
    if not token_matches(secret, assignment, student, seed, variant):
        raise _Refusal(
            _words(
                "the `variant:` in the header does not match your worksheet; use the answers.yaml you were given",
                "شمارهٔ variant در سرآیند با برگهٔ شما نمی‌خواند؛ همان answers.yaml داده‌شده را به کار ببرید",
            ),
            assignment,
            student,
        )
    return row


def _judge(course: Course, conn: Any, assignment: str, student: str, received: Received) -> Any:
    from course.deadlines import judge

    verdict = judge(course, conn, assignment, student, received.at, late_exempt=received.late_exempt)
    if not verdict.accepted:
        raise _Refusal(verdict.message, assignment, student, code="deadline")
    return verdict


# --- grade ------------------------------------------------------------------------------------------------------


def _scale(result: dict[str, Any], points: float) -> tuple[float, float]:
    """An item's score in the assignment's points: its grader score scaled to the item's points."""
    max_score = float(result.get("max_score") or 0.0)
    score = float(result.get("score") or 0.0)
    return (score / max_score * points if max_score else 0.0), float(points)


def stored_items(conn: Any, assignment_row: Any, student: str) -> list[dict[str, Any]]:
    points = {entry["item"]: entry["points"] for entry in json.loads(assignment_row["items"])}
    return [
        {**json.loads(r["solved"]), "item": r["item"], "points": points.get(r["item"], 0.0)}
        for r in store.variant_item_rows(conn, assignment_row["name"], student)
    ]


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
        item_results.append({"item": item["item"], "score": round(score, 4), "max_score": max_score})
        parts.extend({"item": item["item"], **part} for part in result["parts"])
    known = {item["item"] for item in items}
    return {
        "score": round(total, 4),
        "max_score": maximum,
        "items": item_results,
        "parts": parts,
        "unknown_items": sorted(str(k) for k in answers if k not in known),
    }


def submission_problems(items: list[dict[str, Any]], answers: dict[str, Any]) -> list[dict]:
    """CONTRACTS 2: what stops the file from being graded whole (empty: grade it) — unknown ids naming the
    nearest, unreadable parts, nothing answered; each message in fa and en."""
    from grader import submission_problems as problems_of

    return list(problems_of([{"item": item["item"], "parts": item["parts"]} for item in items], answers))


# --- record -----------------------------------------------------------------------------------------------------


def _record_refusal(conn: Any, received: Received, refusal: _Refusal) -> SubmissionRefused:
    with transaction(conn, key=f"{refusal.assignment}\x00{refusal.student}"):
        number = store.insert_submission(
            conn, assignment=refusal.assignment, student_id=refusal.student, status="refused", raw=received.raw,
            reason=refusal.message["en"], idempotency_key=received.idempotency_key, raw_sha256=received.sha256,
            received_at=_iso(received.at),
        )  # fmt: skip
    return SubmissionRefused(refusal.message, number, refusal.code)


def _record_format_error(
    conn: Any, received: Received, assignment: str | None, student: str | None, document: dict[str, Any]
) -> int:
    """Store a format error — once per identical file, at most FORMAT_ERRORS_PER_HOUR an hour per student."""
    with transaction(conn, key=f"{assignment}\x00{student}"):
        earlier = store.format_error_with_hash(conn, assignment, student, received.sha256)
        if earlier is not None:
            return earlier
        since = _iso(received.at - timedelta(hours=1))
        if store.format_errors_since(conn, assignment, student, since) >= FORMAT_ERRORS_PER_HOUR:
            raise CourseError(
                f"too many unreadable files in the last hour ({FORMAT_ERRORS_PER_HOUR}); this one was not stored, "
                "fix the file and try later | در یک ساعت گذشته فایل‌های ناخوانای زیادی فرستاده شد؛ این یکی ثبت نشد"
            )
        return store.insert_submission(
            conn, assignment=assignment, student_id=student, status="format_error", raw=received.raw,
            reason=document["message"]["en"], result=json.dumps(document, ensure_ascii=False),
            idempotency_key=received.idempotency_key, raw_sha256=received.sha256, received_at=_iso(received.at),
        )  # fmt: skip


def _record_graded(
    conn: Any, received: Received, row: Any, student: str, document: dict[str, Any]
) -> dict[str, Any]:
    """Count the attempts and store this one, in one transaction locked on (assignment, student)."""
    assignment, limit = row["name"], int(row["attempts"])
    with transaction(conn, key=f"{assignment}\x00{student}"):
        used = store.graded_count(conn, assignment, student)
        if used >= limit:
            number = store.insert_submission(
                conn, assignment=assignment, student_id=student, status="refused", raw=received.raw,
                reason=f"no attempts left ({used} of {limit})", idempotency_key=received.idempotency_key,
                raw_sha256=received.sha256, received_at=_iso(received.at),
            )  # fmt: skip
        else:
            number = None
            document = {**document, "attempt": used + 1, "attempts_left": limit - used - 1}
            document["submission"] = store.insert_submission(
                conn, assignment=assignment, student_id=student, status="graded", raw=received.raw,
                attempt=used + 1, score=document["score"], max_score=document["max_score"],
                result=json.dumps(document, ensure_ascii=False), idempotency_key=received.idempotency_key,
                raw_sha256=received.sha256, received_at=_iso(received.at),
            )  # fmt: skip
    if number is not None:  # stored (committed) as refused, then said
        message = _words(
            f"you have used all {limit} attempts of '{assignment}'",
            f"همهٔ {limit} تلاشِ «{assignment}» را به کار برده‌اید",
        )
        raise SubmissionRefused(message, number, "no_attempts")
    return document


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _replay(conn: Any, received: Received, student: str | None) -> Outcome | None:
    """The stored outcome of a retried request (same idempotency key): never a second attempt."""
    if received.idempotency_key is None or student is None:
        return None
    row = store.submission_by_idempotency_key(conn, student, received.idempotency_key)
    if row is None:
        return None
    if row["status"] == "refused":
        raise SubmissionRefused(
            _words(row["reason"] or "refused", row["reason"] or "پذیرفته نشد"), int(row["id"])
        )
    document = json.loads(row["result"]) if row["result"] else {"status": row["status"]}
    problems = document.get("problems") or []
    if row["status"] == "format_error" and document.get("assignment") is None and problems:
        raise _unreadable(int(row["id"]), problems[0]["message"])  # as the original answer said
    document["submission"] = int(row["id"])
    return Outcome(status=row["status"], document=document)


def _unreadable(number: int, message: dict[str, str]) -> CourseError:
    from course.files import terminal_safe

    return CourseError(
        terminal_safe(
            f"the answer file cannot be read, so it was not graded and used no attempt (kept as submission "
            f"#{number}): {message['en']} | فایل پاسخ خوانده نشد؛ نمره‌ای داده نشد و تلاشی کم نشد: {message['fa']}"
        )
    )


# --- the whole of it --------------------------------------------------------------------------------------------


def _format_error_document(
    assignment: str | None, student: str | None, problems: list[dict[str, Any]], attempts_left: int | None
) -> dict[str, Any]:
    return {
        "assignment": assignment,
        "student": student,
        "status": "format_error",
        "problems": problems,
        "parts": [],
        "items": [],
        "score": None,
        "max_score": None,
        "attempt": None,
        "attempts_left": attempts_left,
        "message": _words(
            f"{len(problems)} problem(s) in the answer file: not graded, no attempt used; fix them and submit again",
            f"فایل پاسخ {len(problems)} ایراد دارد: نمره‌ای داده نشد و از تلاش‌هایتان کم نشد؛ درستش کنید و دوباره بفرستید",
        ),
    }


def submit_text(
    course: Course,
    data: bytes,
    *,
    as_student: str | None = None,
    staff: str | None = None,
    idempotency_key: str | None = None,
    at: datetime | None = None,
    late_exempt: bool = False,
) -> Outcome:
    """CONTRACTS 6: grade and record one answer file's bytes; raises SubmissionRefused (after storing it) when
    it cannot count, CourseError (after storing it as a format error) when it cannot be read."""
    if len(data) > MAX_ANSWER_FILE_BYTES:
        raise CourseError(
            f"the answer file is larger than {MAX_ANSWER_FILE_BYTES} bytes | فایل پاسخ بیش از حد بزرگ است"
        )
    received = Received(
        data, data.decode("utf-8", errors="replace").replace("\x00", "\ufffd"), hashlib.sha256(data).hexdigest(),
        at or datetime.now(UTC), staff, as_student, idempotency_key, late_exempt,
    )  # fmt: skip
    with course.connect() as conn:
        return _submit(course, conn, received)


def _submit(course: Course, conn: Any, received: Received) -> Outcome:
    answer_file = _parse(received.data)
    replayed = _replay(conn, received, received.as_student)
    if replayed is not None:
        return replayed
    if isinstance(answer_file, dict):  # the file itself cannot be read
        document = _format_error_document(None, received.as_student, [
            {"item": None, "part": None, "code": "unreadable", "message": answer_file}], None)  # fmt: skip
        raise _unreadable(
            _record_format_error(conn, received, None, received.as_student, document), answer_file
        )
    try:
        assignment, student = _header(answer_file, received)
        if student != received.as_student:  # (the same student's key was looked up above)
            replayed = _replay(conn, received, student)
            if replayed is not None:
                return replayed
        row = _verify(course, conn, assignment, student, answer_file.variant)
        verdict = _judge(course, conn, assignment, student, received)
    except _Refusal as refusal:
        raise _record_refusal(conn, received, refusal) from None
    items = stored_items(conn, row, student)
    answers = answer_file.answers or {}
    problems = submission_problems(items, answers)
    if problems:
        left = int(row["attempts"]) - store.graded_count(conn, assignment, student)
        document = _format_error_document(assignment, student, problems, left)
        document["late"] = verdict.to_json()
        document["submission"] = _record_format_error(conn, received, assignment, student, document)
        return Outcome(status="format_error", document=document)
    graded = grade_variant(items, answers)
    document = {
        "assignment": assignment,
        "student": student,
        "status": "graded",
        **graded,
        "late": verdict.to_json(),
    }
    return Outcome(status="graded", document=_record_graded(conn, received, row, student, document))


def submit(
    course: Course, path: Path | str, *, staff: str | None = "local", at: datetime | None = None
) -> Outcome:
    """Local submit (for staff: a TA grading files handed in): the file read bounded, then `submit_text`."""
    return submit_text(course, read_answer_bytes(path), staff=staff, at=at)
