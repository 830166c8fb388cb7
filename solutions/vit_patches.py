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
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import (
    bias_forgotten,
    class_token_forgotten,
    flops_instead_of_macs,
    one_head_only,
    one_product_only,
    only_present,
)


@generator("vit_patches")
def generate_vit(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """An image a ViT would take: P divides the side, between 16 and 1024 patches; a published width/heads pair."""
    while True:
        side = rng.choice(ranges["H"])
        patch = rng.choice(ranges["P"])
        if side % patch == 0 and 16 <= (side // patch) ** 2 <= 1024:
            dim, heads = rng.choice(ranges["D_heads"])
            return {"H": side, "P": patch, "C": rng.choice(ranges["C"]), "D": dim, "heads": heads}


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
                misconceptions=only_present(
                    class_token_forgotten(attention_macs(patches, patches, d, heads)),
                    one_product_only(qk),
                    one_head_only(attn // heads),
                    flops_instead_of_macs(attn),
                    right=attn,
                ),
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
