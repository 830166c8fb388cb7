"""A4: receptive field of a small conv+pool network, and the gradable design part of "make the RF reach T".

The network is [Conv K×K ('same' padding) -> MaxPool 2×2/2] × n blocks. Its shapes, RF and jump come from the
meta-device tracer; each design answer (smallest common odd kernel, smallest common dilation, fewest 3×3 layers
appended after the last pooling) is the first value whose network reaches the target under the shared RF
recursion, and the worked solution shows the value and the one below it.
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_output_size
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.conv_chain import Layer, conv, final_rf, maxpool, rf_no_jump, smallest, trace_rows
from solutions.common.misconceptions import channel_order, padding_dropped, rf_without_jump

EXTRA_KERNEL = 3  # the design's extra layers are 3×3, stride 1
# the bound on draws until the image halves cleanly and the design answers stay small; the most a seed took: 1 (seeds 1..200), 3 (seeds 1..20000)
TRIES = 100


def design_without_jump(value: int) -> Misconception:
    """A design answer (kernel, dilation, layer count) worked out with the RF summed without the jump."""
    return Misconception(
        value,
        Bilingual(
            fa="این جواب با جمع زدن میدان تأثیر بدون گام مؤثر (jump) به دست می‌آید؛ بعد از هر pooling سهم هر لایه j برابر می‌شود.",
            en="This answer comes from summing the RF without the jump; after each pooling a layer's share is multiplied by j.",
        ),
    )


def network(
    params: dict[str, Any], kernel: int | None = None, dilation: int = 1, extra: int = 0
) -> list[Layer]:
    """The item's chain, optionally with one kernel size or dilation for every conv, or extra 3×3 convs at the end."""
    layers: list[Layer] = []
    for k, c in zip(params["kernels"], params["channels"], strict=True):
        layers += [conv(kernel or k, c, dilation=dilation), maxpool()]
    last = params["channels"][-1]
    layers += [conv(EXTRA_KERNEL, last) for _ in range(extra)]
    return layers


def design(params: dict[str, Any], rf_of: Any) -> dict[str, int]:
    """Smallest odd kernel, smallest dilation, fewest extra layers with rf_of(network) >= target."""
    target = params["target"]
    return {
        "kernel": smallest(lambda k: rf_of(network(params, kernel=k)) >= target, start=3, step=2),
        "dilation": smallest(lambda d: rf_of(network(params, dilation=d)) >= target, start=1),
        "extra": smallest(lambda n: rf_of(network(params, extra=n)) >= target, start=0),
    }


def rf_side(layers: list[Layer]) -> int:
    return final_rf(layers)[0]


@generator("rf_design")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    def attempt() -> dict[str, Any] | None:
        blocks = draw(rng, ranges["blocks"], "blocks")
        size = draw(rng, ranges["H"], "H")
        if size % 2**blocks or size // 2**blocks < 4:
            return None
        first = draw(rng, ranges["first_channels"], "first_channels")
        params = {
            "H": size,
            "C_in": draw(rng, ranges["C_in"], "C_in"),
            "kernels": [draw(rng, ranges["K"], "K") for _ in range(blocks)],
            "channels": [first * 2**i for i in range(blocks)],
        }
        rf = rf_side(network(params))
        if rf + 4 > min(size, 3 * rf):  # no room for a target above the RF and within the image
            return None
        params["target"] = rng.randint(rf + 4, min(size, 3 * rf))
        answers = design(params, rf_side)
        if answers["kernel"] <= 15 and answers["dilation"] <= 8 and answers["extra"] <= 8:
            return params
        return None

    return sample_until(attempt, tries=TRIES, what="rf_design")


@solver("rf_design")
def solve(params: dict[str, Any]) -> Solution:
    base = network(params)
    rows = trace_rows(base, [params["C_in"], params["H"], params["H"]])
    shape, rf, jump = rows[-1]["shape"], rows[-1]["rf"], rows[-1]["jump"]
    right = design(params, rf_side)
    naive = design(params, rf_no_jump)

    size = params["H"]  # the same network without padding: what a student gets by dropping the 'same' padding
    for la in base:
        size = conv_output_size(size, la.kernel, la.stride, 0, la.dilation)
    jumps_in = [1] + [row["jump"] for row in rows[:-1]]  # the jump each layer's input already has
    conv_jumps = [j for j, la in zip(jumps_in, base, strict=True) if la.op == "conv"]
    checks = {
        "kernel": (rf_side(network(params, kernel=right["kernel"])), rf_side(network(params, kernel=right["kernel"] - 2))),
        "dilation": (rf_side(network(params, dilation=right["dilation"])), rf_side(network(params, dilation=right["dilation"] - 1))),
        "extra": (rf_side(network(params, extra=right["extra"])), rf_side(network(params, extra=right["extra"] - 1))),
    }  # fmt: skip

    answers = {
        "out_shape": Answer(shape, misconceptions=[channel_order(shape), padding_dropped([shape[0], size, size])]),
        "rf": Answer(rf, misconceptions=[rf_without_jump([la.kernel for la in base])]),
        "jump": Answer(jump),
        **{
            key: Answer(right[key], misconceptions=[design_without_jump(naive[key])])
            for key in ("kernel", "dilation", "extra")
        },
    }  # fmt: skip
    return Solution(
        answers=answers,
        values={
            "layer_rows": rows,
            "blocks": len(params["kernels"]),
            "out": shape,
            "rf": rf,
            "jump": jump,
            "conv_jumps": conv_jumps,
            "conv_jump_sum": sum(conv_jumps),
            "extra_gain": (EXTRA_KERNEL - 1) * jump,
            "design": right,
            "checks": {k: {"at": v[0], "below": v[1]} for k, v in checks.items()},
        },
    )
