"""A7: n stacked K×K stride-1 convolutions vs one convolution with the same receptive field.

RF by the shared recursion (n·(K−1)+1), parameters by conv_weights; the equivalent single kernel is the RF side.
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_weights, receptive_fields
from bank.ranges import draw
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import bias_forgotten, input_channels_forgotten, rf_kernels_summed


@generator("stacked_kernels")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    return {
        "n": draw(rng, ranges["n"], "n"),
        "K": draw(rng, ranges["K"], "K"),
        "C": draw(rng, ranges["C"], "C"),
        "bias": rng.random() < 0.5,
    }


@solver("stacked_kernels")
def solve(params: dict[str, Any]) -> Solution:
    n, k, c, bias = params["n"], params["K"], params["C"], params["bias"]
    steps = receptive_fields([(k, 1, 1)] * n)
    rf = steps[-1][0]
    biases = c if bias else 0
    layer = conv_weights(c, c, (k, k)) + biases
    stack = n * layer
    single = conv_weights(c, c, (rf, rf)) + biases

    def counted(weights_without_c_in: int) -> int:  # the same count with the input channels left out
        return weights_without_c_in + biases

    stack_wrong = [input_channels_forgotten(n * counted(conv_weights(1, c, (k, k))))]
    single_wrong = [input_channels_forgotten(counted(conv_weights(1, c, (rf, rf))))]
    if bias:
        stack_wrong.append(bias_forgotten(stack, n * biases))
        single_wrong.append(bias_forgotten(single, biases))
    return Solution(
        answers={
            "rf": Answer(
                rf, misconceptions=[rf_kernels_summed([k] * n), rf_kernels_summed([k] * n, plus_one=True)]
            ),
            "stack_params": Answer(stack, misconceptions=stack_wrong),
            "single_params": Answer(single, misconceptions=single_wrong),
        },
        values={
            "rfs": [r for r, _ in steps],
            "layer": layer,
            "weights_per_layer": conv_weights(c, c, (k, k)),
            "stack": stack,
            "single_weights": conv_weights(c, c, (rf, rf)),
            "single": single,
            "rf": rf,
            "saving": round(100 * (1 - stack / single), 1),
        },
    )
