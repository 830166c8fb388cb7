"""Commands of the after-deadline work: managing assignments (edit, list, show, delete, status), extensions,
withdrawals, written-part grading, regrade and the course gradebook export."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from commands.common import (
    AssignmentName,
    CourseDir,
    JsonFlag,
    app,
    clean_errors,
    emit_json,
    fail,
    open_course_dir,
)
from commands.course import assignment_app, gradebook_app, roster_app

extension_app = typer.Typer(no_args_is_help=True, help="Extensions of a deadline for one student.")
grade_app = typer.Typer(no_args_is_help=True, help="Grading by a TA: written parts.")
app.add_typer(extension_app, name="extension")
app.add_typer(grade_app, name="grade")

Due = Annotated[
    str | None,
    typer.Option("--due", help='Due "YYYY-MM-DD HH:MM" in the course\'s calendar and zone; none clears.'),
]
Late = Annotated[
    str | None,
    typer.Option("--late", help='refuse | accept | "penalty P%/day[, max M%]" | course (the course\'s).'),
]
Grace = Annotated[int | None, typer.Option("--grace", help="Grace period in minutes after the deadline.")]


def _staff_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "staff"


def _numbers(text: str | None, option: str) -> list[float] | None:
    try:
        return [float(p) for p in text.split(",")] if text else None
    except ValueError:
        fail(f"{option} must be numbers separated by commas, not '{text}'")


# --- assignments ------------------------------------------------------------------------------------------------


@assignment_app.command("edit")
@clean_errors
def assignment_edit(
    name: AssignmentName,
    items: Annotated[str | None, typer.Option("--items", help="Item ids (only before generation).")] = None,
    points: Annotated[
        str | None, typer.Option("--points", help="Points per item (only before generation).")
    ] = None,
    attempts: Annotated[int | None, typer.Option("--attempts", help="Attempt limit.")] = None,
    due: Due = None,
    late: Late = None,
    grace: Grace = None,
    title_fa: Annotated[str | None, typer.Option("--title-fa", help="Title in Persian.")] = None,
    title_en: Annotated[str | None, typer.Option("--title-en", help="Title in English.")] = None,
    unarchive: Annotated[
        bool, typer.Option("--unarchive", help="Open an archived assignment again.")
    ] = False,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Change an assignment explicitly (what is not given stays as it is)."""
    from course.assignments import edit_assignment

    assignment, changed = edit_assignment(
        open_course_dir(course_dir),
        name,
        items=items.split(",") if items else None,
        points=_numbers(points, "--points"),
        attempts=attempts,
        due=due,
        title_fa=title_fa,
        title_en=title_en,
        late=late,
        grace=grace,
        archived=False if unarchive else None,
    )
    if as_json:
        emit_json({**assignment.to_json(), "changed": changed})
    else:
        typer.echo(f"{name}: {'changed ' + ', '.join(changed) if changed else 'nothing changed'}")


