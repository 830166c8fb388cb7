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


def _input_shape(text: str) -> list[int]:
    from base.errors import AzmoonError

    parts = text.lower().replace("×", "x").split("x")
    if not all(p.strip().isdigit() and 0 < int(p) <= 4096 for p in parts) or len(parts) not in (2, 3, 4):
        raise AzmoonError(
            f"--input: write C×H×W such as 3x64x64, not '{text}' / ورودی را مانند 3x64x64 بنویسید"
        )
    return [int(p) for p in parts]


@questions_app.command("new")
@clean_errors
def questions_new(
    item: ItemId,
    from_network: Annotated[str, typer.Option("--from-network", metavar="FILE", help="The pasted network.")],
    course_dir: Annotated[
        str, typer.Option("--course", metavar="DIR", help="The course: writes DIR/questions/ITEM.yaml.")
    ],
    ask: Annotated[
        str, typer.Option("--ask", metavar="LIST", help="Quantities, e.g. shape,params,flops:total,rf.")
    ] = "shape,params,flops,rf",
    input_shape: Annotated[str, typer.Option("--input", metavar="CxHxW", help="The input size.")] = "3x32x32",
    shape_order: Annotated[
        str, typer.Option("--shape-order", metavar="CHW|HWC", help="How shapes are written.")
    ] = "CHW",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing item file.")] = False,
) -> None:
    """A complete item of the `network` family from a pasted network, to edit and `questions test` at once."""
    import yaml

    from bank.item import ITEM_ID, Item, course_questions_dir
    from base.errors import AzmoonError
    from solutions.network import draft_item, parse_ask

    if not ITEM_ID.match(item):
        raise AzmoonError(f"item id '{item}' must match [a-z][a-z0-9_]* / شناسه‌ی سؤال نامعتبر است")
    target = course_questions_dir(course_dir) / f"{item}.yaml"
    if target.exists() and not force:
        raise AzmoonError(f"{target} exists; --force overwrites it / این فایل وجود دارد")
    try:
        pasted = Path(from_network).read_text(encoding="utf-8")[:100_000]
    except OSError as exc:
        raise AzmoonError(f"cannot read {from_network}: {exc.strerror} / فایل خوانده نشد") from None
    text = draft_item(item, pasted, _input_shape(input_shape), parse_ask(ask), shape_order.upper())
    target.parent.mkdir(parents=True, exist_ok=True)
    Item.model_validate(yaml.safe_load(text))  # the draft is a valid item before anything is written
    staging = target.with_suffix(".yaml.tmp")
    staging.write_text(text, encoding="utf-8")
    staging.replace(target)
    typer.echo(
        f"{item}: written to {target}; edit the title and statement, then `azmoon questions test {item} --course {course_dir}`"
    )
