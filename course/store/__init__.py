"""The course database — SQLite (WAL, the embedded default) or PostgreSQL — created by `course init` only and
upgraded by numbered migrations. THE ONE PLACE THAT SPEAKS SQL: every query is a named function here (core
tables) or in an area module `course/store/<area>.py`.

Tables (core migrations 1–99):
- `students`: the roster (`student_id` primary key, `name`, `email`).
- `assignments`: name, items with their points, attempt limit, due date, title.
- `variants`: one row per (assignment, student): the HMAC-derived seed and the signed variant token.
- `variant_items`: per (assignment, student, item) the params and the stored key (`solve_item(...).to_json()`,
  whose `parts` are the part keys the grader reads). Written at generation; `submit` only reads them.
- `submissions`: every answer file received, graded or not (`status` graded | format_error | refused), with the
  raw text (format errors: identical files once), the reason for a refusal, the grading result, the
  client's idempotency key and the file's SHA-256.

Backends. `database:` in course.yaml is a file (SQLite, relative to the course directory) or a
`postgresql://` URL. `connect()` returns a `Connection` whose `execute(sql, params)` takes `?` placeholders on
both (translated to `%s` for psycopg) and returns rows readable by index and by column name. DDL is portable:
`{id}` is an auto-numbered primary key, `{now}` an ISO-8601-UTC default, INTEGER/REAL widen to BIGINT/DOUBLE
PRECISION on PostgreSQL. `transaction(conn, immediate=True, key=...)`: SQLite takes its write lock
(`BEGIN IMMEDIATE`); PostgreSQL takes a transaction-level advisory lock on `key` (e.g. "hw1\\x0040110001": the
attempt count of one student) or on one course-wide key, so counting and inserting never interleave, across
processes too.

Faults. Every database error becomes one `StoreError` (a `CourseError`: one bilingual line, non-zero exit).
SQLite: `synchronous=FULL` (acknowledged means durable), a busy timeout (`lock_timeout_seconds:` in course.yaml,
30 s), files created 0600; a course the user cannot write is opened read-only (`mode=ro`, or `immutable=1` when
the directory is read-only and no WAL is pending) so read commands still work. A missing, empty or foreign
database is an error that names it: only `course init` creates one (`create=True`).

Reuse. A long-running process (the course server) keeps open connections in a `ConnectionPool`: a request
borrows one and gives it back, so it pays neither the open, the PRAGMAs and the schema check nor, on SQLite,
the checkpoint that closing the last connection runs. Commands open and close their own.

Only the standard library is imported here (psycopg only for a PostgreSQL course): `azmoon submit` starts fast.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from base.errors import AzmoonError

AREAS = ("deadlines", "tokens", "web")  # course/store/<area>.py, each with its own MIGRATIONS
DEFAULT_LOCK_TIMEOUT = 30.0

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE students (
        student_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT,
        updated_at TEXT NOT NULL DEFAULT {now}
    );
    CREATE TABLE assignments (
        name TEXT PRIMARY KEY,
        title_fa TEXT NOT NULL,
        title_en TEXT NOT NULL,
        items TEXT NOT NULL,            -- JSON: [{"item": id, "points": p}, ...] in worksheet order
        attempts INTEGER NOT NULL,
        due TEXT,
        created_at TEXT NOT NULL DEFAULT {now}
    );
    CREATE TABLE variants (
        assignment TEXT NOT NULL REFERENCES assignments(name),
        student_id TEXT NOT NULL REFERENCES students(student_id),
        seed INTEGER NOT NULL,
        token TEXT NOT NULL,
        generated_at TEXT NOT NULL DEFAULT {now},
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
        id {id},
        assignment TEXT,
        student_id TEXT,
        received_at TEXT NOT NULL DEFAULT {now},
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
    # 2: idempotency keys (a retried request returns the stored outcome) and the file's hash (format errors of
    # an identical file are stored once)
    """
    ALTER TABLE submissions ADD COLUMN idempotency_key TEXT;
    ALTER TABLE submissions ADD COLUMN raw_sha256 TEXT;
    CREATE UNIQUE INDEX submissions_by_idempotency_key ON submissions(student_id, idempotency_key);
    """,
]

_NOW_ISO = {
    "sqlite": "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    "postgresql": "(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))",
}
DDL_TOKENS = {
    "sqlite": {"{id}": "INTEGER PRIMARY KEY AUTOINCREMENT", "{now}": _NOW_ISO["sqlite"]},
    "postgresql": {"{id}": "BIGSERIAL PRIMARY KEY", "{now}": _NOW_ISO["postgresql"]},
}


class StoreError(AzmoonError, ValueError):
    """A database fault, said in one line in English and Persian (the CLI exits non-zero, the server 503s)."""

    def __init__(self, en: str, fa: str, code: str = "database") -> None:
        super().__init__(f"{en} | {fa}")
        self.code = code
        self.message = {"en": en, "fa": fa}


def portable_ddl(script: str, backend: str = "sqlite") -> str:
    for token, sql in DDL_TOKENS[backend].items():
        script = script.replace(token, sql)
    if backend == "postgresql":
        script = re.sub(r"\bINTEGER\b", "BIGINT", script)
        script = re.sub(r"\bREAL\b", "DOUBLE PRECISION", script)
    return script


def utc_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_postgres_url(database: object) -> bool:
    return isinstance(database, str) and database.startswith(("postgresql://", "postgres://"))


# --- errors -----------------------------------------------------------------------------------------------------


def describe_error(exc: Exception, where: str, timeout: float = DEFAULT_LOCK_TIMEOUT) -> StoreError:
    """One clear bilingual line for a database error of the course database `where`."""
    detail = " ".join(str(exc).split())[:300]  # one line, whatever the driver says
    text = detail.lower()
    if "locked" in text or "busy" in text or "lock timeout" in text:
        return StoreError(
            f"the course database {where} is busy: another command held its lock for more than {timeout:g} s; "
            "nothing was changed, try again",
            f"پایگاه دادهٔ درس {where} بیش از {timeout:g} ثانیه در دست فرمان دیگری بود؛ چیزی تغییر نکرد، دوباره امتحان کنید",
            "busy",
        )
    if "readonly" in text or "read-only" in text or "read only" in text:
        return StoreError(
            f"the course database {where} is read-only: this command must write to it; nothing was changed",
            f"پایگاه دادهٔ درس {where} فقط‌خواندنی است و این فرمان باید در آن بنویسد؛ چیزی تغییر نکرد",
            "readonly",
        )
    if "full" in text or "no space" in text:
        return StoreError(
            f"the disk of the course database {where} is full; nothing was recorded",
            f"دیسک پایگاه دادهٔ درس {where} پر است؛ چیزی ثبت نشد",
            "full",
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(
            f"the course database {where} is damaged (not a readable SQLite database); restore it from a backup",
            f"پایگاه دادهٔ درس {where} آسیب دیده است؛ آن را از نسخهٔ پشتیبان برگردانید",
            "corrupt",
        )
    if "unable to open" in text or "connection" in text or "could not connect" in text:
        return StoreError(
            f"cannot open the course database {where}: {detail}",
            f"پایگاه دادهٔ درس {where} باز نمی‌شود",
            "unavailable",
        )
    return StoreError(
        f"the course database {where} failed: {detail}", f"خطای پایگاه دادهٔ درس {where}", "database"
    )


def _driver_errors() -> tuple[type[Exception], ...]:
    import sys

    psycopg = sys.modules.get("psycopg")
    return (sqlite3.Error, psycopg.Error) if psycopg is not None else (sqlite3.Error,)


# --- the connection ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # the statements are a few hundred constants: translated once each
def _qmark_to_format(sql: str) -> str:
    """`?` placeholders to psycopg's `%s` (and a literal `%` to `%%`), outside quoted strings."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


