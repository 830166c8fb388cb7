"""B16 backprop through a 2-D convolution (cross-correlation), derived with sympy (the derivation:
solutions/common/conv_backprop.py)."""

from __future__ import annotations

import itertools
import random
from typing import Any

import sympy as sp

from bank.ranges import bounds, draw
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.conv_backprop import (
    BIAS_WITHOUT_DELTA,
    DX_NOT_FLIPPED,
    FLIPPED,
    ONE_POSITION,
    products_tex,
    small_ints,
)
from solutions.common.grad_tools import indexed_symbols


@generator("conv_backprop_2d")
def generate_2d(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    n, k = draw(rng, ranges["sizes"], "sizes")  # input n×n, kernel k×k
    out = n - k + 1
    low, high = bounds(ranges["entries"], "entries")
    return {
        "X": [small_ints(rng, n, low, high) for _ in range(n)],
        "W": [small_ints(rng, k, low, high, nonzero=True) for _ in range(k)],
        "G": [small_ints(rng, out, low, high, nonzero=True) for _ in range(out)],
        "pq": [rng.randrange(k), rng.randrange(k)],
        "rc": [rng.randrange(1, n - 1), rng.randrange(1, n - 1)],
    }


@solver("conv_backprop_2d")
def solve_2d(params: dict[str, Any]) -> Solution:
    x_num, w_num, g_num = params["X"], params["W"], params["G"]
    n, k, out = len(x_num), len(w_num), len(g_num)
    x, w, g = indexed_symbols("x", n, n), indexed_symbols("w", k, k), indexed_symbols("g", out, out)
    b = sp.Symbol("b", real=True)
    positions = list(itertools.product(range(out), repeat=2))
    kernel = list(itertools.product(range(k), repeat=2))
    z = {(a, c): sp.Add(*(w[p][q] * x[a + p][c + q] for p, q in kernel)) + b for a, c in positions}
    loss = sp.Add(*(g[a][c] * z[a, c] for a, c in positions))
    numbers: dict[Any, int] = {}
    for sym, num in [(x, x_num), (w, w_num), (g, g_num)]:
        for row_s, row_n in zip(sym, num, strict=True):
            numbers |= dict(zip(row_s, row_n, strict=True))

    dw = {(p, q): sp.diff(loss, w[p][q]) for p, q in kernel}
    dw_num = {pq: int(e.subs(numbers)) for pq, e in dw.items()}
    db_num = int(sp.diff(loss, b).subs(numbers))
    (p0, q0), (r0, c0) = params["pq"], params["rc"]
    dx_expr = sp.diff(loss, x[r0][c0])
    dx_num = int(dx_expr.subs(numbers))
    flipped = {(p, q): dw_num[k - 1 - p, k - 1 - q] for p, q in kernel}
    dx_unflipped = sum(
        w_num[p][q] * g_num[r0 + p][c0 + q] for p, q in kernel if r0 + p < out and c0 + q < out
    )

    answers: dict[str, Answer] = {
        "dw_formula": Answer(str(dw[p0, q0])),
        "db": Answer(db_num, misconceptions=[Misconception(out * out, BIAS_WITHOUT_DELTA)]),
        "dx_at": Answer(dx_num, misconceptions=[Misconception(dx_unflipped, DX_NOT_FLIPPED)]),
    }
    for p, q in kernel:
        answers[f"dw{p}{q}"] = Answer(
            dw_num[p, q],
            misconceptions=[
                Misconception(flipped[p, q], FLIPPED),
                Misconception(g_num[0][0] * x_num[p][q], ONE_POSITION),
            ],
        )
    terms = [
        (w_num[p][q], g_num[r0 - p][c0 - q]) for p, q in kernel if 0 <= r0 - p < out and 0 <= c0 - q < out
    ]
    values = {
        "n": n,
        "k": k,
        "out": out,
        "X_tex": sp.latex(sp.Matrix(x_num)),
        "W_tex": sp.latex(sp.Matrix(w_num)),
        "G_tex": sp.latex(sp.Matrix(g_num)),
        "dW_tex": sp.latex(sp.Matrix(k, k, lambda p, q: dw_num[p, q])),
        "p0": p0,
        "q0": q0,
        "r0": r0,
        "c0": c0,
        "z00_tex": " + ".join(f"W_{{{p},{q}}} X_{{{p},{q}}}" for p, q in kernel) + " + b",
        "dw_formula_tex": " + ".join(f"G_{{{a},{c}}} X_{{{a + p0},{c + q0}}}" for a, c in positions),
        "dx_formula_tex": " + ".join(
            f"W_{{{p},{q}}} G_{{{r0 - p},{c0 - q}}}"
            for p, q in kernel
            if 0 <= r0 - p < out and 0 <= c0 - q < out
        ),
        "dw_rows": [
            {
                "key": f"{p}{q}",
                "p": p,
                "q": q,
                "sum": products_tex([(g_num[a][c], x_num[a + p][c + q]) for a, c in positions]),
                "value": dw_num[p, q],
            }
            for p, q in kernel
        ],
        "dx_sum": products_tex(terms),
        "dx_value": dx_num,
        "db_value": db_num,
    }
    return Solution(answers=answers, values=values)
