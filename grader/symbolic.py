"""Symbolic answers: a whitelisted `ast` -> sympy builder, and equivalence with a time bound.

Typed text is never given to sympify/parse_expr: `build_expression` walks Python's `ast` and builds sympy objects
from a fixed table of names (functions, constants, the part's variables). Students may write `2x`, `x(1-x)`,
`σ(x)`, `e^(-x)`, `|x|`, `relu`, `sigmoid`, `H(x)`/`step`, `max(0, x)`, `a if x > 0 else b`, `where(x > 0, a, b)`
and `Piecewise((a, x > 0), (b, True))`.

Equivalence (`check_equivalence`, `equivalent`), exact wherever both sides allow it:
1. structurally equal, or the difference auto-cancels to 0: equal;
2. both sides rational functions with rational coefficients (only symbols and rational numbers; typed decimals
   are read as the exact decimal written, `0.25` is 1/4): `cancel(together(key - typed)) == 0` decides in
   exact arithmetic (an expanded degree-13 polynomial whose constant is off by one is not equal);
3. otherwise (exp, log, trig, sigmoid, Piecewise ...) evaluation at stratified random points of the declared
   domain (WeBWorK style: one point per slice of each variable's interval, so both signs are always sampled for
   [-3, 3]), at exact rational points and 50 significant digits, equal only within 1e-30 relative: a 1e-12
   difference is seen;
4. full `sympy.simplify` only when too few points can be evaluated.

Decimals: a student's decimal against an exact key (`0.333333*x` for `x/3`) is a numeric question. When the
typed text writes a decimal number and the key writes none, and the two are not structurally equal, they are
compared at the random points (30 digits) within the part's `rtol` (grading setting, default DECIMAL_RTOL =
1e-4 relative), and the feedback says so ("compared ... within ±0.01%; write exact fractions"). So
`0.333333*x` and `0.33333*x` pass for `x/3`, `0.333*x` does not unless `rtol: 0.01`. A key that itself writes
decimals is compared exactly (rule 2).

The whole check runs under a time bound:
`signal.setitimer` (SIGALRM) when called in the main thread of a POSIX process, otherwise a child Python process
killed at the deadline. Past the bound the verdict is "could not be checked" (`Unchecked`), never wrong, never a
hang. Decided verdicts are remembered per process (MAX_DECIDED), so reading a submission whole and then grading
it runs each check once. sympy is imported lazily, only here, only for expression parts.
"""

from __future__ import annotations

import ast
import json
import math
import random
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

from grader.text import FormatProblem, normalize, parse_bounded

MAX_NODES = 300
MAX_DEPTH = 50
MAX_EXPONENT = 64  # numeric exponents in expressions (x**64 is fine, x**10**6 is refused)
MAX_INTEGER = 10**30
DEFAULT_DOMAIN = (-3.0, 3.0)
DEFAULT_SAMPLES = 8
DEFAULT_TIME_LIMIT = 4.0  # seconds for one equivalence check
_ATOL = 1e-9
EXACT_DIGITS = 50  # significant digits of the values compared at random points (exact answers)
EXACT_RTOL, EXACT_ATOL = 1e-30, 1e-40  # a difference smaller than this at 50 digits is evaluation noise
DECIMAL_RTOL = 1e-4  # default `rtol` of an expression part: typed decimals against an exact key
MAX_DECIDED = 512  # equivalence verdicts remembered per process (pure functions of their inputs)
_DECIDED: dict[tuple, tuple[bool, str, str]] = {}

GREEK = {"σ": "sigma", "α": "alpha", "β": "beta", "γ": "gamma", "λ": "lamda", "θ": "theta", "μ": "mu"}
GREEK.update({"τ": "tau", "ε": "epsilon", "δ": "delta", "η": "eta", "ω": "omega", "φ": "phi"})
_GREEK_RE = re.compile("|".join(GREEK))
_ABS_BARS = re.compile(r"\|([^|]+)\|")
_NUMBER_THEN_NAME = re.compile(r"(?<![A-Za-z_\d.])(\d+(?:\.\d*)?)(?![eE][+-]?\d)(?=[A-Za-z_(])")
_PAREN_THEN_OPERAND = re.compile(r"\)(?=[A-Za-z_\d(])")
_SPACED_OPERANDS = re.compile(r"([A-Za-z0-9_.]+|\))\s+(?=([A-Za-z0-9_.]+|\())")
_KEYWORDS = {"if", "else", "and", "or", "not", "in", "is", "for", "lambda"}


