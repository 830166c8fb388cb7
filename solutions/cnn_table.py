"""A1 - the full per-layer table of sheet 002 Q1 - and the network generator A2 reuses.

The network is kept as structured params; `sheet_text` writes it in the sheet's own torch notation, and the
solver traces exactly that text (the students' network and the key's network are one text). The worked
solution recomputes each row with `analysis.arithmetic` and must agree with the trace.
"""

from __future__ import annotations

import random
from typing import Any

from analysis import arithmetic as ar
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from lang import fmt_shape
from solutions.common import misconceptions as mc

CONV, MAX, AVG = "Conv2d", "MaxPool2d", "AvgPool2d"
# the bound on draws until every layer has a non-empty output; the most a seed took: 1 (seeds 1..60), 1 (seeds 1..20000)
TRIES = 100


def sheet_text(params: dict[str, Any]) -> str:
    """The network in sheet notation, one labelled layer per line (as sheet 002 writes it)."""
    lines = []
    channels = params["input"][0]
    for layer in params["layers"]:
        k = layer["k"]
        if layer["type"] == CONV:
            dilation = f", dilation={layer['d']}" if "d" in layer else ""
            lines.append(
                f"{layer['label']}: Conv2d(in_channels={channels}, out_channels={layer['out']}, "
                f"kernel_size=({k},{k}), stride={layer['s']}{dilation}, padding={layer['p']})"
            )
            channels = layer["out"]
        else:
            lines.append(f"{layer['label']}: {layer['type']}(kernel_size=({k},{k}), stride={layer['s']})")
    n = len(params["layers"])
    hidden = params["hidden"]
    lines.append(f"Layer{n + 1}: Linear(N, {hidden}) → Linear({hidden}, {hidden})")
    lines.append(f"Layer{n + 3}: Dropout({params['dropout']})")
    lines.append(f"Layer{n + 4}: Linear({params['classes']})")
    return "\n".join(lines)


def trace_params(params: dict[str, Any]):  # -> analysis.trace.TraceResult
    from analysis.sheet import build_sheet
    from analysis.trace import trace_module

    sheet = build_sheet(sheet_text(params), params["input"])
    return trace_module(sheet.model, params["input"], labels=sheet.labels)


def spatial_sizes(params: dict[str, Any]) -> list[int]:
    """Side length after each conv/pool layer (pure arithmetic; the generator's validity check)."""
    size, sizes = params["input"][1], []
    for layer in params["layers"]:
        size = ar.conv_output_size(size, layer["k"], layer["s"], layer.get("p", 0), layer.get("d", 1))
        sizes.append(size)
    return sizes


def is_valid(params: dict[str, Any], min_final: int = 2) -> bool:
    try:
        sizes = spatial_sizes(params)
    except ValueError:
        return False
    return min(sizes) >= 1 and sizes[-1] >= min_final