class Row(tuple):
    """A PostgreSQL row read like sqlite3.Row: by index and by column name."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


_ROW_TYPES: dict[tuple[str, ...], type[Row]] = {}


def _pg_row_factory(cursor: Any) -> Any:
    """Rows of this cursor's columns: one Row class per distinct column list, made once."""
    columns = tuple(column.name for column in cursor.description or ())
    row_type = _ROW_TYPES.get(columns)
    if row_type is None:
        row_type = type("Row", (Row,), {"names": {name: i for i, name in enumerate(columns)}})
        if len(_ROW_TYPES) < 4096:
            _ROW_TYPES[columns] = row_type
    return row_type


class Connection:
    """One open course database; `execute` speaks `?` SQL on SQLite and PostgreSQL and raises StoreError."""

    def __init__(self, raw: Any, backend: str, where: str, timeout: float, readonly: bool = False) -> None:
        self.raw = raw
        self.backend = backend
        self.where = where
        self.timeout = timeout
        self.readonly = readonly
        self.pool: ConnectionPool | None = None  # set while a pool lends it: close() gives it back
        self.identity: tuple[int, int] | None = None  # SQLite: (st_dev, st_ino) of the file opened
        self.pool_key: tuple[str, float, bool | None] | None = None  # the pool's key, when a pool opened it
        self.reopen_url: str | None = None  # PostgreSQL, lent again: its session may have ended while idle

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        reopen, self.reopen_url = self.reopen_url, None
        try:
            return self._execute(sql, params)
        except _driver_errors() as exc:
            if reopen is None or not (self.raw.closed or self.raw.broken):
                raise describe_error(exc, self.where, self.timeout) from None
        # the first statement on a PostgreSQL connection lent again found its session ended (the server was
        # restarted, or an administrator ended it): nothing was run on it; a new session runs the statement
        fresh = _open_postgres(reopen, self.timeout)
        self.raw = fresh.raw
        return self.execute(sql, params)

    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        if self.backend == "postgresql":
            return self.raw.execute(_qmark_to_format(sql), tuple(params))
        return self.raw.execute(sql, tuple(params))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.give_back(self)
            return
        self.close_now()

    def close_now(self) -> None:
        try:
            self.raw.close()
        except _driver_errors():
            pass

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _missing(where: str, what_en: str, what_fa: str) -> StoreError:
    return StoreError(
        f"the course database {where} {what_en}; only `azmoon course init` creates one — restore it from a "
        "backup or point `database:` in course.yaml at the right one",
        f"پایگاه دادهٔ درس {where} {what_fa}؛ فقط `azmoon course init` آن را می‌سازد — از نسخهٔ پشتیبان برگردانید",
        "missing",
    )


