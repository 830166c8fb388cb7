"""Shared fixtures.

- Property tests run the same examples on every machine: CI must not depend on luck (hypothesis profile).
- `postgres_server` (session): a throwaway PostgreSQL 15 cluster of the suite's own — `initdb` in a temp dir
  (as the `postgres` system user when the suite runs as root: initdb refuses root), `pg_ctl start` listening on
  127.0.0.1 and a free port only, trust authentication; stopped and removed at the end. Skips when Debian's
  PostgreSQL binaries (/usr/lib/postgresql/15/bin) are missing.
- `pg_database`: a fresh database on that cluster for one test; its `postgresql://` URL (dropped afterwards).
- `backend`: parametrized "sqlite" / "postgresql"; `course_database` gives the `database:` value for
  `init_course(..., database=...)` / `azmoon course init DIR --database ...` on that backend ("course.db" or a
  fresh database's URL). A test that takes `course_database` runs once per backend.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("azmoon", derandomize=True)
settings.load_profile("azmoon")

PG_BIN = Path(os.environ.get("AZMOON_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_cluster_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The base URL (`postgresql://postgres@127.0.0.1:PORT`) of a cluster started for this test session."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (Debian package postgresql)")
    base = Path(tempfile.mkdtemp(prefix="azmoon-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    run = dict(check=True, capture_output=True, text=True, timeout=120)
    subprocess.run(
        _as_cluster_owner(
            [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        ),
        **run,
    )
    options = f"-k {sockets} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
    subprocess.run(
        _as_cluster_owner(
            [str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"]
        ),
        **run,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_cluster_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_database(postgres_server: str) -> Iterator[str]:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{postgres_server}/{name}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def course_database(backend: str, request: pytest.FixtureRequest) -> str:
    """`database:` of a new course on the test's backend."""
    if backend == "sqlite":
        return "course.db"
    return request.getfixturevalue("pg_database")
