"""E25: trainable parameters of one named block of a zoo architecture (bottleneck, inverted
residual, MBConv, dense layer, inception module, encoder/Swin block, Xception block), each tensor as a product of
its sizes.

The answers come from the built model (numel) and the shared tracer; the worked solutions spell every count as
the product of the module's own sizes (tests/test_zoo.py checks that product against numel and the tracer).
"""

from __future__ import annotations

import random
from typing import Any

from torch import nn

from analysis.zoo.measure import norm_params, param_lines
from bank.ranges import draw
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import bias_forgotten, norm_params_forgotten, running_stats_counted
from solutions.common.zoo_common import (
    block_words,
    blocks_of,
    model_words,
    module_label,
    published,
    short_kind,
    structure,
    term_tex,
)


@generator("zoo_block_params")
def generate_block_params(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    name = draw(rng, ranges["models"], "models")
    return {"model": name, "block": rng.choice(blocks_of(name))}


def _biases(module: nn.Module) -> int:
    """Biases of convolutions, linear layers and attention projections (not the norms' β)."""
    norms = (nn.BatchNorm2d, nn.LayerNorm)
    return sum(
        p.numel()
        for m in module.modules()
        if not isinstance(m, norms)
        for n, p in m.named_parameters(recurse=False)
        if n.endswith("bias")
    )


@solver("zoo_block_params")
def solve_block_params(params: dict[str, Any]) -> Solution:
    name, block = params["model"], params["block"]
    module = published(name).get_submodule(block)
    lines = param_lines(module)
    total = sum(p.numel() for p in module.parameters() if p.requires_grad)
    norm = norm_params(module)
    running = sum(b.numel() for n, b in module.named_buffers() if n.endswith(("running_mean", "running_var")))
    biases = _biases(module)
    # a block without norms, biases or running statistics makes that mistake the answer: the bank drops it
    wrong = [
        norm_params_forgotten(total - norm),
        bias_forgotten(total, biases),
        running_stats_counted(total + running),
    ]
    return Solution(
        answers={"params": Answer(total, misconceptions=wrong)},
        values={
            **model_words(name),
            "words": block_words(name, block),
            "structure": structure(module, block),
            "lines": [
                {
                    "module": module_label(block, line.module),
                    "kind": short_kind(line.kind),
                    "tex": term_tex(line.term.products),
                    "value": line.term.value,
                }
                for line in lines
            ],
            "total": total,
            "norm": norm,
            "running": running,
            "running_total": total + running,
        },
    )
