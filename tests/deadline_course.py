"""A small real course for the after-deadline tests (the deadline helper's): Tehran time, Jalali calendar.

Four students, `hw1` = conv_output_size (1 point, integer) + concept_equivariance (3 choice parts and a written
part of 2 points: 5 points), due 1405-09-24 23:59 Tehran (= 2026-12-15 20:29 UTC); `hw2` = conv_output_size,
due 1405-09-30 23:59. Keys are solved once (no PDFs); each test copies the directory. Submissions go through
the real `course.submit.submit`; `submit_at` then sets the stored arrival time, as if the file had arrived then.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import yaml

from course.assignments import create_assignment
from course.config import Course, init_course, open_course
from course.generate import assignment_key, generate_assignment
from course.roster import import_roster
from course.seeds import variant_token
from course.submit import submit

HW1_ITEMS = ["conv_output_size", "concept_equivariance"]
WRITTEN = ("concept_equivariance", "explain_equivariance")
STUDENTS = ["0050000010", "40110002", "40110003", "40110004"]
ROSTER = (
    "student_id,name,email\n"
    "0050000010,علی رضایی,ali@example.edu\n"
    "40110002,سارا محمدی,\n"
    "40110003,Reza Karimi,reza@example.edu\n"
    '40110004,=HYPERLINK("http://x"),negar@example.edu\n'
)
HW1_DUE_UTC = "2026-12-15T20:29:00Z"


def make_course(base: Path) -> Path:
    root = base / "course"
    init_course(root)
    settings = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
    settings.update({"timezone": "Asia/Tehran", "calendar": "jalali"})
    settings["policies"].update({"late": "penalty 10%/day, max 50%", "grace_minutes": 10})
    write_settings(root, settings)
    (base / "roster.csv").write_text(ROSTER, encoding="utf-8")
    course = open_course(root)
    import_roster(course, base / "roster.csv")
    create_assignment(course, "hw1", HW1_ITEMS, due="1405-09-24 23:59")
    create_assignment(course, "hw2", ["conv_output_size"], due="1405-09-30 23:59")
    generate_assignment(course, "hw1", None)
    generate_assignment(course, "hw2", None)
    return root


def write_settings(root: Path, settings: dict[str, Any]) -> None:
    (root / "course.yaml").write_text(
        yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def update_settings(root: Path, **changes: Any) -> Course:
    settings = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key in ("late", "grace_minutes", "attempt_policy"):
            settings["policies"][key] = value
        else:
            settings[key] = value
    write_settings(root, settings)
    return open_course(root)


def copy_course(generated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "course"
    shutil.copytree(generated, copy)
    return copy


def right_answers(
    course: Course, assignment: str, student: str, written: str = ""
) -> dict[str, dict[str, Any]]:
    key = assignment_key(course, assignment, student)[0]
    answers = {item["item"]: {p["id"]: p["answer_text"] for p in item["parts"]} for item in key["items"]}
    if WRITTEN[0] in answers:
        answers[WRITTEN[0]][WRITTEN[1]] = written
    return answers


def answer_bytes(course: Course, assignment: str, student: str, answers: dict[str, Any]) -> bytes:
    with course.connect() as conn:
        seed = conn.execute(
            "SELECT seed FROM variants WHERE assignment = ? AND student_id = ?", (assignment, student)
        ).fetchone()["seed"]
    token = variant_token(course.secret(), assignment, student, seed)
    header = {"assignment": assignment, "student": student, "variant": token, "answers": answers}
    return yaml.safe_dump(header, allow_unicode=True).encode("utf-8")


def submit_at(
    course: Course, assignment: str, student: str, answers: dict[str, Any], at: str
) -> dict[str, Any]:
    """Submit through the real path, then record the arrival time `at` (ISO UTC) for the new submission."""
    path = course.root / f"answers-{student}.yaml"
    path.write_bytes(answer_bytes(course, assignment, student, answers))
    document = submit(course, path).document
    set_received_at(course.root, document["submission"], at)
    return document


def set_received_at(root: Path, submission_id: int, at: str) -> None:
    conn = sqlite3.connect(root / "course.db")
    try:
        conn.execute("UPDATE submissions SET received_at = ? WHERE id = ?", (at, submission_id))
        conn.commit()
    finally:
        conn.close()


def query(root: Path, sql: str, *args: Any) -> list[tuple]:
    conn = sqlite3.connect(root / "course.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()
