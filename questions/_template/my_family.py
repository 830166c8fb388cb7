"""A3 (template): trainable parameters of one convolution layer. Copy to solutions/<family>.py."""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_weights
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import bias_forgotten

FAMILY = "my_family"  # the item's `family:`, and this module's file name


@generator(FAMILY)
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """seed -> params: pure, only the rng it is given."""
    return {
        "C_in": rng.choice(ranges["C_in"]),
        "C_out": rng.choice(ranges["C_out"]),
        "K": rng.choice(ranges["K"]),
    }


@solver(FAMILY)
def solve(params: dict[str, Any]) -> Solution:
    """params -> answers (with the wrong answers students give) and the values the templates show."""
    c_in, c_out, k = params["C_in"], params["C_out"], params["K"]
    weights = conv_weights(c_in, c_out, (k, k))
    total = weights + c_out
    return Solution(
        answers={"params": Answer(total, misconceptions=[bias_forgotten(total, c_out)])},
        values={"weights": weights, "params": total},
    )