def random_network(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """The sheet's skeleton (conv, conv, pool, dilated conv, conv, pool, conv, avg-pool, FC head) with the
    sizes a TA would vary; resampled until every layer has a non-empty output."""

    def attempt() -> dict[str, Any] | None:
        k1, k2 = rng.choice([3, 5, 7]), rng.choice([3, 5])
        c1 = rng.choice([16, 32, 48])
        c2 = rng.choice([32, 64])
        c4 = rng.choice([64, 96, 128])
        c7 = rng.choice([128, 192, 256])
        params = {
            "input": [rng.choice([1, 3]), draw(rng, ranges["input_sizes"], "input_sizes"), 0],
            "layers": [
                {"label": "Layer1", "type": CONV, "out": c1, "k": k1, "s": 1, "p": rng.choice([0, k1 // 2])},
                {
                    "label": "Layer2",
                    "type": CONV,
                    "out": c2,
                    "k": k2,
                    "s": rng.choice([1, 2, 2]),
                    "p": rng.choice([0, 1]),
                },
                {"label": "Layer3", "type": MAX, "k": 2, "s": 2},
                {
                    "label": "Layer4",
                    "type": CONV,
                    "out": c4,
                    "k": 3,
                    "s": 1,
                    "d": rng.choice([1, 2, 2, 3]),
                    "p": rng.choice([0, 1]),
                },
                {
                    "label": "Layer5",
                    "type": CONV,
                    "out": rng.choice([c4, 2 * c4]),
                    "k": 3,
                    "s": 1,
                    "d": 1,
                    "p": rng.choice([0, 1]),
                },
                {"label": "Layer6", "type": MAX, "k": 2, "s": 2},
                {"label": "Layer7", "type": CONV, "out": c7, "k": 3, "s": 1, "p": rng.choice([0, 1])},
                {"label": "Layer8", "type": AVG, "k": 2, "s": 2},
            ],  # fmt: skip
            "hidden": rng.choice([256, 512, 1024]),
            "dropout": rng.choice([0.3, 0.5]),
            "classes": rng.choice([10, 20, 100]),
        }
        params["input"][2] = params["input"][1]
        return params if is_valid(params) else None

    return sample_until(attempt, tries=TRIES, what="cnn_table network")


@generator("cnn_table")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    return random_network(rng, ranges)


def _row_steps(
    layer: dict[str, Any], size_in: int, c_in: int, row: Any, rf_in: int, jump_in: int
) -> dict[str, str]:
    """The worked arithmetic of one conv/pool row, recomputed with analysis.arithmetic."""
    k, s, p, d = layer["k"], layer["s"], layer.get("p", 0), layer.get("d", 1)
    size = ar.conv_output_size(size_in, k, s, p, d)
    rf, jump = ar.receptive_field_step(rf_in, jump_in, k, s, d)
    keff = ar.effective_kernel(k, d)
    steps = {
        "size": f"⌊({size_in} + 2·{p} − {keff}) / {s}⌋ + 1 = {size}",
        "rf": f"{rf_in} + ({keff} − 1)·{jump_in} = {rf}",
    }
    if layer["type"] == CONV:
        c_out = layer["out"]
        weights = ar.conv_weights(c_in, c_out, (k, k))
        macs = ar.conv_macs(c_in, c_out, (k, k), (size, size))
        steps["weights"] = f"{c_out}·{c_in}·{k}·{k} = {weights:,}"
        steps["flops"] = f"2·{size}·{size}·{c_out}·{c_in}·{k}·{k} = {ar.flops(macs):,}"
        assert (row.weights, row.macs) == (weights, macs), "arithmetic and trace disagree"
    assert (row.output_shape[1], row.receptive_field[0]) == (size, rf), "arithmetic and trace disagree"
    return steps


@solver("cnn_table")
def solve(params: dict[str, Any]) -> Solution:
    result = trace_params(params)
    by_label = {r.label: r for r in result.layers}
    answers: dict[str, Answer] = {}
    rows: list[dict[str, Any]] = []
    size, channels, rf, jump = params["input"][1], params["input"][0], 1, 1
    conv_layers = {layer["label"]: layer for layer in params["layers"]}
    kernels: list[int] = []
    dilations: list[int] = []
    for r in result.layers:
        if r.label == "flatten":
            continue
        row: dict[str, Any] = {"key": r.label, "label": r.label, "op": r.op, "shape": fmt_shape(r.output_shape),
                               "weights": r.weights, "biases": r.biases, "flops": r.flops,
                               "rf": r.receptive_field[0] if r.receptive_field else None,
                               "steps": dict.fromkeys(("size", "rf", "weights", "flops"))}  # fmt: skip
        if r.label in conv_layers:
            layer = conv_layers[r.label]
            row["steps"].update(_row_steps(layer, size, channels, r, rf, jump))
            size, rf, jump = r.output_shape[1], r.receptive_field[0], r.jump[0]
            channels = r.output_shape[0]
            kernels.append(layer["k"])
            dilations.append(layer.get("d", 1))
            answers[f"{r.label}_rf"] = Answer(rf, misconceptions=[mc.rf_without_jump(kernels, dilations)])
        elif r.op == "Linear":
            features_in = r.weights // r.output_shape[0]
            weights = ar.linear_weights(features_in, r.output_shape[0])
            assert weights == r.weights and ar.linear_macs(features_in, r.output_shape[0]) == r.macs
            row["steps"].update(weights=f"{features_in}·{r.output_shape[0]} = {weights:,}",
                                flops=f"2·{features_in}·{r.output_shape[0]} = {r.flops:,}")  # fmt: skip
        rows.append(row)
        shape_misc = [mc.channel_order(r.output_shape)] if len(r.output_shape) == 3 else []
        answers[f"{r.label}_shape"] = Answer(r.output_shape, misconceptions=shape_misc)
        answers[f"{r.label}_weights"] = Answer(
            r.weights, misconceptions=[mc.weights_with_biases(r.weights, r.biases)]
        )
        answers[f"{r.label}_biases"] = Answer(r.biases)
        answers[f"{r.label}_flops"] = Answer(
            r.flops,
            misconceptions=[
                mc.macs_instead_of_flops(r.flops) if r.flops else None,
                _flops_with_bias_adds(r.flops, r.output_shape, r.biases),
            ],
        )
    flat = by_label["flatten"].output_shape[0]
    answers["N"] = Answer(flat)
    spatial_rows = [row for row in rows if row["rf"] is not None]
    return Solution(
        answers=answers,
        values={
            "sheet": sheet_text(params),
            "rows": rows,
            "spatial_rows": spatial_rows,
            "N": flat,
            "last_spatial": spatial_rows[-1],
            "totals": result.totals,
        },
    )


def _flops_with_bias_adds(flops: int, shape: list[int], biases: int) -> Misconception | None:
    if not biases or not flops:
        return None
    outputs = 1
    for s in shape:
        outputs *= s
    return Misconception(
        flops + outputs,
        Bilingual(
            fa="جمع بایاس‌ها را هم شمرده‌اید؛ در این سؤال فقط ضرب‌ها و جمع‌های جمع وزن‌دار شمرده می‌شوند.",
            en="You counted the bias additions too; this question counts only the weighted sum's multiplies and adds.",
        ),
    )
