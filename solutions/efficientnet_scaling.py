"""A13: EfficientNet compound scaling (depth alpha^phi, width beta^phi, resolution gamma^phi, FLOPs factor) and the
final feature map of EfficientNet-B0, read from a trace of the zoo's B0 on the meta device.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache
from typing import Any

from analysis.arithmetic import compound_flops_factor, compound_multipliers
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import (
    channel_order,
    head_conv_taken,
    linear_scaling,
    only_present,
    squares_forgotten,
)

BASE_RESOLUTION = 224
PAPER = (1.2, 1.1, 1.15)  # the coefficients of Tan & Le's grid search at phi = 1
LAST_STAGE = "features.7"  # the last MBConv stage of the zoo's B0 (torchvision layout)
HEAD = "features.8"  # the 1x1 head conv to 1280 channels
RTOL = 0.002  # the YAML's tolerance for the real parts: a wrong value inside it is no misconception


@lru_cache(maxsize=32)
def b0_stage_shapes(side: int) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """(module, output shape) of B0's stem and stages at input 3×side×side, by tracing the zoo's model."""
    import torch

    from analysis.trace import trace_module
    from analysis.zoo import build

    with torch.device("meta"):
        model = build("efficientnet_b0")
    result = trace_module(model, (3, side, side), depth=2)
    return tuple(
        (row.module, tuple(row.output_shape))
        for row in result.layers
        if row.module.startswith("features.") and row.output_shape
    )


@generator("efficientnet_scaling")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """The paper's coefficients half of the time; otherwise another grid-search result with alpha*beta^2*gamma^2 ≈ 2."""
    if rng.random() < 0.5:
        alpha, beta, gamma = PAPER
    else:
        while True:
            alpha, beta = rng.choice(ranges["alpha"]), rng.choice(ranges["beta"])
            gamma = round(math.sqrt(2 / (alpha * beta**2)), 2)
            if gamma >= 1.05:
                break
    return {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "phi": rng.choice(ranges["phi"]),
        "R0": rng.choice(ranges["R0"]),
    }


@solver("efficientnet_scaling")
def solve(params: dict[str, Any]) -> Solution:
    alpha, beta, gamma, phi, r0 = (params[name] for name in ("alpha", "beta", "gamma", "phi", "R0"))
    depth, width, res_mult = compound_multipliers(alpha, beta, gamma, phi)
    factor = compound_flops_factor(alpha, beta, gamma, phi)
    resolution = round(BASE_RESOLUTION * res_mult)
    stages = dict(b0_stage_shapes(r0))
    final = list(stages[LAST_STAGE])
    head = list(stages[HEAD])

    def real(value: float, wrong: list) -> Answer:
        return Answer(value, text=f"{value:.3f}", misconceptions=only_present(*wrong, right=value, rtol=RTOL))

    return Solution(
        answers={
            "depth": real(depth, [linear_scaling(round(alpha * phi, 6))]),
            "width": real(width, [linear_scaling(round(beta * phi, 6))]),
            "resolution": Answer(
                resolution,
                misconceptions=only_present(
                    linear_scaling(round(BASE_RESOLUTION * gamma * phi)), right=resolution
                ),
            ),
            "flops": real(factor, [squares_forgotten(round((alpha * beta * gamma) ** phi, 6))]),
            "b0_map": Answer(
                final, misconceptions=only_present(channel_order(final), head_conv_taken(head), right=final)
            ),
        },
        values={
            "depth_text": f"{depth:.3f}",
            "width_text": f"{width:.3f}",
            "res_text": f"{res_mult:.3f}",
            "res_exact": f"{BASE_RESOLUTION * res_mult:.1f}",
            "base": BASE_RESOLUTION,
            "resolution": resolution,
            "product_text": f"{alpha * beta**2 * gamma**2:.3f}",
            "flops_text": f"{factor:.3f}",
            "power_text": f"{2**phi:g}",
            "stages": [
                {"module": name, "shape": list(shape)}
                for name, shape in stages.items()
                if name not in (HEAD,)
            ],
            "final": final,
        },
    )