def _space_product(match: re.Match) -> str:
    """`d0 x1` and `2 x` are products; `exp (x)` is a call; `1 if x > 0 else 0` keeps its spaces."""
    left, right = match.group(1), match.group(2)
    if left in _KEYWORDS or right in _KEYWORDS:
        return match.group(0)
    if right == "(" and left != ")":
        return left
    return left + "*"


class KeyProblem(ValueError):
    """The reference expression itself cannot be built (a bug in the item, not in the student's answer)."""


class Unchecked(Exception):
    """The equivalence check could not finish within its time bound."""


def expression_text(typed: str) -> str:
    text = normalize(typed)
    text = _GREEK_RE.sub(lambda m: GREEK[m.group(0)], text)
    text = text.replace("^", "**")
    text = _SPACED_OPERANDS.sub(_space_product, text)
    for _ in range(4):  # |x| -> Abs(x), innermost first
        text = _ABS_BARS.sub(r"Abs(\1)", text)
    text = _NUMBER_THEN_NAME.sub(r"\1*", text)
    text = _PAREN_THEN_OPERAND.sub(")*", text)
    return text.replace("lambda", "lamda")  # the keyword cannot name a symbol


def _functions(sp: Any) -> dict[str, tuple[Any, int | tuple[int, int]]]:
    sigmoid = lambda z: 1 / (1 + sp.exp(-z))  # noqa: E731
    return {
        "exp": (sp.exp, 1),
        "log": (lambda z, b=None: sp.log(z) if b is None else sp.log(z, b), (1, 2)),
        "ln": (sp.log, 1),
        "log2": (lambda z: sp.log(z, 2), 1),
        "log10": (lambda z: sp.log(z, 10), 1),
        "sqrt": (sp.sqrt, 1),
        "sin": (sp.sin, 1),
        "cos": (sp.cos, 1),
        "tan": (sp.tan, 1),
        "atan": (sp.atan, 1),
        "arctan": (sp.atan, 1),
        "sinh": (sp.sinh, 1),
        "cosh": (sp.cosh, 1),
        "tanh": (sp.tanh, 1),
        "sech": (sp.sech, 1),
        "erf": (sp.erf, 1),
        "abs": (sp.Abs, 1),
        "Abs": (sp.Abs, 1),
        "sign": (sp.sign, 1),
        "sgn": (sp.sign, 1),
        "floor": (sp.floor, 1),
        "ceil": (sp.ceiling, 1),
        "ceiling": (sp.ceiling, 1),
        "Heaviside": (sp.Heaviside, (1, 2)),
        "heaviside": (sp.Heaviside, (1, 2)),
        "H": (sp.Heaviside, 1),
        "step": (sp.Heaviside, 1),
        "u": (sp.Heaviside, 1),
        "DiracDelta": (sp.DiracDelta, 1),
        "Max": (sp.Max, (1, 8)),
        "max": (sp.Max, (1, 8)),
        "Min": (sp.Min, (1, 8)),
        "min": (sp.Min, (1, 8)),
        "relu": (lambda z: sp.Max(0, z), 1),
        "ReLU": (lambda z: sp.Max(0, z), 1),
        "sigmoid": (sigmoid, 1),
        "sigma": (sigmoid, 1),
        "softplus": (lambda z: sp.log(1 + sp.exp(z)), 1),
        "Eq": (sp.Eq, 2),
        "Ne": (sp.Ne, 2),
        "And": (sp.And, (2, 8)),
        "Or": (sp.Or, (2, 8)),
        "Not": (sp.Not, 1),
        "where": (lambda c, a, b: sp.Piecewise((a, c), (b, True)), 3),
    }


CONSTANT_NAMES = ("pi", "E", "e", "oo", "inf", "True", "False")  # the keys of _constants, without sympy


def _constants(sp: Any) -> dict[str, Any]:
    return {"pi": sp.pi, "E": sp.E, "e": sp.E, "oo": sp.oo, "inf": sp.oo, "True": sp.true, "False": sp.false}


def free_names(text: str) -> set[str]:
    """Names used as variables in a reference expression (everything that is not a function or constant)."""
    try:
        tree = ast.parse(expression_text(text), mode="eval")
    except SyntaxError:
        return set()
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - called
    return {n for n in names if n not in CONSTANT_NAMES}


