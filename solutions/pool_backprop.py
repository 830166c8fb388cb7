"""B17 backprop through average and max pooling (possibly overlapping windows), derived with sympy.

y[a,c] = mean or max of the window at (a·s, c·s); with the upstream gradient G = ∂L/∂y the loss near the point is
L = Σ G·y, and sympy's ∂L/∂x is the backward pass: average pooling spreads G/k² over each window (overlapping
windows add up), max pooling routes all of G to the window's arg-max (Heaviside factors of sympy's Max).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import sympy as sp

from bank.item import Bilingual
from bank.ranges import draw, options
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.grad_tools import exact, indexed_symbols, tex_num, to_float

NO_AREA = Bilingual(
    fa="تقسیم بر مساحت پنجره ($k^2$) جا افتاده: میانگین‌گیری هر ورودی را در $1/k^2$ ضرب می‌کند.",
    en="The division by the window area ($k^2$) is missing: averaging multiplies each input by $1/k^2$.",
)
SIDE_NOT_AREA = Bilingual(
    fa="بر $k$ تقسیم کرده‌اید، نه بر $k^2$: پنجره‌ی $k\\times k$ دارای $k^2$ عنصر است.",
    en="You divided by $k$, not $k^2$: a $k\\times k$ window holds $k^2$ elements.",
)
ONE_WINDOW = Bilingual(
    fa="این عنصر در چند پنجره‌ی هم‌پوشان هست؛ گرادیانِ همه‌ی پنجره‌هایی که آن را دیده‌اند باید جمع شود.",
    en="This element lies in several overlapping windows; the gradients of all windows that see it add up.",
)
MAX_AS_AVG = Bilingual(
    fa="در max pooling گرادیان میان عناصر پخش نمی‌شود: همه‌اش به عنصر بیشینه می‌رسد و بقیه صفر می‌گیرند.",
    en="Max pooling does not spread the gradient: all of it goes to the arg-max and the others get zero.",
)
MAX_TO_ALL = Bilingual(
    fa="این عنصر بیشینه‌ی پنجره‌اش نیست، پس در max pooling گرادیانی نمی‌گیرد (صفر).",
    en="This element is not its window's maximum, so under max pooling it gets no gradient (zero).",
)

SHARED_ARGMAX = Bilingual(
    fa="با پنجره‌های هم‌پوشان، یک عنصر می‌تواند بیشینه‌ی چند پنجره باشد؛ پس تعداد عناصر با گرادیان غیرصفر کمتر از تعداد پنجره‌هاست.",
    en="With overlapping windows one element can be the maximum of several windows, so fewer elements than windows get a gradient.",
)


def _out(n: int, k: int, s: int) -> int:
    return (n - k) // s + 1


def _windows(n: int, k: int, s: int) -> dict[tuple[int, int], list[tuple[int, int]]]:
    out = _out(n, k, s)
    return {
        (a, c): [(a * s + p, c * s + q) for p, q in itertools.product(range(k), repeat=2)]
        for a, c in itertools.product(range(out), repeat=2)
    }


@generator("pool_backprop")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    n, k, s = draw(rng, ranges["configs"], "configs")
    out = _out(n, k, s)
    values = rng.sample(options(ranges["x_entries"], "x_entries"), n * n)  # distinct: one arg-max per window
    grads = [v for v in (draw(rng, ranges["g"], "g") for _ in range(4 * out * out)) if v != 0]
    covered = sorted({pos for window in _windows(n, k, s).values() for pos in window})
    return {
        "n": n,
        "k": k,
        "s": s,
        "X": [values[r * n : (r + 1) * n] for r in range(n)],
        "G": [grads[a * out : (a + 1) * out] for a in range(out)],
        "p": list(rng.choice(covered)),
        "q": list(rng.choice(covered)),
    }


@solver("pool_backprop")
def solve(params: dict[str, Any]) -> Solution:
    n, k, s = params["n"], params["k"], params["s"]
    out = _out(n, k, s)
    windows = _windows(n, k, s)
    x = indexed_symbols("x", n, n)
    g = indexed_symbols("g", out, out)
    numbers = {x[i][j]: params["X"][i][j] for i, j in itertools.product(range(n), repeat=2)}
    avg_grad = sp.zeros(n, n)
    max_grad = sp.zeros(n, n)
    avg_symbolic = sp.zeros(n, n)  # ∂L/∂x in terms of the g's (average pooling)
    for (a, c), window in windows.items():  # backprop: each window's local derivative, times its G, added up
        inputs = [x[i][j] for i, j in window]
        mean = sp.Add(*inputs) / k**2
        upstream = exact(params["G"][a][c])
        for (i, j), symbol in zip(window, inputs, strict=True):
            local_mean = sp.diff(mean, symbol)
            avg_symbolic[i, j] += g[a][c] * local_mean
            avg_grad[i, j] += upstream * local_mean
            # ∂max/∂x at the point: the other inputs at their values (a symbolic Max of 9 symbols is slow)
            largest = sp.Max(symbol, *(numbers[other] for other in inputs if other != symbol))
            max_grad[i, j] += upstream * sp.diff(largest, symbol).subs(numbers)
    (pi, pj), (qi, qj) = params["p"], params["q"]
    avg_formula = avg_symbolic[pi, pj]
    containing = [(a, c) for (a, c), w in windows.items() if (pi, pj) in w]
    g_sum = sum(exact(params["G"][a][c]) for a, c in containing)
    first_g = exact(params["G"][containing[0][0]][containing[0][1]])
    avg_value = to_float(avg_grad[pi, pj])

    def max_answer(i: int, j: int) -> Answer:
        value = to_float(max_grad[i, j])
        mine = [(a, c) for (a, c), w in windows.items() if (i, j) in w]
        total = sum(exact(params["G"][a][c]) for a, c in mine)
        candidates = [Misconception(to_float(total / k**2), MAX_AS_AVG)]
        if value == 0:
            candidates.append(Misconception(to_float(total), MAX_TO_ALL))
        elif len(mine) > 1:
            argmax_windows = [
                (a, c)
                for a, c in mine
                if max(params["X"][u][v] for u, v in windows[a, c]) == params["X"][i][j]
            ]
            first = argmax_windows[0]
            candidates.append(Misconception(to_float(exact(params["G"][first[0]][first[1]])), ONE_WINDOW))
        return Answer(value, misconceptions=candidates)

    routed = {
        (i, j) for w in windows.values() for i, j in [max(w, key=lambda pos: params["X"][pos[0]][pos[1]])]
    }
    nonzero = sum(1 for i, j in itertools.product(range(n), repeat=2) if max_grad[i, j] != 0)
    avg_misconceptions = [
        Misconception(to_float(g_sum), NO_AREA),
        Misconception(to_float(g_sum / k), SIDE_NOT_AREA),
    ]
    if len(containing) > 1:
        avg_misconceptions.append(Misconception(to_float(first_g / k**2), ONE_WINDOW))
    answers = {
        "avg_formula": Answer(str(avg_formula)),
        "avg_value": Answer(avg_value, misconceptions=avg_misconceptions),
        "max_p": max_answer(pi, pj),
        "max_q": max_answer(qi, qj),
        "max_nonzero": Answer(
            nonzero,
            misconceptions=[Misconception(out * out, SHARED_ARGMAX) if len(routed) < out * out else None],
        ),
    }
    values = {
        "out": out,
        "overlap": s < k,
        "X_tex": sp.latex(sp.Matrix(params["X"])),
        "G_tex": sp.latex(sp.Matrix(out, out, lambda a, c: exact(params["G"][a][c]))),
        "avg_tex": sp.latex(avg_grad),
        "max_tex": sp.latex(max_grad),
        "avg_formula_tex": sp.latex(avg_formula),
        "avg_value_tex": tex_num(avg_value),
        "windows_of_p": len(containing),
        "area": k * k,
    }
    return Solution(answers=answers, values=values)