def _writable(path: Path) -> bool:
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _open_sqlite(path: Path, create: bool, timeout: float, readonly: bool | None) -> Connection:
    where = str(path)
    if not create:
        if not path.is_file():
            raise _missing(where, "is missing", "پیدا نشد")
        if path.stat().st_size == 0:
            raise _missing(where, "is empty", "خالی است")
    else:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)  # the file's mode before SQLite writes a byte
        os.close(fd)
        os.chmod(path, 0o600)
    if readonly is None:
        readonly = not _writable(path)
    try:
        if readonly:
            uri = path.resolve().as_uri() + "?mode=ro"
            wal = Path(str(path) + "-wal")
            if not os.access(path.parent, os.W_OK) and not (wal.exists() and wal.stat().st_size):
                uri = path.resolve().as_uri() + "?immutable=1"  # nobody can write here: no WAL can appear
            raw = sqlite3.connect(
                uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        else:
            raw = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        raw.row_factory = sqlite3.Row
        conn = Connection(raw, "sqlite", where, timeout, readonly)
        info = path.stat()
        conn.identity = (info.st_dev, info.st_ino)
        if not readonly:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # acknowledged means durable, power loss included
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    except sqlite3.Error as exc:
        raise describe_error(exc, where, timeout) from None
    return conn


def _open_postgres(url: str, timeout: float) -> Connection:
    import psycopg

    where = re.sub(r"//[^@/]*@", "//", url)  # never echo a password
    try:
        raw = psycopg.connect(url, autocommit=True, row_factory=_pg_row_factory, connect_timeout=10)
    except psycopg.Error as exc:
        raise describe_error(exc, where, timeout) from None
    conn = Connection(raw, "postgresql", where, timeout)
    conn.execute(f"SET lock_timeout = '{int(timeout * 1000)}ms'")
    return conn


def connect(
    target: Path | str,
    *,
    create: bool = False,
    timeout: float = DEFAULT_LOCK_TIMEOUT,
    readonly: bool | None = None,
) -> Connection:
    """Open the course database (a SQLite path or a postgresql:// URL). Only `create=True` (course init) makes
    a new one and applies every migration; otherwise pending migrations are applied when the store is writable
    and a database without Azmoon's schema is refused."""
    if is_postgres_url(target):
        conn = _open_postgres(str(target), timeout)
    else:
        conn = _open_sqlite(Path(target), create, timeout, readonly)
    try:
        if create and _has_schema(conn):
            raise StoreError(
                f"the database {conn.where} already holds an Azmoon course; nothing was changed",
                f"پایگاه دادهٔ {conn.where} از پیش یک درس آزمون دارد؛ چیزی تغییر نکرد",
                "exists",
            )
        if not create and not _has_schema(conn):
            raise _missing(conn.where, "holds no Azmoon course (no schema_version table)", "درس آزمون ندارد")
        if applied_migrations(conn) != {n for n, _ in all_migrations()}:
            if conn.readonly:
                raise StoreError(
                    f"the course database {conn.where} needs an upgrade, but it is read-only",
                    f"پایگاه دادهٔ درس {conn.where} باید به‌روز شود، اما فقط‌خواندنی است",
                    "readonly",
                )
            migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


class ConnectionPool:
    """Open connections kept for reuse by one long-running process (the course server), so a request does not
    pay for opening the database, its PRAGMAs and the schema check — nor, on SQLite, for the WAL checkpoint
    that closing the last connection runs. `connect()` lends a connection; its `close()` (or the end of `with`)
    gives it back. Nothing else changes: the same PRAGMAs (`synchronous=FULL`), transactions and errors.

    A lent connection is checked first and replaced by a new one when it no longer reaches the course's
    database: SQLite, the file at the path is another one (replaced or moved: a fresh open then says what is
    wrong); PostgreSQL, the server ended the session (pending input read without waiting) or it is broken.
    A connection given back inside a transaction, broken, or from before a fork is closed, never kept."""

    def __init__(self, max_idle: int = 40) -> None:  # 40: the threads of the server's pool (anyio's default)
        self.max_idle = max_idle
        self._idle: dict[tuple[str, float, bool | None], list[Connection]] = {}
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self.opened = 0  # connections opened (tests and the bench read it)

    def connect(
        self, target: Path | str, *, timeout: float = DEFAULT_LOCK_TIMEOUT, readonly: bool | None = None
    ) -> Connection:
        if not is_postgres_url(target) and readonly is None:
            readonly = not _writable(Path(target))
        key = (str(target), float(timeout), readonly)
        while True:
            with self._lock:
                idle = self._idle.get(key)
                conn = idle.pop() if idle and self._pid == os.getpid() else None
            if conn is None:
                break
            if self._reaches(conn, target):
                conn.pool = self
                if conn.backend == "postgresql":
                    conn.reopen_url = str(target)
                return conn
            conn.close_now()
        conn = connect(target, timeout=timeout, readonly=readonly)
        self.opened += 1
        conn.pool = self
        conn.pool_key = key
        return conn

    @staticmethod
    def _reaches(conn: Connection, target: Path | str) -> bool:
        if conn.backend == "sqlite":
            try:
                info = os.stat(target)
            except OSError:
                return False
            return conn.identity == (info.st_dev, info.st_ino)
        raw = conn.raw
        if raw.closed or raw.broken:
            return False
        try:
            raw.pgconn.consume_input()  # a session ended a while ago shows here, without waiting
        except Exception:
            return False
        from psycopg import pq

        return raw.pgconn.status == pq.ConnStatus.OK and ConnectionPool._idle_state(conn)

    def give_back(self, conn: Connection) -> None:
        conn.pool = None
        if self._pid != os.getpid() or not self._idle_state(conn):
            conn.close_now()
            return
        key = conn.pool_key
        if key is None:
            conn.close_now()
            return
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.max_idle:
                idle.append(conn)
                return
        conn.close_now()

    @staticmethod
    def _idle_state(conn: Connection) -> bool:
        try:
            if conn.backend == "sqlite":
                return not conn.raw.in_transaction
            from psycopg import pq

            return (
                not conn.raw.closed
                and not conn.raw.broken
                and conn.raw.info.transaction_status == pq.TransactionStatus.IDLE
            )
        except _driver_errors():
            return False

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close_now()


_WRITERS: dict[str, threading.Lock] = {}
_WRITERS_LOCK = threading.Lock()


def _writer_lock(where: str) -> threading.Lock:
    with _WRITERS_LOCK:
        return _WRITERS.setdefault(where, threading.Lock())


@contextmanager
def transaction(conn: Connection, immediate: bool = True, key: str | None = None) -> Iterator[Connection]:
    """One transaction. `immediate` takes the write lock at once (SQLite `BEGIN IMMEDIATE`; PostgreSQL an
    advisory transaction lock on `key`, or on the course-wide one), so reading a count and inserting the next
    row cannot interleave with a concurrent writer.

    SQLite: the threads of one process that write to the same database queue on a lock of the process first
    (waiting at most the busy timeout, then the same "busy" error), so they hand the write lock over at once
    instead of each polling SQLite's with growing sleeps (up to 100 ms apiece: the tail of a burst of submits).
    Other processes still meet at `BEGIN IMMEDIATE`."""
    if conn.backend == "postgresql":
        conn.execute("BEGIN")
        if immediate:
            try:
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(?))",
                    ((key or "azmoon:course").replace("\x00", "\x1f"),),
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        yield from _body(conn)
        return
    if not immediate:
        conn.execute("BEGIN")
        yield from _body(conn)
        return
    deadline = time.monotonic() + conn.timeout
    writers = _writer_lock(conn.where)
    if not writers.acquire(timeout=conn.timeout):
        raise describe_error(sqlite3.OperationalError("database is locked"), conn.where, conn.timeout)
    try:
        _begin_immediate(conn, deadline)
        yield from _body(conn)
    finally:
        writers.release()


