"""A10: standard versus depthwise-separable convolution (Xception, MobileNet).

Weights and MACs from the shared `conv_weights` / `conv_macs` (groups for the depthwise part), the cost ratio from
`separable_cost_ratio`. No layer has a bias (each convolution is followed by BatchNorm, as in the papers).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from analysis.arithmetic import (
    conv_macs,
    conv_weights,
    depthwise_separable_weights,
    separable_cost_ratio,
)
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.depthwise import same_output
from solutions.common.misconceptions import bias_added, depthwise_as_full_conv, flops_instead_of_macs

TRIES = 100  # about 4 draws in 9 are kept: at most 21 turns over seeds 0..20000


def ratio_inverted(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="نسبت را وارونه نوشته‌اید: سؤال هزینه‌ی جداپذیر تقسیم بر استاندارد را خواسته (عددی کمتر از ۱).",
            en="You inverted the ratio: the question asks for separable over standard cost (a number below 1).",
        ),
    )


def pointwise_forgotten(value: int) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="فقط بخش depthwise را شمرده‌اید؛ کانولوشن pointwise (1×1) که کانال‌ها را ترکیب می‌کند هم جزو لایه است.",
            en="You counted only the depthwise part; the pointwise (1×1) convolution that mixes channels belongs to the layer too.",
        ),
    )


@generator("depthwise_separable")
def generate_separable(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    def attempt() -> dict[str, Any] | None:
        params = {name: draw(rng, ranges[name], name) for name in ("H", "C_in", "C_out", "K", "S")}
        widening = params["C_in"] <= params["C_out"] <= 4 * params["C_in"]
        return params if widening and not (params["S"] == 2 and params["H"] < 14) else None

    return sample_until(attempt, tries=TRIES, what="depthwise_separable")


@solver("depthwise_separable")
def solve_separable(params: dict[str, Any]) -> Solution:
    h, c_in, c_out, k, s = (params[name] for name in ("H", "C_in", "C_out", "K", "S"))
    kernel = (k, k)
    out = same_output(h, k, s)
    spatial = (out, out)
    std_params = conv_weights(c_in, c_out, kernel)
    dw_params, pw_params = depthwise_separable_weights(c_in, c_out, kernel)
    sep_params = dw_params + pw_params
    std_macs = conv_macs(c_in, c_out, kernel, spatial)
    dw_macs = conv_macs(c_in, c_in, kernel, spatial, groups=c_in)
    pw_macs = conv_macs(c_in, c_out, (1, 1), spatial)
    sep_macs = dw_macs + pw_macs
    ratio = separable_cost_ratio(c_out, kernel)
    if ratio != Fraction(sep_params, std_params) or ratio != Fraction(sep_macs, std_macs):
        raise ArithmeticError("1/C_out + 1/K^2 must equal the quotient of the counts")
    full_dw = conv_weights(c_in, c_in, kernel)
    return Solution(
        answers={
            "std_params": Answer(std_params, misconceptions=[bias_added(std_params, c_out)]),
            "sep_params": Answer(
                sep_params,
                misconceptions=[
                    pointwise_forgotten(dw_params),
                    depthwise_as_full_conv(full_dw + pw_params),
                    bias_added(sep_params, c_in + c_out),
                ],
            ),
            "std_macs": Answer(std_macs, misconceptions=[flops_instead_of_macs(std_macs)]),
            "sep_macs": Answer(
                sep_macs,
                misconceptions=[flops_instead_of_macs(sep_macs), pointwise_forgotten(dw_macs)],
            ),
            "ratio": Answer(
                float(ratio), text=f"{float(ratio):.4f}", misconceptions=[ratio_inverted(float(1 / ratio))]
            ),
        },
        values={
            "out": out,
            "P": k // 2,
            "std_params": std_params,
            "dw_params": dw_params,
            "pw_params": pw_params,
            "sep_params": sep_params,
            "std_macs": std_macs,
            "dw_macs": dw_macs,
            "pw_macs": pw_macs,
            "sep_macs": sep_macs,
            "ratio_text": f"{float(ratio):.4f}",
            "inverse_text": f"{float(1 / ratio):.1f}",
        },
    )
