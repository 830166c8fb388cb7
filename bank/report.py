"""Terminal text of a solved variant (`azmoon solve ITEM`): both languages, every part with its key, and the
options of choice parts (the key's option marked `*`)."""

from __future__ import annotations

from typing import Any

from bank.pipeline import SolvedItem
from lang import LANGS


def _indent(text: str, prefix: str) -> list[str]:
    return [f"{prefix}{line}" if line else "" for line in text.splitlines()]


def _bilingual(texts: dict[str, str], prefix: str) -> list[str]:
    """Each language on its own lines: `fa: ...` then `en: ...` (continuation lines indented under the text)."""
    lines: list[str] = []
    for lang in LANGS:
        first, *rest = texts[lang].splitlines() or [""]
        lines.append(f"{prefix}{lang}: {first}")
        lines.extend(_indent("\n".join(rest), prefix + "    "))
    return lines


def points_text(points: float) -> str:
    return f"{points:g} pt" if points == 1 else f"{points:g} pts"


def _part_lines(part: dict[str, Any]) -> list[str]:
    how = ", graded by hand" if part.get("manual") else ""
    lines = [f"  [{part['id']}] ({part['kind']}, {points_text(part['points'])}{how})"]
    lines.extend(_bilingual(part["prompt"], "      "))
    for option in part.get("options") or []:
        mark = "*" if option["id"] == part["answer"] else " "
        lines.append(f"      {mark} {option['id']}")
        lines.extend(_bilingual(option["text"], "          "))
    lines.append(f"      answer: {part['answer_text']}")
    return lines


def format_solved(solved: SolvedItem) -> str:
    item = solved.item
    lines = [f"{item.id} (seed {solved.seed})"]
    lines.extend(_bilingual({lang: item.title.get(lang) for lang in LANGS}, "  "))
    lines += ["", "statement:"]
    lines.extend(_bilingual(solved.statement, "  "))
    lines += ["", "parts:"]
    for part in solved.parts:
        lines.extend(_part_lines(part))
    lines += ["", "solution:"]
    lines.extend(_bilingual(solved.solution, "  "))
    return "\n".join(lines)
