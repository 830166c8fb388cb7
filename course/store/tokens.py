"""Store area: the server's bearer tokens, the build folder of each generated assignment, and the server's
queries on submissions. Migrations numbered 200–299.

A token is stored only as its SHA-256 (hex): the token itself is shown once, when it is issued. A lookup finds
the row by hash and compares the stored hash again with `hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from course.store import transaction, utc_now

MIGRATIONS: list[tuple[int, str]] = [
    (
        200,
        """
        CREATE TABLE tokens (
            id {id},
            token_hash TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('student', 'staff')),
            student_id TEXT REFERENCES students(student_id),
            name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX tokens_by_holder ON tokens(role, student_id, name);
        CREATE TABLE build_dirs (
            assignment TEXT PRIMARY KEY,
            out_dir TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE TABLE server_idempotency (
            scope TEXT PRIMARY KEY,
            submission_id INTEGER,
            status_code INTEGER NOT NULL,
            response TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """,
    ),
    # course.submit.submit_text keeps the idempotency key on the submission row itself (scoped per student)
    (201, "DROP TABLE server_idempotency"),
]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def insert_token(conn: Any, token: str, role: str, student_id: str | None, name: str) -> None:
    """Store a new token (its hash) and revoke the holder's earlier ones: one live token per holder."""
    now = utc_now()
    with transaction(conn):
        if role == "student":
            conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE role = 'student' AND student_id = ? AND revoked_at IS NULL",
                (now, student_id),
            )
        else:
            conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE role = 'staff' AND name = ? AND revoked_at IS NULL",
                (now, name),
            )
        conn.execute(
            "INSERT INTO tokens (token_hash, role, student_id, name, created_at) VALUES (?, ?, ?, ?, ?)",
            (token_hash(token), role, student_id, name, now),
        )


def find_token(conn: Any, token: str) -> Any | None:
    """The live token row of this token, or None (unknown or revoked)."""
    digest = token_hash(token)
    row = conn.execute(
        "SELECT token_hash, role, student_id, name FROM tokens WHERE token_hash = ? AND revoked_at IS NULL",
        (digest,),
    ).fetchone()
    if row is None or not hmac.compare_digest(row["token_hash"], digest):
        return None
    return row


def revoke_tokens(
    conn: Any, *, student_id: str | None = None, staff: str | None = None, every: bool = False
) -> int:
    """Revoke the live tokens of a student, of a staff member, or all of them; returns how many."""
    where, args = "revoked_at IS NULL", [utc_now()]
    if not every:
        if student_id is not None:
            where += " AND role = 'student' AND student_id = ?"
            args.append(student_id)
        elif staff is not None:
            where += " AND role = 'staff' AND name = ?"
            args.append(staff)
        else:
            return 0
    with transaction(conn):
        cursor = conn.execute(f"UPDATE tokens SET revoked_at = ? WHERE {where}", args)
    return int(cursor.rowcount or 0)


# --- build folders ----------------------------------------------------------------------------------------------


def record_build_dir(conn: Any, assignment: str, out_dir: str) -> None:
    """Where `generate --out` wrote the assignment's worksheets (the server serves them from there)."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO build_dirs (assignment, out_dir, recorded_at) VALUES (?, ?, ?) "
            "ON CONFLICT (assignment) DO UPDATE SET out_dir = excluded.out_dir, recorded_at = excluded.recorded_at",
            (assignment, out_dir, utc_now()),
        )


def build_dir(conn: Any, assignment: str) -> str | None:
    row = conn.execute("SELECT out_dir FROM build_dirs WHERE assignment = ?", (assignment,)).fetchone()
    return None if row is None else str(row["out_dir"])


# --- what the server reads ----------------------------------------------------------------------------------------


def student_row(conn: Any, student_id: str) -> Any | None:
    return conn.execute(
        "SELECT student_id, name, email FROM students WHERE student_id = ?", (student_id,)
    ).fetchone()


def all_students(conn: Any) -> list[Any]:
    return conn.execute("SELECT student_id, name, email FROM students ORDER BY student_id").fetchall()


def variant_of(conn: Any, assignment: str, student_id: str) -> Any | None:
    return conn.execute(
        "SELECT seed, token FROM variants WHERE assignment = ? AND student_id = ?", (assignment, student_id)
    ).fetchone()


def variant_items(conn: Any, assignment: str, student_id: str) -> list[Any]:
    return conn.execute(
        "SELECT item, solved FROM variant_items WHERE assignment = ? AND student_id = ? ORDER BY position",
        (assignment, student_id),
    ).fetchall()


def generated_assignments(conn: Any, student_id: str) -> set[str]:
    return {
        r["assignment"]
        for r in conn.execute("SELECT assignment FROM variants WHERE student_id = ?", (student_id,))
    }


SUBMISSION_COLUMNS = (
    "id, assignment, student_id, received_at, status, reason, attempt, score, max_score, result"
)


def submissions_of(conn: Any, *, student_id: str | None = None, assignment: str | None = None) -> list[Any]:
    where, args = [], []
    if student_id is not None:
        where.append("student_id = ?")
        args.append(student_id)
    if assignment is not None:
        where.append("assignment = ?")
        args.append(assignment)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    return conn.execute(f"SELECT {SUBMISSION_COLUMNS} FROM submissions{clause} ORDER BY id", args).fetchall()


def submission_counts(conn: Any) -> dict[str, int]:
    """Rows of submissions by status (the bench and the fault tests count them)."""
    return {
        r["status"]: int(r["n"])
        for r in conn.execute("SELECT status, count(*) AS n FROM submissions GROUP BY status")
    }
