"""E25 items on the zoo: canonical keys against hand-derived arithmetic, and against torch's FlopCounterMode."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from analysis.zoo import build
from bank.item import load_items
from bank.pipeline import solve_item


def key(item_id: str, seed: int = 0) -> dict[str, dict]:
    return {part["id"]: part for part in solve_item(load_items()[item_id], seed).parts}


def answers(item_id: str, seed: int = 0) -> dict[str, object]:
    return {part_id: part["answer"] for part_id, part in key(item_id, seed).items()}


def mistakes(part: dict) -> list:
    return [m["value"] for m in part["misconceptions"]]


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


# --- the mistakes the key keeps (the bank drops one the part's comparator grades right: tests/test_mistakes.py) ---


def test_block_params_key_keeps_only_the_slips_the_block_allows() -> None:
    # MobileNetV2 features.3: three BatchNorms, γ and β per channel (2 * 144 + 2 * 144 + 2 * 24 = 624) and as many
    # running means and variances; convolutions without biases, so "biases forgotten" is the answer: dropped
    part = key("e25_block_params")["params"]
    total = 144 * 24 + 2 * 144 + 144 * 9 + 2 * 144 + 24 * 144 + 2 * 24
    assert part["answer"] == total
    assert mistakes(part) == [total - (2 * 144 + 2 * 144 + 2 * 24), total + (2 * 144 + 2 * 144 + 2 * 24)]


def test_block_macs_key_has_the_input_shape_and_drops_an_order_slip_equal_to_the_answer() -> None:
    # MobileNetV2 features.2 at 96: 16x48x48 -> 24x24x24, whose H×W×C is 24×24×24 again: only the input shape stays
    part = key("e25_block_macs")["out_shape"]
    assert part["answer"] == [24, 24, 24]
    assert mistakes(part) == [[16, 48, 48]]


def test_share_of_the_rest_is_kept_only_outside_the_parts_tolerance() -> None:
    # Xception with 2 classes: 4098 / 20,811,050 = 0.0197 %; over the rest 4098 / 20,806,952 = 0.0197 % too:
    # within rtol 0.01 of the answer, so no student could tell them apart: dropped
    tiny = key("e25_classifier_share")["share"]
    assert tiny["answer"] == pytest.approx(100 * 4098 / (22_855_952 - 2_049_000 + 4098))
    assert mistakes(tiny) == []
    # GoogLeNet with 102 classes (seed 16): 1024 * 102 + 102 = 104,550; the rest's share is 1.87 % against 1.83 %,
    # 1.87 / 1.83 = 1.019 > 1 + 0.01: a student who typed it is graded wrong, so its hint must be in the key
    seed16 = solve_item(load_items()["e25_classifier_share"], 16)
    assert seed16.params == {"model": "googlenet", "num_classes": 102}
    share = {p["id"]: p for p in seed16.parts}["share"]
    head, total = 1024 * 102 + 102, {p["id"]: p for p in seed16.parts}["total"]["answer"]
    assert share["answer"] == pytest.approx(100 * head / total)
    assert mistakes(share) == [pytest.approx(100 * head / (total - head))]