def _begin_immediate(conn: Connection, deadline: float) -> None:
    """`BEGIN IMMEDIATE`, retried every few milliseconds while another process writes, until the busy timeout.
    (SQLite's own busy handler sleeps 1, 2, 5, 10, ... up to 100 ms between tries: a writer of another process,
    `serve --workers 2` say, would often wait far longer than the few ms the lock is held.)"""
    pause = 0.0005
    conn.execute("PRAGMA busy_timeout=0")  # (a PRAGMA is no I/O: microseconds)
    try:
        while True:
            try:
                conn.raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or time.monotonic() + pause > deadline:
                    raise describe_error(exc, conn.where, conn.timeout) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.004)
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(conn.timeout * 1000)}")


def _body(conn: Connection) -> Iterator[Connection]:
    try:
        yield conn
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except StoreError:
            pass
        raise
    conn.execute("COMMIT")


# --- migrations -------------------------------------------------------------------------------------------------


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


def _has_schema(conn: Connection) -> bool:
    if conn.backend == "postgresql":
        return conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    return conn.execute(query).fetchone() is not None


def applied_migrations(conn: Connection) -> set[int]:
    if not _has_schema(conn):
        return set()
    return {int(r[0]) for r in conn.execute("SELECT version FROM schema_version")}


def schema_version(conn: Connection) -> int:
    return max(applied_migrations(conn), default=0)


