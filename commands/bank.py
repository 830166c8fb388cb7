"""Commands of the bank and the analysis toolkit: trace, questions, solve, check, compare, zoo."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from commands.common import (
    ItemsCourseDir,
    JsonFlag,
    app,
    clean_errors,
    emit_json,
    find_item,
    items_course_dir,
)

questions_app = typer.Typer(no_args_is_help=True, help="The question bank (and a course's own questions/).")
app.add_typer(questions_app, name="questions")

ItemId = Annotated[str, typer.Argument(metavar="ITEM", help="Item id (`azmoon questions list` names them).")]
Seed = Annotated[
    int, typer.Option("--seed", metavar="N", help="Variant seed; 0 is the sheet's own instance.")
]


# --- arithmetic -------------------------------------------------------------------------------------------------


@app.command()
@clean_errors
def trace(
    spec: Annotated[str, typer.Argument(metavar="SPEC", help="Sheet file, module.py:factory, or zoo:NAME.")],
    input: Annotated[
        str | None,
        typer.Option("--input", metavar="CxHxW", help="Input shape without batch, e.g. 3x128x128."),
    ] = None,
    depth: Annotated[
        int | None, typer.Option("--depth", metavar="N", help="Fold rows to modules at most this deep.")
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
def questions_list(course_dir: ItemsCourseDir = None, as_json: JsonFlag = False) -> None:
    """Every item in the bank (and the course's own, with --course)."""
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
        for item in load_items(items_course_dir(course_dir)).values()
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['catalogue'] or '-':<4} {row['id']:<32} {row['kind']:<10} {row['title']['en']}")


@app.command()
@clean_errors
def solve(item: ItemId, seed: Seed = 0, course_dir: ItemsCourseDir = None, as_json: JsonFlag = False) -> None:
    """The key and worked solution of one variant, in both languages."""
    from bank.pipeline import solve_item
    from bank.report import format_solved

    solved = solve_item(find_item(item, course_dir), seed)
    if as_json:
        emit_json(solved.to_json())
    else:
        typer.echo(format_solved(solved))


@questions_app.command("test")
@clean_errors
def questions_test(
    item: Annotated[str | None, typer.Argument(metavar="[ITEM]", help="One item id (default: all).")] = None,
    seeds: Annotated[int, typer.Option("--seeds", metavar="N", help="How many seeds per item.")] = 100,
    course_dir: ItemsCourseDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Self-test items over many seeds: right, wrong and unreadable answers; exits non-zero if any fails."""
    from bank.item import load_items
    from bank.selftest import stress_test

    if item:
        items = [find_item(item, course_dir)]
    else:
        items = list(load_items(items_course_dir(course_dir)).values())
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
    item: ItemId,
    answers: Annotated[str, typer.Argument(metavar="ANSWERS", help="Answer file (YAML with `answers:`).")],
    seed: Seed = 0,
    course_dir: ItemsCourseDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Practice mode: grade an answer file against one variant (nothing is stored)."""
    from bank.practice import check_practice

    report = check_practice(find_item(item, course_dir), seed, answers)
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
    key: Annotated[str, typer.Argument(metavar="KEY", help="The reference answer.")],
    answer: Annotated[str, typer.Argument(metavar="ANSWER", help="What a student typed.")],
    comparator: Annotated[
        str | None,
        typer.Option("--comparator", metavar="NAME", help="exact|relabs|sigfig|decdig|shape|expression"),
    ] = None,
    rtol: Annotated[
        float | None, typer.Option("--rtol", metavar="R", help="Relative tolerance (relabs).")
    ] = None,
    atol: Annotated[
        float | None, typer.Option("--atol", metavar="A", help="Absolute tolerance (relabs).")
    ] = None,
    digits: Annotated[
        int | None, typer.Option("--digits", metavar="N", help="Digits (sigfig, decdig).")
    ] = None,
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
