"""What every command module shares: the root Typer app, clean errors, JSON output, the --course option.

The command line is a thin layer over library functions (../shared/CLI-CONTRACT.md).

Each command parses its arguments, calls one library function, and prints. Heavy libraries (torch, sympy,
weasyprint) are imported inside the commands that need them, so that `azmoon submit` starts fast.

Errors (`clean_errors`): an `AzmoonError` — the one base of the errors a user can cause — becomes a one-paragraph
`error: ...` on stderr and exit code 1, no traceback. Anything else is a bug and keeps its traceback.
While the libraries move their error classes under `AzmoonError`, three more cases are read as user errors
(`is_user_error`): an error class the project defines on top of ValueError/KeyError (CourseError,
AnswerFileError, TraceError, ...); an OSError about a file (a path the user gave); and a bare ValueError or
KeyError that a library module outside `solutions/` raises with its own `raise` statement (a message written for
the user). A bare ValueError/KeyError from a family module, from a dict lookup or from a third-party library is
a bug: it keeps its traceback.

A closed pipe (`azmoon roster list | head`) ends the command quietly with exit code 1 (what Python and click do
on EPIPE), never with "error: [Errno 32] Broken pipe".
"""

from __future__ import annotations

import json
import linecache
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from types import TracebackType
from typing import Annotated, Any, NoReturn

import typer

from base.errors import AzmoonError

# the project's own top-level packages: a `raise` in one of them (but solutions/) is a message for the user
LIBRARY_PACKAGES = frozenset(
    {"analysis", "bank", "base", "client", "commands", "course", "grader", "lang", "server"}
)


def _quiet_broken_pipe() -> NoReturn:
    """The reader of stdout went away (`| head`): stop without a message, and without the interpreter's own
    "Exception ignored ... BrokenPipeError" when it flushes stdout on exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(1)


class AzmoonApp(typer.Typer):
    """The root app: output still buffered when the command returns is flushed while a closed pipe can be
    handled quietly."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            try:
                return super().__call__(*args, **kwargs)
            finally:
                sys.stdout.flush()
        except BrokenPipeError:
            _quiet_broken_pipe()


app = AzmoonApp(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: flags show as flags (`--json`), not as `--json <bool>`
    pretty_exceptions_enable=False,  # a bug shows a plain traceback; user errors never reach it (clean_errors)
    help="Azmoon: question bank and grader (fa + en).",
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _innermost(traceback: TracebackType | None) -> TracebackType | None:
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback


def _raised_by_library(exc: BaseException) -> bool:
    """The exception comes from a `raise` statement of a library module (not a family of solutions/)."""
    frame = _innermost(exc.__traceback__)
    if frame is None:
        return False
    module = str(frame.tb_frame.f_globals.get("__name__", ""))
    if module.split(".")[0] not in LIBRARY_PACKAGES:
        return False
    line = linecache.getline(frame.tb_frame.f_code.co_filename, frame.tb_lineno).strip()
    return line.startswith("raise ")


def is_user_error(exc: BaseException) -> bool:
    """Whether `exc` is a mistake of the user (a clean message) rather than a bug (a traceback)."""
    if isinstance(exc, AzmoonError):
        return True
    if isinstance(exc, OSError):
        return not isinstance(exc, BrokenPipeError)
    if not isinstance(exc, ValueError | KeyError):
        return False
    if (
        type(exc).__module__.split(".")[0] in LIBRARY_PACKAGES
    ):  # CourseError, AnswerFileError, TraceError, ...
        return True
    return type(exc) in (ValueError, KeyError) and _raised_by_library(exc)


def error_message(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args:  # str(KeyError) quotes its message
        return str(exc.args[0])
    return str(exc)


def clean_errors(func: Callable) -> Callable:
    """Turn a user's mistake into a clean CLI error (no traceback); a bug keeps its traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = func(*args, **kwargs)
            sys.stdout.flush()
            return result
        except BrokenPipeError:
            _quiet_broken_pipe()
        except Exception as exc:
            if not is_user_error(exc):
                raise
            fail(error_message(exc))

    return wrapper


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


AssignmentName = Annotated[str, typer.Argument(help="Assignment name.")]
CourseDir = Annotated[
    str, typer.Option("--course", metavar="DIR", help="Course directory (default: the current one).")
]
ItemsCourseDir = Annotated[
    str | None,
    typer.Option(
        "--course", metavar="DIR", help="Also the items of this course directory's questions/ folder."
    ),
]


def open_course_dir(path: str):  # -> course.config.Course
    from course.config import open_course

    return open_course(path)


def items_course_dir(path: str | None) -> Path | None:
    """The `--course DIR` of a bank command: a course directory whose `questions/` holds its own items."""
    if path is None:
        return None
    from course.config import COURSE_FILE

    root = Path(path)
    if not (root / COURSE_FILE).is_file():
        fail(f"{root.resolve()} is not a course directory (no {COURSE_FILE})")
    return root


def find_item(item_id: str, course_dir: str | None = None):  # -> bank.item.Item
    from bank.item import find_item as find

    return find(item_id, items_course_dir(course_dir))
