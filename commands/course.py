"""Commands of the course workflow: course, roster, assignment, submit (local, for staff), gradebook."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from commands.common import AssignmentName, CourseDir, JsonFlag, app, clean_errors, emit_json, open_course_dir

# --- course workflow (course/) ----------------------------------------------------------------------------------

course_app = typer.Typer(no_args_is_help=True, help="A course directory: settings, secret, database.")
roster_app = typer.Typer(no_args_is_help=True, help="The course roster.")
assignment_app = typer.Typer(no_args_is_help=True, help="Assignments: create, generate worksheets, keys.")
gradebook_app = typer.Typer(no_args_is_help=True, help="Grades: export CSV, item statistics.")
app.add_typer(course_app, name="course")
app.add_typer(roster_app, name="roster")
app.add_typer(assignment_app, name="assignment")
app.add_typer(gradebook_app, name="gradebook")


@course_app.command("init")
@clean_errors
def course_init(
    directory: Annotated[str, typer.Argument(help="Directory to create the course in.")],
    name_fa: Annotated[str, typer.Option("--name-fa", help="Course name in Persian.")] = "یادگیری عمیق",
    name_en: Annotated[str, typer.Option("--name-en", help="Course name in English.")] = "Deep Learning",
    term: Annotated[str, typer.Option("--term", help="Term, e.g. 1404-1.")] = "",
    attempts: Annotated[int, typer.Option("--attempts", help="Default attempt limit.")] = 3,
    policy: Annotated[str, typer.Option("--attempt-policy", help="Attempt counted: best | last.")] = "best",
    database: Annotated[
        str,
        typer.Option(
            "--database", help="SQLite file in the course (default course.db) or a postgresql:// URL."
        ),
    ] = "course.db",
    as_json: JsonFlag = False,
) -> None:
    """Create course.yaml, a secret and the database (SQLite WAL or PostgreSQL); staff-only files (0700/0600)."""
    from course.config import init_course
    from course.store import is_postgres_url

    course = init_course(directory, name_fa, name_en, term, attempts, policy, database)
    shown = "PostgreSQL" if is_postgres_url(course.database) else str(course.db_path)
    if as_json:
        emit_json({"course": str(course.root), "database": shown})
    else:
        typer.echo(
            f"course created in {course.root} (settings: {course.root / 'course.yaml'}, database: {shown})"
        )


@roster_app.command("import")
@clean_errors
def roster_import(
    roster: Annotated[str, typer.Argument(help="CSV: student_id,name[,email] (UTF-8).")],
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Import or update the roster; bad rows are reported by line and nothing is imported."""
    from course.roster import import_roster

    report = import_roster(open_course_dir(course_dir), roster)
    if as_json:
        emit_json(report.to_json())
    else:
        typer.echo(f"roster: {report.added} added, {report.updated} updated, {report.unchanged} unchanged")


@roster_app.command("list")
@clean_errors
def roster_list(course_dir: CourseDir = ".", as_json: JsonFlag = False) -> None:
    """The students of the course."""
    from course.roster import list_students

    students = list_students(open_course_dir(course_dir))
    if as_json:
        emit_json([{"student_id": s.student_id, "name": s.name, "email": s.email} for s in students])
        return
    from course.files import terminal_safe

    for s in students:
        typer.echo(terminal_safe(f"{s.student_id:<14} {s.name}  {s.email or ''}"))


