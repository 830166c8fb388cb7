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
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import (
    bias_forgotten,
    bias_shared_in_local,
    input_channels_forgotten,
    only_present,
    padding_dropped,
    positions_forgotten,
)


@generator("conv_vs_fc")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    while True:
        width = rng.randint(*ranges["W"])
        height = width if rng.random() < 0.7 else rng.randint(*ranges["W"])
        kernel = rng.choice(ranges["K"])
        stride = rng.choice(ranges["S"])
        padding = rng.choice([0, (kernel - 1) // 2])
        if min(width, height) + 2 * padding < kernel:
            continue
        out = [conv_output_size(s, kernel, stride, padding) for s in (width, height)]
        if min(out) < 2:
            continue
        return {
            "W": width,
            "H": height,
            "D": rng.choice(ranges["D"]),
            "F": rng.choice(ranges["F"]),
            "K": kernel,
            "S": stride,
            "P": padding,
        }


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
        "conv_weights": Answer(
            weights, misconceptions=only_present(input_channels_forgotten(conv_weights(1, f, (k, k))), right=weights)
        ),
        "conv_connections": Answer(
            connections,
            misconceptions=only_present(
                positions_forgotten(weights),
                padding_dropped(conv_macs(d, f, (k, k), unpadded)) if unpadded and p else None,
                right=connections,
            ),
        ),
        "fc_weights": Answer(fc, misconceptions=only_present(input_channels_forgotten(linear_weights(w * h, f)), right=fc)),
        "local_params": Answer(
            local,
            misconceptions=only_present(
                bias_shared_in_local(local, positions, f), bias_forgotten(local, local_biases), right=local
            ),
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
