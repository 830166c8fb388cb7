"""A submission is graded whole, or not at all (issue 13.5; CONTRACTS interface 2).

`submission_problems(items, answers)` lists what keeps an answer file from being graded: `items` is a variant's
stored keys (`[{"item": id, "parts": [part keys]}]`), `answers` the nested `{item_id: {part_id: typed}}` of the
answer file. Each problem is `{"item", "part", "code", "message": {"fa", "en"}}` with code

- `unknown_item` / `unknown_part`: an id that matches nothing (`conv_output:` for `conv_output_size:`); the
  message names the nearest valid id (difflib), or lists the valid ones when none is close;
- `unreadable`: an item's answers that are not a mapping of parts, or a part whose typed text cannot be read
  (the grader's own format-error feedback, with the expected form);
- `unchecked`: an expression whose equivalence check hit its time bound;
- `nothing_answered`: no part of the variant has an answer.

An empty list means the file reads whole and may be graded. The messages reveal nothing about the key: the
typed text is only read (the verdict of a readable part is never part of a problem).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from grader.grade import grade_part
from grader.messages import file_message
from grader.text import is_blank

MAX_LISTED_IDS = 8


def _nearest(name: str, valid: list[str], what_fa: str, what_en: str) -> dict[str, str]:
    """`nearest` / `nearest_fa` for a message: the closest valid id, or the valid ids when none is close."""
    by_fold = {v.casefold(): v for v in valid}
    close = difflib.get_close_matches(name.casefold(), list(by_fold), n=1, cutoff=0.5)
    if close:
        best = by_fold[close[0]]
        return {"nearest": f" (did you mean '{best}'?)", "nearest_fa": f" (منظورتان `{best}` بود؟)"}
    shown = valid[:MAX_LISTED_IDS] + (["…"] if len(valid) > MAX_LISTED_IDS else [])
    return {
        "nearest": f" ({what_en}: {', '.join(shown)})" if shown else "",
        "nearest_fa": f" ({what_fa}: {'، '.join(f'`{v}`' for v in shown)})" if shown else "",
    }


def _problem(item: str | None, part: str | None, code: str, message: dict[str, str]) -> dict[str, Any]:
    return {"item": item, "part": part, "code": code, "message": message}


def _part_problems(
    item_id: str, keys: list[dict[str, Any]], typed: Mapping[str, Any]
) -> list[dict[str, Any]]:
    problems = []
    by_id = {str(key["id"]): key for key in keys}
    for part_id, value in typed.items():
        part_id = str(part_id)
        if part_id not in by_id:
            near = _nearest(part_id, list(by_id), "بخش‌ها", "parts")
            message = file_message("unknown_part", item=item_id, id=part_id[:60], **near)
            problems.append(_problem(item_id, part_id, "unknown_part", message))
            continue
        if is_blank(value):
            continue
        result = grade_part(by_id[part_id], value)
        if result["status"] != "format_error":
            continue
        code = "unchecked" if result.get("unchecked") else "unreadable"
        message = {
            lang: file_message("part_problem", item=item_id, part=part_id, text=result["feedback"][lang])[
                lang
            ]
            for lang in ("fa", "en")
        }
        problems.append(_problem(item_id, part_id, code, message))
    return problems


def _answered(keys: list[dict[str, Any]], typed: Any) -> bool:
    if not isinstance(typed, Mapping):
        return False
    known = {str(key["id"]) for key in keys}
    return any(str(k) in known and not is_blank(v) for k, v in typed.items())


def submission_problems(
    items: list[dict[str, Any]], answers: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """What keeps this answer file from being graded whole (an empty list: grade it). See the module docstring."""
    answers = answers or {}
    keys_of = {str(item["item"]): list(item.get("parts") or []) for item in items}
    problems: list[dict[str, Any]] = []
    for item_id, typed in answers.items():
        item_id = str(item_id)
        if item_id not in keys_of:
            near = _nearest(item_id, list(keys_of), "سؤال‌ها", "items")
            message = file_message("unknown_item", id=item_id[:60], **near)
            problems.append(_problem(item_id, None, "unknown_item", message))
        elif typed is None or typed == "":
            continue
        elif not isinstance(typed, Mapping):
            problems.append(
                _problem(item_id, None, "unreadable", file_message("item_not_mapping", item=item_id))
            )
        else:
            problems.extend(_part_problems(item_id, keys_of[item_id], typed))
    if not any(_answered(keys, answers.get(item_id)) for item_id, keys in keys_of.items()):
        problems.append(_problem(None, None, "nothing_answered", file_message("nothing_answered")))
    return problems
