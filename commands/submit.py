"""`azmoon submit`: an answer file sent to the server its header names, else graded locally (staff)."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.common import CourseDir, JsonFlag, app, clean_errors, emit_json, open_course_dir


@app.command()
@clean_errors
def submit(
    answers: Annotated[str, typer.Argument(help="Your filled answers.yaml.")],
    course_dir: CourseDir = ".",
    as_json: JsonFlag = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every part's check in full.")
    ] = False,
) -> None:
    """Send the file to its `server:` (students) or grade it against the local store (staff); print feedback."""
    import client

    data = client.read_answer_bytes(answers)  # regular file, at most 256 KiB, checked before reading
    if client.file_header(data).get("server"):
        document = client.submit_bytes(data)
    else:
        from course.submit import submit_text

        document = submit_text(open_course_dir(course_dir), data, staff="local").document
    if as_json:
        emit_json(document)
    else:
        from course.feedback import format_outcome

        typer.echo(format_outcome(document, verbose=verbose))
