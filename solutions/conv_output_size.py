"""A3: output size of one convolution layer, floor((W + 2P - D(K-1) - 1) / S) + 1."""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_output_size, effective_kernel
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import dilation_ignored, no_floor, plus_one_forgotten

# the bound on draws until a valid layer (an output of at least 4); the most a seed took: 1 (seeds 1..200), 3 (seeds 1..20000)
TRIES = 100


def padding_once(
    size: int, kernel: int, stride: int, padding: int, dilation: int = 1
) -> Misconception | None:
    if padding == 0:
        return None
    return Misconception(
        (size + padding - dilation * (kernel - 1) - 1) // stride + 1,
        Bilingual(
            fa="پدینگ را فقط یک بار اضافه کرده‌اید: پدینگ در هر دو طرف اعمال می‌شود (2P).",
            en="You added the padding once: it is applied on both sides (2P).",
        ),
    )


@generator("conv_output_size")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """A layer a TA would write: odd kernel, padding at most the kernel's half span, output of at least 4."""

    def attempt() -> dict[str, Any] | None:
        width = draw(rng, ranges["W"], "W")
        kernel = draw(rng, ranges["K"], "K")
        stride = draw(rng, ranges["S"], "S")
        dilation = draw(rng, ranges["D"], "D")
        padding = rng.randint(0, effective_kernel(kernel, dilation) // 2)
        span = width + 2 * padding - effective_kernel(kernel, dilation)
        if span < 0 or conv_output_size(width, kernel, stride, padding, dilation) < 4:
            return None
        return {"W": width, "K": kernel, "S": stride, "P": padding, "D": dilation}

    return sample_until(attempt, tries=TRIES, what="conv_output_size")


@solver("conv_output_size")
def solve(params: dict[str, Any]) -> Solution:
    w, k, s, p, d = (params[name] for name in ("W", "K", "S", "P", "D"))
    out = conv_output_size(w, k, s, p, d)
    numerator = w + 2 * p - effective_kernel(k, d)  # W + 2P - D(K-1) - 1
    wrong = [
        no_floor(numerator, s),
        padding_once(w, k, s, p, d),
        dilation_ignored(w, k, s, p, d),
        plus_one_forgotten(out),
    ]
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
