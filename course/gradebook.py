"""Gradebook: export one assignment's grades or the whole course's (wide | canvas | moodle), item statistics.

Which graded attempt counts is the course's `policies.attempt_policy`: `best` (highest score after the late
penalty, earliest on ties) or `last`. A student with no graded attempt has empty cells, not zeros: the TA
decides what a missing submission is worth. Late penalties are computed here, at export, from each stored
submission's time against today's due time, extensions and policy (course/deadlines.py): a changed due date or
a new extension changes them without regrading; a submission the policy now refuses does not count. Written
parts a TA has not graded yet are "pending" (the score holds the other parts).

- wide:   student_id, name, email, one column per item (its points in the counted attempt), total (after the
          penalty), attempts, submitted_at (ISO UTC), late (the verdict), penalty_percent, status
- canvas: Canvas's gradebook import: `Student, ID, SIS User ID, SIS Login ID, Section, <title> (<canvas id>)`,
          a second row `Points Possible`; `ID` (Canvas's own user id) is left empty, Canvas matches rows by
          SIS User ID (the student id). SIS Login ID is one field for every row (`canvas.sis_login_id:
          student_id | email` in course.yaml); the section is `canvas.section` (or `section`).
- moodle: Moodle's grade import: `ID number, Email address, <assignment>`.
With `--all` (name None): one column per assignment that is not archived (wide adds `<name> status`), and a
weighted `total_percent` (weights: `weights: {hw1: 2, ...}` in course.yaml, 1 where not given; a missing
submission counts 0). Pending assignments are empty in canvas/moodle (not a grade yet).

Spreadsheet safety: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with
`'` (no formula runs when the file is opened); ids are written as text; `excel=True` writes UTF-8 with a BOM.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course import deadlines
from course.assignments import Assignment, get_assignment, list_assignments
from course.config import Course, CourseError
from course.store import deadlines as db

FORMATS = ("wide", "canvas", "moodle")
SIS_LOGIN_FIELDS = ("student_id", "email")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Counted:
    """The attempt that counts for one student, with its late verdict as of now."""

    submission_id: int
    attempt: int
    received_at: str
    score: float  # before the late penalty (written grades included)
    final: float  # after the late penalty
    max_score: float
    items: dict[str, float]
    verdict: deadlines.LateVerdict
    attempts: int  # graded attempts used
    pending: int  # written parts not graded yet
    refused_late: int = 0  # graded attempts the late policy now refuses

    @property
    def status(self) -> str:
        return f"pending: {self.pending} written part(s)" if self.pending else "graded"


def _pending(result: dict[str, Any]) -> int:
    return sum(1 for part in result.get("parts", []) if part.get("status") == "pending")


def counted_attempts(course: Course, conn: Any, assignment: Assignment) -> dict[str, Counted]:
    """Per student the counted graded attempt (the course's attempt policy, after late penalties)."""
    context = deadlines.deadline_context(course, conn, assignment.name)
    context.archived = False  # an archived assignment takes no new submissions; the stored ones still count
    policy = course.attempt_policy
    counted: dict[str, Counted] = {}
    used: dict[str, int] = {}
    refused: dict[str, int] = {}
    for row in db.graded_submissions(conn, assignment.name):
        sid = row["student_id"]
        used[sid] = used.get(sid, 0) + 1
        result = json.loads(row["result"])
        if (result.get("late") or {}).get("code") == "exempt":  # staff submitted it for the student
            verdict = deadlines.LateVerdict(True, 0, 0.0, result["late"]["message"], code="exempt")
        else:
            verdict = context.judge(sid, row["received_at"])
        if not verdict.accepted:
            refused[sid] = refused.get(sid, 0) + 1
            continue
        score = float(row["score"] or 0.0)
        final = round(score * (1 - verdict.penalty_percent / 100), 4)
        current = counted.get(sid)
        if current is None or policy == "last" or (policy == "best" and final > current.final):
            counted[sid] = Counted(
                submission_id=int(row["id"]),
                attempt=int(row["attempt"]),
                received_at=row["received_at"],
                score=score,
                final=final,
                max_score=float(row["max_score"] or assignment.max_points),
                items={r["item"]: float(r["score"]) for r in result.get("items", [])},
                verdict=verdict,
                attempts=0,
                pending=_pending(result),
            )
    for sid, entry in counted.items():
        entry.attempts = used[sid]
        entry.refused_late = refused.get(sid, 0)
    return counted


@dataclass
class StudentRow:
    student_id: str
    name: str
    email: str
    withdrawn: bool


def _students(conn: Any) -> list[StudentRow]:
    return [
        StudentRow(r["student_id"], r["name"], r["email"] or "", r["withdrawn_at"] is not None)
        for r in db.students_with_status(conn)
    ]


@dataclass
class AssignmentGrades:
    assignment: Assignment
    counted: dict[str, Counted] = field(default_factory=dict)


def _grades(course: Course, names: list[str] | None) -> tuple[list[StudentRow], list[AssignmentGrades]]:
    with course.connect() as conn:
        if names is None:
            chosen = [a for a in list_assignments(course) if a.archived_at is None]
        else:
            chosen = [get_assignment(conn, name) for name in names]
        students = _students(conn)
        grades = [AssignmentGrades(a, counted_attempts(course, conn, a)) for a in chosen]
    return students, grades


def grade_table(course: Course, name: str) -> tuple[Assignment, Any]:
    """One row per roster student: item scores of the counted attempt, total, attempts (pandas DataFrame)."""
    import pandas as pd

    students, (grades,) = _grades(course, [name])
    assignment = grades.assignment
    records = []
    for student in students:
        entry = grades.counted.get(student.student_id)
        record: dict[str, Any] = {
            "student_id": student.student_id,
            "name": student.name,
            "email": student.email,
        }
        for item_id in assignment.item_ids:
            record[item_id] = entry.items.get(item_id, math.nan) if entry else math.nan
        record["total"] = entry.final if entry else math.nan
        record["attempts"] = entry.attempts if entry else 0
        records.append(record)
    columns = ["student_id", "name", "email", *assignment.item_ids, "total", "attempts"]
    return assignment, pd.DataFrame.from_records(records, columns=columns)


# --- writing CSV ------------------------------------------------------------------------------------------------


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP's CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return round(value, 3)
    return spreadsheet_safe(value)


def write_csv(out: Path | str, header: list[str], rows: list[list[Any]], excel: bool = False) -> Path:
    """Write a CSV people open in a spreadsheet: safe cells, UTF-8 (with a BOM for Excel when asked)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8-sig" if excel else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_cell(h) for h in header])
        writer.writerows([_cell(v) for v in row] for row in rows)
    return out


def _canvas_settings(course: Course) -> dict[str, Any]:
    canvas = course.settings.get("canvas") or {}
    if not isinstance(canvas, dict):
        raise CourseError("course.yaml: `canvas` must be a mapping (section, sis_login_id, assignment_ids)")
    return canvas


def _sis_login(course: Course, students: list[StudentRow]) -> dict[str, str]:
    """One SIS Login ID field for every row: the student id (default) or, when the course says so, the email."""
    field_name = str(_canvas_settings(course).get("sis_login_id") or "student_id")
    if field_name not in SIS_LOGIN_FIELDS:
        raise CourseError(f"course.yaml: canvas.sis_login_id must be one of {', '.join(SIS_LOGIN_FIELDS)}")
    if field_name == "email":
        missing = [s.student_id for s in students if not s.email and not s.withdrawn]
        if missing:
            raise CourseError(
                f"canvas.sis_login_id is email but {len(missing)} student(s) have none: {', '.join(missing[:10])}"
            )
        return {s.student_id: s.email for s in students}
    return {s.student_id: s.student_id for s in students}


def _weights(course: Course, grades: list[AssignmentGrades]) -> dict[str, float]:
    given = course.settings.get("weights") or {}
    if not isinstance(given, dict):
        raise CourseError("course.yaml: `weights` must map assignment names to numbers")
    weights = {}
    for g in grades:
        value = given.get(g.assignment.name, 1)
        if not isinstance(value, int | float) or value < 0:
            raise CourseError(f"course.yaml: weights.{g.assignment.name} must be a number ≥ 0, not {value!r}")
        weights[g.assignment.name] = float(value)
    return weights


def _status(entry: Counted | None, withdrawn: bool) -> str:
    notes = []
    if withdrawn:
        notes.append("withdrawn")
    if entry is None:
        notes.append("not submitted")
    else:
        if entry.verdict.late_seconds:
            notes.append(entry.verdict.message["en"])
        if entry.pending:
            notes.append(entry.status)
    return "; ".join(notes)


def _single_wide(grades: AssignmentGrades, students: list[StudentRow]) -> tuple[list[str], list[list[Any]]]:
    a = grades.assignment
    header = ["student_id", "name", "email", *a.item_ids, "total", "attempts"]
    header += ["submitted_at", "late", "penalty_percent", "status"]
    rows = []
    for s in students:
        e = grades.counted.get(s.student_id)
        row: list[Any] = [s.student_id, s.name, s.email]
        row += [e.items.get(i) if e else None for i in a.item_ids]
        row += [e.final if e else None, e.attempts if e else 0]
        late = e.verdict.message["en"] if e and e.verdict.late_seconds else ""
        row += [
            e.received_at if e else "",
            late,
            e.verdict.penalty_percent if e else None,
            _status(e, s.withdrawn),
        ]
        rows.append(row)
    return header, rows


def _final_or_pending(entry: Counted | None) -> float | None:
    return None if entry is None or entry.pending else entry.final


def _canvas(
    course: Course, grades: list[AssignmentGrades], students: list[StudentRow], canvas_id: str | None
):
    canvas = _canvas_settings(course)
    ids = canvas.get("assignment_ids") or {}
    section = str(canvas.get("section") or course.settings.get("section") or "")
    login = _sis_login(course, students)
    columns = []
    for g in grades:
        cid = canvas_id if canvas_id and len(grades) == 1 else ids.get(g.assignment.name)
        columns.append(f"{g.assignment.title['en']} ({cid})" if cid else g.assignment.title["en"])
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *columns]
    rows: list[list[Any]] = [["Points Possible", "", "", "", "", *[g.assignment.max_points for g in grades]]]
    for s in students:
        if s.withdrawn:
            continue  # no longer in the LMS course
        scores = [_final_or_pending(g.counted.get(s.student_id)) for g in grades]
        rows.append([s.name, "", s.student_id, login[s.student_id], section, *scores])
    return header, rows


def _moodle(grades: list[AssignmentGrades], students: list[StudentRow]):
    header = ["ID number", "Email address", *[g.assignment.name for g in grades]]
    rows = [
        [s.student_id, s.email, *[_final_or_pending(g.counted.get(s.student_id)) for g in grades]]
        for s in students
        if not s.withdrawn
    ]
    return header, rows


def _course_wide(course: Course, grades: list[AssignmentGrades], students: list[StudentRow]):
    weights = _weights(course, grades)
    weight_sum = sum(weights[g.assignment.name] for g in grades if g.assignment.max_points)
    header = ["student_id", "name", "email"]
    for g in grades:
        header += [g.assignment.name, f"{g.assignment.name} status"]
    header += ["total_percent", "withdrawn"]
    rows = []
    for s in students:
        row: list[Any] = [s.student_id, s.name, s.email]
        total = 0.0
        for g in grades:
            e = g.counted.get(s.student_id)
            row += [e.final if e else None, _status(e, False)]  # withdrawn: its own column
            if e and g.assignment.max_points:
                total += weights[g.assignment.name] * e.final / g.assignment.max_points
        row += [round(100 * total / weight_sum, 2) if weight_sum else None, "yes" if s.withdrawn else ""]
        rows.append(row)
    return header, rows


def export_gradebook(
    course: Course,
    name: str | None,
    fmt: str,
    out: Path | str,
    canvas_id: str | None = None,
    *,
    excel: bool = False,
) -> dict[str, Any]:
    """Write the CSV of one assignment (`name`) or of the course (`name` None or "all": every assignment that
    is not archived); returns {"file", "format", "students", "graded", "pending", "late", "max_points",
    "assignments"}."""
    if fmt not in FORMATS:
        raise CourseError(f"format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    names = None if name in (None, "all", "--all") else [name]
    students, grades = _grades(course, names)
    if not grades:
        raise CourseError(
            "the course has no assignment to export; create one with `azmoon assignment create`"
        )
    if fmt == "canvas":
        header, rows = _canvas(course, grades, students, canvas_id)
    elif fmt == "moodle":
        header, rows = _moodle(grades, students)
    elif names is None:
        header, rows = _course_wide(course, grades, students)
    else:
        header, rows = _single_wide(grades[0], students)
    path = write_csv(out, header, rows, excel)
    entries = [e for g in grades for e in g.counted.values()]
    return {
        "file": str(path),
        "format": fmt,
        "assignments": [g.assignment.name for g in grades],
        "students": len(students),
        "graded": len({sid for g in grades for sid in g.counted}),
        "pending": sum(1 for e in entries if e.pending),
        "late": sum(1 for e in entries if e.verdict.late_seconds),
        "max_points": sum(g.assignment.max_points for g in grades),
    }


# --- who submitted ----------------------------------------------------------------------------------------------


def assignment_status(course: Course, name: str) -> dict[str, Any]:
    """Who has not submitted, who is late (the counted attempt's verdict, or overdue with nothing counted),
    attempts used per student; withdrawn students are listed apart."""
    from datetime import UTC, datetime

    with course.connect() as conn:
        assignment = get_assignment(conn, name)
        context = deadlines.deadline_context(course, conn, name)
        counted = counted_attempts(course, conn, assignment)
        counts = db.submission_counts(conn, name)
        students = _students(conn)
    now = datetime.now(UTC)
    rows = []
    for s in students:
        c = counts.get(s.student_id, {})
        e = counted.get(s.student_id)
        deadline = context.extensions.get(s.student_id, context.due)
        overdue = e is None and deadline is not None and now > deadline
        rows.append(
            {
                "student_id": s.student_id,
                "name": s.name,
                "withdrawn": s.withdrawn,
                "attempts_used": c.get("graded", 0),
                "attempts_left": max(0, assignment.attempts - c.get("graded", 0)),
                "format_errors": c.get("format_error", 0),
                "refused": c.get("refused", 0),
                "last_received_at": c.get("last"),
                "counted": None if e is None else {"submission": e.submission_id, "score": e.final},
                "late": e.verdict.to_json() if e and e.verdict.late_seconds else None,
                "overdue": overdue,
                "pending_written": e.pending if e else 0,
                "extension": deadlines.to_iso(context.extensions[s.student_id])
                if s.student_id in context.extensions
                else None,
            }
        )
    enrolled = [r for r in rows if not r["withdrawn"]]
    return {
        "assignment": name,
        "due": assignment.due,
        "attempts": assignment.attempts,
        "students": rows,
        "not_submitted": [r["student_id"] for r in enrolled if r["counted"] is None],
        "late": [r["student_id"] for r in enrolled if r["late"] or r["overdue"]],
        "withdrawn": [r["student_id"] for r in rows if r["withdrawn"]],
    }


# --- statistics -------------------------------------------------------------------------------------------------


def _correlation(x: Any, y: Any) -> float | None:
    if len(x) < 3 or x.std(ddof=0) == 0 or y.std(ddof=0) == 0:
        return None
    return float(x.corr(y))


def gradebook_stats(
    course: Course, name: str, png: Path | str | None = None, bins: int = 10
) -> dict[str, Any]:
    """Per item difficulty (mean score / points) and discrimination (correlation of the item's score with the
    rest of the total, so an item is not correlated with itself), the totals' summary and histogram."""
    assignment, table = grade_table(course, name)
    graded = table[table["total"].notna()]
    items = []
    for entry in assignment.items:
        item_id, points = entry["item"], entry["points"]
        scores = graded[item_id]
        rest = graded["total"] - scores
        items.append(
            {
                "item": item_id,
                "points": points,
                "mean": round(float(scores.mean()), 3) if len(scores) else None,
                "difficulty": round(float(scores.mean() / points), 3) if len(scores) and points else None,
                "discrimination": (None if (r := _correlation(scores, rest)) is None else round(r, 3)),
            }
        )
    totals = graded["total"].astype(float)
    maximum = assignment.max_points
    edges = [maximum * k / bins for k in range(bins + 1)]
    counts = [0] * bins
    for value in totals:
        k = min(int(value / maximum * bins), bins - 1) if maximum else 0
        counts[k] += 1
    summary = {
        "assignment": assignment.name,
        "students": int(len(table)),
        "graded": int(len(graded)),
        "max_points": maximum,
        "mean": round(float(totals.mean()), 3) if len(totals) else None,
        "median": round(float(totals.median()), 3) if len(totals) else None,
        "std": round(float(totals.std(ddof=0)), 3) if len(totals) else None,
        "items": items,
        "histogram": {"edges": [round(e, 3) for e in edges], "counts": counts},
    }
    if png is not None and len(totals):
        summary["png"] = str(_histogram_png(totals, edges, assignment, Path(png)))
    return summary


def _histogram_png(totals: Any, edges: list[float], assignment: Assignment, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=120)
    ax.hist(totals, bins=edges, color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"total (of {assignment.max_points:g})")
    ax.set_ylabel("students")
    ax.set_title(f"{assignment.name}: totals of {len(totals)} graded students", fontsize=10)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def format_stats(stats: dict[str, Any], width: int = 40) -> str:
    """The stats as terminal text: an item table and a bar chart of the totals."""
    lines = [
        f"{stats['assignment']}: {stats['graded']} of {stats['students']} students graded; "
        f"mean {stats['mean']} median {stats['median']} sd {stats['std']} (of {stats['max_points']:g})",
        "",
        f"{'item':<32} {'points':>6} {'mean':>7} {'difficulty':>10} {'discrimination':>14}",
    ]
    for item in stats["items"]:

        def show(value: Any) -> str:
            return "-" if value is None else f"{value:.3f}"

        lines.append(
            f"{item['item']:<32} {item['points']:>6g} {show(item['mean']):>7} {show(item['difficulty']):>10} "
            f"{show(item['discrimination']):>14}"
        )
    lines.append("")
    edges, counts = stats["histogram"]["edges"], stats["histogram"]["counts"]
    top = max(counts) if counts and max(counts) else 1
    for k, count in enumerate(counts):
        bar = "█" * round(count / top * width)
        lines.append(f"{edges[k]:>6.1f}–{edges[k + 1]:<6.1f} {bar} {count}")
    if "png" in stats:
        lines.append(f"\nhistogram: {stats['png']}")
    return "\n".join(lines)
