"""The course store on both backends (fixture `course_database`: SQLite, then a throwaway PostgreSQL database):
the same migrations, the same submit path, and the attempt limit kept by racing processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from course import store
from course.assignments import create_assignment
from course.config import init_course, open_course
from course.generate import assignment_key, generate_assignment
from course.gradebook import export_gradebook
from course.roster import import_roster, list_students
from course.submit import SubmissionRefused, submit_text

ROOT = Path(__file__).resolve().parent.parent
ROSTER = "student_id,name,email\n40110001,علی رضایی,ali@example.edu\n40110002,Sara M,\n"


def make_course(tmp_path: Path, database: str, attempts: int = 2) -> Any:
    course = init_course(tmp_path / "c", database=database, attempts=attempts)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    import_roster(course, tmp_path / "roster.csv")
    create_assignment(course, "hw1", ["conv_output_size"], [2.0], None, None, None, None)
    generate_assignment(course, "hw1", None)
    return course


def answers_of(course: Any, student: str, answers: dict[str, Any] | None = None) -> bytes:
    with course.connect() as conn:
        token = store.variant_row(conn, "hw1", student)["token"]
    if answers is None:
        key = assignment_key(course, "hw1", student)[0]
        answers = {i["item"]: {p["id"]: p["answer_text"] for p in i["parts"]} for i in key["items"]}
    header = {"assignment": "hw1", "student": student, "variant": token, "answers": answers}
    return yaml.safe_dump(header, allow_unicode=True).encode("utf-8")


def statuses(course: Any) -> list[tuple]:
    with course.connect() as conn:
        return [(r["status"], r["attempt"]) for r in store.submission_rows(conn, "hw1")]


def test_same_schema_on_both_backends(course_database: str, tmp_path: Path) -> None:
    course = init_course(tmp_path / "c", database=course_database)
    with course.connect() as conn:
        assert store.applied_migrations(conn) == {n for n, _ in store.all_migrations()}
        assert conn.backend == ("postgresql" if course_database.startswith("postgresql") else "sqlite")


def test_submit_grades_limits_and_refuses(course_database: str, tmp_path: Path) -> None:
    course = make_course(tmp_path, course_database)
    right = answers_of(course, "40110001")
    first = submit_text(course, right, idempotency_key="k1")
    assert (first.status, first.document["score"], first.document["attempt"]) == ("graded", 2.0, 1)
    again = submit_text(course, right, idempotency_key="k1")  # a retry: the stored outcome, no second attempt
    assert again.document == first.document
    assert submit_text(course, right).document["attempts_left"] == 0
    with pytest.raises(SubmissionRefused, match="used all 2 attempts"):
        submit_text(course, right)
    with pytest.raises(SubmissionRefused, match="signed in as 40110002"):
        submit_text(course, right, as_student="40110002")
    unread = submit_text(course, answers_of(course, "40110002", {"conv_output_size": {"out": "eleven-ish"}}))
    assert unread.status == "format_error" and unread.document["attempt"] is None
    assert statuses(course) == [("graded", 1), ("graded", 2), ("refused", None), ("refused", None),
                                ("format_error", None)]  # fmt: skip


def test_read_commands_on_both_backends(course_database: str, tmp_path: Path) -> None:
    course = make_course(tmp_path, course_database)
    submit_text(course, answers_of(course, "40110002"))
    assert [s.student_id for s in list_students(course)] == ["40110001", "40110002"]
    report = export_gradebook(course, "hw1", "wide", tmp_path / "g.csv")
    assert (report["students"], report["graded"]) == (2, 1)
    assert {k["student_id"] for k in assignment_key(course, "hw1")} == {"40110001", "40110002"}


RACER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from course.config import open_course
from course.submit import SubmissionRefused, submit_text
course = open_course({course!r})
data = Path({answers!r}).read_bytes()
try:
    print(submit_text(course, data).status)
except SubmissionRefused:
    print("refused")
"""


def test_racing_processes_keep_the_attempt_limit(course_database: str, tmp_path: Path) -> None:
    """Six processes submit the same student's file at once (like six server workers): two graded, four refused."""
    course = make_course(tmp_path, course_database, attempts=2)
    answers = tmp_path / "a.yaml"
    answers.write_bytes(answers_of(course, "40110001"))
    code = RACER.format(root=str(ROOT), course=str(course.root), answers=str(answers))
    racers = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(6)
    ]
    outcomes = sorted(p.communicate(timeout=120)[0].strip() for p in racers)
    assert outcomes == ["graded", "graded", "refused", "refused", "refused", "refused"]
    graded = [attempt for status, attempt in statuses(course) if status == "graded"]
    assert sorted(graded) == [1, 2]


def test_cli_init_with_a_postgres_url(pg_database: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "course", "init", str(tmp_path / "c"), "--database", pg_database,
         "--json"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["database"] == "PostgreSQL"
    assert open_course(tmp_path / "c").database == pg_database
    again = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "course", "init", str(tmp_path / "d"), "--database", pg_database],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert again.returncode == 1 and "already holds an Azmoon course" in again.stderr
    assert not (tmp_path / "d" / "course.yaml").exists() and not (tmp_path / "d" / "secret").exists()


def test_an_unreachable_postgres_is_one_clear_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = tmp_path / "c"
    root.mkdir()
    (root / "course.yaml").write_text(
        f"name: {{fa: د, en: D}}\ndatabase: postgresql://azmoon:hunter2@127.0.0.1:{port}/course\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "roster", "list", "--course", str(root)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1 and "cannot open the course database" in lines[0]
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr  # the password is never echoed