class _Builder:
    def __init__(self, sp: Any, symbols: dict[str, Any]) -> None:
        self.sp = sp
        self.symbols = symbols
        self.functions = _functions(sp)
        self.constants = _constants(sp)

    def build(self, node: ast.AST, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise FormatProblem("too_deep")
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise FormatProblem("not_allowed", what=type(node).__name__)
        return method(node, depth + 1)

    def _Expression(self, node: ast.Expression, depth: int) -> Any:
        return self.build(node.body, depth)

    def _Constant(self, node: ast.Constant, depth: int) -> Any:
        value = node.value
        if isinstance(value, bool):
            return self.sp.true if value else self.sp.false
        if isinstance(value, int):
            if abs(value) > MAX_INTEGER:
                raise FormatProblem("too_big")
            return self.sp.Integer(value)
        if isinstance(value, float) and math.isfinite(value):
            fraction = Fraction(repr(value))
            return self.sp.Rational(fraction.numerator, fraction.denominator)
        raise FormatProblem("not_allowed", what=type(value).__name__)

    def _Name(self, node: ast.Name, depth: int) -> Any:
        if node.id in self.symbols:
            return self.symbols[node.id]
        if node.id.replace("_", "") in self.symbols:  # d_0 for d0
            return self.symbols[node.id.replace("_", "")]
        factors = self._split_product(node.id)
        if factors:  # `dw` for d*w when d and w are the variables
            return self.sp.Mul(*[self.symbols[f] for f in factors])
        if node.id in self.constants:
            return self.constants[node.id]
        if node.id in self.functions:
            raise FormatProblem("function_without_argument", name=node.id)
        raise FormatProblem("unknown_name", name=node.id, allowed=", ".join(sorted(self.symbols)) or "-")

    def _split_product(self, name: str) -> list[str] | None:
        """`dw` -> [d, w] when the name is exactly a run of variable names (fewest pieces)."""
        best: list[list[str] | None] = [[]] + [None] * len(name)
        for end in range(1, len(name) + 1):
            for start in range(end):
                piece = name[start:end]
                if best[start] is not None and piece in self.symbols:
                    candidate = [*best[start], piece]
                    if best[end] is None or len(candidate) < len(best[end]):
                        best[end] = candidate
        result = best[len(name)]
        return result if result and len(result) > 1 else None

    def _BinOp(self, node: ast.BinOp, depth: int) -> Any:
        left, right = self.build(node.left, depth), self.build(node.right, depth)
        op = node.op
        if isinstance(op, ast.Add):
            return left + right
        if isinstance(op, ast.Sub):
            return left - right
        if isinstance(op, ast.Mult):
            return left * right
        if isinstance(op, ast.Div):
            if right == 0:
                raise FormatProblem("division_by_zero")
            return left / right
        if isinstance(op, ast.Pow):
            return self._power(left, right)
        if isinstance(op, ast.BitAnd):
            return self.sp.And(left, right)
        if isinstance(op, ast.BitOr):
            return self.sp.Or(left, right)
        raise FormatProblem("not_allowed", what=type(op).__name__)

    def _power(self, base: Any, exponent: Any) -> Any:
        if exponent.is_Number:
            if abs(exponent) > MAX_EXPONENT:
                raise FormatProblem("too_big")
            if base.is_Number and base != 0 and exponent.is_Integer:
                bits = max(abs(self.sp.Rational(base).p).bit_length(), self.sp.Rational(base).q.bit_length())
                if bits * abs(int(exponent)) > 4096:
                    raise FormatProblem("too_big")
        elif exponent.free_symbols == set() and not exponent.is_number:
            raise FormatProblem("not_allowed", what="exponent")
        elif not exponent.free_symbols:
            value = complex(exponent.evalf(15))
            if abs(value) > MAX_EXPONENT:
                raise FormatProblem("too_big")
        if base == 0 and exponent.is_Number and exponent < 0:
            raise FormatProblem("division_by_zero")
        return base**exponent

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> Any:
        operand = self.build(node.operand, depth)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not | ast.Invert):
            return self.sp.Not(operand)
        raise FormatProblem("not_allowed", what=type(node.op).__name__)

    def _Compare(self, node: ast.Compare, depth: int) -> Any:
        ops = {ast.Gt: self.sp.Gt, ast.GtE: self.sp.Ge, ast.Lt: self.sp.Lt, ast.LtE: self.sp.Le}
        ops.update({ast.Eq: self.sp.Eq, ast.NotEq: self.sp.Ne})
        terms = [self.build(node.left, depth)] + [self.build(c, depth) for c in node.comparators]
        relations = []
        for op, a, b in zip(node.ops, terms, terms[1:], strict=False):
            if type(op) not in ops:
                raise FormatProblem("not_allowed", what=type(op).__name__)
            relations.append(ops[type(op)](a, b))
        return relations[0] if len(relations) == 1 else self.sp.And(*relations)

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> Any:
        values = [self.build(v, depth) for v in node.values]
        return self.sp.And(*values) if isinstance(node.op, ast.And) else self.sp.Or(*values)

    def _IfExp(self, node: ast.IfExp, depth: int) -> Any:
        test = self.build(node.test, depth)
        return self.sp.Piecewise((self.build(node.body, depth), test), (self.build(node.orelse, depth), True))

    def _Call(self, node: ast.Call, depth: int) -> Any:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise FormatProblem("not_allowed", what="call")
        name = node.func.id
        if name == "Piecewise":
            return self._piecewise(node, depth)
        if name in self.symbols and len(node.args) == 1:  # x(1 - x): a product, not a call
            return self.symbols[name] * self.build(node.args[0], depth)
        if name not in self.functions:
            raise FormatProblem("unknown_function", name=name)
        func, arity = self.functions[name]
        count = len(node.args)
        if not (count == arity if isinstance(arity, int) else arity[0] <= count <= arity[1]):
            raise FormatProblem("arity", name=name)
        return func(*[self.build(a, depth) for a in node.args])

    def _piecewise(self, node: ast.Call, depth: int) -> Any:
        pieces = []
        for arg in node.args:
            if not (isinstance(arg, ast.Tuple) and len(arg.elts) == 2):
                raise FormatProblem("piecewise")
            pieces.append((self.build(arg.elts[0], depth), self.build(arg.elts[1], depth)))
        if not pieces:
            raise FormatProblem("piecewise")
        return self.sp.Piecewise(*pieces)


