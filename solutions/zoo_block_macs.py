"""E25: output shape and MACs of one block of a zoo architecture at a given input size, from the
tracer's rows.

The answers come from the built model (numel) and the shared tracer; the worked solutions spell every count as
the product of the module's own sizes (tests/test_zoo.py checks that product against numel and the tracer).
"""

from __future__ import annotations

import random
from typing import Any

from torch import nn

from analysis.zoo.measure import Measured, mac_terms, measure
from bank.item import Bilingual
from bank.ranges import draw
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import channel_order, flops_instead_of_macs
from solutions.common.zoo_common import (
    INPUT_SIDES,
    block_words,
    blocks_of,
    input_shape_at,
    model_words,
    short_kind,
    structure,
    term_tex,
    to_chw,
)


@generator("zoo_block_macs")
def generate_block_macs(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    name = draw(rng, ranges["models"], "models")
    return {"model": name, "side": rng.choice(INPUT_SIDES[name]), "block": rng.choice(blocks_of(name))}


def block_input_shape_given(value: object) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="این شکل ورودی بلوک است؛ سؤال شکل خروجی آن (بعد از گام و تغییر کانال‌ها) را خواسته.",
            en="That is the block's input shape; the question asks for its output (after its stride and channel change).",
        ),
    )


def _shown_shape(measured: Measured, module: nn.Module, name: str, shape: list[int]) -> list[int]:
    """C×H×W for maps; windows×tokens×features for Swin's window-batched linear layers."""
    full = measured.full_outputs[name]
    if isinstance(module, nn.Linear) and measured.name == "swin_t" and full[0] != 1:
        return full
    return to_chw(shape, measured.name)


def mac_lines(measured: Measured, block: str) -> list[dict[str, Any]]:
    """The block's tracer rows that cost MACs, each with its product of sizes."""
    lines = []
    for row in measured.rows(block):
        if not row.macs:
            continue
        module = measured.model.get_submodule(row.module)
        term = mac_terms(module, row, measured)
        lines.append(
            {
                "module": row.module,
                "kind": short_kind(type(module).__name__)
                + (" (QKᵀ, AV)" if row.op.endswith("(own ops)") else ""),
                "shape": _shown_shape(measured, module, row.module, row.output_shape or []),
                "tex": term_tex(term.products) if term else str(row.macs),
                "value": row.macs,
            }
        )
    return lines


@solver("zoo_block_macs")
def solve_block_macs(params: dict[str, Any]) -> Solution:
    name, block, side = params["model"], params["block"], params["side"]
    measured = measure(name, input_shape=input_shape_at(name, side))
    out = to_chw(measured.outputs[block], name)
    given = to_chw(measured.inputs[block], name)
    macs = measured.macs(block)
    return Solution(
        answers={
            "out_shape": Answer(
                out,
                misconceptions=[channel_order(out), block_input_shape_given(given)],
            ),
            "macs": Answer(macs, misconceptions=[flops_instead_of_macs(macs)]),
        },
        values={
            **model_words(name),
            "words": block_words(name, block),
            "structure": structure(measured.model.get_submodule(block), block),
            "in_shape": given,
            "out": out,
            "lines": mac_lines(measured, block),
            "macs": macs,
            "model_macs": measured.trace.totals["macs"],
            "share": round(100 * macs / measured.trace.totals["macs"], 2),
        },
    )
