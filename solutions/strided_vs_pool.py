"""A5: down-sampling with strided convolutions (method A) vs conv + max-pool blocks (method B).

Both networks are traced on the meta device; the key follows the arithmetic, not the wording (the sheet hopes
three B blocks give 16×16 from 256×256; they give 32×32).
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_output_size
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.conv_chain import Layer, conv, maxpool, smallest, trace_rows
from solutions.common.misconceptions import padding_dropped, rf_without_jump

# the bound on draws until the image halves cleanly a_layers times; the most a seed took: 1 (seeds 1..200), 1 (seeds 1..20000)
TRIES = 100


def follows_wording(hoped_for: int) -> Misconception:
    """The value the question's wording hopes for, not the one the arithmetic gives."""
    return Misconception(
        hoped_for,
        Bilingual(
            fa="این عددی است که صورت سؤال انتظارش را دارد، نه نتیجه‌ی محاسبه؛ لایه‌ها را یکی‌یکی حساب کنید.",
            en="That is what the wording hopes for, not what the arithmetic gives; work through the layers one by one.",
        ),
    )


def method_a(params: dict[str, Any]) -> list[Layer]:
    k, c = params["K"], params["C"]
    return [conv(k, c, stride=2, padding=(k - 1) // 2) for _ in range(params["a_layers"])]


def method_b(params: dict[str, Any], blocks: int | None = None) -> list[Layer]:
    k, c = params["K"], params["C"]
    layers: list[Layer] = []
    for _ in range(params["b_blocks"] if blocks is None else blocks):
        layers += [conv(k, c), maxpool()]
    return layers


def side(layers: list[Layer], size: int, padded: bool = True) -> int:
    """Spatial side after the chain by the shared formula (padded=False: every padding dropped)."""
    for la in layers:
        size = conv_output_size(size, la.kernel, la.stride, la.padding if padded else 0, la.dilation)
    return size


@generator("strided_vs_pool")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    def attempt() -> dict[str, Any] | None:
        size = draw(rng, ranges["H"], "H")
        a_layers = draw(rng, ranges["a_layers"], "a_layers")
        if size % 2**a_layers or size // 2**a_layers < 4:
            return None
        return {
            "H": size,
            "C_in": draw(rng, ranges["C_in"], "C_in"),
            "K": draw(rng, ranges["K"], "K"),
            "C": draw(rng, ranges["C"], "C"),
            "a_layers": a_layers,
            "b_blocks": a_layers - draw(rng, ranges["b_fewer"], "b_fewer"),
        }

    return sample_until(attempt, tries=TRIES, what="strided_vs_pool")


@solver("strided_vs_pool")
def solve(params: dict[str, Any]) -> Solution:
    size, c_in = params["H"], params["C_in"]
    a, b = method_a(params), method_b(params)
    rows_a = trace_rows(a, [c_in, size, size])
    rows_b = trace_rows(b, [c_in, size, size])
    a_side, b_side = rows_a[-1]["shape"][-1], rows_b[-1]["shape"][-1]
    a_rf, b_rf = rows_a[-1]["rf"], rows_b[-1]["rf"]
    target = size // 2 ** params["a_layers"]  # what the wording wants from both methods
    blocks_needed = smallest(lambda n: side(method_b(params, n), size) <= target, start=1)
    answers = {
        "a_side": Answer(a_side, misconceptions=[padding_dropped(side(a, size, False))]),
        "b_side": Answer(b_side, misconceptions=[follows_wording(target), padding_dropped(side(b, size, False))]),
        "a_rf": Answer(a_rf, misconceptions=[rf_without_jump([la.kernel for la in a])]),
        "b_rf": Answer(b_rf, misconceptions=[rf_without_jump([la.kernel for la in b])]),
        "b_needed": Answer(blocks_needed, misconceptions=[follows_wording(params["b_blocks"])]),
    }  # fmt: skip
    return Solution(
        answers=answers,
        values={
            "rows_a": rows_a,
            "rows_b": rows_b,
            "pad": (params["K"] - 1) // 2,
            "target": target,
            "factor": 2 ** params["a_layers"],
            "a_out": a_side,
            "b_out": b_side,
            "a_rf": a_rf,
            "b_rf": b_rf,
            "b_needed": blocks_needed,
            "larger": "A" if a_rf > b_rf else "B",
        },
    )
