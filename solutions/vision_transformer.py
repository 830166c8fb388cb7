"""A12: vision-transformer arithmetic: ViT patches, tokens, patch embedding and attention cost; Swin stages and
window versus global attention.

Attention cost is the two matrix products Q·Kᵀ and A·V (`attention_macs`; projections excluded), in MACs.
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import (
    attention_macs,
    conv_weights,
    patch_count,
    window_attention_macs,
)
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import (
    bias_forgotten,
    channel_order,
    class_token_forgotten,
    flops_instead_of_macs,
    one_head_only,
    one_product_only,
    one_window_only,
    only_present,
    stage_not_doubled,
)

# --- ViT ---------------------------------------------------------------------------------------------------------


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


# --- Swin --------------------------------------------------------------------------------------------------------

PATCH = 4  # Swin's patch partition: 4×4 patches, then patch merging halves the side at each later stage
STAGES = 4


@generator("swin_stages")
def generate_swin(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """A (resolution, window) pair Swin uses, and a stage whose map is a whole number of windows."""
    side, window = rng.choice(ranges["H_M"])
    stages = [s for s in ranges["stage"] if (side // (PATCH << (s - 1))) % window == 0]
    return {"H": side, "M": window, "C": rng.choice(ranges["C"]), "stage": rng.choice(stages)}


@solver("swin_stages")
def solve_swin(params: dict[str, Any]) -> Solution:
    h, m, c, stage = params["H"], params["M"], params["C"], params["stage"]
    if h % (PATCH << (STAGES - 1)):
        raise ValueError(f"Swin needs the input side to be a multiple of {PATCH << (STAGES - 1)}")
    stages = []
    answers: dict[str, Answer] = {}
    for i in range(1, STAGES + 1):
        factor = PATCH << (i - 1)
        shape = [c << (i - 1), h // factor, h // factor]
        stages.append({"key": f"s{i}", "stage": i, "factor": factor, "shape": shape})
        answers[f"s{i}_shape"] = Answer(
            shape,
            misconceptions=only_present(
                channel_order(shape), stage_not_doubled([c, h // factor, h // factor]), right=shape
            ),
        )
    dim, side = stages[stage - 1]["shape"][0], stages[stage - 1]["shape"][1]
    tokens = side * side
    windows = (side // m) ** 2
    global_macs = attention_macs(tokens, tokens, dim)
    window_macs = window_attention_macs(side, side, m, dim)
    per_window = attention_macs(m * m, m * m, dim)
    answers["global_macs"] = Answer(
        global_macs,
        misconceptions=only_present(
            flops_instead_of_macs(global_macs), one_product_only(global_macs // 2), right=global_macs
        ),
    )
    answers["window_macs"] = Answer(
        window_macs,
        misconceptions=only_present(
            flops_instead_of_macs(window_macs), one_window_only(per_window), right=window_macs
        ),
    )
    answers["ratio"] = Answer(global_macs // window_macs)
    return Solution(
        answers=answers,
        values={
            "stages": stages,
            "dim": dim,
            "side": side,
            "tokens": tokens,
            "windows": windows,
            "window_tokens": m * m,
            "global_macs": global_macs,
            "window_macs": window_macs,
            "per_window": per_window,
            "ratio": global_macs // window_macs,
        },
    )