def migrate(conn: Connection) -> int:
    """Apply the migrations the database has not seen, each in its own transaction; returns how many are applied."""
    with transaction(conn, key="azmoon:migrate"):
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    for number, script in all_migrations():
        with transaction(conn, key="azmoon:migrate"):
            if number in applied_migrations(conn):
                continue
            for statement in portable_ddl(script, conn.backend).split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
    return len(applied_migrations(conn))


# --- core queries: students -------------------------------------------------------------------------------------


def student_rows(conn: Connection) -> list[Any]:
    return conn.execute("SELECT student_id, name, email FROM students ORDER BY student_id").fetchall()


def student_row(conn: Connection, student_id: str) -> Any | None:
    return conn.execute(
        "SELECT student_id, name, email FROM students WHERE student_id = ?", (student_id,)
    ).fetchone()


def insert_student(conn: Connection, student_id: str, name: str, email: str | None) -> None:
    conn.execute(
        "INSERT INTO students (student_id, name, email, updated_at) VALUES (?, ?, ?, ?)",
        (student_id, name, email, utc_now()),
    )


def update_student(conn: Connection, student_id: str, name: str, email: str | None) -> None:
    conn.execute(
        "UPDATE students SET name = ?, email = ?, updated_at = ? WHERE student_id = ?",
        (name, email, utc_now(), student_id),
    )


