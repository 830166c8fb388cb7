"""Shared pieces of the gradient families (B15–B21): sympy symbols, exact decimals, LaTeX numbers and matrices.

Random decimals are drawn by the families themselves from their typed ranges (`{decimal: [lo, hi, step]}`,
`bank.ranges.draw`); the part tolerances live in the items' `grading:` only.

Sympy is imported here at module level on purpose: families are imported at generation time only
(`load_families`), never by the grading path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sympy as sp

X = sp.Symbol("x", real=True)


def exact(value: float | int | str) -> sp.Rational:
    """A decimal parameter (0.9, -1.5, 0.01) as the exact rational a teacher means by it."""
    return sp.Rational(str(value))


def to_float(expr: Any) -> float:
    return float(sp.N(expr, 30))


def round_sig(value: float, digits: int = 4) -> float:
    """The value rounded to `digits` significant figures (what the worked solution shows)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def tex_num(value: float | int, digits: int = 4) -> str:
    """A number for a $math$ island: 0.1021, -1.5, 12, 2.656 \\times 10^{-5}."""
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    value = float(value)
    if abs(value) < 1e-3 or abs(value) >= 1e6:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    text = f"{round_sig(value, digits):.{max(0, digits - 1 - math.floor(math.log10(abs(value))))}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def tex(expr: Any) -> str:
    return sp.latex(expr, ln_notation=True)


def tex_vector(values: Sequence[Any]) -> str:
    return "(" + ",\\ ".join(tex_num(v) if isinstance(v, float | int) else tex(v) for v in values) + ")"


def tex_matrix(rows: Sequence[Sequence[Any]]) -> str:
    return sp.latex(sp.Matrix([[exact(v) if isinstance(v, float) else v for v in row] for row in rows]))


def indexed_symbols(prefix: str, *shape: int) -> list:
    """x0, x1, ... (1-D) or x00, x01, ... (2-D): plain names a student can type and the grader can read."""
    if len(shape) == 1:
        return [sp.Symbol(f"{prefix}{i}", real=True) for i in range(shape[0])]
    rows, cols = shape
    return [[sp.Symbol(f"{prefix}{i}{j}", real=True) for j in range(cols)] for i in range(rows)]


def _exact(value: Any) -> Any:
    """A generated decimal (float like 1.5) as an exact sympy Rational; sympy objects pass through."""
    return value if isinstance(value, sp.Basic) else sp.Rational(str(value))


def softmax(logits: Sequence[Any], temperature: Any = 1) -> list:
    """Exact softmax (sympy) of exact logits at a temperature."""
    exps = [sp.exp(_exact(z) / temperature) for z in logits]
    total = sp.Add(*exps)
    return [e / total for e in exps]
