"""What every command module shares: the root Typer app, clean errors, JSON output, the --course option.

The command line is a thin layer over library functions (../shared/CLI-CONTRACT.md).

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


CourseDir = Annotated[str, typer.Option("--course", help="Course directory (default: the current one).")]


def open_course_dir(path: str):  # -> course.config.Course
    from course.config import open_course

    return open_course(path)
