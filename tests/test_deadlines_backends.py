"""The after-deadline store on both backends (fixture `course_database`: SQLite, then a throwaway PostgreSQL
database): due time and late policy, an extension, a late submission through submit_text, a written grade, a
regrade with key versions, the course gradebook, archive and withdrawal."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from deadline_course import HW1_ITEMS, WRITTEN

from course import deadlines, written
from course.assignments import create_assignment, delete_assignment, show_assignment
from course.config import init_course
from course.generate import assignment_key, generate_assignment
from course.gradebook import assignment_status, export_gradebook
from course.regrade import regrade, regrade_history
from course.roster import import_roster
from course.seeds import variant_token
from course.store import deadlines as db
from course.submit import submit_text

ROSTER = "student_id,name,email\n40110001,علی رضایی,ali@example.edu\n40110002,Sara M,sara@example.edu\n"


def answer_file(course, student: str) -> bytes:
    key = assignment_key(course, "hw1", student)[0]
    answers = {i["item"]: {p["id"]: p["answer_text"] for p in i["parts"]} for i in key["items"]}
    answers[WRITTEN[0]][WRITTEN[1]] = "a written answer"
    with course.connect() as conn:
        seed = next(r["seed"] for r in db.variant_keys(conn, "hw1") if r["student_id"] == student)
    token = variant_token(course.secret(), "hw1", student, seed)
    header = {"assignment": "hw1", "student": student, "variant": token, "answers": answers}
    return yaml.safe_dump(header, allow_unicode=True).encode("utf-8")


def test_after_the_deadline_on_both_backends(course_database: str, tmp_path: Path) -> None:
    course = init_course(tmp_path / "c", database=course_database)
    settings_path = course.root / "course.yaml"
    settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
    settings.update({"timezone": "Asia/Tehran", "calendar": "jalali"})
    settings_path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    from course.config import open_course

    course = open_course(course.root)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    import_roster(course, tmp_path / "roster.csv")
    create_assignment(course, "hw1", HW1_ITEMS, due="1405-09-24 23:59", late="penalty 10%/day", grace=5)
    create_assignment(course, "hw2", ["conv_output_size"])
    generate_assignment(course, "hw1", None)
    assert show_assignment(course, "hw1")["due"] == "2026-12-15T20:29:00Z"

    deadlines.grant_extension(course, "hw1", "40110002", "1405-09-26 23:59")
    late = datetime(2026, 12, 16, 22, 39, tzinfo=UTC)  # 1 d 2 h 10 min late; within 40110002's extension
    first = submit_text(course, answer_file(course, "40110001"), at=late).document
    second = submit_text(course, answer_file(course, "40110002"), at=late).document
    assert first["late"]["message"]["en"] == "late by 1 d 2 h 10 min: −20%"
    assert (second["late"]["penalty_percent"], second["late"]["extended"]) == (0, True)

    entry = written.written_queue(course, "hw1")[0]
    written.record_written_grade(course, entry.submission_id, *WRITTEN, 2, "good", "ta1")
    report = regrade(course, "hw1")
    assert (report.keys_changed, report.submissions_changed, report.students) == (0, 0, [])
    assert regrade_history(course, "hw1")[0]["changes"] == []

    out = tmp_path / "all.csv"
    export_gradebook(course, None, "wide", out)
    with open(out, encoding="utf-8", newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert float(rows["40110001"]["hw1"]) == pytest.approx(
        (1 + 5) * 0.8
    )  # everything right (1 + 5 points), 20% off
    assert rows["40110002"]["hw1 status"] == "pending: 1 written part(s)"

    deadlines.withdraw_student(course, "40110002")
    assert assignment_status(course, "hw1")["withdrawn"] == ["40110002"]
    assert delete_assignment(course, "hw1", archive=True)["action"] == "archived"
    assert delete_assignment(course, "hw2")["action"] == "deleted"
    assert json.loads(json.dumps(show_assignment(course, "hw1")))["archived"] is True
