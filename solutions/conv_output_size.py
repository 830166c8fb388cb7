"""A3: output size of one convolution layer, floor((W + 2P - D(K-1) - 1) / S) + 1."""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_output_size, effective_kernel
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import (
    dilation_ignored,
    no_floor,
    only_present,
    padding_once,
    plus_one_forgotten,
)


@generator("conv_output_size")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """A layer a TA would write: odd kernel, padding at most the kernel's half span, output of at least 4."""
    while True:
        width = rng.randint(*ranges["W"])
        kernel = rng.choice(ranges["K"])
        stride = rng.choice(ranges["S"])
        dilation = rng.choice(ranges["D"])
        padding = rng.randint(0, effective_kernel(kernel, dilation) // 2)
        span = width + 2 * padding - effective_kernel(kernel, dilation)
        if span < 0 or conv_output_size(width, kernel, stride, padding, dilation) < 4:
            continue
        return {"W": width, "K": kernel, "S": stride, "P": padding, "D": dilation}


@solver("conv_output_size")
def solve(params: dict[str, Any]) -> Solution:
    w, k, s, p, d = (params[name] for name in ("W", "K", "S", "P", "D"))
    out = conv_output_size(w, k, s, p, d)
    numerator = w + 2 * p - effective_kernel(k, d)  # W + 2P - D(K-1) - 1
    wrong = only_present(
        no_floor(numerator, s),
        padding_once(w, k, s, p, d),
        dilation_ignored(w, k, s, p, d),
        plus_one_forgotten(out),
        right=out,
    )
    return Solution(
        answers={"out": Answer(out, misconceptions=wrong)},
        values={
            "k_eff": effective_kernel(k, d),
            "numerator": numerator,
            "quotient": numerator / s,
            "floored": numerator // s,
            "exact": numerator % s == 0,
            "out": out,
        },
    )
