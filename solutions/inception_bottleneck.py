"""A9: the inception 1×1 bottleneck: the cost of a K×K conv with and without it.

Costs come from the shared `conv_macs` (one multiplication per weight per output position, bias adds excluded);
a variant asks for them as MACs (multiplications, the sheet's convention) or as FLOPs = 2 × MACs (param `count`).
Every convolution is "same"-padded with stride 1, so all maps stay H×W.
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_macs, flops
from bank.registry import Answer, Solution, generator, solver
from solutions.common.inception import counted, percent_text, unit_slip
from solutions.common.misconceptions import (
    bottleneck_cost_forgotten,
    only_present,
    remaining_share_given,
)


@generator("inception_bottleneck")
def generate_bottleneck(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """GoogLeNet-like sizes: the bottleneck is narrower than the conv it feeds and at most a quarter of C."""
    while True:
        params = {
            "H": rng.choice(ranges["H"]),
            "C": rng.choice(ranges["C"]),
            "K": rng.choice(ranges["K"]),
            "F": rng.choice(ranges["F"]),
            "B": rng.choice(ranges["B"]),
            "count": rng.choice(ranges["count"]),
        }
        if params["B"] <= params["F"] and 4 * params["B"] <= params["C"]:
            return params


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
                misconceptions=only_present(
                    unit_slip(counted(bottleneck, count), count),
                    bottleneck_cost_forgotten(counted(conv, count)),
                    right=counted(bottleneck, count),
                ),
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
