"""Practice mode (`azmoon check ITEM --seed N ANSWERS.yaml`): solve one variant in-process, then grade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from base.errors import AzmoonError
from grader.answerfile import read_answer_file
from grader.grade import grade_answers


class PracticeError(AzmoonError, ValueError):
    """An answer file that does not answer the item practised."""


def check_practice(item: Any, seed: int, answer_file: str | Path | bytes) -> dict[str, Any]:
    """The contract's `check` JSON for one item variant (`item` is a bank.item.Item)."""
    from bank.pipeline import solve_item  # the solver may import torch or sympy: practice mode only

    answers = read_answer_file(answer_file)
    if answers.nested and item.id not in answers.answers:
        raise PracticeError(
            f"the answer file has no answers for item '{item.id}' (it has {sorted(answers.answers)})"
        )
    solved = solve_item(item, seed)
    return grade_answers(solved.parts, answers.for_item(item.id))
