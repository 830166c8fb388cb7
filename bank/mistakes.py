"""A solver's mistakes as the key keeps them: none that the grader could not tell apart from the answer.

A family lists the wrong values it computes (`Answer(value, misconceptions=[...])`, None where a mistake does
not apply to this variant) and nothing else: it does not repeat its answer or its part's tolerance. The bank
drops a mistake that the part's own comparator, with the part's settings, grades right against the answer
(a student who typed it would be right, so its hint could never show), and one it grades equal to an earlier
mistake (that one's hint would show first), keeping the order the family gave.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bank.registry import Misconception
from grader.grade import same_answer


def distinct_mistakes(
    part_key: dict[str, Any], mistakes: Iterable[Misconception | None]
) -> list[Misconception]:
    """The mistakes a student can reach: not None, not graded right, not graded equal to an earlier one."""
    kept: list[Misconception] = []
    for mistake in mistakes:
        if mistake is None or same_answer(part_key, mistake.value, part_key["answer"]):
            continue
        if any(same_answer(part_key, mistake.value, earlier.value) for earlier in kept):
            continue
        kept.append(mistake)
    return kept
