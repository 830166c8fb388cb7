"""Regrade after a wrong key: re-solved keys (old ones kept with a version), every stored submission regraded,
the before/after report (printed and CSV), a dry run that changes nothing, written grades that survive."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from deadline_course import STUDENTS, WRITTEN, copy_course, make_course, query, right_answers, submit_at
from typer.testing import CliRunner

from commands import app
from course import written
from course.config import open_course
from course.regrade import regrade, regrade_history

runner = CliRunner()


def break_key(root: Path, assignment: str, item: str) -> None:
    """As if the solver had a bug at generation: every stored key of `item` is off by one."""
    import sqlite3

    conn = sqlite3.connect(root / "course.db")
    try:
        for sid, solved in conn.execute(
            "SELECT student_id, solved FROM variant_items WHERE assignment = ? AND item = ?",
            (assignment, item),
        ).fetchall():
            key = json.loads(solved)
            key["parts"][0]["answer"] += 1
            key["parts"][0]["answer_text"] = str(key["parts"][0]["answer"])
            conn.execute(
                "UPDATE variant_items SET solved = ? WHERE assignment = ? AND student_id = ? AND item = ?",
                (json.dumps(key, ensure_ascii=False), assignment, sid, item),
            )
        conn.commit()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def wrongly_graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """hw1 whose conv_output_size key was wrong: three students typed the true answer and got 0 for it."""
    root = make_course(tmp_path_factory.mktemp("regrade"))
    course = open_course(root)
    truth = {sid: right_answers(course, "hw1", sid, written="an answer") for sid in STUDENTS[:3]}
    break_key(root, "hw1", "conv_output_size")
    for sid, answers in truth.items():
        submit_at(course, "hw1", sid, answers, "2026-12-15T10:00:00Z")
    wrong = dict(truth[STUDENTS[2]], conv_output_size={"out": "1"})
    submit_at(course, "hw1", STUDENTS[2], wrong, "2026-12-15T11:00:00Z")  # a second attempt, wrong either way
    return root


@pytest.fixture
def course_dir(wrongly_graded: Path, tmp_path: Path) -> Path:
    return copy_course(wrongly_graded, tmp_path)


CHOICE_POINTS = 3 * 1  # concept_equivariance (5 points = its drawn parts' points): its 3 choice parts right


def scores(root: Path) -> list[tuple]:
    return query(root, "SELECT student_id, attempt, score FROM submissions ORDER BY id")


def test_dry_run_reports_and_changes_nothing(course_dir: Path) -> None:
    before = scores(course_dir)
    keys = query(course_dir, "SELECT solved FROM variant_items ORDER BY student_id, item")
    report = regrade(open_course(course_dir), "hw1", item="conv_output_size", dry_run=True)
    assert (report.keys_solved, report.keys_changed) == (4, 4)
    assert (report.submissions, report.submissions_changed) == (4, 3)  # the second wrong attempt stays 0
    assert [(s["student_id"], s["before"], s["after"]) for s in report.students] == [
        (sid, pytest.approx(CHOICE_POINTS), pytest.approx(1 + CHOICE_POINTS)) for sid in STUDENTS[:3]
    ]
    assert scores(course_dir) == before
    assert query(course_dir, "SELECT solved FROM variant_items ORDER BY student_id, item") == keys
    assert query(course_dir, "SELECT count(*) FROM key_versions") == [(0,)]
    assert query(course_dir, "SELECT count(*) FROM regrades") == [(0,)]
    assert Path(report.csv).name.endswith("-dry-run.csv") and report.regrade_id is None


def test_regrade_keeps_old_keys_and_results_and_reports_before_after(course_dir: Path) -> None:
    course = open_course(course_dir)
    old_results = dict(query(course_dir, "SELECT id, result FROM submissions"))
    old_keys = dict(
        query(
            course_dir,
            "SELECT student_id, solved FROM variant_items WHERE assignment = 'hw1' AND item = 'conv_output_size'",
        )
    )
    out = course_dir / "changes.csv"
    result = runner.invoke(app, ["regrade", "hw1", "--csv", str(out), "--course", str(course_dir), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["keys_changed"] == 4 and report["submissions_changed"] == 3 and report["regrade_id"] == 1
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student_id"] for r in rows] == STUDENTS[:3]
    assert all(float(r["change"]) == 1 for r in rows)
    assert [s for _, _, s in scores(course_dir)] == pytest.approx([1 + CHOICE_POINTS] * 3 + [CHOICE_POINTS])
    versions = query(
        course_dir, "SELECT student_id, version, solved, regrade_id FROM key_versions ORDER BY 1, 2"
    )
    assert len(versions) == 8  # per student: version 1 as generated (the wrong key), version 2 re-solved
    for sid, version, solved, regrade_id in versions:
        if version == 1:
            assert (solved, regrade_id) == (old_keys[sid], None)
        else:
            assert (
                json.loads(solved)["parts"][0]["answer"]
                == json.loads(old_keys[sid])["parts"][0]["answer"] - 1
            )
    kept = dict(query(course_dir, "SELECT submission_id, old_result FROM regrade_changes"))
    assert len(kept) == 3 and all(kept[k] == old_results[k] for k in kept)  # every replaced result is kept
    history = regrade_history(course, "hw1")
    assert [len(run["changes"]) for run in history] == [3]
    again = regrade(course, "hw1")
    assert (again.keys_changed, again.submissions_changed, again.students) == (0, 0, [])


def test_text_report_and_unknown_item(course_dir: Path) -> None:
    result = runner.invoke(app, ["regrade", "hw1", "--dry-run", "--course", str(course_dir)])
    assert result.exit_code == 0, result.output
    assert "4 of 8 keys would change; 3 of 4 submissions would change; 3 students' scores would change" in (
        result.output
    )
    bad = runner.invoke(app, ["regrade", "hw1", "--item", "conv_output", "--course", str(course_dir)])
    assert bad.exit_code == 1 and "'hw1' has no item 'conv_output'" in bad.output


def test_written_grades_survive_a_regrade(course_dir: Path) -> None:
    course = open_course(course_dir)
    entry = next(w for w in written.written_queue(course, "hw1") if w.student_id == STUDENTS[0])
    written.record_written_grade(course, entry.submission_id, *WRITTEN, 2, "complete", "ta1")
    regrade(course, "hw1")
    result = json.loads(
        query(course_dir, "SELECT result FROM submissions WHERE id = ?", entry.submission_id)[0][0]
    )
    part = next(p for p in result["parts"] if p["id"] == WRITTEN[1])
    assert (part["score"], part["written"]["comment"]) == (2, "complete")
    assert result["score"] == pytest.approx(
        1 + 5
    )  # everything right now: the key fixed, the written part graded


@pytest.mark.parametrize(
    "text",
    [
        "assignment: hw1\nstudent: '1'\nanswers:\n  a:\n    x: 1.50\n    y:\n    z: yes\n    w: 0x10\n    v: '  07 '\n",
        'answers:\n  a: {x: 1e3, y: null, z: ~}\n  b:\n    q: "=1"\n    r: |\n      two\n      lines\n',
        "answers:\n  a:\n    x: [1, 2, '3']\n",
        "answers:\n  a:\n    x: ۱۲۳\n  b: {}\n",
    ],
)
def test_stored_answers_read_as_the_answer_reader_reads_them(text: str) -> None:
    """A regrade reads thousands of stored files with libyaml; what it reads is what the answer reader read."""
    from grader.answerfile import read_answer_file

    assert written._answers(text) == read_answer_file(text.encode("utf-8")).answers


def test_forked_workers_grade_exactly_as_one_process(course_dir: Path) -> None:
    from course.regrade import regrade_submissions, solve_keys
    from course.store import deadlines as db

    course = open_course(course_dir)
    with course.connect() as conn:
        rows = db.variant_keys(conn, "hw1")
        submissions = db.graded_submissions(conn, "hw1")
    solved = solve_keys(course, rows)
    points = {"conv_output_size": 1.0, "concept_equivariance": 5.0}
    keys: dict = {}
    for r in rows:
        keys.setdefault(r["student_id"], []).append({**solved[(r["student_id"], r["item"])], "item": r["item"],
                                                     "points": points[r["item"]]})  # fmt: skip
    serial = regrade_submissions(submissions, keys, {}, workers=1)
    forked = regrade_submissions(submissions, keys, {}, workers=2)
    assert len(serial) == 3
    assert [(r["id"], new) for r, new in forked] == [(r["id"], new) for r, new in serial]
