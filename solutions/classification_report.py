"""C22: classification report from a confusion matrix (rows = actual class, columns = predicted class).

Accuracy, per-class precision / recall / F1, macro and weighted averages, computed exactly with fractions and
reported as floats; and whether accuracy is a fair summary of the matrix (a choice the solver decides).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from bank.item import Bilingual
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver

# decimals of the answer texts: the YAML's `grading: {comparator: decdig, digits: 3}` is the source (the prompts
# ask for 3 decimal places); the bank compares the mistakes with the grader's own comparator, not with this
DIGITS = 3
IMBALANCE_RATIO = 2  # largest / smallest class support at which the matrix counts as imbalanced
RECALL_GAP = Fraction(5, 100)  # a class recall this far below the accuracy is hidden by the accuracy
# draws of a matrix until its fairness is the one asked for: 1.09 on average, at most 6 over seeds 0..20000
TRIES = 100


def precision_recall_swapped(value: Fraction | float) -> Misconception:
    """Precision given where recall was asked, or the reverse (column total and row total mixed up)."""
    return Misconception(
        float(value),
        Bilingual(
            fa="دقت (precision) و بازیابی (recall) را جابه‌جا کرده‌اید: precision بر جمع ستونِ پیش‌بینی‌ها تقسیم می‌شود "
            "و recall بر جمع سطرِ نمونه‌های واقعی آن کلاس.",
            en="Precision and recall are swapped: precision divides by the column total (everything predicted as "
            "the class), recall by the row total (every actual sample of the class).",
        ),
    )


def macro_weighted_mixed(value: Fraction | float, *, asked: str) -> Misconception:
    """A weighted average given where the macro average was asked (asked='macro'), or the reverse."""
    if asked == "macro":
        hint = Bilingual(
            fa="این میانگین وزنی است (وزن هر کلاس = تعداد نمونه‌هایش)؛ میانگین macro به همه‌ی کلاس‌ها وزن برابر می‌دهد.",
            en="That is the weighted average (each class weighted by its support); the macro average weights "
            "every class equally.",
        )
    else:
        hint = Bilingual(
            fa="این میانگین macro (ساده) است؛ در میانگین وزنی هر کلاس به اندازه‌ی تعداد نمونه‌هایش وزن دارد.",
            en="That is the macro (plain) average; the weighted average weights each class by its support.",
        )
    return Misconception(float(value), hint)


def majority_recall_as_accuracy(value: Fraction | float) -> Misconception:
    return Misconception(
        float(value),
        Bilingual(
            fa="این بازیابی (recall) کلاس بزرگ‌تر است، نه دقت کل: accuracy تعداد همه‌ی پاسخ‌های درست (قطر اصلی) "
            "تقسیم بر تعداد همه‌ی نمونه‌هاست.",
            en="That is the recall of the largest class, not the accuracy: accuracy is every correct prediction "
            "(the diagonal) over all samples.",
        ),
    )


def f1_arithmetic_mean(precision: Fraction | float, recall: Fraction | float) -> Misconception:
    return Misconception(
        float((precision + recall) / 2),
        Bilingual(
            fa="میانگین حسابی precision و recall را گرفته‌اید؛ F1 میانگین همساز (هارمونیک) آن‌هاست: 2PR/(P+R).",
            en="You took the arithmetic mean of precision and recall; F1 is their harmonic mean: 2PR/(P+R).",
        ),
    )


def macro_f1_from_averages(
    macro_precision: Fraction | float, macro_recall: Fraction | float
) -> Misconception:
    """Macro-F1 computed as the F1 of macro precision and macro recall instead of the mean of per-class F1."""
    return Misconception(
        float(2 * macro_precision * macro_recall / (macro_precision + macro_recall)),
        Bilingual(
            fa="F1 را از precision و recall میانگین‌گرفته حساب کرده‌اید؛ macro-F1 میانگین F1 تک‌تک کلاس‌هاست.",
            en="You computed F1 of the averaged precision and recall; macro-F1 is the mean of the per-class F1s.",
        ),
    )


@dataclass(frozen=True)
class ClassMetrics:
    name: str
    tp: int
    fp: int  # predicted as this class, actually another
    fn: int  # actually this class, predicted as another
    support: int  # row sum: how many samples of this class there are
    predicted: int  # column sum

    @property
    def precision(self) -> Fraction:
        return Fraction(self.tp, self.predicted)

    @property
    def recall(self) -> Fraction:
        return Fraction(self.tp, self.support)

    @property
    def f1(self) -> Fraction:
        return 2 * self.precision * self.recall / (self.precision + self.recall)


def class_metrics(names: list[str], matrix: list[list[int]]) -> list[ClassMetrics]:
    """Per class, from a square matrix whose rows are actual and columns predicted classes."""
    n = len(names)
    if len(matrix) != n or any(len(row) != n for row in matrix):
        raise ValueError("the confusion matrix must be square with one row and column per class")
    metrics = []
    for k, name in enumerate(names):
        support = sum(matrix[k])
        predicted = sum(row[k] for row in matrix)
        tp = matrix[k][k]
        if tp <= 0:
            raise ValueError(f"class {name} has no true positive: precision, recall and F1 are not defined")
        metrics.append(ClassMetrics(name, tp, predicted - tp, support - tp, support, predicted))
    return metrics


def accuracy(metrics: list[ClassMetrics]) -> Fraction:
    return Fraction(sum(m.tp for m in metrics), sum(m.support for m in metrics))


def macro(values: list[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def weighted(values: list[Fraction], metrics: list[ClassMetrics]) -> Fraction:
    total = sum(m.support for m in metrics)
    return sum((v * m.support for v, m in zip(values, metrics, strict=True)), Fraction(0)) / total


def accuracy_is_fair(metrics: list[ClassMetrics]) -> bool:
    """Fair: classes of similar size and no class recall far below the accuracy. Misleading: imbalanced and a
    class recall hidden by the accuracy. Anything in between has no single defensible key."""
    supports = [m.support for m in metrics]
    acc = accuracy(metrics)
    hidden = any(m.recall <= acc - RECALL_GAP for m in metrics)
    if max(supports) >= IMBALANCE_RATIO * min(supports) and hidden:
        return False
    if 2 * max(supports) <= 3 * min(supports) and not hidden:
        return True
    raise ValueError("the matrix is neither clearly balanced nor clearly imbalanced: no defensible key")


def part_key(name: str) -> str:
    """'Non-COVID' -> 'non_covid': the class's part-id prefix."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@generator("classification_report")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """Half the variants an imbalanced test set (one large class recognised well, smaller classes missed more
    often: accuracy is misleading), half a balanced one (classes of similar size, every recall near the
    accuracy: accuracy is fair). The key of "is accuracy fair?" is decided from the drawn matrix."""
    n = draw(rng, ranges["n_classes"], "n_classes")
    names = list(draw(rng, ranges["class_sets"][str(n)], f"class_sets.{n}"))
    balanced = rng.random() < 0.5

    def attempt() -> dict[str, Any] | None:
        major = rng.randrange(n)
        big = draw(rng, ranges["majority"], "majority")
        share = ranges["balanced_share" if balanced else "minority_share"]  # of the largest class's support
        supports = [big if k == major else round(big * draw(rng, share)) for k in range(n)]
        if balanced:  # every class within 2/3 of the largest, all recognised about as well
            recalls = [draw(rng, ranges["recall_major"]) for k in range(n)]
        else:
            recalls = [draw(rng, ranges["recall_major" if k == major else "recall_minor"]) for k in range(n)]
        matrix = []
        for k in range(n):
            right = max(1, round(supports[k] * recalls[k]))
            wrong = supports[k] - right
            cuts = sorted(rng.randint(0, wrong) for _ in range(n - 2))  # wrong answers split over the others
            shares = [b - a for a, b in zip([0, *cuts], [*cuts, wrong], strict=True)]
            row = shares[:k] + [right] + shares[k:]
            matrix.append(row)
        try:
            fair = accuracy_is_fair(class_metrics(names, matrix))
        except ValueError:  # neither clearly balanced nor clearly imbalanced: draw again
            return None
        return {"classes": names, "matrix": matrix} if fair is balanced else None

    return sample_until(attempt, tries=TRIES, what="classification_report")


def _real(value: Fraction, *mistakes: Misconception | None) -> Answer:
    """A fraction reported to DIGITS decimals, with its mistakes (the bank keeps those the grader tells apart)."""
    return Answer(float(value), text=f"{float(value):.{DIGITS}f}", misconceptions=list(mistakes))


def _class_row(m: ClassMetrics, names: list[str], counts: list[int]) -> dict[str, Any]:
    return {
        "key": part_key(m.name),
        "name": m.name,
        **{field: getattr(m, field) for field in ("tp", "fp", "fn", "support", "predicted")},
        "cells": [{"name": other, "count": c} for other, c in zip(names, counts, strict=True)],
        "precision": float(m.precision),
        "recall": float(m.recall),
        "f1": float(m.f1),
    }


@solver("classification_report")
def solve(params: dict[str, Any]) -> Solution:
    names: list[str] = params["classes"]
    matrix: list[list[int]] = params["matrix"]
    metrics = class_metrics(names, matrix)
    acc = accuracy(metrics)
    precisions, recalls, f1s = ([getattr(m, f) for m in metrics] for f in ("precision", "recall", "f1"))
    avg = {
        "macro_precision": macro(precisions),
        "macro_recall": macro(recalls),
        "macro_f1": macro(f1s),
        "weighted_precision": weighted(precisions, metrics),
        "weighted_recall": weighted(recalls, metrics),  # always equals the accuracy: shown, not asked
        "weighted_f1": weighted(f1s, metrics),
    }
    majority = max(metrics, key=lambda m: m.support)
    worst = min(metrics, key=lambda m: m.recall)

    answers: dict[str, Answer] = {"accuracy": _real(acc, majority_recall_as_accuracy(majority.recall))}
    for m in metrics:
        key = part_key(m.name)
        answers[f"{key}_precision"] = _real(m.precision, precision_recall_swapped(m.recall))
        answers[f"{key}_recall"] = _real(m.recall, precision_recall_swapped(m.precision))
        answers[f"{key}_f1"] = _real(m.f1, f1_arithmetic_mean(m.precision, m.recall))
    answers["macro_precision"] = _real(
        avg["macro_precision"], macro_weighted_mixed(avg["weighted_precision"], asked="macro")
    )
    answers["macro_recall"] = _real(
        avg["macro_recall"], macro_weighted_mixed(avg["weighted_recall"], asked="macro")
    )
    answers["macro_f1"] = _real(
        avg["macro_f1"],
        macro_weighted_mixed(avg["weighted_f1"], asked="macro"),
        macro_f1_from_averages(avg["macro_precision"], avg["macro_recall"]),
    )
    answers["weighted_precision"] = _real(
        avg["weighted_precision"], macro_weighted_mixed(avg["macro_precision"], asked="weighted")
    )
    answers["weighted_f1"] = _real(
        avg["weighted_f1"], macro_weighted_mixed(avg["macro_f1"], asked="weighted")
    )
    fair = accuracy_is_fair(metrics)
    answers["accuracy_fair"] = Answer("fair" if fair else "misleading")
    return Solution(
        answers=answers,
        values={
            "classes": [_class_row(m, names, counts) for m, counts in zip(metrics, matrix, strict=True)],
            "n": len(names),
            "total": sum(m.support for m in metrics),
            "correct": sum(m.tp for m in metrics),
            "accuracy": float(acc),
            **{name: float(value) for name, value in avg.items()},
            "majority": {
                "name": majority.name,
                "support": majority.support,
                "recall": float(majority.recall),
            },
            "worst": {"name": worst.name, "support": worst.support, "recall": float(worst.recall)},
            "fair": fair,
        },
    )
