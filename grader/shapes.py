"""Shapes as students type them: `64x59x59`, `64×59×59`, `(64, 59, 59)`, `[64,59,59]`, `۶۴×۵۹×۵۹`, a YAML list."""

from __future__ import annotations

import re

from grader.text import FormatProblem, normalize

MAX_DIMENSIONS = 8
MAX_ENTRY = 10**9
_BRACKETS = re.compile(r"[()\[\]{}<>]")
_SEPARATORS = re.compile(r"\s*(?:[*xX,;]|by)\s*|\s+")
_BATCH_NAMES = {"n", "b", "batch", "bs"}


def parse_shape(typed: object) -> tuple[list[int], bool]:
    """(entries, had_batch_name): a leading symbolic batch entry (N, B, batch) is dropped and reported."""
    if isinstance(typed, list | tuple):
        tokens = [str(t) for t in typed]
        tokens = [normalize(t) for t in tokens]
    elif isinstance(typed, int) and not isinstance(typed, bool):
        tokens = [str(typed)]
    elif isinstance(typed, str):
        text = _BRACKETS.sub(" ", normalize(typed))
        tokens = [t for t in _SEPARATORS.split(text) if t]
    else:
        raise FormatProblem("shape_entry", entry=str(typed)[:40])
    batch = bool(tokens) and tokens[0].casefold() in _BATCH_NAMES
    if batch:
        tokens = tokens[1:]
    if not tokens:
        raise FormatProblem("empty")
    if len(tokens) > MAX_DIMENSIONS:
        raise FormatProblem("shape_size", limit=MAX_DIMENSIONS)
    entries = []
    for token in tokens:
        digits = token.replace("_", "")
        if digits.endswith(".0"):
            digits = digits[:-2]
        if not digits.isdigit() or not digits.isascii() or int(digits) > MAX_ENTRY or int(digits) == 0:
            raise FormatProblem("shape_entry", entry=token[:40])
        entries.append(int(digits))
    return entries, batch


def show_shape(entries: list[int]) -> str:
    return "×".join(str(e) for e in entries)
