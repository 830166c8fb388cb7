"""C23: MC dropout — predictive mean and (population) variance of T stochastic forward passes, for two inputs.

Probabilities are given with 2 decimals, so the mean and the variance are computed exactly with fractions.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import variance_for_std

INPUTS = (("x1", "x₁"), ("x2", "x₂"))
# the answer texts' precision; the YAML's `grading:` is the source (mean: decdig 3, variance: sigfig 3), and the
# bank compares the mistakes with the grader's own comparator, not with these
MEAN_DIGITS = 3
VAR_SIGFIGS = 3
MIN_VARIANCE_RATIO = (
    2  # the two inputs' variances differ at least this much: "which is more uncertain" is clear
)
# draws of the two inputs' passes until their variances are that far apart: 1.01 on average, at most 3 over
# seeds 0..20000
TRIES = 100


def sample_variance_for_population(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="بر T−1 تقسیم کرده‌اید (واریانس نمونه)؛ سؤال واریانس جامعه را خواسته است: تقسیم بر T.",
            en="You divided by T−1 (the sample variance); the question asks for the population variance: divide by T.",
        ),
    )


def deterministic_pass_as_mean(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="این خروجی یک گذر قطعی با dropout خاموش است؛ میانگین پیش‌بینی MC dropout میانگین T گذر تصادفی است.",
            en="That is the single deterministic pass with dropout off; the MC-dropout predictive mean averages "
            "the T stochastic passes.",
        ),
    )


def predictive_mean(passes: list[Fraction]) -> Fraction:
    return sum(passes, Fraction(0)) / len(passes)


def squared_deviations(passes: list[Fraction]) -> Fraction:
    mean = predictive_mean(passes)
    return sum(((p - mean) ** 2 for p in passes), Fraction(0))


def population_variance(passes: list[Fraction]) -> Fraction:
    return squared_deviations(passes) / len(passes)


def sample_variance(passes: list[Fraction]) -> Fraction:
    return squared_deviations(passes) / (len(passes) - 1)


def sigfig_text(value: float, figures: int = VAR_SIGFIGS) -> str:
    """0.000362 with 3 significant figures -> '0.000362' (positional, never '3.62e-04')."""
    if value == 0:
        return "0"
    decimals = max(0, figures - 1 - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}"


def _fractions(values: list[float]) -> list[Fraction]:
    return [Fraction(str(v)) for v in values]  # '0.91' -> 91/100 exactly


@generator("mc_dropout")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """Two inputs: one the model is sure about (passes close together), one it is unsure about."""
    T = draw(rng, ranges["T"], "T")
    unsure = rng.randrange(2)

    def attempt() -> tuple[list[list[float]], list[float]] | None:
        passes, deterministic = [], []
        for k in range(2):
            centre = draw(rng, ranges["centre"], "centre")
            spread = draw(rng, ranges["spread_unsure" if k == unsure else "spread_sure"], "spread")
            values = [min(0.99, max(0.01, round(rng.gauss(centre, spread), 2))) for _ in range(T)]
            mean = float(predictive_mean(_fractions(values)))
            shift = draw(rng, ranges["shift_sign"]) * draw(rng, ranges["shift"])
            passes.append(values)
            deterministic.append(min(0.99, max(0.01, round(mean + shift, 2))))
        variances = [population_variance(_fractions(v)) for v in passes]
        if min(variances) > 0 and max(variances) >= MIN_VARIANCE_RATIO * min(variances):
            return passes, deterministic
        return None

    passes, deterministic = sample_until(attempt, tries=TRIES, what="mc_dropout")
    return {
        "T": T,
        "dropout": draw(rng, ranges["dropout"], "dropout"),
        "positive": draw(rng, ranges["positive"], "positive"),
        "passes": {key: values for (key, _), values in zip(INPUTS, passes, strict=True)},
        "deterministic": {key: value for (key, _), value in zip(INPUTS, deterministic, strict=True)},
    }


@solver("mc_dropout")
def solve(params: dict[str, Any]) -> Solution:
    T = params["T"]
    answers: dict[str, Answer] = {}
    rows = []
    for key, label in INPUTS:
        passes = _fractions(params["passes"][key])
        if len(passes) != T or T < 2:
            raise ValueError(f"input {key}: expected T = {T} passes (T ≥ 2)")
        mean, var = predictive_mean(passes), population_variance(passes)
        det = params["deterministic"][key]
        answers[f"mean_{key}"] = Answer(
            float(mean),
            text=f"{float(mean):.{MEAN_DIGITS}f}",
            misconceptions=[deterministic_pass_as_mean(det)],
        )
        answers[f"var_{key}"] = Answer(
            float(var),
            text=sigfig_text(float(var)),
            misconceptions=[
                sample_variance_for_population(float(sample_variance(passes))),
                variance_for_std(math.sqrt(var), std_asked=False),
            ],
        )
        rows.append(
            {
                "key": key,
                "label": label,
                "passes": params["passes"][key],
                "deterministic": det,
                "total": float(sum(passes, Fraction(0))),
                "mean": float(mean),
                "sq_dev": float(squared_deviations(passes)),
                "var": float(var),
                "var_text": sigfig_text(float(var)),
                "sample_var_text": sigfig_text(float(sample_variance(passes))),
                "std": math.sqrt(var),
            }
        )
    unsure = max(rows, key=lambda r: r["var"])
    answers["more_uncertain"] = Answer(unsure["key"])
    return Solution(answers=answers, values={"inputs": rows, "unsure": unsure})
