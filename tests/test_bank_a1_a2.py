"""A1 (full CNN table) and A2 (what-if): keys against hand arithmetic, written out."""

from __future__ import annotations

import pytest

from bank.item import find_item
from bank.pipeline import make_params, solve_item
from bank.selftest import check_seed
from solutions.cnn_table import sheet_text


def answers(item_id: str, seed: int = 0) -> dict:
    return {p["id"]: p["answer"] for p in solve_item(find_item(item_id), seed).parts}


def test_a1_seed_0_is_the_sheet_instance() -> None:
    key = answers("cnn_table")
    assert key["N"] == 256 * 4 * 4
    assert key["Layer1_shape"] == [32, (128 - 7) // 1 + 1, (128 - 7) // 1 + 1]
    assert key["Layer2_shape"] == [64, (122 - 5) // 2 + 1, (122 - 5) // 2 + 1]
    assert key["Layer4_shape"] == [128, 29 - 2 * (3 - 1), 29 - 2 * (3 - 1)]
    assert key["Layer9_weights"] == 4096 * 1024 and key["Layer9_biases"] == 1024
    assert key["Layer12_weights"] == 1024 * 10
    assert [key[f"Layer{k}_rf"] for k in range(1, 9)] == [7, 11, 13, 29, 37, 41, 57, 65]
    assert key["Layer1_flops"] == 2 * 122 * 122 * 32 * 3 * 7 * 7
    assert key["Layer3_flops"] == 0  # pooling is not counted: the item says so
    assert key["Layer11_shape"] == [1024]


def test_a1_statement_is_the_sheet_text_verbatim() -> None:
    sheet = open("examples/sheet002_q1.txt", encoding="utf-8").read()
    lines = [line for line in sheet.splitlines() if line.strip()]
    assert sheet_text(make_params(find_item("cnn_table"), 0)).splitlines() == lines


def test_a1_grayscale_instance_with_padding_by_hand(monkeypatch) -> None:
    """A second instance, worked by hand: 1×96×96, padded convs, dilation 3, 100 classes."""
    params = {
        "input": [1, 96, 96],
        "layers": [
            {"label": "Layer1", "type": "Conv2d", "out": 16, "k": 5, "s": 1, "p": 2},  # 96
            {"label": "Layer2", "type": "Conv2d", "out": 32, "k": 3, "s": 2, "p": 1},  # (96+2-3)//2+1 = 48
            {"label": "Layer3", "type": "MaxPool2d", "k": 2, "s": 2},  # 24
            {"label": "Layer4", "type": "Conv2d", "out": 64, "k": 3, "s": 1, "d": 3, "p": 1},  # 24+2-7+1 = 20
            {"label": "Layer5", "type": "Conv2d", "out": 64, "k": 3, "s": 1, "d": 1, "p": 0},  # 18
            {"label": "Layer6", "type": "MaxPool2d", "k": 2, "s": 2},  # 9
            {"label": "Layer7", "type": "Conv2d", "out": 128, "k": 3, "s": 1, "p": 1},  # 9
            {"label": "Layer8", "type": "AvgPool2d", "k": 2, "s": 2},  # 4
        ],
        "hidden": 256,
        "dropout": 0.3,
        "classes": 100,
    }
    item = find_item("cnn_table")
    monkeypatch.setattr(item, "canonical", params)
    key = {p["id"]: p["answer"] for p in solve_item(item, 0).parts}
    assert key["Layer2_shape"] == [32, 48, 48]
    assert key["Layer4_shape"] == [64, 20, 20]
    assert key["Layer7_shape"] == [128, 9, 9]
    assert key["N"] == 128 * 4 * 4
    assert key["Layer4_weights"] == 64 * 32 * 3 * 3
    assert key["Layer4_flops"] == 2 * 20 * 20 * 64 * 32 * 3 * 3
    # RF: 5; 5+2·1 = 7 (j 2); 7+1·2 = 9 (j 4); 9+6·4 = 33; 33+2·4 = 41; 41+1·4 = 45 (j 8); 45+2·8 = 61; 61+1·8 = 69
    assert [key[f"Layer{k}_rf"] for k in range(1, 9)] == [5, 7, 9, 33, 41, 45, 61, 69]
    assert key["Layer9_weights"] == 128 * 4 * 4 * 256
    assert key["Layer12_weights"] == 256 * 100


def test_a1_misconceptions_are_computed_from_the_key() -> None:
    parts = {p["id"]: p for p in solve_item(find_item("cnn_table"), 0).parts}
    flops = parts["Layer1_flops"]
    assert {m["value"] for m in flops["misconceptions"]} >= {
        122 * 122 * 32 * 3 * 7 * 7
    }  # MACs, half the FLOPs
    assert parts["Layer1_shape"]["misconceptions"][0]["value"] == [122, 122, 32]  # H×W×C
    rf_hints = parts["Layer4_rf"]["misconceptions"]
    assert rf_hints[0]["value"] == 1 + 6 + 4 + 1 + 4  # kernels added without the jump


def test_a2_seed_0_modifications_by_hand() -> None:
    key = answers("cnn_whatif")
    # 1. Layer2 stride 1: 122-5+1 = 118 → 59 → 55 → 53 → 26 → 24 → 12
    assert key["m1_N"] == 256 * 12 * 12
    assert key["m1_fc1_weights"] == 256 * 12 * 12 * 1024
    assert key["m1_rf"] == 1 + 6 + 4 + 1 * 1 + 4 * 2 + 2 * 2 + 1 * 2 + 2 * 4 + 1 * 4  # 38
    # 2. Layer4 kernel 5 with dilation 2 (span 9): 29-8 = 21 → 19 → 9 → 7 → 3
    assert key["m2_N"] == 256 * 3 * 3
    assert key["m2_rf"] == 65 + (9 - 5) * 4
    # 3. Layer7 doubled: N doubles, 512 filters of 128·3·3
    assert key["m3_N"] == 512 * 4 * 4
    base_params = 5_827_786
    assert key["m3_params"] == base_params + 256 * 128 * 9 + 256 + 4096 * 1024
    assert key["m3_rf"] == 65
    # 4. AvgPool removed: N = 256·9·9, RF stops at Layer7's 57
    assert key["m4_N"] == 256 * 9 * 9
    assert key["m4_params"] == base_params + (256 * 9 * 9 - 4096) * 1024
    assert key["m4_rf"] == 57
    assert key["m4_flops"] == 802_933_504 + 2 * (256 * 9 * 9 - 4096) * 1024


# The self-test of seeds 0..19 (cnn_whatif) and 0..5 (cnn_table) runs in tests/test_selftest_every_item.py; this
# file used to self-test both over seeds 0..11, so cnn_table's seeds 6..11 are checked here, and the variety.


@pytest.mark.parametrize("seed", range(6, 12))
def test_cnn_table_self_test_beyond_the_bank_wide_seeds(seed: int) -> None:
    failures, _ = check_seed(find_item("cnn_table"), seed, repeat=False)
    assert failures == []


@pytest.mark.parametrize("item_id", ["cnn_table", "cnn_whatif"])
def test_twelve_seeds_give_twelve_variants(item_id: str) -> None:
    # no choice parts: a variant is its params (the answers follow from them, and no options are shuffled)
    assert not [p for p in find_item(item_id).parts if p.kind == "choice"]
    assert len({repr(make_params(find_item(item_id), seed)) for seed in range(12)}) == 12
