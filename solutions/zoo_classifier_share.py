"""E25: a new classification head (num_classes) on a zoo architecture: its parameters, the new
total, and the head's share of all parameters (transfer learning on 2, 10 or 100 classes, as the sheets do).

Counts come from the built model on `meta` and the shared tracer (`analysis.zoo.measure`).
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

import torch
from torch import nn

from analysis.zoo import MODELS, build
from bank.item import Bilingual
from bank.ranges import draw
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import bias_forgotten
from solutions.common.zoo_common import TITLE_FA


@lru_cache(maxsize=64)
def _with_head(name: str, num_classes: int) -> nn.Module:
    with torch.device("meta"):
        return build(name, num_classes=num_classes)


def _trainable(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


@generator("zoo_classifier_share")
def generate_classifier_share(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": draw(rng, ranges["models"], "models"),
        "num_classes": draw(rng, ranges["num_classes"], "num_classes"),
    }


def imagenet_head_kept(value: int) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="این تعداد پارامتر با سر ۱۰۰۰ کلاسه‌ی ImageNet است؛ سر را با سر جدید عوض کنید.",
            en="That is the count with ImageNet's 1000-class head; replace it with the new head.",
        ),
    )


def share_of_the_rest(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="سهم را نسبت به بقیه‌ی شبکه حساب کرده‌اید؛ مخرج باید کل پارامترهای شبکه (با خود طبقه‌بند) باشد.",
            en="You divided by the rest of the network; the share is over all parameters, the classifier included.",
        ),
    )


def percent_text(value: float) -> str:
    """Three significant figures: 0.0196%, 8.02%, 27.9% (as the part's prompt asks; its `grading:` is the tolerance)."""
    return f"{value:.3g}%"


@solver("zoo_classifier_share")
def solve_classifier_share(params: dict[str, Any]) -> Solution:
    name, classes = params["model"], params["num_classes"]
    entry = MODELS[name]
    model = _with_head(name, classes)
    head = model.get_submodule(entry.classifier)
    linear = next(m for m in head.modules() if isinstance(m, nn.Linear))
    head_params = _trainable(head)
    total = _trainable(model)
    share = 100 * head_params / total
    rest_share = 100 * head_params / (total - head_params)
    published_head = linear.in_features * 1000 + 1000
    return Solution(
        answers={
            "head_params": Answer(
                head_params, misconceptions=[bias_forgotten(head_params, linear.out_features)]
            ),
            "total": Answer(
                total,
                misconceptions=[imagenet_head_kept(entry.published_params) if classes != 1000 else None],
            ),
            # a tiny head makes the two readings equal within the part's tolerance: the bank drops it then
            "share": Answer(share, text=percent_text(share), misconceptions=[share_of_the_rest(rest_share)]),
        },
        values={
            "title": entry.title,
            "title_fa": TITLE_FA[name],
            "head": entry.classifier,
            "head_module": f"{entry.classifier}"
            + ("" if head is linear else f" ({type(linear).__name__} inside)"),
            "features": linear.in_features,
            "head_params": head_params,
            "backbone": total - head_params,
            "published": entry.published_params,
            "published_head": published_head,
            "total": total,
            "share_text": percent_text(share),
            "rest_share_text": percent_text(rest_share),
        },
    )
