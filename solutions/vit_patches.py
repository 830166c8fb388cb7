"""A12: ViT arithmetic: patches, tokens, patch embedding and attention cost.

Attention cost is the two matrix products Q·Kᵀ and A·V (`attention_macs`; projections excluded), in MACs.
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import (
    attention_macs,
    conv_weights,
    patch_count,
)
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import bias_forgotten, flops_instead_of_macs, one_product_only

TRIES = 100  # about 2 draws in 3 are kept: at most 12 turns over seeds 0..20000


def class_token_forgotten(value: int) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="توکن کلاس ([CLS]) را فراموش کرده‌اید: دنباله‌ی ورودی ترنسفورمر یک توکن بیشتر از تعداد پچ‌ها دارد.",
            en="You forgot the class token ([CLS]): the transformer's sequence has one more token than there are patches.",
        ),
    )


def one_head_only(value: int) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="این هزینه‌ی فقط یک سر (head) است؛ سؤال هزینه‌ی کل لایه با همه‌ی سرها را خواسته.",
            en="That is the cost of one head; the question asks for the whole layer, all heads together.",
        ),
    )


@generator("vit_patches")
def generate_vit(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """An image a ViT would take: P divides the side, between 16 and 1024 patches; a published width/heads pair."""

    def attempt() -> dict[str, Any] | None:
        side = draw(rng, ranges["H"], "H")
        patch = draw(rng, ranges["P"], "P")
        if side % patch or not 16 <= (side // patch) ** 2 <= 1024:
            return None
        dim, heads = draw(rng, ranges["D_heads"], "D_heads")
        return {"H": side, "P": patch, "C": draw(rng, ranges["C"], "C"), "D": dim, "heads": heads}

    return sample_until(attempt, tries=TRIES, what="vit_patches")


@solver("vit_patches")
def solve_vit(params: dict[str, Any]) -> Solution:
    h, p, c, d, heads = (params[name] for name in ("H", "P", "C", "D", "heads"))
    patches = patch_count(h, h, p)
    tokens = patches + 1
    weights = conv_weights(c, d, (p, p))  # the patch projection is a P×P conv with stride P (a linear layer)
    embed = weights + d
    attn = attention_macs(tokens, tokens, d, heads)
    qk = attn // 2
    return Solution(
        answers={
            "patches": Answer(patches),
            "tokens": Answer(tokens, misconceptions=[class_token_forgotten(patches)]),
            "embed_params": Answer(embed, misconceptions=[bias_forgotten(embed, d)]),
            "attn_macs": Answer(
                attn,
                misconceptions=[
                    class_token_forgotten(attention_macs(patches, patches, d, heads)),
                    one_product_only(qk),
                    one_head_only(attn // heads),
                    flops_instead_of_macs(attn),
                ],
            ),
        },
        values={
            "side": h // p,
            "patches": patches,
            "tokens": tokens,
            "patch_len": p * p * c,
            "weights": weights,
            "embed": embed,
            "qk": qk,
            "attn": attn,
            "d_head": d // heads,
        },
    )
