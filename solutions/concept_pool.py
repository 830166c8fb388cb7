"""D24: concept questions (multiple choice / true-false, plus free-text parts the TA grades by hand).

A concept item keeps a pool of choice parts in its YAML; each variant asks `pick` of them, drawn by the seed, and
shuffles their options (bank `_options`). The draw goes through the ordinary `each:` mechanism: a pool part
declares `each: ask_<part id>` and the solver returns one row for it when the variant asks it, none otherwise.
The key of every choice part is the option its author marked `correct: true` (bank `authored_answer`); the
key of a free-text part is its `grading.rubric`. The solver computes nothing else: what it decides is which
questions a variant asks.

    family: concept_pool
    ranges: {pick: 3, pool: {one_of: [weight_sharing, locality, equivariance, unshared]}}
"""

from __future__ import annotations

import random
from typing import Any

from bank.ranges import RangeError, options
from bank.registry import Solution, generator, solver

ASK_PREFIX = "ask_"


def ask_key(part_id: str) -> str:
    """The solver value a pool part expands over (`each: ask_<part id>`)."""
    return f"{ASK_PREFIX}{part_id}"


@generator("concept_pool")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """Draw `pick` questions of the pool; params say for every pool question whether it is asked."""
    pool: list[str] = options(ranges["pool"], "pool")
    pick = ranges["pick"]
    if not isinstance(pick, int) or not 1 <= pick <= len(pool) or len(set(pool)) != len(pool):
        raise RangeError(f"concept pool: cannot pick {pick!r} of {pool} (a whole number, each question once)")
    asked = set(rng.sample(pool, pick))
    return {"ask": {question: question in asked for question in pool}}


@solver("concept_pool")
def solve(params: dict[str, Any]) -> Solution:
    ask: dict[str, bool] = params["ask"]
    rows = {ask_key(question): ([{}] if on else []) for question, on in ask.items()}
    return Solution(answers={}, values={**rows, "asked": [q for q, on in ask.items() if on]})
