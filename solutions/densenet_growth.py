"""A11: DenseNet growth: C_in + L*k channels after a dense block, a DenseNet-B layer's weights, the transition."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from analysis.arithmetic import conv_weights, dense_block_channels, transition_channels
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import initial_channels_forgotten, off_by_one_layer, only_present

BOTTLENECK_FACTOR = 4  # DenseNet-B: the 1x1 conv of every layer outputs 4k channels


@generator("densenet_growth")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    return {
        "k0": rng.choice(ranges["k0"]),
        "L": rng.choice(ranges["L"]),
        "k": rng.choice(ranges["k"]),
        "theta": rng.choice(ranges["theta"]),
    }


@solver("densenet_growth")
def solve(params: dict[str, Any]) -> Solution:
    k0, layers, k, theta = params["k0"], params["L"], params["k"], params["theta"]
    channels = dense_block_channels(k0, layers, k)
    last_in = dense_block_channels(k0, layers - 1, k)
    width = BOTTLENECK_FACTOR * k
    w1 = conv_weights(last_in, width, (1, 1))
    w3 = conv_weights(width, k, (3, 3))
    out = transition_channels(channels, Fraction(str(theta)))
    return Solution(
        answers={
            "channels": Answer(
                channels,
                misconceptions=only_present(
                    initial_channels_forgotten(layers * k),
                    off_by_one_layer(last_in),
                    off_by_one_layer(dense_block_channels(k0, layers + 1, k)),
                    right=channels,
                ),
            ),
            "last_input": Answer(
                last_in,
                misconceptions=only_present(
                    off_by_one_layer(channels), initial_channels_forgotten((layers - 1) * k), right=last_in
                ),
            ),
            "last_weights": Answer(
                w1 + w3,
                misconceptions=only_present(
                    off_by_one_layer(conv_weights(channels, width, (1, 1)) + w3),
                    right=w1 + w3,
                ),
            ),
            "transition": Answer(
                out,
                misconceptions=only_present(
                    initial_channels_forgotten(transition_channels(layers * k, Fraction(str(theta)))),
                    right=out,
                ),
            ),
        },
        values={
            "channels": channels,
            "last_in": last_in,
            "width": width,
            "w1": w1,
            "w3": w3,
            "out": out,
            "theta_channels": f"{theta * channels:g}",
        },
    )
