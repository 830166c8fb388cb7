"""A12: Swin stages and window versus global attention.

Attention cost is the two matrix products Q·Kᵀ and A·V (`attention_macs`; projections excluded), in MACs.
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import (
    attention_macs,
    window_attention_macs,
)
from bank.item import Bilingual
from bank.ranges import draw, options
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import channel_order, flops_instead_of_macs, one_product_only

PATCH = 4  # Swin's patch partition: 4×4 patches, then patch merging halves the side at each later stage
STAGES = 4


def one_window_only(value: int) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="این هزینه‌ی فقط یک پنجره است؛ آن را در تعداد پنجره‌ها ضرب کنید.",
            en="That is the cost of a single window; multiply by the number of windows.",
        ),
    )


def stage_not_doubled(value: object) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="در هر مرحله‌ی Swin، ادغام پچ‌ها (patch merging) ابعاد مکانی را نصف و کانال‌ها را دو برابر می‌کند.",
            en="At each Swin stage, patch merging halves the spatial size and doubles the channels.",
        ),
    )


@generator("swin_stages")
def generate_swin(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """A (resolution, window) pair Swin uses, and a stage whose map is a whole number of windows."""
    side, window = draw(rng, ranges["H_M"], "H_M")
    stages = [s for s in options(ranges["stage"], "stage") if (side // (PATCH << (s - 1))) % window == 0]
    return {"H": side, "M": window, "C": draw(rng, ranges["C"], "C"), "stage": rng.choice(stages)}


@solver("swin_stages")
def solve_swin(params: dict[str, Any]) -> Solution:
    h, m, c, stage = params["H"], params["M"], params["C"], params["stage"]
    if h % (PATCH << (STAGES - 1)):
        raise ValueError(f"Swin needs the input side to be a multiple of {PATCH << (STAGES - 1)}")
    stages = []
    answers: dict[str, Answer] = {}
    for i in range(1, STAGES + 1):
        factor = PATCH << (i - 1)
        shape = [c << (i - 1), h // factor, h // factor]
        stages.append({"key": f"s{i}", "stage": i, "factor": factor, "shape": shape})
        answers[f"s{i}_shape"] = Answer(
            shape,
            misconceptions=[channel_order(shape), stage_not_doubled([c, h // factor, h // factor])],
        )
    dim, side = stages[stage - 1]["shape"][0], stages[stage - 1]["shape"][1]
    tokens = side * side
    windows = (side // m) ** 2
    global_macs = attention_macs(tokens, tokens, dim)
    window_macs = window_attention_macs(side, side, m, dim)
    per_window = attention_macs(m * m, m * m, dim)
    answers["global_macs"] = Answer(
        global_macs,
        misconceptions=[flops_instead_of_macs(global_macs), one_product_only(global_macs // 2)],
    )
    answers["window_macs"] = Answer(
        window_macs,
        misconceptions=[flops_instead_of_macs(window_macs), one_window_only(per_window)],
    )
    answers["ratio"] = Answer(global_macs // window_macs)
    return Solution(
        answers=answers,
        values={
            "stages": stages,
            "dim": dim,
            "side": side,
            "tokens": tokens,
            "windows": windows,
            "window_tokens": m * m,
            "global_macs": global_macs,
            "window_macs": window_macs,
            "per_window": per_window,
            "ratio": global_macs // window_macs,
        },
    )
