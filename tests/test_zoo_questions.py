"""E25 items on the zoo: canonical keys against hand-derived arithmetic, and against torch's FlopCounterMode."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from analysis.zoo import build
from bank.item import load_items
from bank.pipeline import solve_item
from bank.selftest import stress_test

E25_ITEMS = ["e25_block_params", "e25_block_macs", "e25_stage_output", "e25_classifier_share", "e25_scaling"]


def answers(item_id: str, seed: int = 0) -> dict[str, object]:
    solved = solve_item(load_items()[item_id], seed)
    return {part["id"]: part["answer"] for part in solved.parts}


def swin_block(dim: int, heads: int) -> int:
    """norm1, qkv, relative-position table (13x13 per head), proj, norm2, mlp (dim -> 4 dim -> dim)."""
    return (
        2 * dim
        + (3 * dim * dim + 3 * dim)
        + 13 * 13 * heads
        + (dim * dim + dim)
        + 2 * dim
        + (4 * dim * dim + 4 * dim)
        + (dim * 4 * dim + dim)
    )


# seed 0 of each item: the instance the catalogue names, keyed by hand
CANONICAL = {
    # MobileNetV2's third inverted residual (24 -> 144 -> 24, stride 1): expand, BN, depthwise, BN, project, BN
    "e25_block_params": {"params": 144 * 24 + 2 * 144 + 144 * 9 + 2 * 144 + 24 * 144 + 2 * 24},
    # MobileNetV2's second inverted residual on a 96x96 image (STL-10): input 16x48x48, stride 2
    "e25_block_macs": {
        "out_shape": [24, 24, 24],
        "macs": 48 * 48 * 96 * 16 + 24 * 24 * 96 * 1 * 3 * 3 + 24 * 24 * 24 * 96,
    },
    # Swin-T's stage 2 at 224: patch embedding, stage 1 (2 blocks of 96), patch merging, stage 2 (2 blocks of 192)
    "e25_stage_output": {
        "shape": [192, 28, 28],
        "params": (96 * 3 * 4 * 4 + 96 + 2 * 96)
        + 2 * swin_block(96, 3)
        + (2 * 4 * 96 + 4 * 96 * 2 * 96)
        + 2 * swin_block(192, 6),
    },
    # Xception (Keras) for binary csPCa: the 2048 -> 2 head replaces the 2048 -> 1000 one
    "e25_classifier_share": {
        "head_params": 2048 * 2 + 2,
        "total": 22_855_952 - (2048 * 1000 + 1000) + (2048 * 2 + 2),
    },
}


@pytest.mark.parametrize("item_id", list(CANONICAL))
def test_canonical_keys(item_id: str) -> None:
    got = answers(item_id)
    for part, expected in CANONICAL[item_id].items():
        assert got[part] == expected, part


def test_classifier_share_is_head_over_total() -> None:
    got = answers("e25_classifier_share")
    assert got["share"] == pytest.approx(100 * 4098 / got["total"])


def test_scaling_agrees_with_flop_counter() -> None:
    """Canonical: MobileNetV2 at 96x96 (STL-10). Parameters unchanged; MACs as torch's FlopCounterMode counts."""
    got = answers("e25_scaling")
    with torch.device("meta"):
        model = build("mobilenet_v2")
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(torch.empty(1, 3, 96, 96, device="meta"))
    assert got["params"] == 3_504_872
    assert got["gmacs"] * 1e9 == counter.get_total_flops() // 2
    assert got["ratio"] == pytest.approx(got["gmacs"] / 0.300774272)


@pytest.mark.parametrize("item_id", E25_ITEMS)
def test_items_self_test_on_a_few_seeds(item_id: str) -> None:
    report = stress_test(load_items()[item_id], seeds=2)
    assert report["ok"], report["failures"]
