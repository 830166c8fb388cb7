"""Store area of the after-deadline work: late policy, extensions, withdrawals, written grades, key versions,
regrade runs — and the assignment queries of `course/assignments.py`. Migrations numbered 100–199.

Tables:
- `assignment_deadlines`: per assignment its late policy and grace minutes (NULL: the course's) and when it was
  archived. The due time itself is `assignments.due` (ISO 8601 UTC).
- `extensions`: per (assignment, student) the extended deadline (UTC).
- `withdrawals`: students who left the course; their submissions and grades stay.
- `written_grades`: a TA's score and comment per (submission, item, part) of a written part.
- `key_versions`: every key a regrade replaced, and the key that replaced it (version 1 = as generated).
- `regrades` / `regrade_changes`: each regrade run and, per submission it changed, the old score and result.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MIGRATIONS: list[tuple[int, str]] = [
    (
        100,
        """
        CREATE TABLE assignment_deadlines (
            assignment TEXT PRIMARY KEY,
            late_policy TEXT,
            grace_minutes INTEGER,
            archived_at TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE extensions (
            assignment TEXT NOT NULL,
            student_id TEXT NOT NULL,
            until_at TEXT NOT NULL,
            granted_by TEXT,
            granted_at TEXT NOT NULL,
            PRIMARY KEY (assignment, student_id)
        );
        CREATE TABLE withdrawals (
            student_id TEXT PRIMARY KEY,
            withdrawn_at TEXT NOT NULL,
            reason TEXT
        );
        CREATE TABLE written_grades (
            submission_id INTEGER NOT NULL,
            item TEXT NOT NULL,
            part TEXT NOT NULL,
            score REAL NOT NULL,
            comment TEXT,
            grader TEXT,
            graded_at TEXT NOT NULL,
            PRIMARY KEY (submission_id, item, part)
        );
        CREATE TABLE key_versions (
            assignment TEXT NOT NULL,
            student_id TEXT NOT NULL,
            item TEXT NOT NULL,
            version INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            solved TEXT NOT NULL,
            regrade_id INTEGER,
            created_at TEXT NOT NULL,
            PRIMARY KEY (assignment, student_id, item, version)
        );
        CREATE TABLE regrades (
            id {id},
            assignment TEXT NOT NULL,
            item TEXT,
            run_at TEXT NOT NULL,
            keys_changed INTEGER NOT NULL,
            submissions_changed INTEGER NOT NULL
        );
        CREATE TABLE regrade_changes (
            regrade_id INTEGER NOT NULL,
            submission_id INTEGER NOT NULL,
            old_score REAL,
            new_score REAL,
            old_result TEXT NOT NULL,
            PRIMARY KEY (regrade_id, submission_id)
        )
        """,
    ),
]


# --- assignments ------------------------------------------------------------------------------------------------


def assignment_row(conn: Any, name: str) -> Any:
    return conn.execute("SELECT * FROM assignments WHERE name = ?", (name,)).fetchone()


def assignment_rows(conn: Any) -> list[Any]:
    return conn.execute("SELECT * FROM assignments ORDER BY name").fetchall()


def insert_assignment(
    conn: Any, name: str, title_fa: str, title_en: str, items: str, attempts: int, due: Any
):
    conn.execute(
        "INSERT INTO assignments (name, title_fa, title_en, items, attempts, due) VALUES (?, ?, ?, ?, ?, ?)",
        (name, title_fa, title_en, items, attempts, due),
    )


def update_assignment(
    conn: Any, name: str, title_fa: str, title_en: str, items: str, attempts: int, due: Any
):
    conn.execute(
        "UPDATE assignments SET title_fa = ?, title_en = ?, items = ?, attempts = ?, due = ? WHERE name = ?",
        (title_fa, title_en, items, attempts, due, name),
    )


def count_variants(conn: Any, name: str) -> int:
    return int(
        conn.execute("SELECT count(*) AS n FROM variants WHERE assignment = ?", (name,)).fetchone()["n"]
    )


def count_submissions(conn: Any, name: str) -> int:
    row = conn.execute("SELECT count(*) AS n FROM submissions WHERE assignment = ?", (name,)).fetchone()
    return int(row["n"])


def delete_assignment(conn: Any, name: str) -> None:
    """Every row of an assignment nothing was submitted to (the caller checks that)."""
    for table in ("variant_items", "variants", "extensions", "key_versions", "assignment_deadlines"):
        conn.execute(f"DELETE FROM {table} WHERE assignment = ?", (name,))
    conn.execute("DELETE FROM assignments WHERE name = ?", (name,))


# --- late policy, archive ---------------------------------------------------------------------------------------


def deadline_settings(conn: Any, name: str) -> Any:
    return conn.execute("SELECT * FROM assignment_deadlines WHERE assignment = ?", (name,)).fetchone()


def all_deadline_settings(conn: Any) -> dict[str, Any]:
    return {r["assignment"]: r for r in conn.execute("SELECT * FROM assignment_deadlines")}


def save_deadline_settings(
    conn: Any,
    name: str,
    late_policy: str | None,
    grace_minutes: int | None,
    archived_at: str | None,
    now: str,
) -> None:
    conn.execute(
        "INSERT INTO assignment_deadlines (assignment, late_policy, grace_minutes, archived_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (assignment) DO UPDATE SET late_policy = excluded.late_policy, "
        "grace_minutes = excluded.grace_minutes, archived_at = excluded.archived_at, "
        "updated_at = excluded.updated_at",
        (name, late_policy, grace_minutes, archived_at, now),
    )


# --- extensions -------------------------------------------------------------------------------------------------


def extension(conn: Any, name: str, student_id: str) -> Any:
    return conn.execute(
        "SELECT * FROM extensions WHERE assignment = ? AND student_id = ?", (name, student_id)
    ).fetchone()


def extensions_of(conn: Any, name: str) -> dict[str, Any]:
    return {
        r["student_id"]: r for r in conn.execute("SELECT * FROM extensions WHERE assignment = ?", (name,))
    }


def save_extension(conn: Any, name: str, student_id: str, until_at: str, granted_by: str, now: str) -> None:
    conn.execute(
        "INSERT INTO extensions (assignment, student_id, until_at, granted_by, granted_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (assignment, student_id) DO UPDATE SET until_at = excluded.until_at, "
        "granted_by = excluded.granted_by, granted_at = excluded.granted_at",
        (name, student_id, until_at, granted_by, now),
    )


# --- students and withdrawals -----------------------------------------------------------------------------------


def student_row(conn: Any, student_id: str) -> Any:
    return conn.execute("SELECT * FROM students WHERE student_id = ?", (student_id,)).fetchone()


def students_with_status(conn: Any) -> list[Any]:
    """Every student of the roster with `withdrawn_at` (NULL while enrolled), by id."""
    return conn.execute(
        "SELECT s.student_id, s.name, s.email, w.withdrawn_at FROM students s "
        "LEFT JOIN withdrawals w ON w.student_id = s.student_id ORDER BY s.student_id"
    ).fetchall()


def withdrawal(conn: Any, student_id: str) -> Any:
    return conn.execute("SELECT * FROM withdrawals WHERE student_id = ?", (student_id,)).fetchone()


def save_withdrawal(conn: Any, student_id: str, now: str, reason: str | None) -> None:
    conn.execute(
        "INSERT INTO withdrawals (student_id, withdrawn_at, reason) VALUES (?, ?, ?) "
        "ON CONFLICT (student_id) DO UPDATE SET withdrawn_at = excluded.withdrawn_at, reason = excluded.reason",
        (student_id, now, reason),
    )


def delete_withdrawal(conn: Any, student_id: str) -> None:
    conn.execute("DELETE FROM withdrawals WHERE student_id = ?", (student_id,))


# --- submissions ------------------------------------------------------------------------------------------------


def graded_submissions(conn: Any, name: str, student_id: str | None = None) -> list[Any]:
    query = (
        "SELECT id, student_id, attempt, score, max_score, result, raw, received_at FROM submissions "
        "WHERE assignment = ? AND status = 'graded'"
    )
    args: list[Any] = [name]
    if student_id is not None:
        query += " AND student_id = ?"
        args.append(student_id)
    return conn.execute(query + " ORDER BY student_id, attempt, id", args).fetchall()


def submission_row(conn: Any, submission_id: int) -> Any:
    return conn.execute("SELECT * FROM submissions WHERE id = ?", (submission_id,)).fetchone()


def submission_counts(conn: Any, name: str) -> dict[str, dict[str, Any]]:
    """Per student: submissions by status and the time of the last one received."""
    rows = conn.execute(
        "SELECT student_id, status, count(*) AS n, max(received_at) AS last FROM submissions "
        "WHERE assignment = ? AND student_id IS NOT NULL GROUP BY student_id, status",
        (name,),
    )
    counts: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = counts.setdefault(row["student_id"], {"last": None})
        entry[row["status"]] = int(row["n"])
        entry["last"] = max(filter(None, [entry["last"], row["last"]]), default=None)
    return counts


def update_submission_result(conn: Any, submission_id: int, score: float | None, result: str) -> None:
    conn.execute("UPDATE submissions SET score = ?, result = ? WHERE id = ?", (score, result, submission_id))


# --- written grades ---------------------------------------------------------------------------------------------


def written_grades_for_submission(conn: Any, submission_id: int) -> list[Any]:
    """The TA's grades of one submission's written parts (rows: item, part, score, comment, grader, graded_at)."""
    return conn.execute(
        "SELECT item, part, score, comment, grader, graded_at FROM written_grades WHERE submission_id = ? "
        "ORDER BY item, part",
        (submission_id,),
    ).fetchall()


def written_grades_for_assignment(conn: Any, name: str) -> dict[int, list[Any]]:
    rows = conn.execute(
        "SELECT w.submission_id, w.item, w.part, w.score, w.comment, w.grader, w.graded_at FROM written_grades w "
        "JOIN submissions s ON s.id = w.submission_id WHERE s.assignment = ?",
        (name,),
    )
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(int(row["submission_id"]), []).append(row)
    return grouped


def save_written_grade(
    conn: Any,
    submission_id: int,
    item: str,
    part: str,
    score: float,
    comment: str | None,
    grader: str,
    now: str,
) -> None:
    conn.execute(
        "INSERT INTO written_grades (submission_id, item, part, score, comment, grader, graded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (submission_id, item, part) DO UPDATE SET "
        "score = excluded.score, comment = excluded.comment, grader = excluded.grader, "
        "graded_at = excluded.graded_at",
        (submission_id, item, part, score, comment, grader, now),
    )


# --- keys and their versions ------------------------------------------------------------------------------------


def variant_keys(conn: Any, name: str, item: str | None = None) -> list[Any]:
    query = "SELECT student_id, item, position, seed, solved FROM variant_items WHERE assignment = ?"
    args: list[Any] = [name]
    if item is not None:
        query += " AND item = ?"
        args.append(item)
    return conn.execute(query + " ORDER BY student_id, position", args).fetchall()


def variant_key(conn: Any, name: str, student_id: str, item: str) -> Any:
    return conn.execute(
        "SELECT seed, solved FROM variant_items WHERE assignment = ? AND student_id = ? AND item = ?",
        (name, student_id, item),
    ).fetchone()


def update_variant_key(conn: Any, name: str, student_id: str, item: str, solved: str) -> None:
    conn.execute(
        "UPDATE variant_items SET solved = ? WHERE assignment = ? AND student_id = ? AND item = ?",
        (solved, name, student_id, item),
    )


def key_versions(conn: Any, name: str, student_id: str | None = None) -> list[Any]:
    query = "SELECT * FROM key_versions WHERE assignment = ?"
    args: list[Any] = [name]
    if student_id is not None:
        query += " AND student_id = ?"
        args.append(student_id)
    return conn.execute(query + " ORDER BY student_id, item, version", args).fetchall()


def latest_key_versions(conn: Any, name: str) -> dict[tuple[str, str], int]:
    rows = conn.execute(
        "SELECT student_id, item, max(version) AS v FROM key_versions WHERE assignment = ? "
        "GROUP BY student_id, item",
        (name,),
    )
    return {(r["student_id"], r["item"]): int(r["v"]) for r in rows}


def insert_key_versions(conn: Any, rows: Iterable[tuple]) -> None:
    """rows: (assignment, student_id, item, version, seed, solved, regrade_id, created_at)."""
    for row in rows:
        conn.execute(
            "INSERT INTO key_versions (assignment, student_id, item, version, seed, solved, regrade_id, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )


# --- regrade runs -----------------------------------------------------------------------------------------------


def insert_regrade(conn: Any, name: str, item: str | None, now: str, keys_changed: int, changed: int) -> int:
    row = conn.execute(
        "INSERT INTO regrades (assignment, item, run_at, keys_changed, submissions_changed) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        (name, item, now, keys_changed, changed),
    ).fetchone()
    return int(row["id"])


def insert_regrade_changes(conn: Any, rows: Iterable[tuple]) -> None:
    """rows: (regrade_id, submission_id, old_score, new_score, old_result)."""
    for row in rows:
        conn.execute(
            "INSERT INTO regrade_changes (regrade_id, submission_id, old_score, new_score, old_result) "
            "VALUES (?, ?, ?, ?, ?)",
            row,
        )


def regrade_runs(conn: Any, name: str) -> list[Any]:
    return conn.execute("SELECT * FROM regrades WHERE assignment = ? ORDER BY id", (name,)).fetchall()


def regrade_changes(conn: Any, regrade_id: int) -> list[Any]:
    return conn.execute(
        "SELECT c.*, s.student_id, s.attempt FROM regrade_changes c JOIN submissions s ON s.id = c.submission_id "
        "WHERE c.regrade_id = ? ORDER BY s.student_id, s.attempt",
        (regrade_id,),
    ).fetchall()
