"""A9: the inception 1×1 bottleneck: the cost of a K×K conv with and without it.

Costs come from the shared `conv_macs` (one multiplication per weight per output position, bias adds excluded);
a variant asks for them as MACs (multiplications, the sheet's convention) or as FLOPs = 2 × MACs (param `count`).
Every convolution is "same"-padded with stride 1, so all maps stay H×W.
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_macs, flops
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.inception import counted, percent_text, unit_slip
from solutions.common.misconceptions import bottleneck_cost_forgotten

TRIES = 100  # about 3 draws in 4 are kept: at most 9 turns over seeds 0..20000


def remaining_share_given(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="این سهم باقی‌مانده است (نسبت هزینه‌ی جدید به قدیم)، نه درصد کاهش؛ کاهش = ۱۰۰ منهای آن.",
            en="That is the share that remains (new cost over old), not the reduction; the reduction is 100 minus it.",
        ),
    )


@generator("inception_bottleneck")
def generate_bottleneck(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """GoogLeNet-like sizes: the bottleneck is narrower than the conv it feeds and at most a quarter of C."""

    def attempt() -> dict[str, Any] | None:
        params = {name: draw(rng, ranges[name], name) for name in ("H", "C", "K", "F", "B", "count")}
        return params if params["B"] <= params["F"] and 4 * params["B"] <= params["C"] else None

    return sample_until(attempt, tries=TRIES, what="inception_bottleneck")


@solver("inception_bottleneck")
def solve_bottleneck(params: dict[str, Any]) -> Solution:
    h, c, k, f, b, count = (params[name] for name in ("H", "C", "K", "F", "B", "count"))
    spatial = (h, h)
    direct = conv_macs(c, f, (k, k), spatial)
    reduce = conv_macs(c, b, (1, 1), spatial)
    conv = conv_macs(b, f, (k, k), spatial)
    bottleneck = reduce + conv
    remaining = 100 * bottleneck / direct
    reduction = 100 - remaining
    return Solution(
        answers={
            "direct_cost": Answer(
                counted(direct, count), misconceptions=[unit_slip(counted(direct, count), count)]
            ),
            "bottleneck_cost": Answer(
                counted(bottleneck, count),
                misconceptions=[
                    unit_slip(counted(bottleneck, count), count),
                    bottleneck_cost_forgotten(counted(conv, count)),
                ],
            ),
            "reduction": Answer(
                reduction,
                text=f"{percent_text(reduction)}%",
                misconceptions=[remaining_share_given(remaining)],
            ),
        },
        values={
            "direct": direct,
            "direct_flops": flops(direct),
            "bottleneck_flops": flops(bottleneck),
            "reduce": reduce,
            "conv": conv,
            "bottleneck": bottleneck,
            "reduction_text": percent_text(reduction),
            "remaining_text": percent_text(remaining),
            "speedup": f"{direct / bottleneck:.1f}",
        },
    )