# --- core queries: assignments, variants, keys ------------------------------------------------------------------


def assignment_row(conn: Connection, name: str) -> Any | None:
    return conn.execute("SELECT * FROM assignments WHERE name = ?", (name,)).fetchone()


def submission_context(conn: Connection, assignment: str, student_id: str) -> Any | None:
    """What a submission is checked against, in one query: the assignment's row (None: no such assignment) with
    `on_roster` (1 or NULL) and the student's variant (`variant_seed`, `variant_token`; NULL: none generated)."""
    return conn.execute(
        "SELECT a.*, (SELECT 1 FROM students s WHERE s.student_id = ?) AS on_roster, "
        "v.seed AS variant_seed, v.token AS variant_token FROM assignments a "
        "LEFT JOIN variants v ON v.assignment = a.name AND v.student_id = ? WHERE a.name = ?",
        (student_id, student_id, assignment),
    ).fetchone()


def variant_row(conn: Connection, assignment: str, student_id: str) -> Any | None:
    return conn.execute(
        "SELECT seed, token FROM variants WHERE assignment = ? AND student_id = ?", (assignment, student_id)
    ).fetchone()


def variant_seeds(conn: Connection, assignment: str) -> dict[str, int]:
    rows = conn.execute("SELECT student_id, seed FROM variants WHERE assignment = ?", (assignment,))
    return {r["student_id"]: int(r["seed"]) for r in rows}


def insert_variant(conn: Connection, assignment: str, student_id: str, seed: int, token: str) -> None:
    conn.execute(
        "INSERT INTO variants (assignment, student_id, seed, token, generated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (assignment, student_id) DO NOTHING",
        (assignment, student_id, seed, token, utc_now()),
    )


def stored_variant_items(conn: Connection, assignment: str) -> dict[tuple[str, str], Any]:
    """Every stored key of an assignment by (student, item): seed and solved JSON."""
    rows = conn.execute(
        "SELECT student_id, item, seed, solved FROM variant_items WHERE assignment = ?", (assignment,)
    )
    return {(r["student_id"], r["item"]): r for r in rows}


