"""Store area: the web pages' sessions and drafts. Migrations numbered 300–399.

- `web_sessions`: one row per signed-in browser. The cookie carries a random session token; only its SHA-256 is
  stored, with the hash of the bearer token it was opened with, so revoking that token ends the session too.
- `web_drafts`: what a student typed in an assignment's form (JSON `{"<item>.<part>": text}`), saved on
  "save draft" and on every change (progressive enhancement), so a reload or a dropped connection loses nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from course.store import transaction, utc_now

MIGRATIONS: list[tuple[int, str]] = [
    (
        300,
        """
        CREATE TABLE web_sessions (
            id {id},
            session_hash TEXT NOT NULL UNIQUE,
            token_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('student', 'staff')),
            student_id TEXT,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            ended_at TEXT
        );
        CREATE INDEX web_sessions_by_token ON web_sessions(token_hash);
        CREATE TABLE web_drafts (
            assignment TEXT NOT NULL,
            student_id TEXT NOT NULL,
            fields TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (assignment, student_id)
        )
        """,
    ),
]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- sessions ---------------------------------------------------------------------------------------------------


def open_session(
    conn: Any, session: str, token_hash: str, role: str, student_id: str | None, name: str, expires_at: str
) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO web_sessions (session_hash, token_hash, role, student_id, name, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sha256_hex(session), token_hash, role, student_id, name, utc_now(), expires_at),
        )


def live_session(conn: Any, session: str) -> Any | None:
    """The session row of this cookie while it is open, unexpired and its bearer token is not revoked."""
    digest = sha256_hex(session)
    row = conn.execute(
        "SELECT s.session_hash, s.role, s.student_id, s.name FROM web_sessions s "
        "JOIN tokens t ON t.token_hash = s.token_hash "
        "WHERE s.session_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? AND t.revoked_at IS NULL",
        (digest, utc_now()),
    ).fetchone()
    if row is None or not hmac.compare_digest(row["session_hash"], digest):
        return None
    return row


def end_session(conn: Any, session: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE web_sessions SET ended_at = ? WHERE session_hash = ? AND ended_at IS NULL",
            (utc_now(), sha256_hex(session)),
        )


# --- drafts -----------------------------------------------------------------------------------------------------


def save_draft(conn: Any, assignment: str, student_id: str, fields: dict[str, str]) -> str:
    now = utc_now()
    with transaction(conn):
        conn.execute(
            "INSERT INTO web_drafts (assignment, student_id, fields, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (assignment, student_id) DO UPDATE SET fields = excluded.fields, "
            "updated_at = excluded.updated_at",
            (assignment, student_id, json.dumps(fields, ensure_ascii=False), now),
        )
    return now


def draft(conn: Any, assignment: str, student_id: str) -> tuple[dict[str, str], str] | None:
    """The saved fields and when they were saved, or None."""
    row = conn.execute(
        "SELECT fields, updated_at FROM web_drafts WHERE assignment = ? AND student_id = ?",
        (assignment, student_id),
    ).fetchone()
    return None if row is None else (json.loads(row["fields"]), str(row["updated_at"]))


# --- what the pages read ----------------------------------------------------------------------------------------


def submission(conn: Any, submission_id: int) -> Any | None:
    return conn.execute(
        "SELECT id, assignment, student_id, received_at, status, reason, attempt, score, max_score, result "
        "FROM submissions WHERE id = ?",
        (submission_id,),
    ).fetchone()
