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

from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.misconceptions import (
    f1_arithmetic_mean,
    macro_f1_from_averages,
    macro_weighted_mixed,
    majority_recall_as_accuracy,
    only_present,
    precision_recall_swapped,
)

DIGITS = 3  # the prompts ask for 3 decimal places; part grading is {comparator: decdig, digits: 3}
IMBALANCE_RATIO = 2  # largest / smallest class support at which the matrix counts as imbalanced
RECALL_GAP = Fraction(5, 100)  # a class recall this far below the accuracy is hidden by the accuracy


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
    n = rng.choice(ranges["n_classes"])
    names = list(rng.choice(ranges["class_sets"][str(n)]))
    balanced = rng.random() < 0.5
    while True:
        major = rng.randrange(n)
        big = rng.randint(*ranges["majority"])
        if balanced:  # every class within 2/3 of the largest, all recognised about as well
            supports = [big if k == major else round(big * rng.uniform(0.7, 1.0)) for k in range(n)]
            recalls = [rng.uniform(*ranges["recall_major"]) for k in range(n)]
        else:
            supports = [
                big if k == major else round(big * rng.uniform(*ranges["minority_share"])) for k in range(n)
            ]
            recalls = [
                rng.uniform(*ranges["recall_major" if k == major else "recall_minor"]) for k in range(n)
            ]
        matrix = []
        for k in range(n):
            right = max(1, round(supports[k] * recalls[k]))
            wrong = supports[k] - right
            cuts = sorted(rng.randint(0, wrong) for _ in range(n - 2))  # wrong answers split over the others
            shares = [b - a for a, b in zip([0, *cuts], [*cuts, wrong], strict=True)]
            row = shares[:k] + [right] + shares[k:]
            matrix.append(row)
        try:
            if accuracy_is_fair(class_metrics(names, matrix)) is balanced:
                return {"classes": names, "matrix": matrix}
        except ValueError:
            continue


def _real(value: Fraction, *candidates: Misconception | None) -> Answer:
    """A fraction reported to DIGITS decimals, with the misconceptions that differ from it at that precision."""
    wrong = only_present(*candidates, right=float(value), digits=DIGITS)
    return Answer(float(value), text=f"{float(value):.{DIGITS}f}", misconceptions=wrong)


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
