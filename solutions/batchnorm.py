"""A14: BatchNorm: its trainable parameters (γ, β) versus its running statistics (buffers), a conv + BN block, and
why a bias before BN is redundant.

Counts from `conv_weights`, `batchnorm_params`, `batchnorm_buffers`.
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import (
    batchnorm_buffers,
    batchnorm_params,
    conv_weights,
)
from bank.ranges import draw
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import batchnorm_forgotten, bias_added, running_stats_counted


@generator("batchnorm")
def generate_params(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    return {name: draw(rng, ranges[name], name) for name in ("C_in", "C_out", "K")}


@solver("batchnorm")
def solve_params(params: dict[str, Any]) -> Solution:
    c_in, c_out, k = params["C_in"], params["C_out"], params["K"]
    bn = batchnorm_params(c_out)
    buffers = batchnorm_buffers(c_out)
    weights = conv_weights(c_in, c_out, (k, k))
    block = weights + bn
    return Solution(
        answers={
            "bn_params": Answer(bn, misconceptions=[running_stats_counted(bn + buffers)]),
            "bn_buffers": Answer(buffers),
            "block_params": Answer(
                block,
                misconceptions=[
                    bias_added(block, c_out),
                    running_stats_counted(block + buffers),
                    batchnorm_forgotten(weights),
                ],
            ),
            "bias_redundant": Answer(
                "a"
            ),  # the option the YAML marks correct; the solver adds no computation
        },
        values={"bn": bn, "buffers": buffers, "weights": weights, "block": block},
    )
