"""A3 (template): trainable parameters of one convolution layer. Copy to solutions/<family>.py."""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_weights
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import bias_forgotten

FAMILY = "my_family"  # the item's `family:`, and this module's file name


@generator(FAMILY)
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """seed -> params: pure, only the rng it is given; each `draw` is one call on it."""

    def attempt() -> dict[str, Any] | None:
        """One draw of everything; None rejects it (here: C_in = C_out would hide the per-input-bias slip)."""
        params = {name: draw(rng, ranges[name], name) for name in ("C_in", "C_out", "K")}
        return params if params["C_in"] != params["C_out"] else None

    # bounded: after 100 rejected draws, one clear error naming the item (measure the most a seed takes)
    return sample_until(attempt, tries=100, what="my_item")


def bias_per_input_channel(weights: int, c_in: int) -> Misconception:
    """A slip only this family makes lives here; the shared catalogue keeps the ones families share."""
    return Misconception(
        weights + c_in,
        Bilingual(
            fa="بایاس برای هر کانال خروجی است، نه هر کانال ورودی.",
            en="There is one bias per output channel, not per input channel.",
        ),
    )


@solver(FAMILY)
def solve(params: dict[str, Any]) -> Solution:
    """params -> answers (with the wrong answers students give) and the values the templates show."""
    c_in, c_out, k = params["C_in"], params["C_out"], params["K"]
    weights = conv_weights(c_in, c_out, (k, k))
    total = weights + c_out
    # a plain list: the bank drops a mistake the part's comparator grades right, or equal to an earlier one
    mistakes = [bias_forgotten(total, c_out), bias_per_input_channel(weights, c_in)]
    return Solution(
        answers={"params": Answer(total, misconceptions=mistakes)},
        values={"weights": weights, "params": total},
    )
