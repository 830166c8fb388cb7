"""Bank items of catalogue families A3–A8: keys against hand arithmetic, against the meta-device tracer, and
against plain torch modules (parameter counts, real forward shapes, nn.Unfold for the locally connected layer).

Expected values are written as the arithmetic a TA would do by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

from analysis.trace import trace_module
from bank.item import QUESTIONS_DIR, load_item
from bank.pipeline import make_params, solve_item
from solutions import (
    conv_output_size,
    conv_vs_fc,
    dilated_conv,
    downsampling_chain,
    rf_design,
    stacked_kernels,
    strided_vs_pool,
)
from solutions.common.conv_chain import build

ITEMS = {
    "conv_output_size": ("A3", conv_output_size),
    "rf_design": ("A4", rf_design),
    "strided_vs_pool": ("A5", strided_vs_pool),
    "downsampling_chain": ("A5", downsampling_chain),
    "conv_vs_fc": ("A6", conv_vs_fc),
    "stacked_kernels": ("A7", stacked_kernels),
    "dilated_conv": ("A8", dilated_conv),
}


def item(item_id: str):
    return load_item(QUESTIONS_DIR / f"{item_id}.yaml")


def answers(solution: Any) -> dict[str, Any]:
    return {part: answer.value for part, answer in solution.answers.items()}


def key_parts(item_id: str, seed: int = 0) -> dict[str, dict[str, Any]]:
    """The key as stored, part by part: where the bank keeps the mistakes a student can reach."""
    return {part["id"]: part for part in solve_item(item(item_id), seed).parts}


def wrong_values(parts: dict[str, dict[str, Any]], part: str) -> list[Any]:
    return [m["value"] for m in parts[part]["misconceptions"]]


# --- seed 0: the sheet's own instance, through the whole pipeline (azmoon solve ITEM --seed 0) ----------------

SEED0 = {
    "conv_output_size": {"out": (240 + 2 * 1 - 3) // 2 + 1},  # 120, not the student's 17
    "rf_design": {
        "out_shape": [32, 128 // 2 // 2 // 2, 128 // 2 // 2 // 2],
        "rf": 1 + 2 * 1 + 1 * 1 + 2 * 2 + 1 * 2 + 2 * 4 + 1 * 4,  # 22
        "jump": 2 * 2 * 2,
        "kernel": 7,  # 1 + (7-1)*(1+2+4) + (1+2+4) = 50 >= 50; K=5 gives 36
        "dilation": 3,  # 1 + 3*2*(1+2+4) + (1+2+4) = 50; D=2 gives 36
        "extra": 2,  # 22 + 2 * (3-1)*8 = 54; one layer gives 38
    },
    "strided_vs_pool": {
        "a_side": 256 // 2 // 2 // 2 // 2,  # (256 + 2*1 - 3)//2 + 1 = 128, then 64, 32, 16
        "b_side": 256 // 2 // 2 // 2,  # 32, not the 16 the wording hopes for
        "a_rf": 1 + 2 * (1 + 2 + 4 + 8),  # 31
        "b_rf": 1 + (2 + 1) * 1 + (2 + 1) * 2 + (2 + 1) * 4,  # 22
        "b_needed": 4,
    },
    "downsampling_chain": {
        "layers": 5,  # 256 -> 128 -> 64 -> 32 -> 16 -> 8
        "out_shape": [8, 8, 32 * 2**4],
        "params": 128 * 64 * 3 * 3 + 128,  # 73,856
        "macs": 32 * 32 * 128 * 64 * 3 * 3,
    },
    "conv_vs_fc": {
        "conv_weights": 6 * 3 * 5 * 5,
        "conv_connections": 28 * 28 * 6 * 3 * 5 * 5,
        "fc_weights": 32 * 32 * 3 * 6,
        "local_params": 28 * 28 * 6 * (3 * 5 * 5 + 1),
    },
    "stacked_kernels": {
        "rf": 2 * (3 - 1) + 1,  # 5, not the student's 7
        "stack_params": 2 * 64 * 64 * 3 * 3,
        "single_params": 64 * 64 * 5 * 5,
    },
    "dilated_conv": {
        "eff_kernel": (3 - 1) * 2 + 1,
        "out_size": 64 - (3 - 1) * 2,
        "rf_stack": 1 + (4 - 1) * 2 + (5 - 1) * 3 + (6 - 1) * 4,  # 39
        "rf_formula": "3*d*w - 3*d + 3",
    },
}


@pytest.mark.parametrize("item_id", sorted(SEED0))
def test_seed0_is_the_sheet_instance(item_id: str) -> None:
    solved = solve_item(item(item_id), 0).to_json()
    assert {p["id"]: p["answer"] for p in solved["parts"]} == SEED0[item_id]
    assert item(item_id).catalogue == ITEMS[item_id][0]


def test_seed0_misconceptions_are_the_typical_slips() -> None:
    """On the key of seed 0 (the canonical instance): the bank keeps these slips and never the answer."""
    a3 = key_parts("conv_output_size")
    assert (240 + 2 * 1 - 3) / 2 + 1 in wrong_values(a3, "out")  # no floor: 120.5
    a7 = key_parts("stacked_kernels")
    assert 7 in wrong_values(a7, "rf")  # the student's 7×7
    a5 = key_parts("strided_vs_pool")
    assert 16 in wrong_values(a5, "b_side")  # the wording's hope
    chain = key_parts("downsampling_chain")
    assert 128 * 64 * 3 * 3 in wrong_values(chain, "params")  # bias forgotten
    assert [512, 8, 8] in wrong_values(chain, "out_shape")  # C×H×W given for H×W×C
    assert 2 * 32 * 32 * 128 * 64 * 3 * 3 in wrong_values(chain, "macs")  # FLOPs for MACs
    a4 = key_parts("rf_design")
    assert 1 + 2 + 1 + 2 + 1 + 2 + 1 in wrong_values(a4, "rf")  # RF without the jump: 10
    for parts in (a3, a7, a5, chain, a4):
        for part in parts.values():
            assert part["answer"] not in wrong_values(parts, part["id"])


# --- two more instances per family, worked by hand -----------------------------------------------------------

HAND = [
    (conv_output_size, {"W": 32, "K": 5, "S": 1, "P": 2, "D": 1}, {"out": (32 + 2 * 2 - 5) // 1 + 1}),
    (conv_output_size, {"W": 100, "K": 3, "S": 3, "P": 0, "D": 2}, {"out": (100 - 2 * (3 - 1) - 1) // 3 + 1}),
    (
        rf_design,
        {"H": 64, "C_in": 3, "kernels": [5, 3], "channels": [16, 32], "target": 30},
        {
            "out_shape": [32, 64 // 4, 64 // 4],
            "rf": 1 + 4 * 1 + 1 * 1 + 2 * 2 + 1 * 2,  # 12
            "jump": 4,
            "kernel": 11,  # 1 + (K-1)*(1+2) + (1+2) >= 30 -> K-1 >= 26/3 -> K = 10, odd -> 11 (34); K=9 gives 28
            "dilation": 4,  # 1 + D*4*1 + D*2*2 + 3 = 4 + 8D >= 30 -> D = 4 (36)
            "extra": 3,  # 12 + n * 2 * 4 >= 30 -> n = 3 (36)
        },
    ),
    (
        rf_design,
        {"H": 96, "C_in": 1, "kernels": [3, 3, 3, 3], "channels": [8, 16, 32, 64], "target": 60},
        {
            "out_shape": [64, 96 // 16, 96 // 16],
            "rf": 1 + 2 * (1 + 2 + 4 + 8) + 1 * (1 + 2 + 4 + 8),  # 46
            "jump": 16,
            "kernel": 5,  # 16 + 15 (K-1) >= 60 -> K-1 >= 2.93 -> K = 4, odd -> 5 (76)
            "dilation": 2,  # 16 + 2D * 15 >= 60 -> D = 2 (76)
            "extra": 1,  # 46 + 2 * 16 = 78
        },
    ),
    (
        strided_vs_pool,
        {"H": 224, "C_in": 1, "K": 5, "C": 16, "a_layers": 5, "b_blocks": 3},
        {
            "a_side": 7,  # (224 + 2*2 - 5)//2 + 1 = 112, 56, 28, 14, 7
            "b_side": 224 // 8,
            "a_rf": 1 + 4 * (1 + 2 + 4 + 8 + 16),  # 125
            "b_rf": 1 + (4 + 1) * 1 + (4 + 1) * 2 + (4 + 1) * 4,  # 36
            "b_needed": 5,
        },
    ),
    (
        strided_vs_pool,
        {"H": 128, "C_in": 3, "K": 3, "C": 64, "a_layers": 3, "b_blocks": 1},
        {"a_side": 16, "b_side": 64, "a_rf": 1 + 2 * (1 + 2 + 4), "b_rf": 1 + 2 + 1, "b_needed": 3},
    ),
    (
        downsampling_chain,
        {"H": 128, "C_in": 1, "K": 5, "C0": 16, "final": 16, "asked_in": 32},
        {
            "layers": 3,  # 128 -> 64 -> 32 -> 16
            "out_shape": [16, 16, 64],
            "params": 64 * 32 * 5 * 5 + 64,
            "macs": 16 * 16 * 64 * 32 * 5 * 5,
        },
    ),
    (
        downsampling_chain,
        {"H": 224, "C_in": 3, "K": 3, "C0": 64, "final": 7, "asked_in": 128},
        {
            "layers": 5,  # 224 -> 112 -> 56 -> 28 -> 14 -> 7
            "out_shape": [7, 7, 1024],
            "params": 256 * 128 * 3 * 3 + 256,  # 295,168
            "macs": 28 * 28 * 256 * 128 * 3 * 3,
        },
    ),
    (
        conv_vs_fc,
        {"W": 60, "H": 51, "D": 16, "F": 32, "K": 5, "S": 1, "P": 2},
        {
            "conv_weights": 32 * 16 * 5 * 5,
            "conv_connections": 60 * 51 * 32 * 16 * 5 * 5,
            "fc_weights": 60 * 51 * 16 * 32,
            "local_params": 60 * 51 * 32 * (16 * 5 * 5 + 1),
        },
    ),
    (
        conv_vs_fc,
        {"W": 28, "H": 28, "D": 1, "F": 8, "K": 3, "S": 2, "P": 1},
        {
            "conv_weights": 8 * 1 * 3 * 3,
            "conv_connections": 14 * 14 * 8 * 1 * 3 * 3,  # (28 + 2 - 3)//2 + 1 = 14
            "fc_weights": 28 * 28 * 1 * 8,
            "local_params": 14 * 14 * 8 * (1 * 3 * 3 + 1),
        },
    ),
    (
        stacked_kernels,
        {"n": 3, "K": 3, "C": 32, "bias": True},
        {"rf": 3 * 2 + 1, "stack_params": 3 * (32 * 32 * 3 * 3 + 32), "single_params": 32 * 32 * 7 * 7 + 32},
    ),
    (
        stacked_kernels,
        {"n": 4, "K": 5, "C": 16, "bias": False},
        {"rf": 4 * 4 + 1, "stack_params": 4 * 16 * 16 * 5 * 5, "single_params": 16 * 16 * 17 * 17},
    ),
    (
        dilated_conv,
        {"F": 5, "D": 3, "M": 40, "w": 3, "d": 2},
        {
            "eff_kernel": (5 - 1) * 3 + 1,
            "out_size": 40 - (5 - 1) * 3,
            "rf_stack": 1 + (2 - 1) * 1 + (3 - 1) * 2 + (4 - 1) * 3,  # 15 = 3*2*3 - 3*2 + 3
            "rf_formula": "3*d*w - 3*d + 3",
        },
    ),
    (
        dilated_conv,
        {"F": 2, "D": 6, "M": 16, "w": 9, "d": 6},
        {
            "eff_kernel": (2 - 1) * 6 + 1,
            "out_size": 16 - (2 - 1) * 6,
            "rf_stack": 1 + 7 * 5 + 8 * 6 + 9 * 7,  # 147 = 3*6*9 - 3*6 + 3
            "rf_formula": "3*d*w - 3*d + 3",
        },
    ),
]


@pytest.mark.parametrize(("family", "params", "expected"), HAND, ids=lambda v: getattr(v, "__name__", ""))
def test_hand_worked_instances(family: Any, params: dict, expected: dict) -> None:
    assert answers(family.solve(params)) == expected


# --- against the tracer and plain torch ------------------------------------------------------------------------


def generated(item_id: str, seeds: range) -> list[dict]:
    from bank.pipeline import make_params

    return [make_params(item(item_id), seed) for seed in seeds]


@pytest.mark.parametrize("params", generated("conv_output_size", range(1, 13)))
def test_a3_output_size_matches_a_real_conv(params: dict) -> None:
    layer = nn.Conv2d(1, 1, params["K"], params["S"], params["P"], params["D"])
    out = layer(torch.zeros(1, 1, params["W"], params["W"]))
    assert answers(conv_output_size.solve(params))["out"] == out.shape[-1]


@pytest.mark.parametrize("params", generated("rf_design", range(0, 6)))
def test_a4_design_answers_are_minimal_by_the_tracer(params: dict) -> None:
    key = answers(rf_design.solve(params))
    shape = [params["C_in"], params["H"], params["H"]]

    def traced_rf(layers: list) -> int:
        return trace_module(build(layers, params["C_in"]), shape).layers[-1].receptive_field[0]

    base = trace_module(build(rf_design.network(params), params["C_in"]), shape).layers[-1]
    assert key["out_shape"] == base.output_shape
    assert [key["rf"], key["rf"]] == base.receptive_field and [key["jump"]] * 2 == base.jump
    target = params["target"]
    for name, option, step in (("kernel", "kernel", 2), ("dilation", "dilation", 1), ("extra", "extra", 1)):
        reached = traced_rf(rf_design.network(params, **{option: key[name]}))
        below = traced_rf(rf_design.network(params, **{option: key[name] - step}))
        assert reached >= target > below, name


@pytest.mark.parametrize("params", generated("strided_vs_pool", range(0, 6)))
def test_a5_sides_match_a_real_forward_and_rf_matches_the_recursion(params: dict) -> None:
    key = answers(strided_vs_pool.solve(params))
    thin = {**params, "C": 2}  # the sides do not depend on the channels: keep the real forward cheap
    x = torch.zeros(1, params["C_in"], params["H"], params["H"])
    with torch.no_grad():
        a = build(strided_vs_pool.method_a(thin), params["C_in"])(x)
        b = build(strided_vs_pool.method_b(thin), params["C_in"])(x)
    assert (key["a_side"], key["b_side"]) == (a.shape[-1], b.shape[-1])
    k = params["K"]
    assert key["a_rf"] == 1 + (k - 1) * (2 ** params["a_layers"] - 1)  # jumps 1, 2, 4, ... before each conv
    assert key["b_rf"] == 1 + (k - 1 + 1) * (2 ** params["b_blocks"] - 1)  # conv and pool share each jump


@pytest.mark.parametrize("params", generated("downsampling_chain", range(0, 6)))
def test_a5_chain_params_and_macs_match_torch(params: dict) -> None:
    key = answers(downsampling_chain.solve(params))
    asked = nn.Conv2d(params["asked_in"], 2 * params["asked_in"], params["K"], 2, (params["K"] - 1) // 2)
    assert key["params"] == sum(p.numel() for p in asked.parameters())
    index = (params["asked_in"] // params["C0"]).bit_length()  # asked_in = C0 * 2**(index - 1)
    side_in = params["H"] // 2**index
    out_side = asked(torch.zeros(1, params["asked_in"], side_in, side_in)).shape[-1]
    assert key["macs"] == out_side * out_side * asked.weight.numel()
    assert key["out_shape"][:2] == [params["final"]] * 2


@pytest.mark.parametrize("params", generated("conv_vs_fc", range(0, 8)))
def test_a6_counts_match_torch_modules(params: dict) -> None:
    key = answers(conv_vs_fc.solve(params))
    w, h, d, f, k, s, p = (params[n] for n in ("W", "H", "D", "F", "K", "S", "P"))
    conv = nn.Conv2d(d, f, k, s, p)
    assert key["conv_weights"] == conv.weight.numel()
    assert key["conv_connections"] == trace_module(conv, [d, h, w]).layers[0].macs
    assert key["fc_weights"] == nn.Linear(w * h * d, f).weight.numel()
    columns = nn.Unfold(k, stride=s, padding=p)(torch.zeros(1, d, h, w))  # [1, D*K*K, positions]
    positions, fan_in = columns.shape[-1], columns.shape[1]
    assert key["local_params"] == positions * f * fan_in + positions * f


@pytest.mark.parametrize("params", generated("stacked_kernels", range(0, 8)))
def test_a7_stack_against_the_tracer(params: dict) -> None:
    key = answers(stacked_kernels.solve(params))
    n, k, c, bias = params["n"], params["K"], params["C"], params["bias"]
    stack = nn.Sequential(*[nn.Conv2d(c, c, k, bias=bias) for _ in range(n)])
    traced = trace_module(stack, [c, 32, 32])
    assert key["rf"] == traced.layers[-1].receptive_field[0]
    assert key["stack_params"] == traced.totals["params"]
    single = nn.Conv2d(c, c, key["rf"], bias=bias)
    assert key["single_params"] == sum(p.numel() for p in single.parameters())


@pytest.mark.parametrize("params", generated("dilated_conv", range(0, 8)))
def test_a8_against_the_tracer(params: dict) -> None:
    import sympy as sp

    key = answers(dilated_conv.solve(params))
    f, dil, m, w, d = (params[n] for n in ("F", "D", "M", "w", "d"))
    one = trace_module(nn.Conv2d(1, 1, f, dilation=dil), [1, m, m]).layers[0]
    assert key["out_size"] == one.output_shape[-1] and key["eff_kernel"] == one.receptive_field[0]
    stack = nn.Sequential(*[nn.Conv2d(1, 1, k, dilation=dl) for k, _, dl in dilated_conv.stack(w, d)])
    side = key["rf_stack"] + 4
    assert key["rf_stack"] == trace_module(stack, [1, side, side]).layers[-1].receptive_field[0]
    assert sp.sympify(key["rf_formula"]).subs({"w": w, "d": d}) == key["rf_stack"]


# --- variety (the self-test of every seed runs in tests/test_selftest_every_item.py, over 20 seeds) -------------


@pytest.mark.parametrize("item_id", sorted(ITEMS))
def test_twelve_seeds_give_at_least_ten_variants(item_id: str) -> None:
    # no choice parts here: a variant is its params (the answers follow from them, and no options are shuffled)
    assert not [p for p in item(item_id).parts if p.kind == "choice"]
    variants = {repr(make_params(item(item_id), seed)) for seed in range(12)}
    assert len(variants) >= 10
