"""A2 - what-if on the A1 network (sheet 002 Q1-c): four modifications, each traced as a whole new network."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

from bank.ranges import sample_until
from bank.registry import Answer, Solution, generator, solver
from solutions.cnn_table import AVG, is_valid, random_network, sheet_text, trace_params
from solutions.common import misconceptions as mc

Params = dict[str, Any]
# the bound on networks until one stays valid after each change; the most a seed took: 1 (seeds 1..60), 1 (seeds 1..20000)
TRIES = 100


def _layer(params: Params, label: str) -> dict[str, Any]:
    return next(layer for layer in params["layers"] if layer["label"] == label)


def _halve_stride(params: Params) -> None:
    _layer(params, "Layer2")["s"] //= 2


def _kernel_5(params: Params) -> None:
    _layer(params, "Layer4")["k"] = 5


def _double_channels(params: Params) -> None:
    _layer(params, "Layer7")["out"] *= 2


def _remove_avgpool(params: Params) -> None:
    params["layers"] = [layer for layer in params["layers"] if layer["type"] != AVG]


# (key, change, English and Persian wording)
MODIFICATIONS: list[tuple[str, Callable[[Params], None], str, str]] = [
    ("m1", _halve_stride, "the stride of Layer2 is halved", "stride لایه‌ی دوم نصف شود"),
    (
        "m2",
        _kernel_5,
        "the kernel of Layer4 becomes 5×5 (dilation unchanged)",
        "kernel لایه‌ی چهارم به 5×5 تغییر کند (با همان dilation)",
    ),
    ("m3", _double_channels, "the channels of Layer7 are doubled", "کانال‌های لایه‌ی هفتم دو برابر شود"),
    ("m4", _remove_avgpool, "the AvgPool layer is removed", "لایه‌ی AvgPool حذف شود"),
]


def modified(params: Params, change: Callable[[Params], None]) -> Params:
    new = copy.deepcopy(params)
    change(new)
    return new


@generator("cnn_whatif")
def generate(rng: random.Random, ranges: dict[str, Any]) -> Params:
    """An A1 network whose Layer2 has stride 2 (so halving it means something) and stays valid after each change."""

    def attempt() -> Params | None:
        params = random_network(rng, ranges)
        _layer(params, "Layer2")["s"] = 2
        valid = is_valid(params) and all(
            is_valid(modified(params, change), 1) for _, change, _, _ in MODIFICATIONS
        )
        return params if valid else None

    return sample_until(attempt, tries=TRIES, what="cnn_whatif")


def _summary(params: Params) -> dict[str, Any]:
    result = trace_params(params)
    rows = result.layers
    flat = next(k for k, r in enumerate(rows) if r.label == "flatten")
    last_spatial = rows[flat - 1]
    fc1 = rows[flat + 1]
    return {
        "N": rows[flat].output_shape[0],
        "fc1_weights": fc1.weights,
        "params": result.totals["params"],
        "flops": result.totals["flops"],
        "rf": last_spatial.receptive_field[0],
        "last_label": last_spatial.label,
        "last_shape": "×".join(map(str, last_spatial.output_shape)),
    }


@solver("cnn_whatif")
def solve(params: Params) -> Solution:
    base = _summary(params)
    answers: dict[str, Answer] = {}
    mods = []
    for key, change, en, fa in MODIFICATIONS:
        after = _summary(modified(params, change))
        for field in ("N", "fc1_weights", "params", "rf"):
            answers[f"{key}_{field}"] = Answer(after[field])
        answers[f"{key}_flops"] = Answer(
            after["flops"],
            misconceptions=[mc.macs_instead_of_flops(after["flops"])],
        )
        delta = {f: after[f] - base[f] for f in ("N", "fc1_weights", "params", "flops", "rf")}
        mods.append({"key": key, "en": en, "fa": fa, **after, "delta": delta})
    return Solution(answers=answers, values={"sheet": sheet_text(params), "base": base, "mods": mods})
