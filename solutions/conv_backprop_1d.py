"""B16 backprop through a 1-D convolution (cross-correlation), derived with sympy (the derivation:
solutions/common/conv_backprop.py)."""

from __future__ import annotations

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


@generator("conv_backprop_1d")
def generate_1d(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    n = draw(rng, ranges["n"], "n")
    k = draw(rng, ranges["k"], "k")
    out = n - k + 1
    low, high = bounds(ranges["entries"], "entries")
    return {
        "x": small_ints(rng, n, low, high),
        "w": small_ints(rng, k, low, high, nonzero=True),
        "delta": small_ints(rng, out, low, high, nonzero=True),
        "j": rng.randrange(k),
        "m": rng.randrange(1, n - 1),
    }


@solver("conv_backprop_1d")
def solve_1d(params: dict[str, Any]) -> Solution:
    x_num, w_num, d_num = params["x"], params["w"], params["delta"]
    n, k, out = len(x_num), len(w_num), len(d_num)
    x, w, d = indexed_symbols("x", n), indexed_symbols("w", k), indexed_symbols("d", out)
    b = sp.Symbol("b", real=True)
    z = [sp.Add(*(w[j] * x[i + j] for j in range(k))) + b for i in range(out)]
    loss = sp.Add(*(d[i] * z[i] for i in range(out)))  # ∂L/∂z_i = δ_i
    numbers = {**dict(zip(x, x_num, strict=True)), **dict(zip(w, w_num, strict=True))}
    numbers |= dict(zip(d, d_num, strict=True))

    dw = [sp.diff(loss, w[j]) for j in range(k)]
    dx = [sp.diff(loss, x[m]) for m in range(n)]
    db = sp.diff(loss, b)
    dw_num = [int(e.subs(numbers)) for e in dw]
    dx_num = [int(e.subs(numbers)) for e in dx]
    db_num = int(db.subs(numbers))

    j, m = params["j"], params["m"]
    flipped_w = sp.Add(*(d[i] * x[i + k - 1 - j] for i in range(out)))
    dx_unflipped = [sum(w_num[t] * d_num[mm + t] for t in range(k) if 0 <= mm + t < out) for mm in range(n)]

    answers: dict[str, Answer] = {
        "dw_formula": Answer(
            str(dw[j]),
            misconceptions=[Misconception(str(flipped_w), FLIPPED)],
        ),
        "dx_formula": Answer(str(dx[m])),
        "db": Answer(
            db_num,
            misconceptions=[Misconception(out, BIAS_WITHOUT_DELTA), Misconception(d_num[0], ONE_POSITION)],
        ),
    }
    for jj in range(k):
        answers[f"dw{jj}"] = Answer(
            dw_num[jj],
            misconceptions=[
                Misconception(dw_num[k - 1 - jj], FLIPPED),
                Misconception(d_num[0] * x_num[jj], ONE_POSITION),
            ],
        )
    for mm in range(n):
        answers[f"dx{mm}"] = Answer(
            dx_num[mm],
            misconceptions=[Misconception(dx_unflipped[mm], DX_NOT_FLIPPED)],
        )
    values = {
        "n": n,
        "k": k,
        "out": out,
        "x_tex": ",\\ ".join(map(str, x_num)),
        "w_tex": ",\\ ".join(map(str, w_num)),
        "d_tex": ",\\ ".join(map(str, d_num)),
        "z_tex": " + ".join(f"w_{{{j}}} x_{{{j}}}" for j in range(k)) + " + b",
        "last": out - 1,
        "dw_formula_tex": " + ".join(f"\\delta_{{{i}}} x_{{{i + j}}}" for i in range(out)),
        "dx_formula_tex": " + ".join(f"w_{{{t}}} \\delta_{{{m - t}}}" for t in range(k) if 0 <= m - t < out),
        "dw_rows": [
            {
                "key": jj,
                "sum": products_tex([(d_num[i], x_num[i + jj]) for i in range(out)]),
                "value": dw_num[jj],
            }
            for jj in range(k)
        ],
        "dx_rows": [
            {
                "key": mm,
                "sum": products_tex([(w_num[t], d_num[mm - t]) for t in range(k) if 0 <= mm - t < out]),
                "value": dx_num[mm],
            }
            for mm in range(n)
        ],
        "db_sum": " + ".join(f"({v})" for v in d_num),
        "db_value": db_num,
    }
    return Solution(answers=answers, values=values)
