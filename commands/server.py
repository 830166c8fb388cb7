"""Commands of the course server: serve, tokens issue/revoke."""

from __future__ import annotations

import csv
import io
import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from commands.common import CourseDir, JsonFlag, app, clean_errors, emit_json, fail, open_course_dir

tokens_app = typer.Typer(
    no_args_is_help=True, help="Login tokens of students and staff (shown once, stored hashed)."
)
app.add_typer(tokens_app, name="tokens")

TLS_WARNING = (
    "warning: listening on {host} without TLS: tokens and answers cross the network in clear; put the server "
    "behind a reverse proxy with TLS, or pass --ssl-certfile/--ssl-keyfile.\n"
    "هشدار: کارساز بدون TLS روی {host} گوش می‌دهد؛ آن را پشت یک پراکسی معکوس با TLS بگذارید."
)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
@clean_errors
def serve(
    course_dir: CourseDir = ".",
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Server processes.")] = 1,
    certfile: Annotated[str | None, typer.Option("--ssl-certfile", help="TLS certificate (PEM).")] = None,
    keyfile: Annotated[str | None, typer.Option("--ssl-keyfile", help="TLS key (PEM).")] = None,
) -> None:
    """Run the course server in the foreground until SIGINT/SIGTERM (GET /api/v1/health: 200 once ready)."""
    import uvicorn

    course = open_course_dir(course_dir)
    course.connect().close()
    if not _is_loopback(host) and not certfile:
        typer.echo(TLS_WARNING.format(host=host), err=True)
    os.environ["AZMOON_COURSE_DIR"] = str(Path(course.root).resolve())
    uvicorn.run(
        "server.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        log_level="info",
    )


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


TOKEN_FILE_HEADER = (
    "# Azmoon login token of {sid} — keep it private; never put it in answers.yaml.\n"
    "# توکن ورود {sid} — آن را به کسی ندهید.\n"
    "# azmoon login URL < token.txt\n"
)


@tokens_app.command("issue")
@clean_errors
def tokens_issue(
    course_dir: CourseDir = ".",
    student: Annotated[list[str] | None, typer.Option("--student", help="A student id (repeatable).")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every student on the roster.")] = False,
    staff: Annotated[
        str | None, typer.Option("--staff", help="A staff member's name: one staff token.")
    ] = None,
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="CSV student_id,name,email,token.")
    ] = None,
    out: Annotated[str | None, typer.Option("--out", help="Build folder: OUT/<id>/token.txt (0600).")] = None,
) -> None:
    """Issue new tokens (earlier ones of the same holder are revoked); each token is shown once."""
    from server.auth import issue_staff_token, issue_student_tokens

    course = open_course_dir(course_dir)
    if staff is not None:
        typer.echo(issue_staff_token(course, staff).token)
        if not (student or every):
            return
    if not (student or every):
        fail("name the holders: --student ID, --all or --staff NAME")
    issued = issue_student_tokens(course, None if every else list(student or []))
    if out is not None:
        for entry in issued:
            path = Path(out) / str(entry.student_id) / "token.txt"
            _write_private(path, TOKEN_FILE_HEADER.format(sid=entry.student_id) + entry.token + "\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student_id", "name", "email", "token"])
    for entry in issued:
        writer.writerow([entry.student_id, entry.name, entry.email or "", entry.token])
    if output is not None:
        _write_private(Path(output), buffer.getvalue())
        typer.echo(f"{len(issued)} token(s) written to {output} (mode 0600)", err=True)
    elif out is None:
        typer.echo(buffer.getvalue(), nl=False)
    else:
        typer.echo(f"{len(issued)} token file(s) written under {out}", err=True)


@tokens_app.command("revoke")
@clean_errors
def tokens_revoke(
    course_dir: CourseDir = ".",
    student: Annotated[str | None, typer.Option("--student", help="A student id.")] = None,
    staff: Annotated[str | None, typer.Option("--staff", help="A staff member's name.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every live token.")] = False,
) -> None:
    """Revoke tokens: their holders get 401 from then on."""
    from server.auth import revoke

    if not (student or staff or every):
        fail("name what to revoke: --student ID, --staff NAME or --all")
    count = revoke(open_course_dir(course_dir), student_id=student, staff=staff, every=every)
    typer.echo(f"{count} token(s) revoked")


# --- the student client (standard library only: no torch on this path; client/cli.py starts these faster) -----


@app.command()
@clean_errors
def login(
    url: Annotated[str, typer.Argument(help="The course server, e.g. https://azmoon.example.edu")],
) -> None:
    """Store your token for this server (read from a prompt, or from stdin when it is not a terminal)."""
    from client.cli import NO_TOKEN, login_text, read_token

    token = read_token()
    if not token:
        fail(NO_TOKEN)
    typer.echo(login_text(url, token))


@app.command()
@clean_errors
def status(
    server: Annotated[
        str | None, typer.Option("--server", help="Server URL (default: the last login).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Your assignments on the server: due, attempts used/left, best score."""
    import client
    from client.cli import status_text

    document = client.status(server)
    if as_json:
        emit_json(document)
        return
    typer.echo(status_text(document))
