"""The model zoo against the published figures, on the meta device.

Parameters must equal the published count exactly; MACs must be within 1% of torchvision's published `_ops`
(GMACs of conv/linear layers and, for ViT/Swin, the attention matrix products), measured twice: with torch's own
FlopCounterMode (FLOPs / 2) and with Azmoon's tracer. Block names must read as in the reference code.
"""

from __future__ import annotations

import math
from functools import cache

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from analysis.specs import trace_spec
from analysis.zoo import MODELS, block_names, build, default_input
from analysis.zoo.measure import mac_terms, measure, param_lines

# name: (parameters, GMACs at 224) as published (torchvision's weights meta; Keras for Xception)
PUBLISHED = {
    "resnet50": (25_557_032, 4.089),
    "resnet101": (44_549_160, 7.801),
    "mobilenet_v2": (3_504_872, 0.301),
    "efficientnet_b0": (5_288_548, 0.386),
    "vit_b_16": (86_567_656, 17.564),
    "swin_t": (28_288_354, 4.491),
    "densenet121": (7_978_856, 2.834),
    "googlenet": (6_624_904, 1.498),
    "xception": (22_855_952, None),
}


def trainable(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def flop_counter_macs(model: torch.nn.Module, input_shape: tuple[int, ...]) -> int:
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(torch.empty(1, *input_shape, device="meta"))
    return counter.get_total_flops() // 2


def built(name: str, **options: object) -> torch.nn.Module:
    with torch.device("meta"):
        return build(name, **options)


@cache
def published_config_macs(name: str) -> int:
    return flop_counter_macs(built(name), default_input(name))


def test_table_covers_the_zoo() -> None:
    assert set(PUBLISHED) == set(MODELS)
    for name, (params, gmacs) in PUBLISHED.items():
        assert (MODELS[name].published_params, MODELS[name].published_gmacs) == (params, gmacs)


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_published_figures_with_flop_counter(name: str) -> None:
    params, gmacs = PUBLISHED[name]
    model = built(name)
    assert trainable(model) == params
    if gmacs is not None:
        assert published_config_macs(name) / 1e9 == pytest.approx(gmacs, rel=0.01)


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_published_figures_with_the_tracer(name: str) -> None:
    params, gmacs = PUBLISHED[name]
    totals = measure(name).trace.totals
    assert trace_spec(f"zoo:{name}", depth=1).totals == totals  # the CLI's path, folded: same totals
    assert totals["params"] == params
    assert totals["flops"] == 2 * totals["macs"]
    if gmacs is not None:
        assert totals["macs"] / 1e9 == pytest.approx(gmacs, rel=0.01)
    # the tracer and torch's FlopCounterMode count the same MACs, to the unit
    assert totals["macs"] == published_config_macs(name)


# Options checked against the published figures of the torchvision variant they reproduce.
VARIANTS = [
    ("vit_b_16", {"patch_size": 32}, (3, 224, 224), 88_224_232, 4.409),  # vit_b_32
    ("efficientnet_b0", {"depth_mult": 1.1}, (3, 240, 240), 7_794_184, 0.687),  # efficientnet_b1
    ("efficientnet_b0", {"width_mult": 1.1, "depth_mult": 1.2}, (3, 288, 288), 9_109_994, 1.088),  # b2
    ("resnet50", {"width_per_group": 128}, (3, 224, 224), 68_883_240, 11.398),  # wide_resnet50_2
]


@pytest.mark.parametrize(("name", "options", "shape", "params", "gmacs"), VARIANTS)
def test_options_reproduce_published_variants(
    name: str, options: dict, shape: tuple[int, ...], params: int, gmacs: float
) -> None:
    model = built(name, **options)
    assert trainable(model) == params
    assert flop_counter_macs(model, shape) / 1e9 == pytest.approx(gmacs, rel=0.01)


def test_mobilenet_width_multiplier_1_4_matches_the_tf_slim_table() -> None:
    # TF-slim's published mobilenet_v2_1.4_224: 582M MACs (it has 1001 classes: one more fc row than ours)
    assert flop_counter_macs(built("mobilenet_v2", width_mult=1.4), (3, 224, 224)) / 1e6 == pytest.approx(
        582, rel=0.01
    )


def test_num_classes_changes_only_the_classifier() -> None:
    assert trainable(built("resnet50")) - trainable(built("resnet50", num_classes=10)) == (2048 + 1) * (
        1000 - 10
    )
    assert trainable(built("densenet121", num_classes=2)) == 7_978_856 - (1024 + 1) * (1000 - 2)


def test_xception_keras_total_adds_the_bn_moving_statistics() -> None:
    # Why Keras reports 22,910,480 "total" beside 22,855,952 trainable: the BN moving mean and variance
    # (2 per channel) are weights in Keras and buffers in torch. 54,528 = 2 x 27,264 BN channels.
    model = built("xception")
    running = sum(b.numel() for n, b in model.named_buffers() if "running" in n)
    assert running == 54_528
    assert trainable(model) + running == 22_910_480


def test_googlenet_published_count_is_the_3x3_branch3() -> None:
    # Why the paper's 5x5 branch gives more than the published 6,624,904: torchvision's branch3 is 3x3 (a known
    # bug kept for its weights). The difference is (25 - 9) * #5x5 * #5x5reduce summed over the nine modules.
    from analysis.zoo.googlenet import INCEPTION_SETTING

    extra = sum((25 - 9) * row[5] * row[4] for row in INCEPTION_SETTING.values())
    assert trainable(built("googlenet", branch3_kernel=5)) == 6_624_904 + extra


# Blocks named as in the reference code, with hand-derived parameter counts (weights + BN gamma/beta).
NAMED_BLOCKS = [
    (
        "resnet50",
        "layer1.0",
        64 * 64 + 2 * 64 + 64 * 64 * 9 + 2 * 64 + 256 * 64 + 2 * 256 + 256 * 64 + 2 * 256,
    ),
    ("resnet50", "layer2.1", 128 * 512 + 2 * 128 + 128 * 128 * 9 + 2 * 128 + 512 * 128 + 2 * 512),
    ("mobilenet_v2", "features.3", 144 * 24 + 2 * 144 + 144 * 9 + 2 * 144 + 24 * 144 + 2 * 24),
    ("efficientnet_b0", "features.1.0", 32 * 9 + 2 * 32 + (8 * 32 + 8) + (32 * 8 + 32) + 16 * 32 + 2 * 16),
    ("densenet121", "features.denseblock1.denselayer1", 2 * 64 + 128 * 64 + 2 * 128 + 32 * 128 * 9),
    (
        "googlenet",
        "inception3a",
        (64 * 192 + 2 * 64)
        + (96 * 192 + 2 * 96 + 128 * 96 * 9 + 2 * 128)
        + (16 * 192 + 2 * 16 + 32 * 16 * 9 + 2 * 32)
        + (32 * 192 + 2 * 32),
    ),
    (
        "vit_b_16",
        "encoder.layers.encoder_layer_0",
        2 * 2 * 768
        + (3 * 768 * 768 + 3 * 768)
        + (768 * 768 + 768)
        + (3072 * 768 + 3072)
        + (768 * 3072 + 768),
    ),
    (
        "swin_t",
        "features.1.0",
        2 * 2 * 96
        + (3 * 96 * 96 + 3 * 96)
        + 13 * 13 * 3
        + (96 * 96 + 96)
        + (384 * 96 + 384)
        + (96 * 384 + 96),
    ),
    ("xception", "block5", 3 * (728 * 9 + 728 * 728 + 2 * 728)),
]


@pytest.mark.parametrize(("name", "block", "params"), NAMED_BLOCKS)
def test_named_blocks(name: str, block: str, params: int) -> None:
    model = built(name)
    assert block in block_names(model, name)
    assert trainable(model.get_submodule(block)) == params


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_worked_arithmetic_matches_numel_and_the_tracer(name: str) -> None:
    """Every block's parameters as products of its sizes equal numel; every MAC row's product equals the tracer."""
    measured = measure(name)
    for block in block_names(measured.model, name):
        assert measured.inputs[block] and measured.outputs[block], block  # dense layers take a list of maps
        lines = param_lines(measured.model.get_submodule(block))
        assert sum(line.term.value for line in lines) == measured.params(block)
        for row in measured.rows(block):
            term = mac_terms(measured.model.get_submodule(row.module), row, measured)
            assert (term.value if term else 0) == row.macs, (block, row.module)


def test_stage_shapes_at_224() -> None:
    shapes = {
        ("resnet50", "layer2"): [512, 28, 28],
        ("mobilenet_v2", "features.6"): [32, 28, 28],
        ("densenet121", "features.denseblock1"): [64 + 6 * 32, 56, 56],
        ("densenet121", "features.transition1"): [(64 + 6 * 32) // 2, 28, 28],
        ("swin_t", "features.3"): [28, 28, 192],  # channels-last inside Swin's features
        ("googlenet", "inception4e"): [256 + 320 + 128 + 128, 14, 14],
        ("vit_b_16", "encoder.layers.encoder_layer_5"): [(224 // 16) ** 2 + 1, 768],
        ("xception", "block13"): [1024, 10, 10],
    }
    for (name, stage), shape in shapes.items():
        assert measure(name).outputs[stage] == shape, (name, stage)


def test_everything_builds_on_meta_without_memory() -> None:
    for name in MODELS:
        model = built(name)
        assert all(p.device.type == "meta" for p in model.parameters())
        assert math.prod(default_input(name)) > 0


def test_bad_options_and_names_are_clean_errors() -> None:
    with pytest.raises(KeyError, match="no model 'resnet18'"):
        build("resnet18")
    with pytest.raises(ValueError, match="unknown option"):
        build("resnet50", width_mult=0.5)
    with pytest.raises(ValueError, match="multiple of patch_size"):
        built("vit_b_16", image_size=200)


def test_input_options_let_vit_take_another_size() -> None:
    from analysis.trace import trace_module
    from analysis.zoo import input_options

    assert input_options("resnet50", [3, 384, 384]) == {}
    with torch.device("meta"):
        model = build("vit_b_16", **input_options("vit_b_16", [3, 384, 384]))
    totals = trace_module(model, [3, 384, 384]).totals
    # only the position embedding grows: (24 * 24 + 1) tokens instead of (14 * 14 + 1), 768 each
    assert totals["params"] == 86_567_656 + (24 * 24 - 14 * 14) * 768


# the parameters neither weight nor bias by name (analysis.trace.param_kind), model by model
OTHER_PARAMETERS = {
    "vit_b_16": {"class_token": 768, "encoder.pos_embedding": (224 // 16) ** 2 * 768 + 768},
    "swin_t": {  # (2M - 1)^2 relative positions x heads, in each of the 2 + 2 + 6 + 2 blocks (M = 7)
        f"features.{stage}.{block}.attn.relative_position_bias_table": (2 * 7 - 1) ** 2 * heads
        for stage, blocks, heads in ((1, 2, 3), (3, 2, 6), (5, 6, 12), (7, 2, 24))
        for block in range(blocks)
    },
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_columns_add_up_to_the_params(name: str) -> None:
    """weights + biases + others = params, for the totals and every row (issue 13.6)."""
    result = measure(name).trace
    totals, others = result.totals, OTHER_PARAMETERS.get(name, {})
    assert totals["weights"] + totals["biases"] + sum(others.values()) == totals["params"]
    assert sum(r.weights for r in result.layers) == totals["weights"]
    assert sum(r.biases for r in result.layers) == totals["biases"]
    assert sum(r.others for r in result.layers) == sum(others.values())
    assert all(r.others >= 0 and r.weights + r.biases + r.others == r.params for r in result.layers)
    assert {
        n: p.numel() for n, p in built(name).named_parameters() if not n.endswith(("weight", "bias"))
    } == others
