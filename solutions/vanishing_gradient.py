"""B19 vanishing-gradient bound: |δ_0| ≤ ε·σ_max^L, and the depth at which the bound falls below a threshold.

σ_max is either given, or the largest |w·f'(z)| for a sigmoid / tanh layer with |w| ≤ w_max, where sympy finds the
maximum of f' (f'' = 0). The depth is found exactly with rationals: the smallest L with σ_max^L < 10^-k.
"""

from __future__ import annotations

import random
from typing import Any

import sympy as sp

from bank.item import Bilingual
from bank.ranges import draw
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.grad_tools import X, exact, tex, tex_num, to_float

L_SYM = sp.Symbol("L", positive=True, integer=True)
EPS = sp.Symbol("eps", positive=True)
DERIVATIVES = {"sigmoid": sp.diff(1 / (1 + sp.exp(-X)), X), "tanh": sp.diff(sp.tanh(X), X)}

LINEAR = Bilingual(
    fa="کران را خطی حساب کرده‌اید ($L\\cdot\\sigma_{max}$)؛ ضریب‌ها در هر لایه در هم ضرب می‌شوند، پس کران $\\sigma_{max}^L$ است.",
    en="You made the bound linear ($L\\cdot\\sigma_{max}$); the factors of the layers multiply, so the bound is $\\sigma_{max}^L$.",
)
OFF_BY_ONE = Bilingual(
    fa="یک لایه کم شمرده‌اید: هر یک از $L$ لایه یک ضریب $\\sigma_{max}$ دارد.",
    en="One layer short: each of the $L$ layers contributes one factor $\\sigma_{max}$.",
)
FLOOR_DEPTH = Bilingual(
    fa="با این عمق، کران هنوز از آستانه کمتر نشده است: باید سقف $\\ln\\tau/\\ln\\sigma_{max}$ را گرفت، نه کف آن.",
    en="At this depth the bound is not yet below the threshold: take the ceiling of $\\ln\\tau/\\ln\\sigma_{max}$, not the floor.",
)
WEIGHT_ONLY = Bilingual(
    fa="بیشینه‌ی مشتق تابع فعال‌سازی را فراموش کرده‌اید: هر لایه ضریب $|w|\\cdot\\max f'$ دارد.",
    en="You forgot the activation's largest derivative: each layer contributes $|w|\\cdot\\max f'$.",
)
ACTIVATION_ONLY = Bilingual(
    fa="وزن‌ها را فراموش کرده‌اید: هر لایه ضریب $|w|\\cdot\\max f'$ دارد، نه فقط $\\max f'$.",
    en="You forgot the weights: each layer contributes $|w|\\cdot\\max f'$, not only $\\max f'$.",
)


@generator("vanishing_gradient")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    mode = rng.choice(["given", "given", "sigmoid", "tanh"])
    value = draw(rng, ranges[mode], mode)
    return {
        "mode": mode,
        "value": value,
        "L": draw(rng, ranges["L"], "L"),
        "tau_exp": draw(rng, ranges["tau_exp"], "tau_exp"),
    }


def _largest_derivative(activation: str) -> tuple[Any, Any]:
    """(x*, f'(x*)): sympy's maximum of the activation's derivative (where f'' = 0)."""
    derivative = DERIVATIVES[activation]
    (x_star,) = sp.solve(sp.diff(derivative, X), X)
    return x_star, sp.simplify(derivative.subs(X, x_star))


def smallest_depth(sigma_max: Any, tau: Any) -> int:
    """The smallest L with sigma_max**L < tau (exact rationals; 0 < sigma_max < 1)."""
    depth = int(sp.floor(sp.log(tau) / sp.log(sigma_max)))
    while sigma_max**depth >= tau:
        depth += 1
    while depth > 1 and sigma_max ** (depth - 1) < tau:
        depth -= 1
    return depth


@solver("vanishing_gradient")
def solve(params: dict[str, Any]) -> Solution:
    mode, layers = params["mode"], params["L"]
    tau = sp.Rational(1, 10 ** params["tau_exp"])
    values: dict[str, Any] = {"mode": mode, "activation_tex": ""}
    if mode == "given":
        sigma_max = exact(params["value"])
        extra = []
    else:
        w_max = exact(params["value"])
        x_star, f_max = _largest_derivative(mode)
        sigma_max = w_max * f_max
        values |= {"x_star": tex(x_star), "f_max": tex(f_max), "w_max": tex_num(params["value"])}
        values["activation_tex"] = tex(DERIVATIVES[mode])
        extra = [
            Misconception(to_float(w_max**layers), WEIGHT_ONLY),
            Misconception(to_float(f_max**layers), ACTIVATION_ONLY),
        ]
    bound_expr = EPS * sigma_max**L_SYM
    bound = to_float(bound_expr.subs({EPS: 1, L_SYM: layers}))
    depth = smallest_depth(sigma_max, tau)
    answers = {
        "bound_expr": Answer(str(bound_expr)),
        "bound": Answer(
            bound,
            misconceptions=[
                Misconception(to_float(sigma_max * layers), LINEAR),
                Misconception(to_float(sigma_max ** (layers - 1)), OFF_BY_ONE),
                *extra,
            ],
        ),
        "depth": Answer(depth, misconceptions=[Misconception(depth - 1, FLOOR_DEPTH)]),
    }
    values |= {
        "sigma_tex": tex(sigma_max),
        "sigma_dec": tex_num(to_float(sigma_max)),
        "bound_expr_tex": tex(bound_expr.subs(EPS, sp.Symbol("varepsilon"))),
        "bound_tex": tex_num(bound, 3),
        "tau_tex": f"10^{{-{params['tau_exp']}}}",
        "ratio_tex": tex_num(to_float(sp.log(tau) / sp.log(sigma_max))),
        "depth": depth,
        "sigma_power": tex_num(to_float(sigma_max)),
        "before_tex": tex_num(to_float(sigma_max ** (depth - 1)), 3),
        "at_tex": tex_num(to_float(sigma_max**depth), 3),
    }
    return Solution(answers=answers, values=values)
