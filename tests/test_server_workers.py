"""`azmoon serve --workers 2` (127.0.0.1): two server processes answer, and on one database (SQLite file or
PostgreSQL) they keep the attempt limit together: a burst of submits from several students, each one more than
the limit, stores exactly the limit per student, every acknowledged submission once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from test_server_faults import (
    ATTEMPTS,
    ROOT,
    STUDENTS,
    call,
    free_port,
    post,
    served,  # noqa: F401  (the fixture: a generated course on each backend)
    stored_rows,
)


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def serve(course_dir: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "AZMOON_RATE_PER_MINUTE": "100000", "AZMOON_RATE_BURST": "100000"}
    command = [sys.executable, "cli.py", "serve", "--course", str(course_dir), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if call(port, "GET", "/api/v1/health")[0] == 200 and len(workers_of(process.pid)) == workers:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"`serve --workers {workers}` did not answer with {workers} workers within 90 s")


def workers_of(pid: int) -> list[int]:
    """uvicorn's worker processes under the supervisor (not multiprocessing's resource tracker)."""
    return [
        child
        for child in children(pid)
        if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def test_two_workers_serve_and_keep_the_attempt_limit_together(served) -> None:  # noqa: F811
    course, tokens, files = served
    port = free_port()
    process = serve(course.root, port, workers=2)
    try:
        assert len(workers_of(process.pid)) == 2
        jobs = [(s, n) for n in range(ATTEMPTS + 1) for s in STUDENTS]  # one submit more than the limit

        def send(job):
            student, n = job
            return job, post(port, tokens[student], files[student].encode(), f"w-{student}-{n}")

        with ThreadPoolExecutor(12) as pool:
            answers = dict(pool.map(send, jobs))
        codes = [status for status, _, _ in answers.values()]
        assert codes.count(200) == ATTEMPTS * len(STUDENTS) and codes.count(409) == len(STUDENTS), codes
        rows = stored_rows(course)
        graded = [r for r in rows if r["status"] == "graded"]
        assert len({(r["student_id"], r["idempotency_key"]) for r in rows}) == len(rows)  # no duplicates
        assert {s: sum(r["student_id"] == s for r in graded) for s in STUDENTS} == dict.fromkeys(
            STUDENTS, ATTEMPTS
        )
        acknowledged = {body["submission"] for status, body, _ in answers.values() if status == 200}
        assert acknowledged == {r["id"] for r in graded}  # rows stored = submissions acknowledged
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert not workers_of(process.pid)
