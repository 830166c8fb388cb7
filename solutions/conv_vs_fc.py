"""A6: a convolution layer against a fully connected and a locally connected (unshared) layer on one input.

Conv: F·D·K·K weights, W_out·H_out·F·D·K·K connections (multiplications); FC with F neurons: W·H·D·F weights;
locally connected: its own kernel and bias at every output position. All from analysis.arithmetic.
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import (
    conv_macs,
    conv_output_size,
    conv_weights,
    linear_weights,
    locally_connected_weights,
)
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import bias_forgotten, input_channels_forgotten, padding_dropped

# the bound on draws until the kernel fits and the output is at least 2 wide; the most a seed took: 1 (seeds 1..200), 2 (seeds 1..20000)
TRIES = 100


def positions_forgotten(weights: int) -> Misconception:
    """Connections of a conv layer given as its weight count (the sliding over output positions left out)."""
    return Misconception(
        weights,
        Bilingual(
            fa="این تعداد وزن‌های لایه است؛ هر وزن در همه‌ی مکان‌های خروجی دوباره به کار می‌رود، پس اتصال‌ها = وزن‌ها × تعداد مکان‌های خروجی.",
            en="That is the weight count; each weight is reused at every output position, so connections = weights × output positions.",
        ),
    )


def bias_shared_in_local(params_untied: int, positions: int, filters: int) -> Misconception | None:
    """Locally connected layer counted with one bias per filter instead of one per output unit."""
    if positions == 1:
        return None
    return Misconception(
        params_untied - filters * (positions - 1),
        Bilingual(
            fa="در لایه‌ی محلی (بدون اشتراک وزن) هر نورون خروجی بایاس خودش را دارد، نه فقط هر فیلتر.",
            en="In a locally connected (unshared) layer every output unit has its own bias, not one per filter.",
        ),
    )


@generator("conv_vs_fc")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    def attempt() -> dict[str, Any] | None:
        width = draw(rng, ranges["W"], "W")
        height = width if rng.random() < 0.7 else draw(rng, ranges["W"], "W")
        kernel = draw(rng, ranges["K"], "K")
        stride = draw(rng, ranges["S"], "S")
        padding = rng.choice([0, (kernel - 1) // 2])
        if min(width, height) + 2 * padding < kernel:
            return None
        out = [conv_output_size(s, kernel, stride, padding) for s in (width, height)]
        if min(out) < 2:
            return None
        return {
            "W": width,
            "H": height,
            "D": draw(rng, ranges["D"], "D"),
            "F": draw(rng, ranges["F"], "F"),
            "K": kernel,
            "S": stride,
            "P": padding,
        }

    return sample_until(attempt, tries=TRIES, what="conv_vs_fc")


@solver("conv_vs_fc")
def solve(params: dict[str, Any]) -> Solution:
    w, h, d, f, k, s, p = (params[n] for n in ("W", "H", "D", "F", "K", "S", "P"))
    w_out, h_out = (conv_output_size(size, k, s, p) for size in (w, h))
    positions = w_out * h_out
    weights = conv_weights(d, f, (k, k))
    connections = conv_macs(d, f, (k, k), (h_out, w_out))
    fc = linear_weights(w * h * d, f)
    local_weights = locally_connected_weights(d, f, (k, k), (h_out, w_out))
    local_biases = positions * f  # one bias per output unit
    local = local_weights + local_biases
    unpadded = [conv_output_size(size, k, s, 0) for size in (w, h)] if min(w, h) >= k else None
    answers = {
        "conv_weights": Answer(weights, misconceptions=[input_channels_forgotten(conv_weights(1, f, (k, k)))]),
        "conv_connections": Answer(
            connections,
            misconceptions=[
                positions_forgotten(weights),
                padding_dropped(conv_macs(d, f, (k, k), unpadded)) if unpadded and p else None,
            ],
        ),
        "fc_weights": Answer(fc, misconceptions=[input_channels_forgotten(linear_weights(w * h, f))]),
        "local_params": Answer(
            local,
            misconceptions=[bias_shared_in_local(local, positions, f), bias_forgotten(local, local_biases)],
        ),
    }  # fmt: skip
    return Solution(
        answers=answers,
        values={
            "W_out": w_out,
            "H_out": h_out,
            "positions": positions,
            "weights": weights,
            "connections": connections,
            "fc": fc,
            "local_weights": local_weights,
            "local_biases": local_biases,
            "local": local,
            "fc_over_conv": round(fc / weights, 1),
        },
    )
