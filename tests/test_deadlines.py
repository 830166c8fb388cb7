"""Due times in the course's zone and calendar, the late policy (refuse, penalty, grace), extensions, a changed
due date, and managing assignments (create never resets, edit, list, show, delete/archive, status, withdraw)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from deadline_course import (
    HW1_DUE_UTC,
    STUDENTS,
    copy_course,
    make_course,
    right_answers,
    submit_at,
    update_settings,
)
from typer.testing import CliRunner

from commands import app
from course import deadlines
from course.assignments import create_assignment, delete_assignment, edit_assignment, get_assignment
from course.config import CourseError, open_course
from course.gradebook import assignment_status, export_gradebook

runner = CliRunner()
# hw1 right but its written part blank: conv_output_size 1 + concept_equivariance's 3 drawn choice parts, 1 point
# each (the item's default points are its drawn parts' at seed 0: 3 + the written part's 2 = 5)
RIGHT_BUT_WRITTEN = 1 + 3


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_course(tmp_path_factory.mktemp("deadlines"))


@pytest.fixture
def course_dir(generated: Path, tmp_path: Path) -> Path:
    return copy_course(generated, tmp_path)


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


# --- the course's clock -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "calendar", "typed", "utc"),
    [
        ("Asia/Tehran", "jalali", "1405-09-24 23:59", "2026-12-15T20:29:00Z"),  # Tehran is UTC+3:30
        ("Asia/Tehran", "jalali", "۱۴۰۵-۰۹-۲۴ ۲۳:۵۹", "2026-12-15T20:29:00Z"),  # Persian digits
        ("Asia/Tehran", "jalali", "1405-09-24", "2026-12-15T20:29:00Z"),  # a date alone: 23:59
        ("Asia/Tehran", "jalali", "1405/01/01 00:00", "2026-03-20T20:30:00Z"),  # Nowruz 1405 = 21 March 2026
        ("Asia/Tehran", "gregorian", "2026-12-15 23:59", "2026-12-15T20:29:00Z"),
        ("UTC", "gregorian", "2026-12-15 08:05", "2026-12-15T08:05:00Z"),
        ("Europe/Berlin", "gregorian", "2026-07-01 12:00", "2026-07-01T10:00:00Z"),  # summer time: UTC+2
        (
            "Asia/Tehran",
            "jalali",
            "2026-12-15T20:29:00Z",
            "2026-12-15T20:29:00Z",
        ),  # an absolute time as it is
    ],
)
def test_due_is_read_in_the_course_calendar_and_zone(
    course_dir: Path, zone: str, calendar: str, typed: str, utc: str
) -> None:
    course = update_settings(course_dir, timezone=zone, calendar=calendar)
    assert deadlines.to_iso(deadlines.parse_local_time(course, typed)) == utc


@pytest.mark.parametrize(
    ("calendar", "typed", "message"),
    [
        ("jalali", "2026-12-15 23:59", "looks like a Gregorian year"),
        ("gregorian", "1405-09-24 23:59", "looks like a Jalali year"),
        ("jalali", "1405-13-01 10:00", "not a valid jalali date"),
        ("gregorian", "2026-02-30 10:00", "not a valid gregorian date"),
        ("jalali", "tomorrow", "must be"),
    ],
)
def test_bad_due_times_are_refused(course_dir: Path, calendar: str, typed: str, message: str) -> None:
    course = update_settings(course_dir, calendar=calendar)
    with pytest.raises(CourseError, match=message):
        deadlines.parse_local_time(course, typed)


def test_unknown_time_zone_is_a_clear_error(course_dir: Path) -> None:
    course = update_settings(course_dir, timezone="Asia/Tehrn")
    with pytest.raises(CourseError, match="not a known time zone"):
        deadlines.course_clock(course)


def test_persian_text_shows_the_jalali_date(course_dir: Path) -> None:
    course = open_course(course_dir)
    due = deadlines.parse_iso(HW1_DUE_UTC)
    assert deadlines.format_time(course, due, "fa") == "۱۴۰۵-۰۹-۲۴ ۲۳:۵۹ (Asia/Tehran)"
    assert deadlines.format_time(course, due, "en") == "1405-09-24 23:59 (2026-12-15) Asia/Tehran"


# --- the policy and the verdict ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "spec"),
    [
        ("refuse", "refuse"),
        ("accept", "accept"),
        ("penalty 10%/day", "penalty 10%/day"),
        ("Penalty 10 % / day,  max 50%", "penalty 10%/day, max 50%"),
        ("penalty 2.5%/day, max 100%", "penalty 2.5%/day"),
    ],
)
def test_late_policy_spec(typed: str, spec: str) -> None:
    assert deadlines.parse_late_policy(typed).spec == spec


@pytest.mark.parametrize(
    "typed", ["penalty", "penalty 10%", "penalty 0%/day", "penalty 10%/day, max 150%", "drop"]
)
def test_bad_late_policy_is_refused(typed: str) -> None:
    with pytest.raises(CourseError, match="late policy"):
        deadlines.parse_late_policy(typed)


DUE = datetime(2026, 12, 15, 20, 29, tzinfo=UTC)
HOUR, DAY = 3600, 86400


@pytest.mark.parametrize(
    ("policy", "grace", "late", "accepted", "penalty", "message"),
    [
        ("penalty 10%/day, max 50%", 0, 0, True, 0, "on time"),
        ("penalty 10%/day, max 50%", 0, 2 * HOUR + 10 * 60, True, 10, "late by 2 h 10 min: −10%"),
        ("penalty 10%/day, max 50%", 0, DAY, True, 10, "late by 1 d: −10%"),  # exactly one day: one day
        ("penalty 10%/day, max 50%", 0, DAY + 1, True, 20, "late by 1 d: −20%"),  # part of a second day
        ("penalty 10%/day, max 50%", 0, 9 * DAY, True, 50, "late by 9 d: −50%"),  # the cap
        ("penalty 10%/day, max 50%", 10, 6 * 60, True, 0, "late by 6 min, within the 10 min grace period"),
        ("penalty 10%/day, max 50%", 10, 10 * 60 + 1, True, 10, "late by 10 min: −10%"),
        ("refuse", 0, 30, False, 0, "late by 30 s: the deadline has passed"),
        ("refuse", 15, 14 * 60, True, 0, "within the 15 min grace period"),
        ("accept", 0, 3 * DAY, True, 0, "late by 3 d: no penalty"),
    ],
)
def test_verdicts(policy: str, grace: int, late: int, accepted: bool, penalty: float, message: str) -> None:
    from datetime import timedelta

    verdict = deadlines.verdict(
        deadlines.parse_late_policy(policy), grace, DUE, DUE + timedelta(seconds=late), False
    )
    assert (verdict.accepted, verdict.late_seconds, verdict.penalty_percent) == (accepted, late, penalty)
    assert message in verdict.message["en"]
    assert verdict.message["fa"]  # both languages, always
    assert set(verdict.to_json()) >= {"accepted", "late_seconds", "penalty_percent", "message"}


def test_persian_verdict() -> None:
    from datetime import timedelta

    policy = deadlines.parse_late_policy("penalty 10%/day")
    verdict = deadlines.verdict(policy, 0, DUE, DUE + timedelta(hours=2, minutes=10), False)
    assert verdict.message["fa"] == "۲ ساعت و ۱۰ دقیقه دیر: −۱۰٪"


def test_judge_reads_due_extension_archive_and_withdrawal(course_dir: Path) -> None:
    course = open_course(course_dir)
    late = datetime(2026, 12, 15, 22, 39, tzinfo=UTC)  # 2 h 10 min after the due time
    with course.connect() as conn:
        assert (
            deadlines.judge(course, conn, "hw1", STUDENTS[0], late).message["en"]
            == "late by 2 h 10 min: −10%"
        )
        assert deadlines.judge(course, conn, "hw1", STUDENTS[0], late, late_exempt=True).penalty_percent == 0
    granted = deadlines.grant_extension(course, "hw1", STUDENTS[0], "1405-09-26 12:00")
    assert granted["until"] == "2026-12-17T08:30:00Z"
    with course.connect() as conn:
        verdict = deadlines.judge(course, conn, "hw1", STUDENTS[0], late)
        assert (verdict.accepted, verdict.penalty_percent, verdict.extended) == (True, 0, True)
        assert deadlines.judge(course, conn, "hw1", STUDENTS[1], late).penalty_percent == 10  # others: not
    deadlines.withdraw_student(course, STUDENTS[2])
    delete_assignment(course, "hw2", archive=True)
    with course.connect() as conn:
        assert deadlines.judge(course, conn, "hw1", STUDENTS[2], late).code == "withdrawn"
        refused = deadlines.judge(course, conn, "hw2", STUDENTS[1], late)
        assert (refused.accepted, refused.code) == (False, "archived")


# --- penalties follow the due date, computed at export ----------------------------------------------------------


def _wide(course_dir: Path, name: str = "hw1") -> dict[str, dict[str, str]]:
    import csv

    out = course_dir / "w.csv"
    export_gradebook(open_course(course_dir), name, "wide", out)
    with open(out, encoding="utf-8", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_penalty_follows_a_changed_due_date_and_an_extension_without_regrading(course_dir: Path) -> None:
    course = open_course(course_dir)
    sid = STUDENTS[0]
    submit_at(course, "hw1", sid, right_answers(course, "hw1", sid), "2026-12-16T20:30:00Z")  # 1 d 1 min late
    row = _wide(course_dir)[sid]
    # conv_output_size 1 of 1; concept_equivariance (5 points by default: its drawn parts, 3 choice parts of 1
    # point and the written part of 2): 3 choice parts right (the written part blank): 1 + 3; the penalty: 20%
    assert float(row["total"]) == pytest.approx(RIGHT_BUT_WRITTEN * 0.8)
    assert (row["penalty_percent"], row["late"]) == ("20.0", "late by 1 d 1 min: −20%")
    assert row["submitted_at"] == "2026-12-16T20:30:00Z"
    stored = open_course(course_dir).connect().execute("SELECT score FROM submissions").fetchone()["score"]
    assert stored == pytest.approx(RIGHT_BUT_WRITTEN)  # the penalty is not stored

    edit_assignment(course, "hw1", due="1405-09-25 23:59")  # a day later: 1 min late, within the grace
    row = _wide(course_dir)[sid]
    assert (float(row["total"]), row["penalty_percent"]) == (pytest.approx(RIGHT_BUT_WRITTEN), "0.0")
    assert row["late"].startswith("late by 1 min, within the 10 min grace period")

    edit_assignment(course, "hw1", due="1405-09-24 23:59")
    deadlines.grant_extension(course, "hw1", sid, "1405-09-26 00:00")
    row = _wide(course_dir)[sid]
    assert (float(row["total"]), row["late"]) == (pytest.approx(RIGHT_BUT_WRITTEN), "")


def test_refuse_policy_at_export_drops_a_late_attempt_and_counts_the_one_on_time(course_dir: Path) -> None:
    course = open_course(course_dir)
    sid = STUDENTS[1]
    wrong = right_answers(course, "hw1", sid)
    wrong["conv_output_size"]["out"] = "1"
    submit_at(course, "hw1", sid, wrong, "2026-12-15T10:00:00Z")  # on time: 3 points (conv_output_size wrong)
    submit_at(course, "hw1", sid, right_answers(course, "hw1", sid), "2026-12-15T21:00:00Z")  # late: 4 points
    assert float(_wide(course_dir)[sid]["total"]) == pytest.approx(RIGHT_BUT_WRITTEN * 0.9)
    edit_assignment(course, "hw1", late="refuse")
    row = _wide(course_dir)[sid]
    assert (float(row["total"]), row["late"]) == (pytest.approx(RIGHT_BUT_WRITTEN - 1), "")
    edit_assignment(course, "hw1", late="course")  # back to the course's penalty
    assert get_assignment(course.connect(), "hw1").late is None


# --- managing assignments ---------------------------------------------------------------------------------------


def test_create_again_never_resets_title_or_due(course_dir: Path) -> None:
    course = open_course(course_dir)
    edit_assignment(course, "hw2", title_en="Homework 2", title_fa="تمرین ۲")
    again = create_assignment(course, "hw2", ["conv_output_size"])  # same definition: a no-op
    assert (again.title["en"], again.due) == ("Homework 2", "2026-12-21T20:29:00Z")
    stored = get_assignment(course.connect(), "hw2")
    assert (stored.title["fa"], stored.due) == ("تمرین ۲", "2026-12-21T20:29:00Z")
    with pytest.raises(CourseError, match="differs from it in due.*assignment edit hw2"):
        create_assignment(course, "hw2", ["conv_output_size"], due="1405-10-01 10:00")
    with pytest.raises(CourseError, match="already has 4 generated variants"):
        create_assignment(course, "hw2", ["conv_output_size", "stacked_kernels"])


def test_edit_refuses_items_after_generation_and_reports_changes(course_dir: Path) -> None:
    course = open_course(course_dir)
    with pytest.raises(CourseError, match="generated variants: its items and points are fixed"):
        edit_assignment(course, "hw1", points=[2, 5])
    assignment, changed = edit_assignment(course, "hw1", attempts=5, grace=30, late="penalty 5%/day")
    assert sorted(changed) == ["attempts", "grace_minutes", "late"]
    assert (assignment.attempts, assignment.grace_minutes, assignment.late) == (5, 30, "penalty 5%/day")
    assert edit_assignment(course, "hw1", attempts=5)[1] == []


def test_cli_show_list_and_create_with_policy(course_dir: Path) -> None:
    code, out = cli("assignment", "show", "hw1", "--course", str(course_dir), "--json")
    assert code == 0, out
    shown = json.loads(out)
    assert shown["due"] == HW1_DUE_UTC and shown["effective_late"] == "penalty 10%/day, max 50%"
    assert shown["due_local"]["fa"] == "۱۴۰۵-۰۹-۲۴ ۲۳:۵۹ (Asia/Tehran)"
    course = open_course(course_dir)
    create_assignment(course, "hw3", ["conv_output_size"], due="1405-10-01 08:00", late="refuse", grace=5)
    code, out = cli("assignment", "list", "--course", str(course_dir), "--json")
    listed = {a["name"]: a for a in json.loads(out)}
    assert sorted(listed) == ["hw1", "hw2", "hw3"]
    assert (listed["hw3"]["due"], listed["hw3"]["late"], listed["hw3"]["grace_minutes"]) == (
        "2026-12-22T04:30:00Z",
        "refuse",
        5,
    )
    code, out = cli("assignment", "edit", "hw3", "--due", "none", "--course", str(course_dir), "--json")
    assert code == 0 and json.loads(out)["due"] is None and json.loads(out)["changed"] == ["due"]
    code, out = cli("assignment", "edit", "hw3", "--late", "drop it", "--course", str(course_dir))
    assert code == 1 and "late policy 'drop it'" in out and "Traceback" not in out


def test_delete_only_while_nothing_is_submitted_else_archive(course_dir: Path) -> None:
    course = open_course(course_dir)
    submit_at(course, "hw2", STUDENTS[0], right_answers(course, "hw2", STUDENTS[0]), "2026-12-20T10:00:00Z")
    code, out = cli("assignment", "delete", "hw2", "--course", str(course_dir))
    assert code == 1 and "has 1 submissions and cannot be deleted" in out
    code, out = cli("assignment", "delete", "hw2", "--archive", "--course", str(course_dir), "--json")
    assert code == 0 and json.loads(out)["action"] == "archived"
    code, out = cli("assignment", "list", "--course", str(course_dir), "--json")
    assert [a["name"] for a in json.loads(out)] == ["hw1"]
    code, out = cli("assignment", "list", "--all", "--course", str(course_dir), "--json")
    assert [a["archived"] for a in json.loads(out)] == [False, True]
    assert float(_wide(course_dir, "hw2")[STUDENTS[0]]["total"]) == 1  # an archive keeps its grades
    create_assignment(course, "hw9", ["conv_output_size"])
    code, out = cli("assignment", "delete", "hw9", "--course", str(course_dir), "--json")
    assert code == 0 and json.loads(out)["action"] == "deleted"
    with pytest.raises(CourseError, match="no assignment 'hw9'"):
        get_assignment(course.connect(), "hw9")


def test_status_names_who_has_not_submitted_who_is_late_and_attempts(course_dir: Path) -> None:
    course = open_course(course_dir)
    submit_at(course, "hw1", STUDENTS[0], right_answers(course, "hw1", STUDENTS[0]), "2026-12-15T10:00:00Z")
    submit_at(course, "hw1", STUDENTS[1], right_answers(course, "hw1", STUDENTS[1]), "2026-12-16T10:00:00Z")
    submit_at(course, "hw1", STUDENTS[1], right_answers(course, "hw1", STUDENTS[1]), "2026-12-16T11:00:00Z")
    code, out = cli(
        "roster", "withdraw", STUDENTS[3], "--reason", "dropped", "--course", str(course_dir), "--json"
    )
    assert code == 0 and json.loads(out)["withdrawn"] is True
    status = assignment_status(course, "hw1")
    assert status["not_submitted"] == [STUDENTS[2]]  # the withdrawn student is listed apart
    assert status["late"] == [STUDENTS[1]] and status["withdrawn"] == [STUDENTS[3]]
    by_id = {row["student_id"]: row for row in status["students"]}
    assert (by_id[STUDENTS[1]]["attempts_used"], by_id[STUDENTS[1]]["attempts_left"]) == (2, 1)
    assert by_id[STUDENTS[1]]["late"]["message"]["en"] == "late by 13 h 31 min: −10%"
    code, out = cli("assignment", "status", "hw1", "--course", str(course_dir))
    assert code == 0 and "1 not submitted, 1 late" in out
    code, out = cli("extension", "grant", "hw1", "--student", "nobody", "--until", "1405-09-30 10:00",
                    "--course", str(course_dir))  # fmt: skip
    assert code == 1 and "not on the roster" in out


def test_staff_submitting_for_a_student_is_never_late_also_at_export(course_dir: Path) -> None:
    from deadline_course import answer_bytes

    from course.submit import submit_text

    course = open_course(course_dir)
    sid = STUDENTS[0]
    data = answer_bytes(course, "hw1", sid, right_answers(course, "hw1", sid))
    late = datetime(2026, 12, 18, 10, 0, tzinfo=UTC)  # 2 d 13 h 31 min after the due time
    document = submit_text(course, data, staff="ta1", at=late, late_exempt=True).document
    assert document["late"]["code"] == "exempt" and document["late"]["penalty_percent"] == 0
    row = _wide(course_dir)[sid]
    assert (float(row["total"]), row["penalty_percent"], row["late"]) == (
        pytest.approx(RIGHT_BUT_WRITTEN),
        "0.0",
        "",
    )
    other = submit_text(course, answer_bytes(course, "hw1", STUDENTS[1], right_answers(course, "hw1", STUDENTS[1])),
                        at=late).document  # fmt: skip
    assert other["late"]["message"]["en"] == "late by 2 d 13 h 31 min: −30%"
    assert float(_wide(course_dir)[STUDENTS[1]]["total"]) == pytest.approx(RIGHT_BUT_WRITTEN * 0.7)
