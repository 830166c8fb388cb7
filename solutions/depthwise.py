"""A10: depthwise-separable convolution (Xception, MobileNet) and MobileNetV2's inverted-residual block.

Weights and MACs from the shared `conv_weights` / `conv_macs` (groups for the depthwise part), the cost ratio from
`separable_cost_ratio`, BatchNorm's trainable count from `batchnorm_params`. No layer here has a bias (each
convolution is followed by BatchNorm, as in the papers).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from analysis.arithmetic import (
    batchnorm_buffers,
    batchnorm_params,
    conv_macs,
    conv_output_size,
    conv_weights,
    depthwise_separable_weights,
    separable_cost_ratio,
)
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import (
    batchnorm_forgotten,
    bias_added,
    channel_order,
    depthwise_as_full_conv,
    flops_instead_of_macs,
    only_present,
    pointwise_forgotten,
    ratio_inverted,
    running_stats_counted,
)


def same_output(size: int, kernel: int, stride: int) -> int:
    """Output side of a conv padded by K // 2 (the papers' "same" padding)."""
    return conv_output_size(size, kernel, stride, kernel // 2)


# --- standard vs depthwise-separable convolution ----------------------------------------------------------------


@generator("depthwise_separable")
def generate_separable(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    while True:
        params = {
            "H": rng.choice(ranges["H"]),
            "C_in": rng.choice(ranges["C_in"]),
            "C_out": rng.choice(ranges["C_out"]),
            "K": rng.choice(ranges["K"]),
            "S": rng.choice(ranges["S"]),
        }
        widening = params["C_in"] <= params["C_out"] <= 4 * params["C_in"]
        if widening and not (params["S"] == 2 and params["H"] < 14):
            return params


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
                misconceptions=only_present(
                    pointwise_forgotten(dw_params),
                    depthwise_as_full_conv(full_dw + pw_params),
                    bias_added(sep_params, c_in + c_out),
                    right=sep_params,
                ),
            ),
            "std_macs": Answer(std_macs, misconceptions=[flops_instead_of_macs(std_macs)]),
            "sep_macs": Answer(
                sep_macs,
                misconceptions=only_present(
                    flops_instead_of_macs(sep_macs), pointwise_forgotten(dw_macs), right=sep_macs
                ),
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


# --- MobileNetV2 inverted residual: 1×1 expand → K×K depthwise → 1×1 linear projection --------------------------


@generator("inverted_residual")
def generate_inverted(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """A block MobileNetV2 (or MnasNet) could contain: same width with stride 1, or a wider/strided one."""
    while True:
        h = rng.choice(ranges["H"])
        c_in = rng.choice(ranges["C_in"])
        stride = rng.choice(ranges["S"])
        c_out = c_in if rng.random() < 0.5 else rng.choice(ranges["C_out"])
        params = {"H": h, "C_in": c_in, "C_out": c_out, "t": rng.choice(ranges["t"]), "K": 3, "S": stride}
        if c_out >= c_in and not (stride == 2 and h < 14):
            return params


@solver("inverted_residual")
def solve_inverted(params: dict[str, Any]) -> Solution:
    h, c_in, c_out, t, k, s = (params[name] for name in ("H", "C_in", "C_out", "t", "K", "S"))
    hidden = t * c_in
    out = same_output(h, k, s)
    layers = [
        # (name, c_in, c_out, kernel, groups, output side)
        ("expand", c_in, hidden, 1, 1, h),
        ("depthwise", hidden, hidden, k, hidden, out),
        ("project", hidden, c_out, 1, 1, out),
    ]
    rows = [
        {
            "name": name,
            "c_in": ci,
            "c_out": co,
            "k": kk,
            "side": side,
            "weights": conv_weights(ci, co, (kk, kk), groups=g),
            "macs": conv_macs(ci, co, (kk, kk), (side, side), groups=g),
            "bn": batchnorm_params(co),
        }
        for name, ci, co, kk, g, side in layers
    ]
    weights = sum(r["weights"] for r in rows)
    bn = sum(r["bn"] for r in rows)
    buffers = sum(batchnorm_buffers(r["c_out"]) for r in rows)
    params_total = weights + bn
    macs = sum(r["macs"] for r in rows)
    full_dw = conv_weights(hidden, hidden, (k, k))
    shape = [c_out, out, out]
    residual = s == 1 and c_in == c_out
    return Solution(
        answers={
            "out_shape": Answer(shape, misconceptions=only_present(channel_order(shape), right=shape)),
            "params": Answer(
                params_total,
                misconceptions=only_present(
                    batchnorm_forgotten(weights),
                    running_stats_counted(params_total + buffers),
                    depthwise_as_full_conv(params_total - rows[1]["weights"] + full_dw),
                    right=params_total,
                ),
            ),
            "macs": Answer(
                macs,
                misconceptions=only_present(
                    flops_instead_of_macs(macs),
                    depthwise_as_full_conv(
                        macs - rows[1]["macs"] + conv_macs(hidden, hidden, (k, k), (out, out))
                    ),
                    right=macs,
                ),
            ),
            "residual": Answer("yes" if residual else "no"),
        },
        values={
            "hidden": hidden,
            "out": out,
            "rows": rows,
            "weights": weights,
            "bn": bn,
            "buffers": buffers,
            "params_total": params_total,
            "macs_total": macs,
            "residual": residual,
        },
    )
