"""E25: named blocks and stages of the zoo's real architectures, counted on the meta device.

- `zoo_block_params`: trainable parameters of one named block (bottleneck, inverted residual, MBConv, dense
  layer, inception module, encoder/Swin block, Xception block), each tensor as a product of its sizes.
- `zoo_block_macs`: output shape and MACs of one block at a given input size, from the tracer's rows.
- `zoo_stage_output`: output shape after a stage, and the parameters of the network up to it (a truncated backbone).

The answers come from the built model (numel) and the shared tracer; the worked solutions spell every count as
the product of the module's own sizes (tests/test_zoo.py checks that product against numel and the tracer).
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

import torch
from torch import nn

from analysis.arithmetic import conv_output_size
from analysis.zoo import MODELS, build
from analysis.zoo.measure import Measured, mac_terms, measure, norm_params, param_lines
from analysis.zoo.swin import PatchMerging, ShiftedWindowAttention
from bank.registry import Answer, Solution, generator, solver
from solutions.common.misconceptions import (
    bias_forgotten,
    block_input_shape_given,
    channel_order,
    flops_instead_of_macs,
    norm_params_forgotten,
    only_present,
    running_stats_counted,
)
from solutions.common.zoo_common import (
    INPUT_SIDES,
    TITLE_FA,
    block_words,
    blocks_of,
    module_label,
    short_kind,
    stage_number,
    term_tex,
    to_chw,
)


@lru_cache(maxsize=16)
def published(name: str) -> nn.Module:
    """The published configuration on meta (parameters only: no trace needed)."""
    with torch.device("meta"):
        return build(name)


def _model_words(name: str) -> dict[str, str]:
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


# --- parameters of a named block --------------------------------------------------------------------------------


@generator("zoo_block_params")
def generate_block_params(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    name = rng.choice(ranges["models"])
    return {"model": name, "block": rng.choice(blocks_of(name))}


def _biases(module: nn.Module) -> int:
    """Biases of convolutions, linear layers and attention projections (not the norms' β)."""
    norms = (nn.BatchNorm2d, nn.LayerNorm)
    return sum(
        p.numel()
        for m in module.modules()
        if not isinstance(m, norms)
        for n, p in m.named_parameters(recurse=False)
        if n.endswith("bias")
    )


@solver("zoo_block_params")
def solve_block_params(params: dict[str, Any]) -> Solution:
    name, block = params["model"], params["block"]
    module = published(name).get_submodule(block)
    lines = param_lines(module)
    total = sum(p.numel() for p in module.parameters() if p.requires_grad)
    norm = norm_params(module)
    running = sum(b.numel() for n, b in module.named_buffers() if n.endswith(("running_mean", "running_var")))
    biases = _biases(module)
    wrong = only_present(
        norm_params_forgotten(total - norm) if norm else None,
        bias_forgotten(total, biases) if biases else None,
        running_stats_counted(total + running) if running else None,
        right=total,
    )
    return Solution(
        answers={"params": Answer(total, misconceptions=wrong)},
        values={
            **_model_words(name),
            "words": block_words(name, block),
            "structure": structure(module, block),
            "lines": [
                {
                    "module": module_label(block, line.module),
                    "kind": short_kind(line.kind),
                    "tex": term_tex(line.term.products),
                    "value": line.term.value,
                }
                for line in lines
            ],
            "total": total,
            "norm": norm,
            "running": running,
            "running_total": total + running,
        },
    )


# --- output shape and MACs of a block at an input size ------------------------------------------------------------


@generator("zoo_block_macs")
def generate_block_macs(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    name = rng.choice(ranges["models"])
    return {"model": name, "side": rng.choice(INPUT_SIDES[name]), "block": rng.choice(blocks_of(name))}


def _input_shape(name: str, side: int) -> tuple[int, int, int]:
    return (MODELS[name].input_shape[0], side, side)


def _shown_shape(measured: Measured, module: nn.Module, name: str, shape: list[int]) -> list[int]:
    """C×H×W for maps; windows×tokens×features for Swin's window-batched linear layers."""
    full = measured.full_outputs[name]
    if isinstance(module, nn.Linear) and measured.name == "swin_t" and full[0] != 1:
        return full
    return to_chw(shape, measured.name)


def mac_lines(measured: Measured, block: str) -> list[dict[str, Any]]:
    """The block's tracer rows that cost MACs, each with its product of sizes."""
    lines = []
    for row in measured.rows(block):
        if not row.macs:
            continue
        module = measured.model.get_submodule(row.module)
        term = mac_terms(module, row, measured)
        lines.append(
            {
                "module": row.module,
                "kind": short_kind(type(module).__name__)
                + (" (QKᵀ, AV)" if row.op.endswith("(own ops)") else ""),
                "shape": _shown_shape(measured, module, row.module, row.output_shape or []),
                "tex": term_tex(term.products) if term else str(row.macs),
                "value": row.macs,
            }
        )
    return lines


@solver("zoo_block_macs")
def solve_block_macs(params: dict[str, Any]) -> Solution:
    name, block, side = params["model"], params["block"], params["side"]
    measured = measure(name, input_shape=_input_shape(name, side))
    out = to_chw(measured.outputs[block], name)
    given = to_chw(measured.inputs[block], name)
    macs = measured.macs(block)
    return Solution(
        answers={
            "out_shape": Answer(
                out,
                misconceptions=only_present(
                    channel_order(out), block_input_shape_given(given) if given != out else None, right=out
                ),
            ),
            "macs": Answer(macs, misconceptions=[flops_instead_of_macs(macs)]),
        },
        values={
            **_model_words(name),
            "words": block_words(name, block),
            "structure": structure(measured.model.get_submodule(block), block),
            "in_shape": given,
            "out": out,
            "lines": mac_lines(measured, block),
            "macs": macs,
            "model_macs": measured.trace.totals["macs"],
            "share": round(100 * macs / measured.trace.totals["macs"], 2),
        },
    )


# --- output of a stage and the parameters up to it ----------------------------------------------------------------


@generator("zoo_stage_output")
def generate_stage_output(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    name = rng.choice(ranges["models"])
    sides = ranges["swin_sides"] if name == "swin_t" else INPUT_SIDES[name]
    return {"model": name, "side": rng.choice(sides), "stage": rng.choice(MODELS[name].stages)}


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
    measured = measure(name, input_shape=_input_shape(name, side))
    out = to_chw(measured.outputs[stage], name)
    groups = params_up_to(measured, stage)
    upto = sum(g["value"] for g in groups)
    total = measured.trace.totals["params"]
    return Solution(
        answers={
            "shape": Answer(out, misconceptions=only_present(channel_order(out), right=out)),
            "params": Answer(
                upto,
                misconceptions=only_present(
                    norm_params_forgotten(upto - _norms_up_to(measured, groups)), right=upto
                ),
            ),
        },
        values={
            **_model_words(name),
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
