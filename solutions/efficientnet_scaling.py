"""A13: EfficientNet compound scaling (depth alpha^phi, width beta^phi, resolution gamma^phi, FLOPs factor) and the
final feature map of EfficientNet-B0, read from a trace of the zoo's B0 on the meta device.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache
from typing import Any

from analysis.arithmetic import compound_flops_factor, compound_multipliers
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import channel_order

BASE_RESOLUTION = 224
PAPER = (1.2, 1.1, 1.15)  # the coefficients of Tan & Le's grid search at phi = 1
LAST_STAGE = "features.7"  # the last MBConv stage of the zoo's B0 (torchvision layout)
HEAD = "features.8"  # the 1x1 head conv to 1280 channels
TRIES = 100  # (alpha, beta) pairs: 14 in 15 are kept, at most 5 turns over seeds 0..20000


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


def linear_scaling(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="ضریب را در φ ضرب کرده‌اید؛ در مقیاس‌دهی ترکیبی ضریب به توان φ می‌رسد.",
            en="You multiplied by φ; compound scaling raises the coefficient to the power φ.",
        ),
    )


def squares_forgotten(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="توان دوم β و γ را فراموش کرده‌اید: هزینه با مربع عرض و مربع رزولوشن رشد می‌کند.",
            en="You forgot the squares on β and γ: cost grows with the square of width and of resolution.",
        ),
    )


def head_conv_taken(value: object) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="این خروجی کانولوشن 1×1 پایانی (head، ۱۲۸۰ کانال) است؛ سؤال خروجی آخرین مرحله‌ی MBConv را خواسته.",
            en="That is the output of the final 1×1 head convolution (1280 channels); the question asks for the last MBConv stage.",
        ),
    )


@generator("efficientnet_scaling")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """The paper's coefficients half of the time; otherwise another grid-search result with alpha*beta^2*gamma^2 ≈ 2."""

    def attempt() -> tuple[float, float, float] | None:
        alpha, beta = draw(rng, ranges["alpha"], "alpha"), draw(rng, ranges["beta"], "beta")
        gamma = round(math.sqrt(2 / (alpha * beta**2)), 2)
        return (alpha, beta, gamma) if gamma >= 1.05 else None

    if rng.random() < 0.5:
        alpha, beta, gamma = PAPER
    else:
        alpha, beta, gamma = sample_until(attempt, tries=TRIES, what="efficientnet_scaling")
    return {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "phi": draw(rng, ranges["phi"], "phi"),
        "R0": draw(rng, ranges["R0"], "R0"),
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

    def real(value: float, wrong: Misconception) -> Answer:
        # three decimals, as the parts' prompts ask; the tolerance that grades them is the YAML's
        return Answer(value, text=f"{value:.3f}", misconceptions=[wrong])

    return Solution(
        answers={
            "depth": real(depth, linear_scaling(round(alpha * phi, 6))),
            "width": real(width, linear_scaling(round(beta * phi, 6))),
            "resolution": Answer(
                resolution, misconceptions=[linear_scaling(round(BASE_RESOLUTION * gamma * phi))]
            ),
            "flops": real(factor, squares_forgotten(round((alpha * beta * gamma) ** phi, 6))),
            "b0_map": Answer(final, misconceptions=[channel_order(final), head_conv_taken(head)]),
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
