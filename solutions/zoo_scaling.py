"""E25: one change to a zoo architecture's published configuration (input resolution, width
multiplier, depth multiplier, growth rate, patch size, bottleneck width, the paper's 5x5 inception branch): the
new parameter count, the new GMACs, and the factor by which the MACs change.

Counts come from the built model on `meta` and the shared tracer (`analysis.zoo.measure`).
"""

from __future__ import annotations

import random
from typing import Any

from analysis.zoo import MODELS, default_input
from analysis.zoo.measure import Measured, measure
from bank.item import Bilingual
from bank.ranges import RangeError, draw
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import flops_instead_of_macs
from solutions.common.zoo_common import TITLE_FA


@generator("zoo_scaling")
def generate_scaling(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    name = draw(rng, ranges["models"], "models")
    changes = ranges["changes"].get(name)
    if not changes:
        raise RangeError(
            f"range 'changes': model '{name}' of `models:` has no entry (what may change, and to what)"
        )
    change = rng.choice(sorted(changes))  # the options in name order: one choice, as the table in Python made
    return {"model": name, "change": change, "value": draw(rng, changes[change], f"changes.{name}.{change}")}


def published_count_given(value: int) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="این تعداد پارامتر پیکربندی منتشرشده است؛ این تغییر تعداد پارامترها را هم عوض می‌کند.",
            en="That is the published configuration's count; this change alters the parameters too.",
        ),
    )


def scale_factor_inverted(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="نسبت را وارونه نوشته‌اید: سؤال مقدار جدید تقسیم بر مقدار پیکربندی منتشرشده را خواسته.",
            en="You inverted the ratio: the question asks for the new value divided by the published configuration's.",
        ),
    )


def _configuration(name: str, change: str, value: Any) -> tuple[dict[str, Any], tuple[int, int, int]]:
    if change == "input":
        return {}, (3, value, value)
    options = {change: value}
    return options, default_input(name, **options)


def _groups(measured: Measured) -> dict[str, tuple[int, int]]:
    """(params, MACs) per top-level part: `features.N` for models built as one `features` sequence."""
    groups: dict[str, tuple[int, int]] = {}
    for row in measured.trace.layers:
        parts = row.module.split(".") if row.module else ["(own)"]
        depth = 2 if parts[0] in ("features", "encoder") else 1
        key = ".".join(parts[:depth])
        params, macs = groups.get(key, (0, 0))
        groups[key] = (params + row.params, macs + row.macs)
    return groups


def _gmacs(macs: int) -> float:
    return round(macs / 1e9, 4)


@solver("zoo_scaling")
def solve_scaling(params: dict[str, Any]) -> Solution:
    name, change, value = params["model"], params["change"], params["value"]
    entry = MODELS[name]
    options, shape = _configuration(name, change, value)
    base = measure(name)
    new = measure(name, options, shape)
    base_macs, new_macs = base.trace.totals["macs"], new.trace.totals["macs"]
    new_params = new.trace.totals["params"]
    ratio = new_macs / base_macs
    base_groups, new_groups = _groups(base), _groups(new)
    rows = [
        {
            "module": key,
            "base_params": base_groups.get(key, (0, 0))[0],
            "new_params": new_groups.get(key, (0, 0))[0],
            "base_macs": base_groups.get(key, (0, 0))[1],
            "new_macs": new_groups.get(key, (0, 0))[1],
        }
        for key in dict.fromkeys([*base_groups, *new_groups])
    ]
    rows = [r for r in rows if r["base_params"] or r["new_params"] or r["base_macs"] or r["new_macs"]]
    gmacs = new_macs / 1e9
    # texts to 4 significant figures: the prompts ask for at least three; the tolerance is the YAML's `grading:`
    return Solution(
        answers={
            "params": Answer(
                new_params,
                misconceptions=[published_count_given(entry.published_params)],
            ),
            "gmacs": Answer(gmacs, text=f"{gmacs:.4g}", misconceptions=[flops_instead_of_macs(gmacs)]),
            "ratio": Answer(ratio, text=f"{ratio:.4g}", misconceptions=[scale_factor_inverted(1 / ratio)]),
        },
        values={
            "title": entry.title,
            "title_fa": TITLE_FA[name],
            "input_side": shape[1],
            "base_side": entry.input_shape[1],
            "base_params": base.trace.totals["params"],
            "base_macs": base_macs,
            "base_gmacs": _gmacs(base_macs),
            "new_params": new_params,
            "new_macs": new_macs,
            "gmacs_text": f"{gmacs:.4g}",
            "ratio_text": f"{ratio:.4g}",
            "side_ratio_sq": round((shape[1] / entry.input_shape[1]) ** 2, 4),
            "rows": rows,
            "patch": options.get("patch_size", 16),
            "tokens": (shape[1] // options.get("patch_size", 16)) ** 2 + 1 if name == "vit_b_16" else None,
        },
    )
