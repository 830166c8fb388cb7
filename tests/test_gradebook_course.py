"""The course gradebook (`gradebook export --all`) in the three formats, weights, late penalties and pending
written parts; spreadsheet safety: formula cells neutralised, ids as text, a BOM for Excel, one SIS Login ID,
the Canvas section from the course settings."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from deadline_course import (
    STUDENTS,
    WRITTEN,
    copy_course,
    make_course,
    right_answers,
    submit_at,
    update_settings,
)
from typer.testing import CliRunner

from commands import app
from course import written
from course.config import CourseError, open_course
from course.deadlines import withdraw_student
from course.gradebook import export_gradebook, spreadsheet_safe

runner = CliRunner()
HW1_FULL = 1 + 5  # conv_output_size 1 + concept_equivariance 5 (its drawn parts: 3 * 1 + 2)
CHOICE_ONLY = 1 + 3  # the written part (2 of 5 points) pending


@pytest.fixture(scope="module")
def submitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """hw1: student 0 on time with a written answer, student 1 late by 2 h 10 min; hw2: student 0 on time."""
    root = make_course(tmp_path_factory.mktemp("gradebook"))
    course = open_course(root)
    submit_at(
        course,
        "hw1",
        STUDENTS[0],
        right_answers(course, "hw1", STUDENTS[0], "an answer"),
        "2026-12-15T10:00:00Z",
    )
    submit_at(course, "hw1", STUDENTS[1], right_answers(course, "hw1", STUDENTS[1]), "2026-12-15T22:39:00Z")
    submit_at(course, "hw2", STUDENTS[0], right_answers(course, "hw2", STUDENTS[0]), "2026-12-20T10:00:00Z")
    return root


@pytest.fixture
def course_dir(submitted: Path, tmp_path: Path) -> Path:
    return copy_course(submitted, tmp_path)


def read(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def export(course_dir: Path, fmt: str, *extra: str) -> tuple[list[list[str]], dict]:
    out = course_dir / f"{fmt}.csv"
    args = [
        "gradebook",
        "export",
        "--all",
        "--format",
        fmt,
        "-o",
        str(out),
        "--course",
        str(course_dir),
        "--json",
    ]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output
    return read(out), json.loads(result.output)


def test_wide_course_gradebook_with_weights_penalties_and_pending(course_dir: Path) -> None:
    update_settings(course_dir, weights={"hw1": 3, "hw2": 1})
    table, report = export(course_dir, "wide")
    assert table[0] == ["student_id", "name", "email", "hw1", "hw1 status", "hw2", "hw2 status", "total_percent",
                        "withdrawn"]  # fmt: skip
    rows = {row[0]: row for row in table[1:]}
    first, second, third = rows[STUDENTS[0]], rows[STUDENTS[1]], rows[STUDENTS[2]]
    assert float(first[3]) == pytest.approx(CHOICE_ONLY) and first[4] == "pending: 1 written part(s)"
    assert (float(first[5]), first[6]) == (1.0, "")
    assert float(first[7]) == pytest.approx(round(100 * (3 * CHOICE_ONLY / HW1_FULL + 1 * 1 / 1) / 4, 2))
    assert float(second[3]) == pytest.approx(CHOICE_ONLY * 0.9) and second[4] == "late by 2 h 10 min: −10%"
    assert (second[5], second[6]) == ("", "not submitted")
    assert float(second[7]) == pytest.approx(round(100 * 3 * CHOICE_ONLY * 0.9 / HW1_FULL / 4, 2))
    assert (third[3], third[4], third[7]) == ("", "not submitted", "0.0")
    assert report["assignments"] == ["hw1", "hw2"] and report["pending"] == 1 and report["late"] == 1


def test_pending_becomes_graded_once_the_ta_grades(course_dir: Path) -> None:
    course = open_course(course_dir)
    entry = written.written_queue(course, "hw1")[0]
    written.record_written_grade(course, entry.submission_id, *WRITTEN, 2, None, "ta1")
    rows = {row[0]: row for row in export(course_dir, "wide")[0][1:]}
    assert (float(rows[STUDENTS[0]][3]), rows[STUDENTS[0]][4]) == (HW1_FULL, "")
    moodle = {row[0]: row for row in export(course_dir, "moodle")[0][1:]}
    assert float(moodle[STUDENTS[0]][2]) == HW1_FULL


def test_canvas_course_gradebook(course_dir: Path) -> None:
    update_settings(course_dir, canvas={"section": "DL-01", "assignment_ids": {"hw1": "501"}})
    table, _ = export(course_dir, "canvas")
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "hw1 (501)", "hw2"]
    assert table[1][0] == "Points Possible" and [float(v) for v in table[1][5:]] == [HW1_FULL, 1]
    rows = {row[2]: row for row in table[2:]}
    assert rows[STUDENTS[0]][:5] == ["علی رضایی", "", "0050000010", "0050000010", "DL-01"]  # zeros kept
    assert rows[STUDENTS[0]][5] == ""  # pending: not a grade yet in the LMS
    assert float(rows[STUDENTS[1]][5]) == pytest.approx(CHOICE_ONLY * 0.9)
    assert [row[3] for row in table[2:]] == [row[2] for row in table[2:]]  # one SIS Login ID: the student id


def test_sis_login_by_email_needs_every_email(course_dir: Path) -> None:
    course = update_settings(course_dir, canvas={"sis_login_id": "email"})
    with pytest.raises(CourseError, match="1 student\\(s\\) have none: 40110002"):
        export_gradebook(course, None, "canvas", course_dir / "c.csv")
    withdraw_student(course, STUDENTS[1])  # withdrawn: not in the LMS export at all
    export_gradebook(course, None, "canvas", course_dir / "c.csv")
    table = read(course_dir / "c.csv")
    assert [row[3] for row in table[2:]] == ["ali@example.edu", "reza@example.edu", "negar@example.edu"]


def test_moodle_course_gradebook(course_dir: Path) -> None:
    table, _ = export(course_dir, "moodle")
    assert table[0] == ["ID number", "Email address", "hw1", "hw2"]
    assert table[1] == ["0050000010", "ali@example.edu", "", "1.0"]  # hw1 pending


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("علی", "علی"),
        ("0050000010", "0050000010"),
        (-1.5, -1.5),  # numbers are not text
    ],
)
def test_spreadsheet_safe(value: object, safe: object) -> None:
    assert spreadsheet_safe(value) == safe


def test_exports_neutralise_formulas_keep_ids_and_write_a_bom_for_excel(course_dir: Path) -> None:
    out = course_dir / "hw1.csv"
    args = ["gradebook", "export", "hw1", "-o", str(out), "--excel", "--course", str(course_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Persian names
    table = read(out, "utf-8-sig")
    assert table[0][-4:] == ["submitted_at", "late", "penalty_percent", "status"]
    rows = {row[0]: row for row in table[1:]}
    assert rows[STUDENTS[3]][1] == '\'=HYPERLINK("http://x")'  # the roster name is not run as a formula
    assert rows[STUDENTS[0]][1] == "علی رضایی" and "0050000010" in rows
    assert rows[STUDENTS[1]][-4:-1] == ["2026-12-15T22:39:00Z", "late by 2 h 10 min: −10%", "10.0"]


def test_export_needs_a_name_or_all(course_dir: Path) -> None:
    result = runner.invoke(app, ["gradebook", "export", "--course", str(course_dir)])
    assert result.exit_code == 1 and "name one assignment or give --all" in result.output
