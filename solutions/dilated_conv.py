"""A8: dilated convolution: effective kernel (F−1)·D+1, output size M − (F−1)·D (no padding, stride 1), and the RF of
three stacked dilated layers with kernels w−1, w, w+1 and dilations d−1, d, d+1 — numerically and in closed form.

The closed form is the shared RF recursion run on sympy symbols (no formula typed in).
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_output_size, effective_kernel, receptive_fields
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import (
    dilation_ignored,
    dilation_multiplied,
    only_present,
    plus_one_forgotten,
    rf_kernels_summed,
)


def stack(w: Any, d: Any) -> list[tuple[Any, int, Any]]:
    """(kernel, stride, dilation) of the three stacked layers."""
    return [(w - 1, 1, d - 1), (w, 1, d), (w + 1, 1, d + 1)]


def stack_rf(w: Any, d: Any) -> Any:
    return receptive_fields(stack(w, d))[-1][0]


def summed_spans(w: Any, d: Any) -> Misconception:
    """The effective kernels added without removing the overlap."""
    return rf_kernels_summed([effective_kernel(k, dil) for k, _, dil in stack(w, d)])


@generator("dilated_conv")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    while True:
        kernel, dilation = rng.choice(ranges["F"]), rng.randint(*ranges["D"])
        size = rng.randint(*ranges["M"])
        if size - effective_kernel(kernel, dilation) + 1 < 4:
            continue
        return {
            "F": kernel,
            "D": dilation,
            "M": size,
            "w": rng.randint(*ranges["w"]),
            "d": rng.randint(*ranges["d"]),
        }


@solver("dilated_conv")
def solve(params: dict[str, Any]) -> Solution:
    import sympy as sp

    f, dil, m, w, d = (params[n] for n in ("F", "D", "M", "w", "d"))
    span = effective_kernel(f, dil)
    out = conv_output_size(m, f, 1, 0, dil)
    rf = stack_rf(w, d)
    sw, sd = sp.symbols("w d", positive=True, integer=True)
    formula = sp.expand(stack_rf(sw, sd))
    naive = summed_spans(sw, sd)
    steps = receptive_fields(stack(w, d))
    return Solution(
        answers={
            "eff_kernel": Answer(span, misconceptions=only_present(dilation_multiplied(f, dil), right=span)),
            "out_size": Answer(
                out,
                misconceptions=only_present(
                    dilation_ignored(m, f, 1, 0, dil), plus_one_forgotten(out), right=out
                ),
            ),
            "rf_stack": Answer(rf, misconceptions=only_present(summed_spans(w, d), right=rf)),
            "rf_formula": Answer(
                str(formula),
                misconceptions=[Misconception(str(sp.expand(naive.value)), naive.hint)],
            ),
        },
        values={
            "span": span,
            "out": out,
            "layers": [
                {"k": k, "dil": dl, "span": effective_kernel(k, dl), "rf": r}
                for (k, _, dl), (r, _) in zip(stack(w, d), steps, strict=True)
            ],
            "rf": rf,
            "formula": sp.latex(sp.factor(formula)),
            "formula_expanded": sp.latex(formula),
            "terms": sp.latex(sp.Add(1, *[(k - 1) * dl for k, _, dl in stack(sw, sd)], evaluate=False)),
        },
    )