def _symbol_table(sp: Any, names: set[str], domain: dict[str, tuple[float, float]]) -> dict[str, Any]:
    table = {}
    for name in sorted(names):
        low, _high = domain.get(name, DEFAULT_DOMAIN)
        assumptions: dict[str, bool] = {"real": True}
        if low > 0:
            assumptions["positive"] = True
        elif low >= 0:
            assumptions["nonnegative"] = True
        table[name] = sp.Symbol(name, **assumptions)
    return table


def build_expression(text: str, names: set[str], domain: dict[str, tuple[float, float]] | None = None) -> Any:
    """The sympy object of typed text over the given variable names (anything else is refused)."""
    import sympy as sp

    tree = parse_bounded(expression_text(text), MAX_NODES)
    builder = _Builder(sp, _symbol_table(sp, names, domain or {}))
    try:
        result = builder.build(tree)
    except FormatProblem:
        raise
    except (TypeError, ValueError, AttributeError, ZeroDivisionError, RecursionError):
        raise FormatProblem("syntax") from None
    if isinstance(result, tuple) or not hasattr(result, "free_symbols"):
        raise FormatProblem("syntax")
    return result


def parse_domain(setting: Any, names: set[str]) -> dict[str, tuple[float, float]]:
    """`domain: [lo, hi]` for every variable, or `{x: [lo, hi], y: [lo, hi]}`; default [-3, 3]."""
    if setting is None:
        return {n: DEFAULT_DOMAIN for n in names}
    if isinstance(setting, list | tuple) and len(setting) == 2:
        return {n: (float(setting[0]), float(setting[1])) for n in names}
    if isinstance(setting, dict):
        out = {n: DEFAULT_DOMAIN for n in names}
        out.update({str(k): (float(v[0]), float(v[1])) for k, v in setting.items()})
        return out
    raise ValueError(f"grading.domain must be [lo, hi] or {{name: [lo, hi]}}, not {setting!r}")


def _points(names: list[str], domain: dict[str, tuple[float, float]], samples: int, seed: str):
    rng = random.Random(f"grader:{seed}")
    columns = []
    for name in names:
        low, high = domain.get(name, DEFAULT_DOMAIN)
        width = (high - low) / samples
        column = [low + width * (k + rng.uniform(0.05, 0.95)) for k in range(samples)]
        rng.shuffle(column)
        columns.append(column)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)] if names else [{}]