def variant_item_rows(conn: Connection, assignment: str, student_id: str) -> list[Any]:
    return conn.execute(
        "SELECT item, seed, solved FROM variant_items WHERE assignment = ? AND student_id = ? ORDER BY position",
        (assignment, student_id),
    ).fetchall()


def upsert_variant_item(
    conn: Connection,
    assignment: str,
    student_id: str,
    item: str,
    position: int,
    seed: int,
    params: str,
    solved: str,
) -> None:
    conn.execute(
        "INSERT INTO variant_items (assignment, student_id, item, position, seed, params, solved) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (assignment, student_id, item) DO UPDATE SET "
        "position = excluded.position, seed = excluded.seed, params = excluded.params, solved = excluded.solved",
        (assignment, student_id, item, position, seed, params, solved),
    )


def key_rows(conn: Connection, assignment: str, student_id: str | None = None) -> list[Any]:
    """The stored keys of an assignment (one student's, or everyone's), by student and worksheet position."""
    query = (
        "SELECT v.student_id, vi.item, vi.seed, vi.solved FROM variants v "
        "JOIN variant_items vi ON vi.assignment = v.assignment AND vi.student_id = v.student_id "
        "WHERE v.assignment = ?"
    )
    args: list[Any] = [assignment]
    if student_id is not None:
        query += " AND v.student_id = ?"
        args.append(student_id)
    return conn.execute(query + " ORDER BY v.student_id, vi.position", args).fetchall()


# --- core queries: submissions ----------------------------------------------------------------------------------

SUBMISSION_COLUMNS = (
    "assignment", "student_id", "status", "raw", "reason", "attempt", "score", "max_score", "result",
    "idempotency_key", "raw_sha256", "received_at",
)  # fmt: skip


def insert_submission(conn: Connection, **fields: Any) -> int:
    """Store one submission (columns of SUBMISSION_COLUMNS); returns its number."""
    unknown = set(fields) - set(SUBMISSION_COLUMNS)
    if unknown:
        raise ValueError(f"not columns of submissions: {sorted(unknown)}")
    fields.setdefault("received_at", utc_now())
    columns = list(fields)
    row = conn.execute(
        f"INSERT INTO submissions ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) RETURNING id",
        [fields[c] for c in columns],
    ).fetchone()
    return int(row[0])


def graded_count(conn: Connection, assignment: str, student_id: str) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM submissions WHERE assignment = ? AND student_id = ? AND status = 'graded'",
            (assignment, student_id),
        ).fetchone()[0]
    )


def submission_by_idempotency_key(conn: Connection, student_id: str, key: str) -> Any | None:
    return conn.execute(
        "SELECT id, status, reason, result FROM submissions WHERE student_id = ? AND idempotency_key = ?",
        (student_id, key),
    ).fetchone()


def format_errors_since(conn: Connection, assignment: str | None, student_id: str | None, since: str) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM submissions WHERE coalesce(assignment, '') = ? AND coalesce(student_id, '') = ? "
            "AND status = 'format_error' AND received_at >= ?",
            (assignment or "", student_id or "", since),
        ).fetchone()[0]
    )


def format_error_with_hash(
    conn: Connection, assignment: str | None, student_id: str | None, sha: str
) -> int | None:
    row = conn.execute(
        "SELECT id FROM submissions WHERE coalesce(assignment, '') = ? AND coalesce(student_id, '') = ? "
        "AND status = 'format_error' AND raw_sha256 = ? ORDER BY id LIMIT 1",
        (assignment or "", student_id or "", sha),
    ).fetchone()
    return int(row[0]) if row is not None else None


def submission_rows(conn: Connection, assignment: str, status: str | None = None) -> list[Any]:
    """Every submission of an assignment, in order (for the gradebook and the staff API)."""
    query = "SELECT * FROM submissions WHERE assignment = ?"
    args: list[Any] = [assignment]
    if status is not None:
        query += " AND status = ?"
        args.append(status)
    return conn.execute(query + " ORDER BY id", args).fetchall()
