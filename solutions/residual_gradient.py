"""B18 residual gradient: x_{l+1} = x_l + F(x_l) ⇒ ∂x_{l+1}/∂x_l = 1 + F'(x_l), against a plain chain x_{l+1} = F(x_l).

Sympy differentiates the block, x + F(x); the chain rule multiplies the local factors at the points the forward pass
visits (the tests check the product against finite differences of the whole chain).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import sympy as sp

from bank.item import Bilingual
from bank.ranges import draw, options
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.grad_tools import X, exact, tex, tex_num

BRANCHES: dict[str, Callable[[Any], Any]] = {
    "tanh": sp.tanh,
    "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
    "sin": sp.sin,
}

IDENTITY_FORGOTTEN = Bilingual(
    fa="جمله‌ی ۱ مسیر میان‌بر (identity) جا افتاده: مشتق $x + F(x)$ برابر $1 + F'(x)$ است.",
    en="The 1 of the skip (identity) path is missing: the derivative of $x + F(x)$ is $1 + F'(x)$.",
)
SUM_NOT_PRODUCT = Bilingual(
    fa="مشتق‌های محلی را جمع کرده‌اید؛ قاعده‌ی زنجیره‌ای آن‌ها را در هم ضرب می‌کند.",
    en="You added the local derivatives; the chain rule multiplies them.",
)
ONE_PLUS_ONCE = Bilingual(
    fa="۱ را فقط یک بار برای کل زنجیره اضافه کرده‌اید؛ هر بلوک باقی‌مانده ضریب $1+F'(x_l)$ خودش را دارد.",
    en="You added the 1 once for the whole chain; every residual block has its own factor $1+F'(x_l)$.",
)


@generator("residual_gradient")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    branch = rng.choice(sorted(BRANCHES))
    # sin' = cos can reach -1: with w > 1/2 a residual factor 1 + w·cos(x) could fall below a plain one
    return {
        "branch": branch,
        "w": rng.choice([w for w in options(ranges["w"], "w") if branch != "sin" or w <= 0.5]),
        "x0": draw(rng, ranges["x0"], "x0"),
        "L": draw(rng, ranges["L"], "L"),
    }


def at(expr: Any, value: Any) -> float:
    """expr(x) at a point, evaluated numerically to 30 digits (without building the substituted tree)."""
    return float(expr.evalf(30, subs={X: value}))


def _forward(step: Callable[[Any], Any], x0: Any, layers: int) -> list[Any]:
    values = [x0]
    for _ in range(layers):
        values.append(step(values[-1]))
    return values


@solver("residual_gradient")
def solve(params: dict[str, Any]) -> Solution:
    w, x0, layers = exact(params["w"]), exact(params["x0"]), params["L"]
    branch = BRANCHES[params["branch"]]

    def F(z: Any) -> Any:
        return w * branch(z)

    dF = sp.diff(F(X), X)
    local = sp.diff(X + F(X), X)  # 1 + F'(x)
    # the forward pass, numerically (30 digits), and the local factors at the points it visits
    res_points = _forward(lambda v: at(X + F(X), v), x0, layers)[:-1]
    plain_points = _forward(lambda v: at(F(X), v), x0, layers)[:-1]
    res_factors = [at(local, v) for v in res_points]
    plain_factors = [at(dF, v) for v in plain_points]
    residual_total = math.prod(res_factors)  # chain rule: ∂x_L/∂x_0 = Π ∂x_{l+1}/∂x_l
    plain_total = math.prod(plain_factors)
    dF_on_res = [f - 1 for f in res_factors]

    local_value = at(local, x0)
    product = math.prod(dF_on_res)
    answers = {
        "local": Answer(str(local), misconceptions=[Misconception(str(dF), IDENTITY_FORGOTTEN)]),
        "local_value": Answer(local_value, misconceptions=[Misconception(at(dF, x0), IDENTITY_FORGOTTEN)]),
        "residual_total": Answer(
            residual_total,
            misconceptions=[
                Misconception(product, IDENTITY_FORGOTTEN),
                Misconception(sum(res_factors), SUM_NOT_PRODUCT),
                Misconception(1 + product, ONE_PLUS_ONCE),
            ],
        ),
        "plain_total": Answer(
            plain_total, misconceptions=[Misconception(sum(plain_factors), SUM_NOT_PRODUCT)]
        ),
    }
    values = {
        "F_tex": tex(F(X)),
        "dF_tex": tex(dF),
        "local_tex": tex(local),
        "x0_tex": tex_num(params["x0"]),
        "local_value_tex": tex_num(local_value),
        "res_rows": [
            {"l": i, "x": tex_num(v), "factor": tex_num(f)}
            for i, (v, f) in enumerate(zip(res_points, res_factors, strict=True))
        ],
        "plain_rows": [
            {"l": i, "x": tex_num(v), "factor": tex_num(f)}
            for i, (v, f) in enumerate(zip(plain_points, plain_factors, strict=True))
        ],
        "residual_total_tex": tex_num(residual_total),
        "plain_total_tex": tex_num(plain_total),
        "ratio_tex": tex_num(abs(residual_total / plain_total)) if plain_total else "\\infty",
    }
    return Solution(answers=answers, values=values)
