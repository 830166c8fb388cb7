"""E25: output shape after a stage of a zoo architecture, and the parameters of the network up to
it (a truncated backbone).

The answers come from the built model (numel) and the shared tracer; the worked solutions spell every count as
the product of the module's own sizes (tests/test_zoo.py checks that product against numel and the tracer).
"""

from __future__ import annotations

import random
from typing import Any

from torch import nn

from analysis.arithmetic import conv_output_size
from analysis.zoo import MODELS
from analysis.zoo.measure import Measured, measure, norm_params
from analysis.zoo.swin import PatchMerging
from bank.ranges import draw
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import channel_order, norm_params_forgotten
from solutions.common.zoo_common import (
    INPUT_SIDES,
    input_shape_at,
    model_words,
    stage_number,
    to_chw,
)


@generator("zoo_stage_output")
def generate_stage_output(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    name = draw(rng, ranges["models"], "models")
    side = (
        draw(rng, ranges["swin_sides"], "swin_sides") if name == "swin_t" else rng.choice(INPUT_SIDES[name])
    )
    return {"model": name, "side": side, "stage": rng.choice(MODELS[name].stages)}


def _spatial(shape: list[int], module: nn.Module) -> list[int]:
    return shape[:2] if isinstance(module, PatchMerging) else shape[1:]


def _kernel_stride_padding(module: nn.Module) -> tuple[int, int, int]:
    values = (module.kernel_size, module.stride, module.padding)
    k, s, p = (v[0] if isinstance(v, tuple) else v for v in values)
    return int(k), int(s), int(p)


def _size_rule(module: nn.Module, size_in: int) -> str:
    """How one resolution step is computed, as the worked solution writes it."""
    if isinstance(module, PatchMerging):
        return rf"\lceil {size_in} / 2 \rceil"
    k, s, p = _kernel_stride_padding(module)
    ceil = getattr(module, "ceil_mode", False)
    bracket = (r"\lceil", r"\rceil") if ceil else (r"\lfloor", r"\rfloor")
    return rf"{bracket[0]} ({size_in} + 2 \cdot {p} - {k}) / {s} {bracket[1]} + 1"


def downsampling_steps(measured: Measured, stage: str) -> list[dict[str, Any]]:
    """Every conv, pool or patch merging up to the end of `stage` that changes the resolution, in order."""
    order = list(measured.outputs)  # hooks fire when a module returns: execution order of completion
    end = order.index(stage)
    kinds = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, PatchMerging)
    steps: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()  # parallel paths (a strided shortcut) repeat a step: show it once
    for module_name in order[: end + 1]:
        module = measured.model.get_submodule(module_name)
        if not isinstance(module, kinds):
            continue
        size_in = _spatial(measured.inputs[module_name], module)
        size_out = _spatial(measured.outputs[module_name], module)
        if size_in != size_out and (size_in[0], size_out[0]) not in seen:
            seen.add((size_in[0], size_out[0]))
            if isinstance(module, nn.Conv2d | nn.MaxPool2d | nn.AvgPool2d):
                k, s, p = _kernel_stride_padding(module)
                check = conv_output_size(size_in[0], k, s, p, ceil_mode=getattr(module, "ceil_mode", False))
                assert check == size_out[0], (module_name, check, size_out)
            steps.append(
                {
                    "module": module_name,
                    "kind": type(module).__name__,
                    "rule": _size_rule(module, size_in[0]),
                    "size_in": size_in[0],
                    "size_out": size_out[0],
                }
            )
    return steps


def params_up_to(measured: Measured, stage: str) -> list[dict[str, Any]]:
    """Parameters of every top-level part of the network up to and including `stage` (forward order)."""
    depth = len(stage.split("."))
    rows = measured.trace.layers
    last = max(i for i, r in enumerate(rows) if r.module == stage or r.module.startswith(stage + "."))
    groups: dict[str, int] = {}
    for row in rows[: last + 1]:
        key = ".".join(row.module.split(".")[:depth])
        groups[key] = groups.get(key, 0) + row.params
    return [{"module": key, "value": value} for key, value in groups.items() if value]


@solver("zoo_stage_output")
def solve_stage_output(params: dict[str, Any]) -> Solution:
    name, stage, side = params["model"], params["stage"], params["side"]
    measured = measure(name, input_shape=input_shape_at(name, side))
    out = to_chw(measured.outputs[stage], name)
    groups = params_up_to(measured, stage)
    upto = sum(g["value"] for g in groups)
    total = measured.trace.totals["params"]
    return Solution(
        answers={
            "shape": Answer(out, misconceptions=[channel_order(out)]),
            "params": Answer(
                upto, misconceptions=[norm_params_forgotten(upto - _norms_up_to(measured, groups))]
            ),
        },
        values={
            **model_words(name),
            "stage_no": stage_number(name, stage),
            "stages": len(MODELS[name].stages),
            "steps": downsampling_steps(measured, stage),
            "groups": groups,
            "out": out,
            "upto": upto,
            "total": total,
            "share": round(100 * upto / total, 2),
        },
    )


def _norms_up_to(measured: Measured, groups: list[dict[str, Any]]) -> int:
    return sum(norm_params(measured.model.get_submodule(g["module"])) for g in groups)