def _value(sp: Any, expr: Any, point: dict[Any, Any], digits: int) -> Any:
    """The value at a point to `digits` significant digits (an mpmath-backed sympy number), None where undefined."""
    try:
        value = expr.evalf(digits, subs=point) if point else expr.evalf(digits)
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not value.is_number:
            return None
        complex(value)  # refuses what is not a (complex) number
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        return None
    return value


def _is_logical(sp: Any, expr: Any) -> bool:
    from sympy.logic.boolalg import BooleanAtom, BooleanFunction

    return bool(getattr(expr, "is_Relational", False)) or isinstance(expr, BooleanFunction | BooleanAtom)


def has_decimals(text: str) -> bool:
    """Whether typed text writes a decimal number (`0.333`, `1e-3`): read exactly, compared with a tolerance."""
    try:
        tree = ast.parse(expression_text(text), mode="eval")
    except (SyntaxError, ValueError, FormatProblem):
        return False
    return any(isinstance(n, ast.Constant) and isinstance(n.value, float) for n in ast.walk(tree))


def _rational_function(expr: Any, symbols: list[Any]) -> bool:
    """A quotient of polynomials with rational coefficients (only symbols and rational numbers in it)."""
    return all(a.is_Symbol or a.is_Rational for a in expr.atoms()) and bool(
        expr.is_rational_function(*symbols)
    )


def _equivalent_now(
    key_text: str,
    typed_text: str,
    names: set[str],
    domain: dict[str, tuple[float, float]],
    samples: int,
    rtol: float = DECIMAL_RTOL,
) -> tuple[bool | None, str, str]:
    import sympy as sp

    try:
        key = build_expression(key_text, names, domain)
    except FormatProblem as problem:
        raise KeyProblem(f"the key expression {key_text!r} cannot be read ({problem.reason})") from None
    typed = build_expression(typed_text, names, domain)
    decimals = has_decimals(typed_text) and not has_decimals(key_text)
    result, how = _compare_built(sp, key, typed, key_text, domain, samples, rtol if decimals else None)
    return result, str(typed), how


def _compare_built(
    sp: Any,
    key: Any,
    typed: Any,
    key_text: str,
    domain: dict[str, tuple[float, float]],
    samples: int,
    decimal_rtol: float | None = None,
) -> tuple[bool | None, str]:
    """(verdict, how it was decided: "exact" | "points" | "decimals" | "simplify"); verdict None: undecided."""
    if key == typed:
        return True, "exact"
    if _is_logical(sp, key) or _is_logical(sp, typed):  # a condition typed where a value is asked, or reverse
        if not (_is_logical(sp, key) and _is_logical(sp, typed)):
            return False, "exact"
        return bool(sp.simplify(sp.Equivalent(key, typed)) == sp.true), "simplify"
    difference = key - typed
    if difference == 0:
        return True, "exact"
    symbols = {s.name: s for s in (key.free_symbols | typed.free_symbols)}
    ordered = sorted(symbols)
    exact = decimal_rtol is None
    if (
        exact
        and _rational_function(key, list(symbols.values()))
        and _rational_function(typed, list(symbols.values()))
    ):
        return sp.cancel(sp.together(difference)) == 0, "exact"  # exact arithmetic over the rationals
    points = _points(ordered, domain, samples, f"{key_text}|{sorted(domain.items())}")
    digits, rtol, atol = (EXACT_DIGITS, EXACT_RTOL, EXACT_ATOL) if exact else (30, decimal_rtol, _ATOL)
    agreed = 0
    for point in points:  # exact rational points, values to `digits` digits: a 1e-11 difference is seen
        subs = {symbols[n]: sp.Rational(round(v * 10**6), 10**6) for n, v in point.items()}
        a, b = _value(sp, key, subs, digits), _value(sp, typed, subs, digits)
        if a is None and b is None:
            continue
        if a is None or b is None:
            return False, "points" if exact else "decimals"
        if abs(a - b) > atol + rtol * max(abs(a), abs(b)):
            return False, "points" if exact else "decimals"
        agreed += 1
    if agreed * 2 >= len(points):
        return True, "points" if exact else "decimals"
    return (True if sp.simplify(difference) == 0 else None), "simplify"


class _Alarm(BaseException):
    pass


