"""`kill -9` of `submit` and of `generate` at several moments (issue 17.8): after each kill the database is
intact, every acknowledged submission is stored whole, every stored variant has all its keys, and the build
folder holds only complete files (a killed build stays in its hidden staging folder, cleared by the next run)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course.assignments import create_assignment
from course.config import init_course
from course.roster import import_roster

ROOT = Path(__file__).resolve().parent.parent
SUBMIT_KILL_MOMENTS = [0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 1.8, 2.2]  # seconds after start: import, mid-burst
GENERATE_KILL_MOMENTS = [1.0, 3.0, 5.0, 8.0]

SUBMITTER = """
import sys, yaml
sys.path.insert(0, {root!r})
from course import store
from course.config import open_course
from course.submit import submit_text
course = open_course({course!r})
conn = course.connect()
tokens = {{sid: store.variant_row(conn, "hw1", sid)["token"] for sid in ("40110001", "40110002")}}
conn.close()
for n in range(100000):
    sid = ("40110001", "40110002")[n % 2]
    data = yaml.safe_dump({{"assignment": "hw1", "student": sid, "variant": tokens[sid],
                            "answers": {{"conv_output_size": {{"out": str(n % 50)}}}}}}).encode()
    outcome = submit_text(course, data, idempotency_key=f"{{sys.argv[1]}}-{{n}}")
    print("ack", outcome.document["submission"], outcome.status, flush=True)
"""


def make_course(root: Path, students: int) -> None:
    course = init_course(root, attempts=100000)
    roster = root / "roster.csv"
    roster.write_text(
        "student_id,name\n" + "".join(f"401100{i:02d},Student {i}\n" for i in range(1, students + 1)),
        encoding="utf-8",
    )
    import_roster(course, roster)
    create_assignment(course, "hw1", ["conv_output_size"], [2.0], None, None, None, None)


def check_database(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return conn


def kill_group_after(process: subprocess.Popen, seconds: float) -> None:
    time.sleep(seconds)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_kill_9_of_submit_keeps_every_acknowledged_submission_whole(tmp_path: Path) -> None:
    from course.config import open_course
    from course.generate import generate_assignment

    root = tmp_path / "c"
    make_course(root, 2)
    generate_assignment(open_course(root), "hw1", None)
    acknowledged: dict[int, str] = {}
    for run, moment in enumerate(SUBMIT_KILL_MOMENTS):
        code = SUBMITTER.format(root=str(ROOT), course=str(root))
        process = subprocess.Popen(
            [sys.executable, "-c", code, f"run{run}"],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        kill_group_after(process, moment)
        for line in process.stdout.read().splitlines():
            _, number, status = line.split()
            acknowledged[int(number)] = status
        conn = check_database(root / "course.db")
        stored = {r[0]: r for r in conn.execute("SELECT id, status, attempt, result, raw FROM submissions")}
        for number, status in acknowledged.items():
            row = stored[number]
            assert row[1] == status and json.loads(row[3])["status"] == status and row[4]
        for sid in ("40110001", "40110002"):
            attempts = [
                r[0]
                for r in conn.execute(
                    "SELECT attempt FROM submissions WHERE student_id = ? AND status = 'graded' ORDER BY attempt",
                    (sid,),
                )
            ]
            assert attempts == list(range(1, len(attempts) + 1))  # no gap, no duplicate  # fmt: skip
        conn.close()
    print(
        f"kills of submit survived: {len(SUBMIT_KILL_MOMENTS)}; acknowledged submissions checked: {len(acknowledged)}"
    )
    assert acknowledged  # the kills fell inside bursts, not only before them


@pytest.mark.parametrize("with_pdfs", [False, True])
def test_kill_9_of_generate_leaves_whole_variants_and_only_complete_files(
    tmp_path: Path, with_pdfs: bool
) -> None:
    root, out = tmp_path / "c", tmp_path / "c" / "build"
    make_course(root, 6)
    command = [sys.executable, str(ROOT / "cli.py"), "assignment", "generate", "hw1", "--course", str(root),
               "--workers", "1"] + (["--out", str(out)] if with_pdfs else ["--out", str(out), "--no-key"])  # fmt: skip
    for moment in GENERATE_KILL_MOMENTS:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)  # fmt: skip
        kill_group_after(process, moment)
        conn = check_database(root / "course.db")
        variants = conn.execute("SELECT count(*) FROM variants").fetchone()[0]
        keyed = conn.execute("SELECT count(DISTINCT student_id) FROM variant_items").fetchone()[0]
        assert variants == keyed  # each student's variant and keys were written together
        conn.close()
        for folder in (p for p in out.glob("4011*") if out.exists()):
            assert sorted(p.name for p in folder.iterdir()) in (
                [],
                ["answers.yaml"],
                ["answers.yaml", "worksheet.pdf"],
            )
        if out.exists():
            assert not list(out.glob("*.pdf.tmp*")) and not list(out.glob(".key-*"))
    final = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, final.stderr
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    assert all(sorted(p.name for p in (out / f"401100{i:02d}").iterdir()) == ["answers.yaml", "worksheet.pdf"]
               for i in range(1, 7))  # fmt: skip
    print(
        f"kills of generate survived ({'with' if with_pdfs else 'without'} key PDFs): {len(GENERATE_KILL_MOMENTS)}"
    )
