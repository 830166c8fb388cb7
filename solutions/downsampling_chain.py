"""A5 (sheet 003): a chain of stride-2 3×3 convolutions that halves the map and doubles the channels
(256→128→64→32→16→8), the number of layers it takes, the final shape, and the parameters and MACs of one layer
(3×3 conv 64→128 with bias: 73,856 parameters). Traced on the meta device.
"""

from __future__ import annotations

import random
from typing import Any

from bank.ranges import draw, sample_until
from bank.registry import Answer, Solution, generator, solver
from solutions.common.conv_chain import Layer, conv, smallest, trace_rows
from solutions.common.misconceptions import bias_forgotten, channel_order_hwc, flops_instead_of_macs

# the bound on draws until the image halves cleanly and the channels stay at most 1024; the most a seed took: 4 (seeds 1..60), 6 (seeds 1..20000)
TRIES = 100


def chain(params: dict[str, Any], layers: int) -> list[Layer]:
    k = params["K"]
    return [conv(k, params["C0"] * 2**i, stride=2, padding=(k - 1) // 2) for i in range(layers)]


def halvings(size: int, final: int) -> int:
    """How many times `size` is halved (floor) to reach `final` or less."""
    return smallest(lambda n: size // 2**n <= final, start=0)


@generator("downsampling_chain")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    def attempt() -> dict[str, Any] | None:
        size = draw(rng, ranges["H"], "H")
        layers = draw(rng, ranges["layers"], "layers")
        first = draw(rng, ranges["C0"], "C0")
        if size % 2**layers or size // 2**layers < 4 or first * 2 ** (layers - 1) > 1024:
            return None
        asked = rng.randint(1, layers - 1)  # a layer inside the chain (its input is not the image)
        return {
            "H": size,
            "C_in": draw(rng, ranges["C_in"], "C_in"),
            "K": draw(rng, ranges["K"], "K"),
            "C0": first,
            "final": size // 2**layers,
            "asked_in": first * 2 ** (asked - 1),
        }

    return sample_until(attempt, tries=TRIES, what="downsampling_chain")


@solver("downsampling_chain")
def solve(params: dict[str, Any]) -> Solution:
    size = params["H"]
    layers = chain(params, halvings(size, params["final"]))
    rows = trace_rows(layers, [params["C_in"], size, size])
    c, h, w = rows[-1]["shape"]
    shape_hwc = [h, w, c]
    index = next(i for i, la in enumerate(layers) if la.channels == 2 * params["asked_in"])
    asked = rows[index]
    params_asked = asked["weights"] + asked["biases"]
    macs = asked["macs"]
    return Solution(
        answers={
            "layers": Answer(len(layers)),
            "out_shape": Answer(shape_hwc, misconceptions=[channel_order_hwc(shape_hwc)]),
            "params": Answer(params_asked, misconceptions=[bias_forgotten(params_asked, asked["biases"])]),
            "macs": Answer(macs, misconceptions=[flops_instead_of_macs(macs)]),
        },
        values={
            "rows": rows,
            "sides": [size] + [row["shape"][-1] for row in rows],
            "n_layers": len(layers),
            "out_hwc": shape_hwc,
            "asked_index": index + 1,
            "asked": asked,
            "asked_out": asked["shape"][-1],
            "asked_out_c": asked["shape"][0],
            "params_asked": params_asked,
            "macs": macs,
        },
    )
