"""E25 shared pieces: which blocks and input sizes a question on a zoo model may use, and how to name them.

No generator or solver is registered here; `zoo_blocks.py` and `zoo_totals.py` are the families. Names of blocks
are the module names of the reference code (torchvision; Keras for Xception), which is what students see when
they print the model.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import torch

from analysis.zoo import MODELS, block_names, build

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
