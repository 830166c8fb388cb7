"""azmoon: the command line, a thin layer over library functions (../shared/CLI-CONTRACT.md).

Each command parses its arguments, calls one library function, and prints. Library errors (AzmoonError and the
ValueErrors the libraries raise for bad input) become a one-paragraph message on stderr and exit code 1 — no
traceback. Heavy libraries (torch, sympy, weasyprint) are imported inside the commands that need them, so that
`azmoon submit` starts fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # a bug shows a plain traceback; user errors never reach it (clean_errors)
    help="Azmoon: question bank and grader (fa + en).",
)
questions_app = typer.Typer(no_args_is_help=True, help="The question bank.")
app.add_typer(questions_app, name="questions")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def clean_errors(func: Callable) -> Callable:
    """Turn a library's user-facing errors into a clean CLI error (no traceback)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, KeyError, OSError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            fail(str(message))

    return wrapper


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _item(item_id: str):  # -> bank.item.Item
    from bank.item import find_item

    return find_item(item_id)


# --- arithmetic -------------------------------------------------------------------------------------------------


@app.command()
@clean_errors
def trace(
    spec: Annotated[str, typer.Argument(help="Sheet file, module.py:factory, or zoo:NAME.")],
    input: Annotated[
        str | None, typer.Option("--input", help="Input shape without batch, e.g. 3x128x128.")
    ] = None,
    depth: Annotated[
        int | None, typer.Option("--depth", help="Fold rows to modules at most this deep.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Per-layer output shape, weights, biases, MACs, FLOPs, receptive field and jump."""
    from analysis.report import format_table
    from analysis.specs import trace_spec

    result = trace_spec(spec, input, depth=depth)
    if as_json:
        emit_json(result.to_json())
    else:
        typer.echo(format_table(result))
    if result.unsupported:
        names = ", ".join(f"{op} ×{n}" for op, n in sorted(result.unsupported.items()))
        typer.echo(f"warning: ops the tracer does not count (not included in totals): {names}", err=True)


# --- question bank ----------------------------------------------------------------------------------------------


@questions_app.command("list")
@clean_errors
def questions_list(as_json: JsonFlag = False) -> None:
    """Every item in the bank."""
    from bank.item import load_items

    rows = [
        {
            "id": item.id,
            "catalogue": item.catalogue,
            "topic": item.topic,
            "title": {"fa": item.title.fa, "en": item.title.en},
            "kind": item.kind,
            "parts": len(item.parts),
        }
        for item in load_items().values()
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['catalogue']:<4} {row['id']:<32} {row['kind']:<10} {row['title']['en']}")


@app.command()
@clean_errors
def solve(
    item: Annotated[str, typer.Argument(help="Item id.")],
    seed: Annotated[int, typer.Option("--seed", help="Variant seed; 0 is the sheet's own instance.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """The key and worked solution of one variant."""
    from bank.pipeline import solve_item

    solved = solve_item(_item(item), seed)
    if as_json:
        emit_json(solved.to_json())
        return
    typer.echo(f"{solved.item.id} (seed {seed}): {solved.item.title.en}\n")
    typer.echo(solved.statement["en"] + "\n")
    for part in solved.parts:
        typer.echo(f"  [{part['id']}] {part['prompt']['en']}\n      answer: {part['answer_text']}")
    typer.echo("\n" + solved.solution["en"])


@questions_app.command("test")
@clean_errors
def questions_test(
    item: Annotated[str | None, typer.Argument(help="One item id (default: all).")] = None,
    seeds: Annotated[int, typer.Option("--seeds", help="How many seeds per item.")] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Self-test items over many seeds; exits non-zero if any fails."""
    from bank.item import load_items
    from bank.selftest import stress_test

    items = [_item(item)] if item else list(load_items().values())
    reports = [stress_test(it, seeds) for it in items]
    if as_json:
        emit_json(reports)
    else:
        for r in reports:
            status = "ok" if r["ok"] else "FAIL"
            typer.echo(f"{status:<4} {r['item']:<32} seeds={r['seeds']} variants={r['distinct_variants']}")
            for failure in r["failures"][:5]:
                typer.echo(f"     {failure}")
    if not all(r["ok"] for r in reports):
        raise typer.Exit(1)


# --- grading ----------------------------------------------------------------------------------------------------


def _print_grades(report: dict[str, Any]) -> None:
    for part in report["parts"]:
        score = f"{part['score']:g}/{part['max_score']:g}"
        typer.echo(f"  [{part['id']}] {part['status']:<12} {score:<9} {part['feedback']['en']}")
    typer.echo(f"score: {report['score']:g}/{report['max_score']:g}")


@app.command()
@clean_errors
def check(
    item: Annotated[str, typer.Argument(help="Item id.")],
    answers: Annotated[str, typer.Argument(help="Answer file (YAML with `answers:`).")],
    seed: Annotated[int, typer.Option("--seed", help="Variant seed; 0 is the sheet's own instance.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Practice mode: grade an answer file against one variant (nothing is stored)."""
    from bank.practice import check_practice

    report = check_practice(_item(item), seed, answers)
    if as_json:
        emit_json(report)
    else:
        _print_grades(report)
    if report["unknown_parts"]:
        known = ", ".join(p["id"] for p in report["parts"])
        typer.echo(
            f"warning: answers for no part: {', '.join(report['unknown_parts'])} (parts: {known})", err=True
        )


@app.command()
@clean_errors
def compare(
    key: Annotated[str, typer.Argument(help="The reference answer.")],
    answer: Annotated[str, typer.Argument(help="What a student typed.")],
    comparator: Annotated[
        str | None, typer.Option("--comparator", help="exact|relabs|sigfig|decdig|shape|expression")
    ] = None,
    rtol: Annotated[float | None, typer.Option("--rtol", help="Relative tolerance (relabs).")] = None,
    atol: Annotated[float | None, typer.Option("--atol", help="Absolute tolerance (relabs).")] = None,
    digits: Annotated[int | None, typer.Option("--digits", help="Digits (sigfig, decdig).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """How a part with these grading settings judges ANSWER against KEY."""
    from grader import compare as compare_answer

    result = compare_answer(key, answer, comparator=comparator, rtol=rtol, atol=atol, digits=digits)
    if as_json:
        emit_json(result)
    else:
        typer.echo(f"{result['status']} (read as {result['parsed']}): {result['feedback']['en']}")


# --- model zoo --------------------------------------------------------------------------------------------------

zoo_app = typer.Typer(no_args_is_help=True, help="Built-in architectures (trace them with `trace zoo:NAME`).")
app.add_typer(zoo_app, name="zoo")


@zoo_app.command("list")
@clean_errors
def zoo_list(as_json: JsonFlag = False) -> None:
    """The zoo's models, their options and published figures (verified by tests/test_zoo.py)."""
    from analysis.zoo import MODELS

    rows = [
        {
            "name": e.name,
            "title": e.title,
            "input_shape": list(e.input_shape),
            "params": e.published_params,
            "gmacs": e.published_gmacs,
            "options": e.options,
            "paper": e.paper,
        }
        for e in MODELS.values()
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        gmacs = "-" if row["gmacs"] is None else f"{row['gmacs']:.3f}"
        shape = "x".join(str(s) for s in row["input_shape"])
        typer.echo(
            f"{row['name']:<16} {row['title']:<26} {shape:<10} params={row['params']:>11,} GMACs={gmacs:>6}"
            f"  options: {', '.join(row['options'])}"
        )


# --- course workflow (course/) ----------------------------------------------------------------------------------

course_app = typer.Typer(no_args_is_help=True, help="A course directory: settings, secret, database.")
roster_app = typer.Typer(no_args_is_help=True, help="The course roster.")
assignment_app = typer.Typer(no_args_is_help=True, help="Assignments: create, generate worksheets, keys.")
gradebook_app = typer.Typer(no_args_is_help=True, help="Grades: export CSV, item statistics.")
app.add_typer(course_app, name="course")
app.add_typer(roster_app, name="roster")
app.add_typer(assignment_app, name="assignment")
app.add_typer(gradebook_app, name="gradebook")

CourseDir = Annotated[str, typer.Option("--course", help="Course directory (default: the current one).")]


def _course(path: str):  # -> course.config.Course
    from course.config import open_course

    return open_course(path)


@course_app.command("init")
@clean_errors
def course_init(
    directory: Annotated[str, typer.Argument(help="Directory to create the course in.")],
    name_fa: Annotated[str, typer.Option("--name-fa", help="Course name in Persian.")] = "یادگیری عمیق",
    name_en: Annotated[str, typer.Option("--name-en", help="Course name in English.")] = "Deep Learning",
    term: Annotated[str, typer.Option("--term", help="Term, e.g. 1404-1.")] = "",
    attempts: Annotated[int, typer.Option("--attempts", help="Default attempt limit.")] = 3,
    policy: Annotated[str, typer.Option("--attempt-policy", help="Attempt counted: best | last.")] = "best",
    as_json: JsonFlag = False,
) -> None:
    """Create course.yaml, a secret (mode 0600) and the SQLite database (WAL)."""
    from course.config import init_course

    course = init_course(directory, name_fa, name_en, term, attempts, policy)
    if as_json:
        emit_json({"course": str(course.root), "database": str(course.db_path)})
    else:
        typer.echo(f"course created in {course.root} (settings: {course.root / 'course.yaml'})")


@roster_app.command("import")
@clean_errors
def roster_import(
    roster: Annotated[str, typer.Argument(help="CSV: student_id,name[,email] (UTF-8).")],
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Import or update the roster; bad rows are reported by line and nothing is imported."""
    from course.roster import import_roster

    report = import_roster(_course(course_dir), roster)
    if as_json:
        emit_json(report.to_json())
    else:
        typer.echo(f"roster: {report.added} added, {report.updated} updated, {report.unchanged} unchanged")


@roster_app.command("list")
@clean_errors
def roster_list(course_dir: CourseDir = ".", as_json: JsonFlag = False) -> None:
    """The students of the course."""
    from course.roster import list_students

    students = list_students(_course(course_dir))
    if as_json:
        emit_json([{"student_id": s.student_id, "name": s.name, "email": s.email} for s in students])
        return
    for s in students:
        typer.echo(f"{s.student_id:<14} {s.name}  {s.email or ''}")


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
    due: Annotated[str | None, typer.Option("--due", help="Due date YYYY-MM-DD.")] = None,
    title_fa: Annotated[str | None, typer.Option("--title-fa", help="Title in Persian.")] = None,
    title_en: Annotated[str | None, typer.Option("--title-en", help="Title in English.")] = None,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Define an assignment from bank items."""
    from course.assignments import create_assignment

    try:
        point_values = [float(p) for p in points.split(",")] if points else None
    except ValueError:
        raise ValueError(f"--points must be numbers separated by commas, not '{points}'") from None
    assignment = create_assignment(
        _course(course_dir), name, items.split(","), point_values, attempts, due, title_fa, title_en
    )
    if as_json:
        emit_json(assignment.to_json())
    else:
        listed = ", ".join(f"{e['item']} ({e['points']:g})" for e in assignment.items)
        typer.echo(
            f"{assignment.name}: {listed}; {assignment.max_points:g} points, {assignment.attempts} attempts"
        )


@assignment_app.command("generate")
@clean_errors
def assignment_generate(
    name: Annotated[str, typer.Argument(help="Assignment name.")],
    out: Annotated[str, typer.Option("--out", help="Output directory for worksheets, answer files, key.")],
    workers: Annotated[int, typer.Option("--workers", help="PDF rendering processes.")] = 2,
    with_key: Annotated[bool, typer.Option("--key/--no-key", help="Also write key.pdf (the TA's).")] = True,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Per-student seeds and keys (stored once), worksheet.pdf + answers.yaml each, and key.pdf."""
    from rich.console import Console
    from rich.progress import Progress

    from course.assignments import generate_assignment

    with Progress(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = "keys (solving)" if stage == "keys" else "PDFs (rendering)"
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done)

        report = generate_assignment(
            _course(course_dir), name, out, workers=workers, progress=progress, with_key=with_key
        )
    if as_json:
        emit_json(report.to_json())
        return
    typer.echo(
        f"{name}: {report.students} students; keys computed {report.keys_computed}, reused {report.keys_reused} "
        f"({report.seconds_keys:.1f} s); PDFs {report.seconds_pdf:.1f} s"
    )
    for label, path in report.files.items():
        typer.echo(f"  {label}: {path}")


@assignment_app.command("key")
@clean_errors
def assignment_key_command(
    name: Annotated[str, typer.Argument(help="Assignment name.")],
    student: Annotated[str | None, typer.Option("--student", help="One student's key.")] = None,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """The stored key of every (or one) student's variant (course staff only)."""
    from course.assignments import assignment_key

    key = assignment_key(_course(course_dir), name, student)
    if as_json:
        emit_json(key)
        return
    for entry in key:
        typer.echo(f"{entry['student_id']}:")
        for item in entry["items"]:
            answers = ", ".join(f"{p['id']}={p['answer_text']}" for p in item["parts"])
            typer.echo(f"  {item['item']} (seed {item['seed']}): {answers}")


@app.command()
@clean_errors
def submit(
    answers: Annotated[str, typer.Argument(help="Your filled answers.yaml.")],
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Grade an answer file against the stored key, record the attempt, print feedback (fa + en)."""
    from course.submit import format_outcome
    from course.submit import submit as submit_answers

    outcome = submit_answers(_course(course_dir), answers)
    if as_json:
        emit_json(outcome.document)
    else:
        typer.echo(format_outcome(outcome.document))


@gradebook_app.command("export")
@clean_errors
def gradebook_export(
    name: Annotated[str, typer.Argument(help="Assignment name.")],
    fmt: Annotated[str, typer.Option("--format", help="wide | canvas | moodle")] = "wide",
    out: Annotated[str, typer.Option("-o", "--out", help="CSV file to write.")] = "grades.csv",
    canvas_id: Annotated[
        str | None, typer.Option("--canvas-id", help="Canvas assignment id for the column header.")
    ] = None,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Write the grades of one assignment as CSV (the course's attempt policy picks the attempt)."""
    from course.gradebook import export_gradebook

    report = export_gradebook(_course(course_dir), name, fmt, out, canvas_id)
    if as_json:
        emit_json(report)
    else:
        typer.echo(
            f"{report['file']}: {report['format']}, {report['graded']} of {report['students']} students graded"
        )


@gradebook_app.command("stats")
@clean_errors
def gradebook_stats_command(
    name: Annotated[str, typer.Argument(help="Assignment name.")],
    png: Annotated[str | None, typer.Option("--png", help="Also save a histogram PNG here.")] = None,
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
) -> None:
    """Per-item difficulty and discrimination, and a histogram of the totals."""
    from course.gradebook import format_stats, gradebook_stats

    stats = gradebook_stats(_course(course_dir), name, png)
    if as_json:
        emit_json(stats)
    else:
        typer.echo(format_stats(stats))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
