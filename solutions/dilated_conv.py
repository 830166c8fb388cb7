"""A8: dilated convolution: effective kernel (F−1)·D+1, output size M − (F−1)·D (no padding, stride 1), and the RF of
three stacked dilated layers with kernels w−1, w, w+1 and dilations d−1, d, d+1 — numerically and in closed form.

The closed form is the shared RF recursion run on sympy symbols (no formula typed in).
"""

from __future__ import annotations

import random
from typing import Any

from analysis.arithmetic import conv_output_size, effective_kernel, receptive_fields
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import dilation_ignored, plus_one_forgotten, rf_kernels_summed

# the bound on draws until the output is at least 4 wide; the most a seed took: 2 (seeds 1..200), 3 (seeds 1..20000)
TRIES = 100


def dilation_multiplied(kernel: int, dilation: int) -> Misconception:
    """Dilated kernel span taken as K·D instead of D(K−1)+1."""
    return Misconception(
        kernel * dilation,
        Bilingual(
            fa="K·D حساب کرده‌اید؛ بین K درایه‌ی کرنل K−1 فاصله هست و هر فاصله D پیکسل است: D(K−1)+1.",
            en="You computed K·D; the K taps have K−1 gaps of D pixels each: D(K−1)+1.",
        ),
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
    def attempt() -> dict[str, Any] | None:
        kernel, dilation = draw(rng, ranges["F"], "F"), draw(rng, ranges["D"], "D")
        size = draw(rng, ranges["M"], "M")
        if size - effective_kernel(kernel, dilation) + 1 < 4:
            return None
        return {
            "F": kernel,
            "D": dilation,
            "M": size,
            "w": draw(rng, ranges["w"], "w"),
            "d": draw(rng, ranges["d"], "d"),
        }

    return sample_until(attempt, tries=TRIES, what="dilated_conv")


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
            "eff_kernel": Answer(span, misconceptions=[dilation_multiplied(f, dil)]),
            "out_size": Answer(
                out, misconceptions=[dilation_ignored(m, f, 1, 0, dil), plus_one_forgotten(out)]
            ),
            "rf_stack": Answer(rf, misconceptions=[summed_spans(w, d)]),
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
