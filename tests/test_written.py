"""Written parts graded by a TA: the terminal queue (resumable, skips what is graded), the CSV round trip with
its validation, and the grades flowing into the stored result (the student's feedback) and the gradebook."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from deadline_course import STUDENTS, WRITTEN, copy_course, make_course, query, right_answers, submit_at
from typer.testing import CliRunner

from commands import app
from course import written
from course.config import CourseError, open_course
from course.gradebook import export_gradebook

runner = CliRunner()
ITEM, PART = WRITTEN
ANSWERS = {
    STUDENTS[0]: "Equivariance: f(shift(x)) = shift(f(x)); segmentation needs it.",
    STUDENTS[1]: '=HYPERLINK("http://evil")',  # a student's text that a spreadsheet would run
    STUDENTS[2]: "",  # blank: nothing to grade
}


@pytest.fixture(scope="module")
def submitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """hw1 submitted on time by three students (two written answers to grade, one blank)."""
    root = make_course(tmp_path_factory.mktemp("written"))
    course = open_course(root)
    for sid, text in ANSWERS.items():
        submit_at(course, "hw1", sid, right_answers(course, "hw1", sid, written=text), "2026-12-15T10:00:00Z")
    return root


@pytest.fixture
def course_dir(submitted: Path, tmp_path: Path) -> Path:
    return copy_course(submitted, tmp_path)


def stored_result(course_dir: Path, sid: str) -> dict:
    return json.loads(query(course_dir, "SELECT result FROM submissions WHERE student_id = ?", sid)[0][0])


def total(course_dir: Path, sid: str) -> str:
    out = course_dir / "g.csv"
    export_gradebook(open_course(course_dir), "hw1", "wide", out)
    with open(out, encoding="utf-8", newline="") as handle:
        return {r["student_id"]: r for r in csv.DictReader(handle)}[sid]


def test_queue_holds_the_non_blank_written_answers_with_rubric_and_points(course_dir: Path) -> None:
    queue = written.written_queue(open_course(course_dir), "hw1")
    assert [(w.student_id, w.item, w.part) for w in queue] == [
        (STUDENTS[0], ITEM, PART),
        (STUDENTS[1], ITEM, PART),
    ]
    first = queue[0]
    assert first.answer == ANSWERS[STUDENTS[0]] and first.max_points == 2 and first.score is None
    assert first.rubric["en"].startswith("Full marks: f(shift(x)) = shift(f(x))") and first.rubric["fa"]
    assert set(first.to_json()) >= {
        "submission_id",
        "student_id",
        "item",
        "part",
        "answer",
        "rubric",
        "max_points",
    }


def test_a_grade_flows_into_the_stored_result_and_the_gradebook(course_dir: Path) -> None:
    course = open_course(course_dir)
    sid = STUDENTS[0]
    assert total(course_dir, sid)["status"] == "pending: 1 written part(s)"
    before = float(total(course_dir, sid)["total"])
    entry = written.written_queue(course, "hw1")[0]
    written.record_written_grade(
        course, entry.submission_id, ITEM, PART, 1.5, "good example; no pooling", "ta1"
    )
    result = stored_result(course_dir, sid)
    part = next(p for p in result["parts"] if p["id"] == PART)
    assert (part["status"], part["score"], result.get("pending", False)) == ("partial", 1.5, False)
    assert "good example; no pooling" in part["feedback"]["en"] and "good example" in part["feedback"]["fa"]
    assert part["written"]["grader"] == "ta1"
    # the item is worth its drawn parts' 5 raw points: 1.5 raw points are 1.5 / 5 * 5 = 1.5 in the gradebook
    row = total(course_dir, sid)
    assert float(row["total"]) == pytest.approx(before + 1.5 / 5 * 5) and row["status"] == ""
    from course.feedback import format_outcome

    assert "explain_equivariance" in format_outcome(result)  # the student's feedback shows the graded part
    with pytest.raises(CourseError, match="between 0 and the part's 2 points"):
        written.record_written_grade(course, entry.submission_id, ITEM, PART, 2.5, None, "ta1")
    with pytest.raises(CourseError, match="no written part"):
        written.record_written_grade(course, entry.submission_id, "conv_output_size", "out", 1, None, "ta1")


def test_terminal_queue_is_resumable_and_skips_what_is_graded(course_dir: Path) -> None:
    args = ["grade", "written", "hw1", "--course", str(course_dir), "--grader", "ta1"]
    result = runner.invoke(app, args, input="5\n1.5\nclear, but no pooling\nq\n")
    assert result.exit_code == 0, result.output
    assert "2 written answer(s) to grade" in result.output
    assert "the score must be between 0 and 2" in result.output  # 5 is refused, asked again
    assert "1 graded, 0 skipped, 1 left" in result.output
    assert ANSWERS[STUDENTS[0]] in result.output and "Full marks" in result.output
    again = runner.invoke(app, args, input="2\n\n")  # resumes with the second student only
    assert again.exit_code == 0, again.output
    assert "1 written answer(s) to grade" in again.output and "1 graded, 0 skipped, 0 left" in again.output
    grades = query(course_dir, "SELECT score, comment, grader FROM written_grades ORDER BY submission_id")
    assert grades == [(1.5, "clear, but no pooling", "ta1"), (2.0, None, "ta1")]
    nothing = runner.invoke(app, args, input="")
    assert "0 written answer(s) to grade" in nothing.output


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_csv_round_trip(course_dir: Path) -> None:
    out = course_dir / "w.csv"
    result = runner.invoke(
        app, ["grade", "written", "hw1", "--export", str(out), "--course", str(course_dir)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines()[0] == (
        "student_id,item,part,answer,rubric,score,comment,submission"
    )
    rows = read_rows(out)
    assert [r["student_id"] for r in rows] == STUDENTS[:2] and all(r["score"] == "" for r in rows)
    assert rows[1]["answer"] == "'" + ANSWERS[STUDENTS[1]]  # neutralised for the spreadsheet
    rows[0].update(score="2", comment="=full marks")  # the TA's own text that starts with '='
    rows[1].update(score="۰٫۵", comment="")  # Persian digits are read
    write_rows(out, rows)
    args = ["grade", "written", "hw1", "--import", str(out), "--course", str(course_dir), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["recorded"] == 2
    grades = query(course_dir, "SELECT score, comment FROM written_grades ORDER BY submission_id")
    assert grades == [(2.0, "=full marks"), (0.5, None)]
    runner.invoke(app, ["grade", "written", "hw1", "--export", str(out), "--course", str(course_dir)])
    assert [r["score"] for r in read_rows(out)] == ["2.0", "0.5"]
    assert read_rows(out)[0]["comment"] == "'=full marks"  # exported safe, imported back as typed
    again = runner.invoke(app, args)
    assert json.loads(again.output)["recorded"] == 0  # unchanged rows are not rewritten
    assert query(course_dir, "SELECT comment FROM written_grades ORDER BY submission_id")[0] == (
        "=full marks",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda rows: rows[0].update(student_id="40119999"),
            "line 2: no written answer of student '40119999'",
        ),
        (
            lambda rows: rows[1].update(part="explain"),
            "line 4 (row 3): no written answer of student '40110002' to ",
        ),
        (
            lambda rows: rows[1].update(score="3"),
            "line 4 (row 3): score 3 of concept_equivariance/explain_equivariance is outside 0..2",
        ),  # fmt: skip
        (lambda rows: rows[0].update(score="-1"), "line 2: score -1"),
        (lambda rows: rows[0].update(score="two"), "line 2: score 'two' is not a number"),
        (
            lambda rows: rows.append(dict(rows[0])),
            "line 6 (row 4): duplicate row for 0050000010/concept_equivariance/",
        ),
        (lambda rows: rows[0].update(submission="999"), "line 2: student 0050000010 submitted again"),
    ],
)
def test_csv_import_errors_name_the_line_and_write_nothing(course_dir: Path, change, message: str) -> None:
    course = open_course(course_dir)
    out = course_dir / "w.csv"
    written.export_csv(course, "hw1", out)
    rows = read_rows(out)
    for row in rows:
        row["score"] = "1"
    change(rows)
    write_rows(out, rows)
    with pytest.raises(CourseError, match="nothing imported") as caught:
        written.import_csv(course, "hw1", out, "ta1")
    assert message in str(caught.value)
    assert query(course_dir, "SELECT count(*) FROM written_grades") == [(0,)]


def test_csv_import_needs_the_header(course_dir: Path) -> None:
    out = course_dir / "bad.csv"
    out.write_text("student,score\n0050000010,2\n", encoding="utf-8")
    result = runner.invoke(
        app, ["grade", "written", "hw1", "--import", str(out), "--course", str(course_dir)]
    )
    assert result.exit_code == 1 and "line 1: the header lacks student_id" in result.output
