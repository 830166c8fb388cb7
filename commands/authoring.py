"""Commands for a TA's own items: questions schema (JSON Schema of the item format), questions preview."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commands.bank import ItemId, Seed, questions_app
from commands.common import ItemsCourseDir, JsonFlag, clean_errors, emit_json, find_item, items_course_dir


@questions_app.command("schema")
@clean_errors
def questions_schema(
    out: Annotated[
        str | None, typer.Option("-o", "--output", metavar="FILE", help="Write it to FILE instead of stdout.")
    ] = None,
) -> None:
    """The JSON Schema of an item file (for editor completion): fields, `grading:` keys, `ranges:` forms."""
    import json

    from bank.schema import item_json_schema

    schema = item_json_schema()
    if out is None:
        emit_json(schema)
        return
    Path(out).write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"schema written to {out}")


@questions_app.command("preview")
@clean_errors
def questions_preview(
    item: ItemId,
    out: Annotated[str, typer.Option("-o", "--output", metavar="FILE.pdf", help="The PDF to write.")],
    seed: Seed = 0,
    course_dir: ItemsCourseDir = None,
    as_json: JsonFlag = False,
) -> None:
    """One item as on a worksheet and on the key (both languages) into a PDF, before any class is generated."""
    from course.render import render_item_preview

    pages = render_item_preview(find_item(item, course_dir), seed, out, course=items_course_dir(course_dir))
    if as_json:
        emit_json({"item": item, "seed": seed, "pdf": out, "pages": pages})
    else:
        typer.echo(f"{item} (seed {seed}): {pages} page{'s' if pages != 1 else ''} written to {out}")
