"""Language is a render parameter: number formatting and Persian digits, with no heavy imports.

Markup convention in item texts (both languages):
- `code` in backticks is a left-to-right island (layer notation, shapes, identifiers): its digits stay ASCII;
  a block fenced by ``` lines is a left-to-right code block (a network in sheet notation).
- $...$ is LaTeX math: digits stay ASCII, the PDF renders it as an SVG image, the terminal shows it as it is.
- everything else in Persian text gets Persian digits (۰–۹), decimal separator ٫ and thousands separator ٬.
"""

from __future__ import annotations

import re
from fractions import Fraction

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DECIMAL = "٫"
PERSIAN_THOUSANDS = "٬"
LANGS = ("fa", "en")

_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
# islands that keep ASCII digits: `code` and $math$
_ISLAND = re.compile(r"(```.*?```|`[^`]*`|\$[^$]*\$)", re.DOTALL)
# a number: 1,234,567 or 1234 or 0.862 (thousands commas only in groups of three)
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")


def persian_number(text: str) -> str:
    """'1,234.5' -> '۱٬۲۳۴٫۵'."""
    return text.replace(",", PERSIAN_THOUSANDS).replace(".", PERSIAN_DECIMAL).translate(_TO_PERSIAN)


def localize(text: str, lang: str) -> str:
    """Persian digits for fa outside `code` and $math$ islands; en is returned unchanged."""
    if lang != "fa":
        return text
    parts = _ISLAND.split(text)
    for k in range(0, len(parts), 2):  # even indices are outside islands
        parts[k] = _NUMBER.sub(lambda m: persian_number(m.group(0)), parts[k])
    return "".join(parts)


def fmt_number(value: object, digits: int | None = None) -> str:
    """A number as a teacher writes it: thousands separated, floats to `digits` significant decimals."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Fraction):
        return str(value) if value.denominator != 1 else f"{value.numerator:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if digits is not None:
            return f"{value:,.{digits}f}"
        return f"{value:.4g}" if (abs(value) < 1e-3 or abs(value) >= 1e6) else f"{value:,.4f}".rstrip("0")
    return str(value)


def fmt_shape(shape: list[int] | tuple[int, ...], sep: str = "×") -> str:
    return sep.join(str(int(s)) for s in shape)
