"""A9: the full inception module, four branches concatenated.

Costs come from the shared `conv_macs` (one multiplication per weight per output position, bias adds excluded);
a variant asks for them as MACs (multiplications, the sheet's convention) or as FLOPs = 2 × MACs (param `count`).
Every convolution is "same"-padded with stride 1, so all maps stay H×W.
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_macs, conv_weights, flops
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.inception import counted, unit_slip
from solutions.common.misconceptions import bias_forgotten, bottleneck_cost_forgotten, channel_order

TRIES = 100  # about 3 draws in 4 are kept: at most 7 turns over seeds 0..20000

BRANCHES = [
    ("b1", "1×1", [("n1", 1)]),
    ("b3", "1×1 → 3×3", [("r3", 1), ("n3", 3)]),
    ("b5", "1×1 → 5×5", [("r5", 1), ("n5", 5)]),
    ("pool", "3×3 max-pool → 1×1", [("pp", 1)]),
]


@generator("inception_module")
def generate_module(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """Widths from GoogLeNet's own table ranges: each reduce narrower than its conv and than the input."""
    names = ("H", "C", "n1", "r3", "n3", "r5", "n5", "pp", "count")

    def attempt() -> dict[str, Any] | None:
        params = {name: draw(rng, ranges[name], name) for name in names}
        if params["r3"] < params["n3"] and params["r5"] < params["n5"] and params["r3"] < params["C"]:
            return params
        return None

    return sample_until(attempt, tries=TRIES, what="inception_module")


def branch_left_out(value: object) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="یکی از شاخه‌ها را جا انداخته‌اید: خروجی ماژول اینسپشن الحاق (concatenate) هر چهار شاخه است.",
            en="You left out a branch: the inception module's output concatenates all four branches.",
        ),
    )


def branch_convs(params: dict[str, Any], convs: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """Each convolution of a branch with its input width, output width, kernel, MACs, weights and biases."""
    h = params["H"]
    rows = []
    c_in = params["C"]
    for width, kernel in convs:
        c_out = params[width]
        rows.append(
            {
                "c_in": c_in,
                "c_out": c_out,
                "k": kernel,
                "macs": conv_macs(c_in, c_out, (kernel, kernel), (h, h)),
                "weights": conv_weights(c_in, c_out, (kernel, kernel)),
                "biases": c_out,
            }
        )
        c_in = c_out
    return rows


@solver("inception_module")
def solve_module(params: dict[str, Any]) -> Solution:
    h, count = params["H"], params["count"]
    branches = []
    for key, label, convs in BRANCHES:
        rows = branch_convs(params, convs)
        branches.append(
            {
                "key": key,
                "label": label,
                "convs": rows,
                "macs": sum(r["macs"] for r in rows),
                "reduce_macs": sum(r["macs"] for r in rows[:-1]),
                "out": rows[-1]["c_out"],
            }
        )
    for branch in branches:
        branch["flops"] = flops(branch["macs"])
    total = sum(b["macs"] for b in branches)
    reduce_total = sum(b["reduce_macs"] for b in branches)
    weights = sum(r["weights"] for b in branches for r in b["convs"])
    biases = sum(r["biases"] for b in branches for r in b["convs"])
    channels = sum(b["out"] for b in branches)
    shape = [channels, h, h]
    answers = {
        "out_shape": Answer(
            shape,
            misconceptions=[channel_order(shape), branch_left_out([channels - params["pp"], h, h])],
        ),
        "total_cost": Answer(
            counted(total, count),
            misconceptions=[
                unit_slip(counted(total, count), count),
                bottleneck_cost_forgotten(counted(total - reduce_total, count)),
            ],
        ),
        "params": Answer(weights + biases, misconceptions=[bias_forgotten(weights + biases, biases)]),
    }
    for branch in branches:
        value = counted(branch["macs"], count)
        without_reduce = counted(branch["macs"] - branch["reduce_macs"], count)
        answers[f"{branch['key']}_cost"] = Answer(
            value,
            misconceptions=[
                unit_slip(value, count),
                bottleneck_cost_forgotten(without_reduce) if branch["reduce_macs"] else None,
            ],
        )
    return Solution(
        answers=answers,
        values={
            "branches": branches,
            "total": total,
            "total_flops": flops(total),
            "weights": weights,
            "biases": biases,
            "channels": channels,
        },
    )