@contextmanager
def _alarm(seconds: float):
    """SIGALRM after `seconds` raises _Alarm in the main thread; once the body is done it can no longer fire."""
    state = {"armed": True}

    def ring(signum: int, frame: object) -> None:
        if state["armed"]:
            raise _Alarm

    previous = signal.signal(signal.SIGALRM, ring)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        while True:  # an alarm landing here is absorbed: the handler must be restored whatever happens
            try:
                state["armed"] = False
                break
            except _Alarm:
                continue
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay:  # give back what remained of someone else's timer
            spent = time.monotonic() - started
            signal.setitimer(signal.ITIMER_REAL, max(old_delay - spent, 1e-3), old_interval)


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def check_equivalence(
    key_text: str,
    typed_text: str,
    names: set[str],
    domain: dict[str, tuple[float, float]],
    samples: int = DEFAULT_SAMPLES,
    time_limit: float = DEFAULT_TIME_LIMIT,
    rtol: float = DECIMAL_RTOL,
) -> tuple[bool, str, str]:
    """(typed equals key on the domain, how typed was read, how it was decided: exact | points | decimals |
    simplify); FormatProblem if typed cannot be read; Unchecked past the time bound. Decided checks are
    remembered (a submission is first read whole, then graded: the check runs once)."""
    memo = (key_text, typed_text, tuple(sorted(names)), tuple(sorted(domain.items())), samples, rtol)
    if memo in _DECIDED:
        return _DECIDED[memo]
    if _can_use_alarm():
        try:
            with _alarm(time_limit):
                result, parsed, how = _equivalent_now(key_text, typed_text, names, domain, samples, rtol)
        except _Alarm:
            raise Unchecked from None
        except RecursionError:
            raise Unchecked from None
    else:
        result, parsed, how = _equivalent_in_child(
            key_text, typed_text, names, domain, samples, time_limit, rtol
        )
    if result is None:
        raise Unchecked
    if len(_DECIDED) >= MAX_DECIDED:
        _DECIDED.pop(next(iter(_DECIDED)))
    _DECIDED[memo] = (result, parsed, how)
    return result, parsed, how


def equivalent(
    key_text: str,
    typed_text: str,
    names: set[str],
    domain: dict[str, tuple[float, float]],
    samples: int = DEFAULT_SAMPLES,
    time_limit: float = DEFAULT_TIME_LIMIT,
    rtol: float = DECIMAL_RTOL,
) -> tuple[bool, str]:
    """(typed equals key on the domain, how typed was read): check_equivalence without the how."""
    result, parsed, _how = check_equivalence(key_text, typed_text, names, domain, samples, time_limit, rtol)
    return result, parsed


CHILD_STARTUP_ALLOWANCE = 20.0  # seconds for the child's own Python and sympy import


def _equivalent_in_child(
    key_text: str,
    typed_text: str,
    names: set[str],
    domain: dict[str, tuple[float, float]],
    samples: int,
    time_limit: float,
    rtol: float,
) -> tuple[bool | None, str, str]:
    request = {"key": key_text, "typed": typed_text, "names": sorted(names), "domain": domain}
    request.update(samples=samples, time_limit=time_limit, rtol=rtol)
    root = str(Path(__file__).resolve().parent.parent)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "grader.symbolic"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            cwd=root,
            timeout=time_limit + CHILD_STARTUP_ALLOWANCE,
        )
    except subprocess.TimeoutExpired:
        return None, "", ""
    try:
        reply = json.loads(done.stdout)
    except json.JSONDecodeError:
        return None, "", ""
    if "key_problem" in reply:
        raise KeyProblem(reply["key_problem"])
    if "problem" in reply:
        raise FormatProblem(reply["problem"], **reply.get("values", {}))
    return reply.get("equivalent"), reply.get("parsed", ""), reply.get("how", "")


def _child_main() -> None:
    request = json.loads(sys.stdin.read())
    domain = {k: (float(v[0]), float(v[1])) for k, v in request["domain"].items()}
    try:
        names = set(request["names"])
        limit = float(request["time_limit"])
        rtol = float(request.get("rtol", DECIMAL_RTOL))
        result, parsed, how = check_equivalence(
            request["key"], request["typed"], names, domain, request["samples"], limit, rtol
        )
        reply: dict[str, Any] = {"equivalent": result, "parsed": parsed, "how": how}
    except Unchecked:  # the child's own alarm; the parent's timeout is only a backstop
        reply = {"equivalent": None}
    except KeyProblem as problem:
        reply = {"key_problem": str(problem)}
    except FormatProblem as problem:
        reply = {"problem": problem.reason, "values": {k: str(v) for k, v in problem.values.items()}}
    sys.stdout.write(json.dumps(reply))


if __name__ == "__main__":
    _child_main()
