"""`azmoon submit`: an answer file graded against the stored key (local, for staff) or sent to its server."""

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
    """Grade an answer file against the stored key, record the attempt, print feedback (fa + en)."""
    from course.feedback import format_outcome
    from course.submit import submit as submit_answers

    outcome = submit_answers(open_course_dir(course_dir), answers)
    if as_json:
        emit_json(outcome.document)
    else:
        typer.echo(format_outcome(outcome.document))
