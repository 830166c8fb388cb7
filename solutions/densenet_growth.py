"""A11: DenseNet growth: C_in + L*k channels after a dense block, a DenseNet-B layer's weights, the transition."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from analysis.arithmetic import conv_weights, dense_block_channels, transition_channels
from bank.item import Bilingual
from bank.ranges import draw
from bank.registry import Answer, Misconception, Solution, generator, solver

BOTTLENECK_FACTOR = 4  # DenseNet-B: the 1x1 conv of every layer outputs 4k channels


def initial_channels_forgotten(value: int) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="کانال‌های ورودی بلوک (k₀) را فراموش کرده‌اید: هر لایه به همه‌ی نقشه‌های قبلی، از جمله ورودی، الحاق می‌شود.",
            en="You forgot the block's input channels (k₀): each layer is concatenated to everything before it, the input included.",
        ),
    )


def off_by_one_layer(value: int) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="یک لایه کم یا زیاد شمرده‌اید: لایه‌ی l ام ورودی‌ای با k₀ + (l−1)·k کانال می‌گیرد.",
            en="You are one layer off: layer l receives k₀ + (l−1)·k channels.",
        ),
    )


@generator("densenet_growth")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    return {name: draw(rng, ranges[name], name) for name in ("k0", "L", "k", "theta")}


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
                misconceptions=[
                    initial_channels_forgotten(layers * k),
                    off_by_one_layer(last_in),
                    off_by_one_layer(dense_block_channels(k0, layers + 1, k)),
                ],
            ),
            "last_input": Answer(
                last_in,
                misconceptions=[off_by_one_layer(channels), initial_channels_forgotten((layers - 1) * k)],
            ),
            "last_weights": Answer(
                w1 + w3,
                misconceptions=[off_by_one_layer(conv_weights(channels, width, (1, 1)) + w3)],
            ),
            "transition": Answer(
                out,
                misconceptions=[
                    initial_channels_forgotten(transition_channels(layers * k, Fraction(str(theta))))
                ],
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
