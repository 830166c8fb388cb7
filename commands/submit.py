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
) -> None:
    """Send the file to its `server:` (students) or grade it against the local store (staff); print feedback."""
    import client

    if client.file_header(client.read_answer_bytes(answers)).get("server"):
        document = client.submit(answers)
    else:
        from course.submit import submit as submit_answers

        document = submit_answers(open_course_dir(course_dir), answers).document
    if as_json:
        emit_json(document)
    else:
        from course.feedback import format_outcome

        typer.echo(format_outcome(document))
