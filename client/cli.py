"""The student's three commands — login, submit, status — started without the rest of the command line.

`cli.main()` calls `run(argv)` first. A student's command in one of these forms runs here on the standard library
and the light client alone (no Typer, no click, none of the staff modules: what `azmoon submit` used to spend
most of its start on):

    azmoon login URL
    azmoon submit ANSWERS.yaml [--json] [--verbose | -v] [--course DIR]
    azmoon status [--server URL] [--json]

with the output, messages and exit codes of the Typer commands (commands/server.py and commands/submit.py call
the same functions below to word their output). Anything else — help, another spelling, an unknown option, an
answer file that is not a plain readable file (the full command says why), or one without `server:` (a TA's
local submit) — returns None before anything is printed or sent, and the full command line runs it.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable

from client import MAX_FILE_BYTES  # the package this module is part of: already imported

_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")  # what click.echo strips when the stream is not a terminal

SUBMIT_FLAGS = {"--json": "json", "--verbose": "verbose", "-v": "verbose"}
SUBMIT_OPTIONS = {"--course": "course"}
STATUS_FLAGS = {"--json": "json"}
STATUS_OPTIONS = {"--server": "server"}


# --- the wording, shared with the Typer commands ----------------------------------------------------------------


def read_token() -> str:
    """The token from a prompt, or from stdin when it is not a terminal (first line that is not a comment)."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("token: ")
    lines = [line.strip() for line in sys.stdin.read(4096).splitlines()]
    return next((line for line in lines if line and not line.startswith("#")), "")


NO_TOKEN = "no token given / توکنی داده نشد"


def login_text(url: str, token: str) -> str:
    import client

    me = client.login(url, token)
    return f"logged in as {me.get('student_id') or me.get('name')} ({me.get('role')}) at {client.normalize_url(url)}"


def status_text(document: dict) -> str:
    lines = [f"{document.get('student_id') or document.get('name')} @ {document['server']}"]
    for a in document.get("assignments", []):
        best = "-" if a.get("best_score") is None else f"{a['best_score']:g}"
        lines.append(
            f"  {a['name']}: due {a.get('due') or '-'}, attempts {a.get('attempts_used', 0)}/{a['attempts']}, "
            f"best {best} / {a.get('max_score', a.get('max_points'))}"
        )
    return "\n".join(lines)


def json_text(document: object) -> str:
    import json

    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- the fast start ---------------------------------------------------------------------------------------------


def run(argv: list[str]) -> int | None:
    """The exit code of a student's command run here, or None: let the full command line run `argv`."""
    if not argv:
        return None
    command, rest = argv[0], argv[1:]
    if command == "submit":
        parsed = _parse(rest, SUBMIT_FLAGS, SUBMIT_OPTIONS, positionals=1)
        return None if parsed is None else _guarded(_submit, *parsed)
    if command == "status":
        parsed = _parse(rest, STATUS_FLAGS, STATUS_OPTIONS, positionals=0)
        return None if parsed is None else _guarded(_status, *parsed)
    if command == "login":
        parsed = _parse(rest, {}, {}, positionals=1)
        return None if parsed is None else _guarded(_login, *parsed)
    return None


def _parse(
    argv: list[str], flags: dict[str, str], options: dict[str, str], positionals: int
) -> tuple[list[str], dict] | None:
    """(arguments, options) when argv is a plain use of these flags and options; None for anything else."""
    arguments: list[str] = []
    chosen: dict = {}
    words = iter(argv)
    for word in words:
        if word.startswith("-") and word != "-":
            name, equals, value = word.partition("=")
            if name in flags and not equals:
                chosen[flags[name]] = True
            elif name in options:
                if not equals:
                    value = next(words, None)
                if value is None or value.startswith("-"):
                    return None
                chosen[options[name]] = value
            else:
                return None  # --help, --, an unknown or misspelt option: the full command line answers
        else:
            arguments.append(word)
    if len(arguments) != positionals:
        return None
    return arguments, chosen


class _Fallback(Exception):
    """Not for the fast start after all (nothing was printed or sent)."""


def _guarded(command: Callable[..., None], arguments: list[str], options: dict) -> int | None:
    """Run a command as `commands.common.clean_errors` and click would: a user's error is one `error:` line and
    exit code 1, a bug keeps its traceback, Ctrl-C is "Aborted!", a closed pipe ends quietly."""
    try:
        try:
            command(*arguments, **options)
        finally:
            sys.stdout.flush()
    except _Fallback:
        return None
    except BrokenPipeError:
        _quiet_broken_pipe()
    except (KeyboardInterrupt, EOFError):
        echo("", err=True)
        echo("Aborted!", err=True)
        return 1
    except Exception as exc:
        from base.errors import AzmoonError

        if isinstance(exc, AzmoonError) or isinstance(exc, OSError):
            message = str(exc)
        else:  # rare: decide as the full command line does
            from commands.common import error_message, is_user_error

            if not is_user_error(exc):
                raise
            message = error_message(exc)
        echo(f"error: {message}", err=True)
        return 1
    return 0


def _quiet_broken_pipe() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(1)


def echo(text: str, err: bool = False) -> None:
    """click.echo's output: the text and a newline, ANSI codes stripped unless the stream is a terminal."""
    stream = sys.stderr if err else sys.stdout
    out = text + "\n"
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if not terminal:
        out = _ANSI.sub("", out)
    stream.write(out)
    stream.flush()


def _plain_file(path: str) -> bytes | None:
    """The answer file's bytes when it is a regular file of at most 256 KiB that opens and reads cleanly, else
    None (the full command reads it again through course.files.read_bounded and says what is wrong)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                return None
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _submit(answers: str, json: bool = False, verbose: bool = False, course: str | None = None) -> None:
    import client

    data = _plain_file(answers)
    if data is None or not client.file_header(data).get("server"):
        raise _Fallback  # unreadable (the full command says why) or a TA's local submit
    document = client.submit_bytes(data)
    if json:
        sys.stdout.write(json_text(document))
        sys.stdout.flush()
        return
    from course.feedback import format_outcome

    echo(format_outcome(document, verbose=verbose))


def _status(server: str | None = None, json: bool = False) -> None:
    import client

    document = client.status(server)
    if json:
        sys.stdout.write(json_text(document))
        sys.stdout.flush()
        return
    echo(status_text(document))


def _login(url: str) -> None:
    token = read_token()
    if not token:
        echo(f"error: {NO_TOKEN}", err=True)
        raise SystemExit(1)
    echo(login_text(url, token))
