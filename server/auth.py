"""Who is asking: a bearer token read against the stored hashes (CONTRACTS 7).

Tokens are random (`secrets.token_urlsafe(32)`: 256 bits), shown once when issued, stored as SHA-256 only
(`course/store/tokens.py`); the comparison of hashes is constant-time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from course.config import Course, CourseError
from course.store import tokens as db

TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 200


@dataclass(frozen=True)
class Identity:
    role: Literal["student", "staff"]
    student_id: str | None
    name: str


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def identify(course: Course, token: str) -> Identity | None:
    """The holder of a live token, or None (unknown, revoked, malformed)."""
    if not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
        return None
    with course.connect() as conn:
        row = db.find_token(conn, token)
    if row is None:
        return None
    return Identity(role=row["role"], student_id=row["student_id"], name=row["name"])


@dataclass
class IssuedToken:
    student_id: str | None
    name: str
    email: str | None
    token: str


def issue_student_tokens(course: Course, student_ids: list[str] | None) -> list[IssuedToken]:
    """A new token for each named student (None: the whole roster); earlier tokens of theirs are revoked."""
    with course.connect() as conn:
        roster = {r["student_id"]: r for r in db.all_students(conn)}
        wanted = list(roster) if student_ids is None else student_ids
        unknown = [s for s in wanted if s not in roster]
        if unknown:
            raise CourseError(f"not on the roster: {', '.join(unknown)}; nothing was issued")
        if not wanted:
            raise CourseError("the roster is empty; import it first with `azmoon roster import roster.csv`")
        issued = []
        for student_id in wanted:
            token = new_token()
            db.insert_token(conn, token, "student", student_id, roster[student_id]["name"])
            issued.append(
                IssuedToken(student_id, roster[student_id]["name"], roster[student_id]["email"], token)
            )
        return issued


def issue_staff_token(course: Course, name: str) -> IssuedToken:
    name = name.strip()
    if not name or len(name) > 100:
        raise CourseError("a staff token needs a name (1 to 100 characters), e.g. --staff ta-sara")
    with course.connect() as conn:
        token = new_token()
        db.insert_token(conn, token, "staff", None, name)
    return IssuedToken(None, name, None, token)


def revoke(
    course: Course, *, student_id: str | None = None, staff: str | None = None, every: bool = False
) -> int:
    with course.connect() as conn:
        return db.revoke_tokens(conn, student_id=student_id, staff=staff, every=every)
