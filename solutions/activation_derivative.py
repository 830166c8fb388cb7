"""B15 activation derivatives: f'(x) with sympy, its value at a point, and on which side the gradient vanishes."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from bank.item import Bilingual
from bank.ranges import draw
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.grad_tools import X, exact, tex, tex_num, to_float


def function_instead_of_derivative(value: object) -> Misconception:
    """The function (or its value) given where its derivative was asked, e.g. σ(x) for σ'(x)."""
    return Misconception(
        value,
        Bilingual(
            fa="این خودِ تابع است، نه مشتق آن: مثلاً به جای $\\sigma'(x)$ مقدار $\\sigma(x)$ را نوشته‌اید.",
            en="This is the function itself, not its derivative: e.g. $\\sigma(x)$ written for $\\sigma'(x)$.",
        ),
    )


def _sigmoid(z: Any) -> Any:
    return 1 / (1 + sp.exp(-z))


@dataclass(frozen=True)
class Activation:
    fa: str
    en: str
    build: Callable[[Any], Any]  # alpha -> f(x)
    has_alpha: bool = False
    piecewise: bool = False
    # typical wrong derivatives: alpha -> (expression, hint)
    wrong: tuple[Callable[[Any], tuple[Any, Bilingual]], ...] = field(default_factory=tuple)


def _leaky(alpha: Any) -> Any:
    return sp.Piecewise((X, X > 0), (alpha * X, True))


def _elu(alpha: Any) -> Any:
    return sp.Piecewise((X, X > 0), (alpha * (sp.exp(X) - 1), True))


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "سیگموید",
        "sigmoid",
        lambda a: _sigmoid(X),
        wrong=(
            lambda a: (
                -1 / (1 + sp.exp(-X)) ** 2,
                Bilingual(
                    fa="قاعده‌ی زنجیره‌ای را جا انداخته‌اید: مشتق $e^{-x}$ یعنی $-e^{-x}$ باید در مشتق بیرونی ضرب شود.",
                    en="You dropped the chain-rule factor: the derivative of $e^{-x}$, $-e^{-x}$, multiplies the outer derivative.",
                ),
            ),
        ),
    ),
    "tanh": Activation(
        "تانژانت هذلولوی (tanh)",
        "tanh",
        lambda a: sp.tanh(X),
        wrong=(
            lambda a: (
                1 - sp.tanh(X),
                Bilingual(
                    fa="توان دوم جا افتاده: مشتق tanh برابر $1-\\tanh^2(x)$ است، نه $1-\\tanh(x)$.",
                    en="The square is missing: tanh' is $1-\\tanh^2(x)$, not $1-\\tanh(x)$.",
                ),
            ),
        ),
    ),
    "relu": Activation("ReLU", "ReLU", lambda a: sp.Piecewise((X, X > 0), (0, True)), piecewise=True),
    "leaky_relu": Activation(
        "Leaky ReLU",
        "Leaky ReLU",
        _leaky,
        has_alpha=True,
        piecewise=True,
        wrong=(
            lambda a: (
                sp.Piecewise((1, X > 0), (0, True)),
                Bilingual(
                    fa="این مشتق ReLU است: در Leaky ReLU شیب بخش منفی α است، نه صفر.",
                    en="That is ReLU's derivative: Leaky ReLU keeps the slope α for negative inputs, not 0.",
                ),
            ),
        ),
    ),
    "prelu": Activation(
        "PReLU",
        "PReLU",
        _leaky,
        has_alpha=True,
        piecewise=True,
        wrong=(
            lambda a: (
                sp.Piecewise((1, X > 0), (0, True)),
                Bilingual(
                    fa="این مشتق ReLU است: در PReLU شیب بخش منفی همان پارامتر a است، نه صفر.",
                    en="That is ReLU's derivative: PReLU keeps the slope a for negative inputs, not 0.",
                ),
            ),
        ),
    ),
    "elu": Activation(
        "ELU",
        "ELU",
        _elu,
        has_alpha=True,
        piecewise=True,
        wrong=(
            lambda a: (
                sp.Piecewise((1, X > 0), (sp.exp(X), True)),
                Bilingual(
                    fa="ضریب α در بخش منفی جا افتاده: مشتق $\\alpha(e^x-1)$ برابر $\\alpha e^x$ است.",
                    en="The factor α is missing on the negative side: the derivative of $\\alpha(e^x-1)$ is $\\alpha e^x$.",
                ),
            ),
        ),
    ),
    "silu": Activation(
        "SiLU (Swish)",
        "SiLU (Swish)",
        lambda a: X * _sigmoid(X),
        wrong=(
            lambda a: (
                _sigmoid(X),
                Bilingual(
                    fa="قاعده‌ی ضرب را فراموش کرده‌اید: مشتق $x\\,\\sigma(x)$ برابر $\\sigma(x)+x\\,\\sigma'(x)$ است.",
                    en="You forgot the product rule: the derivative of $x\\,\\sigma(x)$ is $\\sigma(x)+x\\,\\sigma'(x)$.",
                ),
            ),
        ),
    ),
    "gelu": Activation(
        "GELU",
        "GELU",
        lambda a: X / 2 * (1 + sp.erf(X / sp.sqrt(2))),
        wrong=(
            lambda a: (
                (1 + sp.erf(X / sp.sqrt(2))) / 2,
                Bilingual(
                    fa="قاعده‌ی ضرب را فراموش کرده‌اید: مشتق $x\\,\\Phi(x)$ برابر $\\Phi(x)+x\\,\\varphi(x)$ است.",
                    en="You forgot the product rule: the derivative of $x\\,\\Phi(x)$ is $\\Phi(x)+x\\,\\varphi(x)$.",
                ),
            ),
        ),
    ),
}

