"""A10: MobileNetV2's inverted-residual block (1×1 expand → K×K depthwise → 1×1 linear projection).

Weights and MACs from the shared `conv_weights` / `conv_macs` (groups for the depthwise part), BatchNorm's
trainable count from `batchnorm_params`. No convolution has a bias (each is followed by BatchNorm).
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import (
    batchnorm_buffers,
    batchnorm_params,
    conv_macs,
    conv_weights,
)
from bank.ranges import draw, sample_until
from bank.registry import Answer, Solution, generator, solver
from solutions.common.depthwise import same_output
from solutions.common.misconceptions import (
    batchnorm_forgotten,
    channel_order,
    depthwise_as_full_conv,
    flops_instead_of_macs,
    running_stats_counted,
)

TRIES = 100  # about 4 draws in 5 are kept: at most 7 turns over seeds 0..20000


@generator("inverted_residual")
def generate_inverted(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """A block MobileNetV2 (or MnasNet) could contain: same width with stride 1, or a wider/strided one."""

    def attempt() -> dict[str, Any] | None:
        h = draw(rng, ranges["H"], "H")
        c_in = draw(rng, ranges["C_in"], "C_in")
        stride = draw(rng, ranges["S"], "S")
        c_out = c_in if rng.random() < 0.5 else draw(rng, ranges["C_out"], "C_out")
        params = {"H": h, "C_in": c_in, "C_out": c_out, "t": draw(rng, ranges["t"], "t"), "K": 3, "S": stride}
        return params if c_out >= c_in and not (stride == 2 and h < 14) else None

    return sample_until(attempt, tries=TRIES, what="inverted_residual")


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
            "out_shape": Answer(shape, misconceptions=[channel_order(shape)]),
            "params": Answer(
                params_total,
                misconceptions=[
                    batchnorm_forgotten(weights),
                    running_stats_counted(params_total + buffers),
                    depthwise_as_full_conv(params_total - rows[1]["weights"] + full_dw),
                ],
            ),
            "macs": Answer(
                macs,
                misconceptions=[
                    flops_instead_of_macs(macs),
                    depthwise_as_full_conv(
                        macs - rows[1]["macs"] + conv_macs(hidden, hidden, (k, k), (out, out))
                    ),
                ],
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
