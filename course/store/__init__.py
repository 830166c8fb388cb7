"""The course database: SQLite in WAL mode, created and upgraded by numbered migrations.

Tables (schema version 1):
- `students`: the roster (`student_id` primary key, `name`, `email`).
- `assignments`: name, items with their points, attempt limit, due date, title.
- `variants`: one row per (assignment, student): the HMAC-derived seed and the signed variant token.
- `variant_items`: per (assignment, student, item) the params and the stored key (`solve_item(...).to_json()`,
  whose `parts` are the part keys the grader reads). Written once at generation; `submit` only reads them.
- `submissions`: every answer file received, graded or not (`status` graded | format_error | refused), with the
  raw text, the reason for a refusal and the grading result. Nothing a student sends is lost.

Only the standard library is imported here: `azmoon submit` opens this store and must start fast.

This package is the one place that speaks SQL. Each area keeps its queries (named functions) and its tables in
a module of its own, `course/store/<area>.py`, which declares `MIGRATIONS: list[tuple[int, str]]` — numbers in the
area's own range, so areas never collide: core 1–99 (here), deadlines 100–199, tokens/server 200–299, web
300–399. A database records every migration number it has applied (`schema_version`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

AREAS = ("deadlines", "tokens", "web")  # course/store/<area>.py, each with its own MIGRATIONS

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE students (
        student_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT,
        updated_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE assignments (
        name TEXT PRIMARY KEY,
        title_fa TEXT NOT NULL,
        title_en TEXT NOT NULL,
        items TEXT NOT NULL,            -- JSON: [{"item": id, "points": p}, ...] in worksheet order
        attempts INTEGER NOT NULL,
        due TEXT,
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE variants (
        assignment TEXT NOT NULL REFERENCES assignments(name),
        student_id TEXT NOT NULL REFERENCES students(student_id),
        seed INTEGER NOT NULL,
        token TEXT NOT NULL,
        generated_at TEXT NOT NULL DEFAULT (datetime('now')),
        PRIMARY KEY (assignment, student_id)
    );
    CREATE TABLE variant_items (
        assignment TEXT NOT NULL,
        student_id TEXT NOT NULL,
        item TEXT NOT NULL,
        position INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        params TEXT NOT NULL,           -- JSON
        solved TEXT NOT NULL,           -- JSON: solve_item(item, seed).to_json(), parts = stored keys
        PRIMARY KEY (assignment, student_id, item),
        FOREIGN KEY (assignment, student_id) REFERENCES variants(assignment, student_id)
    );
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        assignment TEXT,
        student_id TEXT,
        received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        status TEXT NOT NULL CHECK (status IN ('graded', 'format_error', 'refused')),
        reason TEXT,
        attempt INTEGER,                -- 1, 2, ... for graded submissions, NULL otherwise
        score REAL,
        max_score REAL,
        result TEXT,                    -- JSON: the grading result shown to the student
        raw TEXT NOT NULL               -- the answer file as received
    );
    CREATE INDEX submissions_by_student ON submissions(assignment, student_id, status);
    """,
]


# Portable DDL: area migrations write `{id}` for an auto-numbered primary key; timestamps are TEXT in ISO 8601
# UTC ("2026-12-01T21:30:00.123456Z", from `utc_now()`), written by Python rather than by a database default.
DDL_TOKENS = {"{id}": "INTEGER PRIMARY KEY AUTOINCREMENT"}


def portable_ddl(script: str) -> str:
    for token, sql in DDL_TOKENS.items():
        script = script.replace(token, sql)
    return script


def utc_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def all_migrations() -> list[tuple[int, str]]:
    """Every area's migrations, in number order (core's first: numbered 1, 2, ... by position)."""
    import importlib

    numbered = list(enumerate(MIGRATIONS, start=1))
    for area in AREAS:
        numbered += importlib.import_module(f"course.store.{area}").MIGRATIONS
    numbers = [n for n, _ in numbered]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {sorted(numbers)}")
    return sorted(numbered)


def applied_migrations(conn: sqlite3.Connection) -> set[int]:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    return {int(r[0]) for r in conn.execute("SELECT version FROM schema_version")}


def schema_version(conn: sqlite3.Connection) -> int:
    return max(applied_migrations(conn), default=0)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations the database has not seen, each in its own transaction; returns how many are applied."""
    applied = applied_migrations(conn)
    for number, script in all_migrations():
        if number in applied:
            continue
        with transaction(conn):
            for statement in portable_ddl(script).split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        applied.add(number)
    return len(applied)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the course database in WAL mode."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)  # autocommit; transactions are explicit
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    if applied_migrations(conn) != {n for n, _ in all_migrations()}:
        migrate(conn)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, immediate: bool = True) -> Iterator[sqlite3.Connection]:
    """One transaction: BEGIN IMMEDIATE takes the write lock at once, so counting attempts and inserting the
    new one cannot interleave with a concurrent submit."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
