"""E25 shared pieces: which blocks and input sizes a question on a zoo model may use, and how to name them.

No generator or solver is registered here; the families are `zoo_block_params`, `zoo_block_macs`,
`zoo_stage_output`, `zoo_classifier_share` and `zoo_scaling` (one module each). Names of blocks
are the module names of the reference code (torchvision; Keras for Xception), which is what students see when
they print the model.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import torch
from torch import nn

from analysis.zoo import MODELS, block_names, build
from analysis.zoo.swin import ShiftedWindowAttention

# input sides a TA would ask about, per model (the model runs on all of them; Swin only at its native 224 so
# no padded windows enter the count; ViT needs image_size as an option and is asked in the totals family)
INPUT_SIDES: dict[str, list[int]] = {
    "resnet50": [64, 96, 128, 160, 192, 224, 256, 288, 320],
    "resnet101": [96, 128, 160, 224, 256, 320],
    "mobilenet_v2": [32, 64, 96, 128, 160, 192, 224],
    "efficientnet_b0": [128, 192, 224, 240, 260, 300],
    "densenet121": [64, 96, 128, 160, 224],
    "googlenet": [96, 128, 160, 224],
    "xception": [150, 224, 256, 299],
    "swin_t": [224],
}

TITLE_FA = {
    "resnet50": "`ResNet-50`",
    "resnet101": "`ResNet-101`",
    "mobilenet_v2": "`MobileNetV2`",
    "efficientnet_b0": "`EfficientNet-B0`",
    "xception": "`Xception`",
    "vit_b_16": "`ViT-B/16`",
    "swin_t": "`Swin-T`",
    "densenet121": "`DenseNet-121`",
    "googlenet": "`GoogLeNet`",
}

BLOCK_LABEL_FA = {
    "resnet50": "بلوک bottleneck",
    "resnet101": "بلوک bottleneck",
    "mobilenet_v2": "بلوک inverted residual",
    "efficientnet_b0": "بلوک MBConv",
    "xception": "بلوک Xception",
    "vit_b_16": "بلوک انکودر",
    "swin_t": "بلوک Swin",
    "densenet121": "لایه‌ی متراکم (dense layer)",
    "googlenet": "ماژول اینسپشن",
}


@lru_cache(maxsize=32)
def blocks_of(name: str) -> tuple[str, ...]:
    """The model's repeated blocks in forward order, read from the built model (meta device)."""
    with torch.device("meta"):
        return tuple(block_names(build(name), name))


def ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def block_words(name: str, block: str) -> dict[str, str]:
    """How a statement names a block: its module name plus its place in the model, in both languages."""
    position = blocks_of(name).index(block) + 1
    label_en = MODELS[name].block_label
    return {
        "en": f"the {ordinal_en(position)} {label_en} of {MODELS[name].title}, `{block}`",
        "fa": f"{BLOCK_LABEL_FA[name]} شماره‌ی {position} در {TITLE_FA[name]}، یعنی `{block}`",
    }


def stage_number(name: str, stage: str) -> int:
    return MODELS[name].stages.index(stage) + 1


def to_chw(shape: list[int], name: str) -> list[int]:
    """Swin keeps feature maps channels-last ([H, W, C]); questions ask for C×H×W like every other model."""
    if name == "swin_t" and len(shape) == 3:
        height, width, channels = shape
        return [channels, height, width]
    return list(shape)


def tex_product(factors: tuple[int, ...]) -> str:
    return r" \cdot ".join(str(f) for f in factors)


def term_tex(products: tuple[tuple[int, ...], ...]) -> str:
    return " + ".join(tex_product(p) for p in products)


def short_kind(module_type: str) -> str:
    """`NonDynamicallyQuantizableLinear` (MultiheadAttention's out_proj) reads as Linear."""
    return "Linear" if module_type.endswith("Linear") else module_type


def options_text(options: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(options.items())) or "defaults"


def module_label(block: str, relative: str) -> str:
    return block if relative in ("", "(own)") else f"{block}.{relative}"


def natural_key(text: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


@lru_cache(maxsize=16)
def published(name: str) -> nn.Module:
    """The published configuration on meta (parameters only: no trace needed)."""
    with torch.device("meta"):
        return build(name)


def model_words(name: str) -> dict[str, str]:
    return {"title": MODELS[name].title, "title_fa": TITLE_FA[name]}


def module_spec(module: nn.Module) -> str:
    """The layer as `print(model)` shows it (attention modules spelled out, their repr being a container)."""
    if isinstance(module, nn.MultiheadAttention):
        bias = module.in_proj_bias is not None
        return f"MultiheadAttention(embed_dim={module.embed_dim}, num_heads={module.num_heads}, bias={bias})"
    if isinstance(module, nn.BatchNorm2d):
        return f"BatchNorm2d({module.num_features})"
    if isinstance(module, nn.LayerNorm):
        return f"LayerNorm({module.normalized_shape[0]})"
    if isinstance(module, ShiftedWindowAttention):
        wh, ww = module.window_size
        table = "x".join(str(s) for s in module.relative_position_bias_table.shape)
        return (
            f"ShiftedWindowAttention(window={wh}x{ww}, shift={module.shift_size[0]}, heads={module.num_heads}, "
            f"relative_position_bias_table={table})"
        )
    return f"{short_kind(type(module).__name__)}({module.extra_repr()})"


def structure(block: nn.Module, prefix: str) -> list[dict[str, str]]:
    """Every layer of the block that owns parameters or computes (convs, norms, linears, attention, pooling)."""
    kinds = (
        nn.Conv2d,
        nn.Linear,
        nn.BatchNorm2d,
        nn.LayerNorm,
        nn.MultiheadAttention,
        ShiftedWindowAttention,
        nn.MaxPool2d,
        nn.AvgPool2d,
    )
    return [
        {"module": module_label(prefix, name), "spec": module_spec(module)}
        for name, module in block.named_modules()
        if isinstance(module, kinds)
    ]


def input_shape_at(name: str, side: int) -> tuple[int, int, int]:
    return (MODELS[name].input_shape[0], side, side)
