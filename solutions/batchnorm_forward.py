"""A14: BatchNorm's training-mode output on a small given batch (exact fractions from
`batch_statistics`, the output from `batchnorm_output`).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from analysis.arithmetic import (
    batch_statistics,
    batchnorm_output,
)
from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver

EPS = 1e-5  # torch's default
TRIES = 300  # about 1 batch in 5 is kept: at most 46 turns over seeds 0..20000


def unbiased_variance(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="بر m−1 تقسیم کرده‌اید؛ BatchNorm در آموزش واریانس دسته را با تقسیم بر m (واریانس اریب) حساب می‌کند.",
            en="You divided by m−1; in training BatchNorm uses the biased batch variance (divide by m).",
        ),
    )


def std_for_variance(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="بر واریانس تقسیم کرده‌اید نه بر انحراف معیار: x̂ = (x − μ)/√(σ² + ε).",
            en="You divided by the variance, not the standard deviation: x̂ = (x − μ)/√(σ² + ε).",
        ),
    )


def scale_shift_forgotten(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="این x̂ است؛ خروجی BatchNorm بعد از مقیاس و جابه‌جایی است: y = γ·x̂ + β.",
            en="That is x̂; BatchNorm outputs it after scale and shift: y = γ·x̂ + β.",
        ),
    )


@generator("batchnorm_forward")
def generate_forward(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """Small integers with a whole-number mean, not all equal; the asked element is not the mean; (γ, β) never
    the identity."""

    def attempt() -> dict[str, Any] | None:
        size = draw(rng, ranges["m"], "m")
        values = [draw(rng, ranges["x"], "x") for _ in range(size)]
        mean, variance = batch_statistics(values)
        if mean.denominator != 1:
            return None
        index = rng.randrange(size)
        gamma, beta = draw(rng, ranges["gamma"], "gamma"), draw(rng, ranges["beta"], "beta")
        x_hat, y = batchnorm_output(values[index], mean, variance, gamma, beta, EPS)
        # -2 is the fixed point of the self-test's perturbation x -> 1.5x + 1: keep the keys away from it
        near_fixed_point = min(abs(x_hat + 2), abs(y + 2), abs(float(mean) + 2)) < 0.1
        if variance >= 1 and values[index] != mean and (gamma, beta) != (1, 0) and not near_fixed_point:
            return {"x": values, "j": index + 1, "gamma": gamma, "beta": beta}
        return None

    return sample_until(attempt, tries=TRIES, what="batchnorm_forward")


def _fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


@solver("batchnorm_forward")
def solve_forward(params: dict[str, Any]) -> Solution:
    values, j, gamma, beta = params["x"], params["j"], params["gamma"], params["beta"]
    m = len(values)
    x = values[j - 1]
    mean, variance = batch_statistics(values)
    x_hat, y = batchnorm_output(x, mean, variance, gamma, beta, EPS)
    unbiased = variance * Fraction(m, m - 1)
    x_hat_unbiased, y_unbiased = batchnorm_output(x, mean, unbiased, gamma, beta, EPS)
    x_hat_by_var, _ = batchnorm_output(x, mean, variance * variance, gamma, beta, EPS)  # (x − μ)/σ²

    def real(value: float | Fraction, *wrong: Misconception) -> Answer:
        value = float(value)
        return Answer(value, text=f"{value:.4f}", misconceptions=list(wrong))

    return Solution(
        answers={
            "mean": real(mean),
            "variance": real(variance, unbiased_variance(round(float(unbiased), 6))),
            "x_hat": real(
                x_hat, unbiased_variance(round(x_hat_unbiased, 6)), std_for_variance(round(x_hat_by_var, 6))
            ),
            "y": real(y, unbiased_variance(round(y_unbiased, 6)), scale_shift_forgotten(round(x_hat, 6))),
        },
        values={
            "m": m,
            "x_j": x,
            "sum": sum(values),
            "mean_text": _fraction_text(mean),
            "mean_float": f"{float(mean):.4f}".rstrip("0").rstrip("."),
            "squares": " + ".join(f"({_fraction_text(v - mean)})^2" for v in map(Fraction, values)),
            "variance_text": _fraction_text(variance),
            "variance_float": f"{float(variance):.4f}".rstrip("0").rstrip("."),
            "diff": _fraction_text(x - mean),
            "std_text": f"{float(variance + Fraction(EPS)) ** 0.5:.4f}",
            "x_hat_text": f"{x_hat:.4f}",
            "y_text": f"{y:.4f}",
            "x_hat_factor": f"{x_hat:.4f}" if x_hat >= 0 else f"({x_hat:.4f})",
            "beta_term": f"+ {beta}" if beta >= 0 else f"- {-beta}",
            "unbiased_text": f"{float(unbiased):.4f}".rstrip("0").rstrip("."),
        },
    )
