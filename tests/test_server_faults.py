"""Faults of the course server as a real process (`python cli.py serve`), on SQLite and PostgreSQL:
kill -9 during a burst of submits, and a database that cannot be reached."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import client
from course.assignments import create_assignment
from course.config import init_course, open_course
from course.generate import assignment_key, generate_assignment
from course.roster import import_roster
from server.auth import issue_student_tokens

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = [f"s{n:02d}" for n in range(12)]
ATTEMPTS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(course_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "AZMOON_RATE_PER_MINUTE": "100000", "AZMOON_RATE_BURST": "100000"}
    command = [sys.executable, "cli.py", "serve", "--course", str(course_dir), "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if call(port, "GET", "/api/v1/health")[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not answer /api/v1/health within 60 s")


def call(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null"), dict(response.getheaders())
    finally:
        conn.close()


def post(port: int, token: str, data: bytes, key: str):
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return call(port, "POST", "/api/v1/submissions", data, headers)


@pytest.fixture
def served(tmp_path: Path, course_database: str):
    course = init_course(tmp_path / "c", database=course_database)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"{s},N {s}\n" for s in STUDENTS), encoding="utf-8")
    import_roster(course, roster)
    create_assignment(course, "hw1", ["conv_output_size"], attempts=ATTEMPTS)
    generate_assignment(course, "hw1", tmp_path / "out")
    tokens = {t.student_id: t.token for t in issue_student_tokens(course, None)}
    files = {}
    for student in STUDENTS:
        text = (tmp_path / "out" / student / "answers.yaml").read_text(encoding="utf-8")
        part = assignment_key(course, "hw1", student)[0]["items"][0]["parts"][0]
        files[student] = text.replace(f"    {part['id']}:\n", f"    {part['id']}: {part['answer_text']}\n")
    return course, tokens, files


def stored_rows(course) -> list[dict]:
    conn = open_course(course.root).connect()
    try:
        rows = conn.execute(
            "SELECT id, student_id, status, result, idempotency_key FROM submissions"
        ).fetchall()
        return [
            {k: row[k] for k in ("id", "student_id", "status", "result", "idempotency_key")} for row in rows
        ]
    finally:
        conn.close()


def test_kill_9_during_a_burst_loses_no_acknowledged_submission(served) -> None:
    course, tokens, files = served
    port = free_port()
    process = start_server(course.root, port)
    requests = [(s, n) for n in range(ATTEMPTS) for s in STUDENTS]
    acknowledged: dict[tuple[str, int], dict] = {}

    def send(job):
        student, n = job
        try:
            status, body, _ = post(port, tokens[student], files[student].encode(), f"k-{student}-{n}")
        except OSError:
            return  # the server died under this request: not acknowledged
        if status == 200:
            acknowledged[job] = body

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(send, job) for job in requests]
        while len(acknowledged) < len(requests) // 3:
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
        for future in futures:
            future.result()
    process.wait()
    assert 0 < len(acknowledged) < len(requests)

    process = start_server(course.root, port)
    try:
        rows = stored_rows(course)
        by_key = {(r["student_id"], r["idempotency_key"]): r for r in rows}
        assert len(by_key) == len(rows)  # one row per (student, key): nothing stored twice
        for row in rows:  # stored whole: a graded row carries its whole result document
            assert row["status"] == "graded" and json.loads(row["result"])["status"] == "graded"
        for (student, n), body in acknowledged.items():
            assert by_key[(student, f"k-{student}-{n}")]["id"] == body["submission"]
            status, again, _ = post(port, tokens[student], files[student].encode(), f"k-{student}-{n}")
            assert status == 200 and again == body  # a retry returns the original result
        for student, n in set(requests) - set(acknowledged):  # the rest, retried, count once each
            assert post(port, tokens[student], files[student].encode(), f"k-{student}-{n}")[0] == 200
        per_student = {s: sum(r["student_id"] == s for r in stored_rows(course)) for s in STUDENTS}
        assert per_student == {s: ATTEMPTS for s in STUDENTS}
    finally:
        process.terminate()
        process.wait(timeout=30)


def make_unreachable(course) -> object:
    """SQLite: the database file replaced by a directory. PostgreSQL: the database refuses new connections."""
    if str(course.database).startswith("postgresql://"):
        import psycopg

        base, name = str(course.database).rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))

        def restore():
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

        return restore
    db = Path(course.database)
    aside = db.with_name("course.db.aside")
    db.rename(aside)
    db.mkdir()

    def restore():
        db.rmdir()
        aside.rename(db)

    return restore


def test_database_unreachable_is_503_and_the_client_keeps_the_file(served, tmp_path, monkeypatch) -> None:
    course, tokens, files = served
    port = free_port()
    process = start_server(course.root, port)
    url = f"http://127.0.0.1:{port}"
    answer_file = tmp_path / "answers.yaml"
    answer_file.write_text(f"server: {url}\n" + files["s01"], encoding="utf-8")
    before = answer_file.read_bytes()
    monkeypatch.setenv("AZMOON_CONFIG_DIR", str(tmp_path / "config"))
    client.login(url, tokens["s01"])
    restore = make_unreachable(course)
    try:
        status, body, headers = post(port, tokens["s01"], before, "down-1")
        assert status == 503, body
        assert int(headers["retry-after"]) > 0
        assert set(body["error"]["message"]) == {"fa", "en"} and "kept" in body["error"]["message"]["en"]
        with pytest.raises(client.ClientError) as refused:
            client.submit(answer_file)
        assert "(HTTP 503)" in str(refused.value) and "Traceback" not in str(refused.value)
        assert answer_file.read_bytes() == before
    finally:
        restore()
    try:
        assert client.submit(answer_file)["status"] == "graded"  # back: the kept file goes through
    finally:
        process.terminate()
        process.wait(timeout=30)
