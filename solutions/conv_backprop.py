"""B16 backprop through a convolution (cross-correlation), 1-D and 2-D, derived with sympy.

z[i] = Σ_j w[j] x[i+j] + b (2-D: z[a,b] = Σ_pq W[p,q] X[a+p,b+q] + b). With the upstream gradient δ = ∂L/∂z,
the loss near the point is L = Σ δ·z, so sympy's ∂L/∂w, ∂L/∂b and ∂L/∂x are exactly the backprop formulas:
∂L/∂w[j] = Σ_i δ[i] x[i+j] (a cross-correlation of x with δ), ∂L/∂b = Σ δ, ∂L/∂x[m] = Σ_j w[j] δ[m−j]
(a full convolution of δ with the kernel).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import sympy as sp

from bank.item import Bilingual
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.grad_tools import indexed_symbols
from solutions.common.misconceptions import only_present

FLIPPED = Bilingual(
    fa="این جواب با کرنل (یا δ) برعکس‌شده به دست می‌آید: گرادیان وزن‌ها همبستگی متقابل x با δ است، بدون وارونه کردن.",
    en="This comes from a flipped kernel (or δ): the weight gradient is the cross-correlation of x with δ, no flip.",
)
ONE_POSITION = Bilingual(
    fa="فقط یک موقعیت خروجی را حساب کرده‌اید: وزن در همه‌ی موقعیت‌ها مشترک است، پس سهم همه‌ی خروجی‌ها جمع می‌شود.",
    en="You counted one output position only: the weight is shared by every position, so all contributions add up.",
)
BIAS_WITHOUT_DELTA = Bilingual(
    fa="این تعداد خروجی‌هاست: $\\partial z/\\partial b = 1$ درست است، ولی باید در δ هر خروجی ضرب و سپس جمع شود.",
    en="This is the number of outputs: $\\partial z/\\partial b = 1$, but each must be multiplied by its δ and summed.",
)
DX_NOT_FLIPPED = Bilingual(
    fa="گرادیان ورودی کانولوشن کامل δ با کرنل وارونه است: $\\sum_j w_j\\,\\delta_{m-j}$، نه $\\sum_j w_j\\,\\delta_{m+j}$.",
    en="The input gradient is a full convolution of δ with the flipped kernel, $\\sum_j w_j\\,\\delta_{m-j}$, not $\\sum_j w_j\\,\\delta_{m+j}$.",
)


def _ints(rng: random.Random, count: int, low: int, high: int, nonzero: bool = False) -> list[int]:
    values = [v for v in range(low, high + 1) if v != 0 or not nonzero]
    return [rng.choice(values) for _ in range(count)]


# --- 1-D ----------------------------------------------------------------------------------------------------------


@generator("conv_backprop_1d")
def generate_1d(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    n = rng.choice(ranges["n"])
    k = rng.choice(ranges["k"])
    out = n - k + 1
    return {
        "x": _ints(rng, n, -ranges["value"], ranges["value"]),
        "w": _ints(rng, k, -ranges["value"], ranges["value"], nonzero=True),
        "delta": _ints(rng, out, -ranges["value"], ranges["value"], nonzero=True),
        "j": rng.randrange(k),
        "m": rng.randrange(1, n - 1),
    }


def _products_tex(pairs: list[tuple[Any, Any]]) -> str:
    return " + ".join(f"({a})({b})" for a, b in pairs) if pairs else "0"


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
            misconceptions=only_present(Misconception(str(flipped_w), FLIPPED), right=str(dw[j])),
        ),
        "dx_formula": Answer(str(dx[m])),
        "db": Answer(
            db_num,
            misconceptions=only_present(
                Misconception(out, BIAS_WITHOUT_DELTA), Misconception(d_num[0], ONE_POSITION), right=db_num
            ),
        ),
    }
    for jj in range(k):
        answers[f"dw{jj}"] = Answer(
            dw_num[jj],
            misconceptions=only_present(
                Misconception(dw_num[k - 1 - jj], FLIPPED),
                Misconception(d_num[0] * x_num[jj], ONE_POSITION),
                right=dw_num[jj],
            ),
        )
    for mm in range(n):
        answers[f"dx{mm}"] = Answer(
            dx_num[mm],
            misconceptions=only_present(Misconception(dx_unflipped[mm], DX_NOT_FLIPPED), right=dx_num[mm]),
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
                "sum": _products_tex([(d_num[i], x_num[i + jj]) for i in range(out)]),
                "value": dw_num[jj],
            }
            for jj in range(k)
        ],
        "dx_rows": [
            {
                "key": mm,
                "sum": _products_tex([(w_num[t], d_num[mm - t]) for t in range(k) if 0 <= mm - t < out]),
                "value": dx_num[mm],
            }
            for mm in range(n)
        ],
        "db_sum": " + ".join(f"({v})" for v in d_num),
        "db_value": db_num,
    }
    return Solution(answers=answers, values=values)


# --- 2-D ----------------------------------------------------------------------------------------------------------


@generator("conv_backprop_2d")
def generate_2d(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    n, k = rng.choice(ranges["sizes"])  # input n×n, kernel k×k
    out = n - k + 1
    v = ranges["value"]
    return {
        "X": [_ints(rng, n, -v, v) for _ in range(n)],
        "W": [_ints(rng, k, -v, v, nonzero=True) for _ in range(k)],
        "G": [_ints(rng, out, -v, v, nonzero=True) for _ in range(out)],
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
        "db": Answer(
            db_num,
            misconceptions=only_present(Misconception(out * out, BIAS_WITHOUT_DELTA), right=db_num),
        ),
        "dx_at": Answer(
            dx_num, misconceptions=only_present(Misconception(dx_unflipped, DX_NOT_FLIPPED), right=dx_num)
        ),
    }
    for p, q in kernel:
        answers[f"dw{p}{q}"] = Answer(
            dw_num[p, q],
            misconceptions=only_present(
                Misconception(flipped[p, q], FLIPPED),
                Misconception(g_num[0][0] * x_num[p][q], ONE_POSITION),
                right=dw_num[p, q],
            ),
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
                "sum": _products_tex([(g_num[a][c], x_num[a + p][c + q]) for a, c in positions]),
                "value": dw_num[p, q],
            }
            for p, q in kernel
        ],
        "dx_sum": _products_tex(terms),
        "dx_value": dx_num,
        "db_value": db_num,
    }
    return Solution(answers=answers, values=values)