@assignment_app.command("list")
@clean_errors
def assignment_list(
    include_archived: Annotated[bool, typer.Option("--all", help="Also archived assignments.")] = False,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """The course's assignments with their due times."""
    from course.assignments import list_assignments
    from course.deadlines import format_time

    course = open_course_dir(course_dir)
    assignments = list_assignments(course, include_archived)
    if as_json:
        emit_json([a.to_json() for a in assignments])
        return
    for a in assignments:
        due = format_time(course, a.due) if a.due else "no due date"
        archived = "  [archived]" if a.archived_at else ""
        typer.echo(f"{a.name:<16} {len(a.items)} items, {a.max_points:g} points, due {due}{archived}")


@assignment_app.command("show")
@clean_errors
def assignment_show(
    name: AssignmentName,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """One assignment: items, due time (JSON: ISO 8601 UTC), late policy, extensions."""
    from course.assignments import show_assignment

    shown = show_assignment(open_course_dir(course_dir), name)
    if as_json:
        emit_json(shown)
        return
    typer.echo(f"{shown['name']}: {shown['title']['en']} / {shown['title']['fa']}")
    listed = ", ".join(f"{e['item']} ({e['points']:g})" for e in shown["items"])
    typer.echo(f"  items: {listed}")
    typer.echo(f"  due: {shown['due_local']['en'] or 'no due date'}  ({shown['due_local']['fa'] or '—'})")
    typer.echo(f"  late: {shown['effective_late']}, grace {shown['effective_grace_minutes']} min")
    typer.echo(
        f"  attempts: {shown['attempts']}; variants {shown['variants']}; submissions {shown['submissions']}"
    )
    for sid, until in shown["extensions"].items():
        typer.echo(f"  extension: {sid} until {until}")


@assignment_app.command("delete")
@clean_errors
def assignment_delete(
    name: AssignmentName,
    archive: Annotated[
        bool, typer.Option("--archive", help="Archive instead (keeps every submission).")
    ] = False,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Delete an assignment nothing was submitted to, or archive it."""
    from course.assignments import delete_assignment

    done = delete_assignment(open_course_dir(course_dir), name, archive)
    if as_json:
        emit_json(done)
    else:
        typer.echo(f"{name}: {done['action']}")


@assignment_app.command("status")
@clean_errors
def assignment_status_command(
    name: AssignmentName,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Who has not submitted, who is late, attempts used."""
    from course.gradebook import assignment_status

    status = assignment_status(open_course_dir(course_dir), name)
    if as_json:
        emit_json(status)
        return
    typer.echo(f"{name}: {len(status['not_submitted'])} not submitted, {len(status['late'])} late")
    for row in status["students"]:
        late = row["late"]["message"]["en"] if row["late"] else ("overdue" if row["overdue"] else "")
        mark = (
            "withdrawn"
            if row["withdrawn"]
            else ("-" if row["counted"] is None else f"{row['counted']['score']:g}")
        )
        typer.echo(
            f"  {row['student_id']:<14} {mark:>9}  attempts {row['attempts_used']}/{status['attempts']}  {late}"
        )


# --- extensions, withdrawals ------------------------------------------------------------------------------------


@extension_app.command("grant")
@clean_errors
def extension_grant(
    name: AssignmentName,
    student: Annotated[str, typer.Option("--student", help="Student id.")],
    until: Annotated[str, typer.Option("--until", help='New deadline "YYYY-MM-DD HH:MM" (course calendar).')],
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Give one student their own deadline (granting again replaces it)."""
    from course.deadlines import grant_extension

    granted = grant_extension(open_course_dir(course_dir), name, student, until, _staff_name())
    if as_json:
        emit_json(granted)
    else:
        typer.echo(f"{name}: {student} until {granted['until_local']['en']}")


@roster_app.command("withdraw")
@clean_errors
def roster_withdraw(
    student_id: Annotated[str, typer.Argument(help="Student id.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept with the record).")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Enrol the student again.")] = False,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Withdraw a student: their history stays, new submissions are refused."""
    from course.deadlines import withdraw_student

    done = withdraw_student(open_course_dir(course_dir), student_id, reason, undo)
    if as_json:
        emit_json(done)
    else:
        typer.echo(f"{student_id}: {'withdrawn' if done['withdrawn'] else 'enrolled'}")


# --- written parts ----------------------------------------------------------------------------------------------


@grade_app.command("written")
@clean_errors
def grade_written(
    name: AssignmentName,
    export: Annotated[str | None, typer.Option("--export", help="Write the written answers as CSV.")] = None,
    import_: Annotated[
        str | None, typer.Option("--import", help="Read scores and comments from CSV.")
    ] = None,
    excel: Annotated[bool, typer.Option("--excel", help="CSV for Excel (UTF-8 with BOM).")] = False,
    grader: Annotated[str | None, typer.Option("--grader", help="Who grades (default: the user).")] = None,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Grade written parts: an interactive queue, or a CSV round trip (--export, then --import)."""
    from course import written

    course = open_course_dir(course_dir)
    who = grader or _staff_name()
    if export and import_:
        fail("give --export or --import, not both")
    if export:
        report = written.export_csv(course, name, export, excel)
        message = f"{report['file']}: {report['answers']} written answers, {report['pending']} to grade"
    elif import_:
        report = written.import_csv(course, name, import_, who)
        message = f"{report['file']}: {report['recorded']} grades recorded"
    else:
        say = typer.echo if not as_json else (lambda text: typer.echo(text, err=True))
        report = written.run_queue(course, name, _ask, say, who)
        message = f"{report['recorded']} graded, {report['skipped']} skipped, {report['left']} left"
    if as_json:
        emit_json(report)
    else:
        typer.echo(message)


def _ask(prompt: str) -> str | None:
    try:
        return typer.prompt(prompt, default="", show_default=False, err=True)
    except (typer.Abort, EOFError):
        return None


# --- regrade ----------------------------------------------------------------------------------------------------


@app.command("regrade")
@clean_errors
def regrade_command(
    name: AssignmentName,
    item: Annotated[str | None, typer.Option("--item", help="Only this item's keys.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    csv_out: Annotated[str | None, typer.Option("--csv", help="Where to write the before/after CSV.")] = None,
    history: Annotated[bool, typer.Option("--history", help="List earlier regrades instead.")] = False,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Re-solve every variant's key and regrade every stored submission; old keys and results are kept."""
    from course.regrade import regrade, regrade_history

    course = open_course_dir(course_dir)
    if history:
        runs = regrade_history(course, name)
        if as_json:
            emit_json(runs)
        for run in [] if as_json else runs:
            typer.echo(
                f"#{run['id']} {run['run_at']}: {run['keys_changed']} keys, {len(run['changes'])} changed"
            )
        return
    report = regrade(course, name, item, dry_run, csv_out)
    if as_json:
        emit_json(report.to_json())
        return
    verb = "would change" if dry_run else "changed"
    typer.echo(
        f"{name}: {report.keys_changed} of {report.keys_solved} keys {verb}; {report.submissions_changed} of "
        f"{report.submissions} submissions {verb}; {len(report.students)} students' scores {verb}"
    )
    for s in report.students:
        typer.echo(f"  {s['student_id']:<14} {s['before']} → {s['after']}  {s['name']}")
    typer.echo(f"report: {report.csv}")


# --- the gradebook ----------------------------------------------------------------------------------------------


@gradebook_app.command("export")
@clean_errors
def gradebook_export(
    name: Annotated[str | None, typer.Argument(help="Assignment name (or --all).")] = None,
    all_assignments: Annotated[
        bool, typer.Option("--all", help="Every assignment: the course gradebook.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="wide | canvas | moodle")] = "wide",
    out: Annotated[str, typer.Option("-o", "--out", help="CSV file to write.")] = "grades.csv",
    canvas_id: Annotated[
        str | None, typer.Option("--canvas-id", help="Canvas assignment id for the column header.")
    ] = None,
    excel: Annotated[bool, typer.Option("--excel", help="UTF-8 with a BOM, for Excel.")] = False,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Write the grades of one assignment, or of every one (--all), as CSV: late penalties applied."""
    from course.gradebook import export_gradebook

    if (name is None) == (not all_assignments):
        fail("name one assignment or give --all")
    report = export_gradebook(open_course_dir(course_dir), name, fmt, out, canvas_id, excel=excel)
    if as_json:
        emit_json(report)
    else:
        typer.echo(
            f"{report['file']}: {report['format']}, {report['graded']} of {report['students']} students graded"
            + (f", {report['pending']} pending written" if report["pending"] else "")
        )