@assignment_app.command("create")
@clean_errors
def assignment_create(
    name: Annotated[str, typer.Argument(help="Assignment name, e.g. hw4.")],
    items: Annotated[str, typer.Option("--items", help="Item ids in worksheet order: id1,id2,...")],
    points: Annotated[
        str | None,
        typer.Option("--points", help="Points per item: 4,3,3,4 (default: the items' part points)."),
    ] = None,
    attempts: Annotated[
        int | None, typer.Option("--attempts", help="Attempt limit (default: course's).")
    ] = None,
    due: Annotated[
        str | None,
        typer.Option("--due", help='Due "YYYY-MM-DD HH:MM" in the course\'s calendar and zone.'),
    ] = None,
    title_fa: Annotated[str | None, typer.Option("--title-fa", help="Title in Persian.")] = None,
    title_en: Annotated[str | None, typer.Option("--title-en", help="Title in English.")] = None,
    late: Annotated[
        str | None, typer.Option("--late", help='refuse | accept | "penalty P%/day[, max M%]"')
    ] = None,
    grace: Annotated[int | None, typer.Option("--grace", help="Grace minutes after the deadline.")] = None,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Define an assignment from bank items (re-running it with another definition is refused: use edit)."""
    from course.assignments import create_assignment

    try:
        point_values = [float(p) for p in points.split(",")] if points else None
    except ValueError:
        raise ValueError(f"--points must be numbers separated by commas, not '{points}'") from None
    assignment = create_assignment(
        open_course_dir(course_dir),
        name,
        items.split(","),
        point_values,
        attempts,
        due,
        title_fa,
        title_en,
        late=late,
        grace=grace,
    )
    if as_json:
        emit_json(assignment.to_json())
    else:
        listed = ", ".join(f"{e['item']} ({e['points']:g})" for e in assignment.items)
        typer.echo(
            f"{assignment.name}: {listed}; {assignment.max_points:g} points, {assignment.attempts} attempts"
        )


def _server_url(url: str | None) -> str | None:
    if url is None:
        return None
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or any(c.isspace() or ord(c) < 32 for c in url):
        raise ValueError(f"--server must be an http:// or https:// URL, not '{url}'")
    return url


@assignment_app.command("generate")
@clean_errors
def assignment_generate(
    name: AssignmentName,
    out: Annotated[str, typer.Option("--out", help="Output directory for worksheets, answer files, key.")],
    workers: Annotated[int, typer.Option("--workers", help="PDF rendering processes.")] = 2,
    with_key: Annotated[bool, typer.Option("--key/--no-key", help="Also write key.pdf (the TA's).")] = True,
    server: Annotated[
        str | None,
        typer.Option("--server", metavar="URL", help="The course server: written into each answers.yaml."),
    ] = None,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Per-student seeds and keys (stored once), worksheet.pdf + answers.yaml each, and key.pdf."""
    from rich.console import Console
    from rich.progress import Progress

    from course.generate import generate_assignment

    with Progress(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = "keys (solving)" if stage == "keys" else "PDFs (rendering)"
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done)

        report = generate_assignment(
            open_course_dir(course_dir),
            name,
            out,
            workers=workers,
            progress=progress,
            with_key=with_key,
            server=_server_url(server),
        )
    if as_json:
        emit_json(report.to_json())
        return
    typer.echo(
        f"{name}: {report.students} students; keys computed {report.keys_computed}, reused {report.keys_reused} "
        f"({report.seconds_keys:.1f} s); PDFs {report.seconds_pdf:.1f} s; "
        f"longest write lock {report.longest_write_lock * 1000:.1f} ms"
    )
    for label, path in report.files.items():
        typer.echo(f"  {label}: {path}")


@assignment_app.command("key")
@clean_errors
def assignment_key_command(
    name: AssignmentName,
    student: Annotated[str | None, typer.Option("--student", help="One student's key.")] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Write the student's key as a PDF (with --student, -o).")
    ] = False,
    out: Annotated[str | None, typer.Option("-o", "--out", help="The PDF to write (mode 0600).")] = None,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """The stored key of every (or one) student's variant (course staff only); --pdf: one student's key PDF."""
    from course.generate import assignment_key, student_key_pdf

    if pdf:
        if student is None or out is None:
            raise ValueError("--pdf needs --student ID and -o FILE | --pdf به --student و -o نیاز دارد")
        written = student_key_pdf(open_course_dir(course_dir), name, student, out)
        if as_json:
            emit_json(written)
        else:
            typer.echo(f"{written['file']}: key of {student} ({written['pages']} pages)")
        return
    key = assignment_key(open_course_dir(course_dir), name, student)
    if as_json:
        emit_json(key)
        return
    for entry in key:
        typer.echo(f"{entry['student_id']}:")
        for item in entry["items"]:
            answers = ", ".join(f"{p['id']}={p['answer_text']}" for p in item["parts"])
            typer.echo(f"  {item['item']} (seed {item['seed']}): {answers}")


@gradebook_app.command("stats")
@clean_errors
def gradebook_stats_command(
    name: AssignmentName,
    png: Annotated[str | None, typer.Option("--png", help="Also save a histogram PNG here.")] = None,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Per-item difficulty and discrimination, and a histogram of the totals."""
    from course.gradebook import format_stats, gradebook_stats

    stats = gradebook_stats(open_course_dir(course_dir), name, png)
    if as_json:
        emit_json(stats)
    else:
        typer.echo(format_stats(stats))
