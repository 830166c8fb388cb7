"""Numbers and arithmetic as students type them, evaluated exactly over a whitelist of Python's `ast`.

`parse_number("۱٫۷۸ × ۱۰^۸")`, `parse_number("28*28*32*5*5*192")`, `parse_number("floor((128-7)/1)+1")`,
`parse_number("89.7%")`: the text is normalized (grader.text), thousands separators are removed, `x` between
numbers and `^` become `*` and `**`, and the expression is evaluated with Fractions (exact) — or floats once a
function like sqrt or log leaves the rationals. Nothing is ever passed to eval: only the node types below are
walked, and every integer, exponent and intermediate result is bounded, so `9**9**9**9` is refused at once.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from fractions import Fraction

from grader.text import FormatProblem, normalize, parse_bounded

Number = Fraction | float

MAX_BITS = 4096  # any integer, numerator or denominator (about 1,233 decimal digits)
MAX_NODES = 400
MAX_DEPTH = 60
MAX_FLOAT_EXP_ARG = 700.0

_SUFFIX = {"k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "B": 10**9}
_WORDS = {
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "هزار": 10**3,
    "میلیون": 10**6,
    "میلیارد": 10**9,
}
_APPROX_PREFIX = re.compile(r"^(?:≈|~|≅|about|approx\.?|حدود|تقریباً|تقریبا)\s*", re.IGNORECASE)
_THOUSANDS_GROUPS = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d])")
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])0,(\d+)(?![\d,])")
_UNDERSCORE = re.compile(r"(?<=\d)_(?=\d)")
_SPACE_GROUPS = re.compile(r"(?<![\d.])\d{1,3}(?: \d{3})+(?![\d.])")
_TIMES_LETTER = re.compile(r"(?<=[\d)\s])[xX](?=\s*[\d(.])")
_SUFFIX_RE = re.compile(r"(?<![\d.])(\d[\d.]*)\s*([kKMGB])(?![A-Za-z])")
_IMPLICIT_PAREN = re.compile(r"(\)|(?<![A-Za-z_])\b\d[\d.]*)\s*\(")
_PERCENT_END = re.compile(r"%\s*$")
# "۰/۸۶۲": Persian handwriting's decimal slash; only with a zero before it (0 ÷ 862 is never meant)
_PERSIAN_SLASH = re.compile(r"^([۰٠])\s*/\s*([۰-۹٠-٩]{1,12})$")


@dataclass
class ParsedNumber:
    value: Number  # as typed: 89.7 for "89.7%"
    percent: bool = False  # typed with a % sign
    working: Number | None = None  # "lhs = rhs": the value of the left side, when it differs from the result
    slash_decimal: Fraction | None = None  # "۰/۸۶۲" read as the decimal 0.862 (value holds it too)
    text: str = ""  # the normalized text that was evaluated


def _check_size(value: Number) -> Number:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FormatProblem("too_big")
        return value
    if value.numerator.bit_length() > MAX_BITS or value.denominator.bit_length() > MAX_BITS:
        raise FormatProblem("too_big")
    return value


def _float(value: Number) -> float:
    try:
        result = float(value)
    except OverflowError:
        raise FormatProblem("too_big") from None
    return result


def _power(base: Number, exponent: Number) -> Number:
    if isinstance(exponent, Fraction) and exponent.denominator == 1 and isinstance(base, Fraction):
        n = exponent.numerator
        if base == 0 and n < 0:
            raise FormatProblem("division_by_zero")
        if base in (0, 1) or n == 0:
            return base**n
        if base == -1:
            return Fraction((-1) ** (n % 2))
        bits = max(abs(base.numerator).bit_length(), base.denominator.bit_length())
        if abs(n) > MAX_BITS or (bits - 1) * abs(n) > MAX_BITS:
            raise FormatProblem("too_big")
        return _check_size(base**n)
    b, e = _float(base), _float(exponent)
    if b < 0 and not float(e).is_integer():
        raise FormatProblem("not_real")
    try:
        return _check_size(b**e)
    except (OverflowError, ZeroDivisionError):
        raise FormatProblem("too_big") from None


def _binary(op: ast.operator, a: Number, b: Number) -> Number:
    if isinstance(op, ast.Pow):
        return _power(a, b)
    if isinstance(a, float) or isinstance(b, float):
        a, b = _float(a), _float(b)
    try:
        if isinstance(op, ast.Add):
            return _check_size(a + b)
        if isinstance(op, ast.Sub):
            return _check_size(a - b)
        if isinstance(op, ast.Mult):
            return _check_size(a * b)
        if isinstance(op, ast.Div):
            return _check_size(a / b)
        if isinstance(op, ast.FloorDiv):
            return _check_size(Fraction(math.floor(a / b)) if isinstance(a, Fraction) else float(a // b))
        if isinstance(op, ast.Mod):
            return _check_size(a % b)
    except ZeroDivisionError:
        raise FormatProblem("division_by_zero") from None
    raise FormatProblem("not_allowed", what=type(op).__name__)


def _exact_sqrt(value: Number) -> Number:
    if isinstance(value, Fraction) and value >= 0:
        num, den = math.isqrt(value.numerator), math.isqrt(value.denominator)
        if num * num == value.numerator and den * den == value.denominator:
            return Fraction(num, den)
    if value < 0:
        raise FormatProblem("not_real")
    return math.sqrt(_float(value))


def _log(value: Number, base: float | None = None) -> float:
    if value <= 0:
        raise FormatProblem("not_real")
    v = value if isinstance(value, float) else None
    if v is None:  # a huge Fraction: log of numerator minus log of denominator
        result = math.log(value.numerator) - math.log(value.denominator)
    else:
        result = math.log(v)
    return result / math.log(base) if base else result


def _exp(value: Number) -> float:
    x = _float(value)
    if x > MAX_FLOAT_EXP_ARG:
        raise FormatProblem("too_big")
    return math.exp(x)


def _round(value: Number, digits: Number = Fraction(0)) -> Number:
    places = int(digits)
    if isinstance(value, float):
        return round(value, places)
    return Fraction(round(value, places))


def _integer_part(func):  # floor / ceil keep exact values exact
    def apply(value: Number) -> Number:
        return Fraction(func(value)) if isinstance(value, Fraction) else float(func(value))

    return apply


FUNCTIONS = {
    "floor": (_integer_part(math.floor), 1),
    "ceil": (_integer_part(math.ceil), 1),
    "ceiling": (_integer_part(math.ceil), 1),
    "round": (_round, (1, 2)),
    "abs": (abs, 1),
    "sqrt": (_exact_sqrt, 1),
    "exp": (_exp, 1),
    "log": (_log, (1, 2)),
    "ln": (_log, 1),
    "log2": (lambda v: _log(v, 2.0), 1),
    "log10": (lambda v: _log(v, 10.0), 1),
    "min": (min, (2, 16)),
    "max": (max, (2, 16)),
}
CONSTANTS = {"pi": math.pi, "e": math.e}


def _arity_ok(arity: int | tuple[int, int], count: int) -> bool:
    if isinstance(arity, int):
        return count == arity
    return arity[0] <= count <= arity[1]


def _evaluate(node: ast.AST, depth: int = 0) -> Number:
    if depth > MAX_DEPTH:
        raise FormatProblem("too_deep")
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, depth + 1)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        if isinstance(node.value, int):
            return _check_size(Fraction(node.value))
        if not math.isfinite(node.value):
            raise FormatProblem("too_big")
        return Fraction(repr(node.value))  # the decimal as typed (repr round-trips), exactly
    if isinstance(node, ast.BinOp):
        return _binary(node.op, _evaluate(node.left, depth + 1), _evaluate(node.right, depth + 1))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate(node.operand, depth + 1)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Name) and node.id in CONSTANTS:
        return CONSTANTS[node.id]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        if node.keywords:
            raise FormatProblem("not_allowed", what="keyword arguments")
        func, arity = FUNCTIONS[node.func.id]
        if not _arity_ok(arity, len(node.args)):
            raise FormatProblem("arity", name=node.func.id)
        args = [_evaluate(a, depth + 1) for a in node.args]
        try:
            return _check_size(func(*args))
        except FormatProblem:
            raise
        except (OverflowError, ValueError, ZeroDivisionError):
            raise FormatProblem("too_big") from None
        except TypeError:
            raise FormatProblem("arity", name=node.func.id) from None
    if isinstance(node, ast.Name):
        raise FormatProblem("unknown_name", name=node.id, allowed=", ".join([*FUNCTIONS, *CONSTANTS]))
    if isinstance(node, ast.Tuple):
        raise FormatProblem("comma")
    raise FormatProblem("not_allowed", what=type(node).__name__)


def _depth0_commas(text: str) -> str:
    """Remove thousands commas (1,234,567) outside parentheses; commas inside are function arguments."""
    out, start, depth = [], 0, 0
    for i, ch in enumerate(text + "("):
        if ch in "()" or i == len(text):
            chunk = text[start:i]
            if depth == 0:
                chunk = _DECIMAL_COMMA.sub(r"0.\1", chunk)
                chunk = _THOUSANDS_GROUPS.sub(lambda m: m.group(0).replace(",", ""), chunk)
            out.append(chunk)
            if i < len(text):
                out.append(ch)
                depth += 1 if ch == "(" else -1
            start = i + 1
    return "".join(out)


def _suffixes(text: str) -> str:
    text = _SUFFIX_RE.sub(lambda m: f"({m.group(1)}*{_SUFFIX[m.group(2)]})", text)
    for word, factor in _WORDS.items():
        text = re.sub(rf"(?<=[\d)])\s*{word}\b", f"*{factor}", text, flags=re.IGNORECASE)
    return text


def arithmetic_text(typed: str) -> str:
    """Normalized text with separators removed and `x`, `^`, suffixes turned into Python arithmetic."""
    text = _APPROX_PREFIX.sub("", normalize(typed))
    text = _UNDERSCORE.sub("", text)
    text = _SPACE_GROUPS.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _depth0_commas(text)
    text = _TIMES_LETTER.sub("*", text)
    text = text.replace("^", "**")
    text = _suffixes(text)
    text = _IMPLICIT_PAREN.sub(r"\1*(", text)
    return text.strip()


def evaluate_arithmetic(text: str) -> Number:
    """Exact value of a whitelisted arithmetic expression (already in Python syntax)."""
    return _evaluate(parse_bounded(text, MAX_NODES))


def parse_number(typed: str | int | float) -> ParsedNumber:
    """A typed number, percentage, scientific form or arithmetic; `lhs = rhs` keeps rhs and notes lhs."""
    if isinstance(typed, bool):
        raise FormatProblem("not_a_number")
    if isinstance(typed, int):
        return ParsedNumber(_check_size(Fraction(typed)), text=str(typed))
    if isinstance(typed, float):
        if not math.isfinite(typed):
            raise FormatProblem("too_big")
        return ParsedNumber(Fraction(repr(typed)), text=repr(typed))
    if not isinstance(typed, str):
        raise FormatProblem("not_a_number")
    text = arithmetic_text(typed)
    slash = _PERSIAN_SLASH.match(typed.strip())
    slash_decimal = Fraction(normalize(f"{slash.group(1)}.{slash.group(2)}")) if slash else None
    sides = [s.strip() for s in text.split("=")]
    sides = [s for s in sides if s]
    if not sides:
        raise FormatProblem("empty")
    result_text = sides[-1]
    percent = bool(_PERCENT_END.search(result_text))
    if percent:
        result_text = _PERCENT_END.sub("", result_text)
    if "%" in result_text:
        raise FormatProblem("percent_place")
    value = evaluate_arithmetic(result_text)
    working = None
    if len(sides) > 1:
        first = _PERCENT_END.sub("", sides[0])
        try:
            lhs = evaluate_arithmetic(first)
        except FormatProblem:
            lhs = None  # words or symbols on the left ("N = 120"): keep the result only
        if lhs is not None and not numbers_close(lhs, value):
            working = lhs
    if slash_decimal is not None:
        value = slash_decimal
    return ParsedNumber(
        value, percent=percent, working=working, text=result_text, slash_decimal=slash_decimal
    )


def product_factors(text: str) -> list[int] | None:
    """The integer factors of a typed product like `28*28*32*5*5*192` (None for anything else)."""
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    factors: list[int] = []
    stack = [tree.body]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            stack.extend([node.right, node.left])
        elif isinstance(node, ast.Constant) and type(node.value) is int and len(factors) < 32:
            factors.append(node.value)
        else:
            return None
    return factors if len(factors) >= 2 else None


def to_fraction(value: Number) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def numbers_close(a: Number, b: Number, rel: Fraction = Fraction(1, 10**9)) -> bool:
    fa, fb = to_fraction(a), to_fraction(b)
    return abs(fa - fb) <= rel * max(abs(fa), abs(fb))


def show_number(value: Number) -> str:
    """A parsed value as the grader reports it: 120, 0.897, 1.78e+08, 1/3."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        d = value.denominator
        while d % 2 == 0:
            d //= 2
        while d % 5 == 0:
            d //= 5
        if d == 1 and len(str(value.denominator)) <= 12:  # a terminating decimal: print it exactly
            text = f"{float(value):.15g}"
            if Fraction(text) == value:
                return text
        if abs(value.numerator).bit_length() < 1000 and value.denominator.bit_length() < 1000:
            return f"{value.numerator}/{value.denominator}"
        return f"{float(value):.10g}"
    return f"{value:.10g}"