SATURATION_OPTION = {(True, True): "both", (True, False): "negative", (False, False): "none"}


@functools.lru_cache(maxsize=64)  # sympy's limits of tanh/erf forms take a second; the solver is pure
def _tail_limits(derivative: Any) -> tuple[Any, Any]:
    """lim f'(x) for x -> -oo and x -> +oo (a piecewise derivative: its last and first branch)."""
    if isinstance(derivative, sp.Piecewise):
        return sp.limit(derivative.args[-1].expr, X, -sp.oo), sp.limit(derivative.args[0].expr, X, sp.oo)
    return sp.limit(derivative, X, -sp.oo), sp.limit(derivative, X, sp.oo)


@generator("activation_derivative")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    name = rng.choice(sorted(ACTIVATIONS))
    spec = ACTIVATIONS[name]
    points = [p / 2 for p in range(-2 * ranges["x_max"], 2 * ranges["x_max"] + 1)]
    if spec.piecewise:  # no derivative at the kink; the negative side is where these functions differ
        points = [p for p in points if p < 0] if rng.random() < 0.7 else [p for p in points if p > 0]
    alpha = draw(rng, ranges["elu_alpha" if name == "elu" else "slope"]) if spec.has_alpha else None
    return {"activation": name, "alpha": alpha, "x0": rng.choice(points)}


def _misconceptions(spec: Activation, f: Any, alpha: Any, at: Callable[[Any], Any]) -> list[Misconception]:
    mistakes = [function_instead_of_derivative(at(f))]
    for wrong in spec.wrong:
        expr, hint = wrong(alpha)
        mistakes.append(Misconception(at(expr), hint))
    return mistakes


@solver("activation_derivative")
def solve(params: dict[str, Any]) -> Solution:
    spec = ACTIVATIONS[params["activation"]]
    alpha = exact(params["alpha"]) if spec.has_alpha else None
    x0 = exact(params["x0"])
    f = spec.build(alpha)
    derivative = sp.diff(f, X)  # sympy's own form (not simplified: sigmoid's would become 1/(4 cosh²(x/2)))
    value = to_float(derivative.subs(X, x0))
    low, high = _tail_limits(derivative)
    option = SATURATION_OPTION[(low == 0, high == 0)]

    def as_text(expr: Any) -> str:
        return str(expr)

    def at_x0(expr: Any) -> float:
        return round(to_float(expr.subs(X, x0)), 12)

    answers = {
        "derivative": Answer(str(derivative), misconceptions=_misconceptions(spec, f, alpha, as_text)),
        "value": Answer(value, misconceptions=_misconceptions(spec, f, alpha, at_x0)),
        "saturation": Answer(option),
    }
    values = {
        "name_fa": spec.fa,
        "name_en": spec.en,
        "f_tex": tex(f),
        "df_tex": tex(derivative),
        "x0_tex": tex_num(params["x0"]),
        "alpha_tex": tex_num(params["alpha"]) if spec.has_alpha else "",
        "value_tex": tex_num(value),
        "f_value_tex": tex_num(to_float(f.subs(X, x0))),
        "limit_low": tex(low),
        "limit_high": tex(high),
        "sigmoid_form": params["activation"] == "sigmoid",
        "tanh_form": params["activation"] == "tanh",
    }
    return Solution(answers=answers, values=values)
