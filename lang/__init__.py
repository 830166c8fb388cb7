"""Language is a render parameter: number formatting and Persian digits, with no heavy imports.

Markup convention in item texts (both languages):
- the island rule (lang.bidi): formulas, shapes, signed numbers and code inside Persian text are left-to-right
  isolates (LRI … PDI in plain text, `<bdi dir="ltr">` in HTML);
- `code` in backticks is a left-to-right island (layer notation, shapes, identifiers): its digits stay ASCII;
  a block fenced by ``` lines is a left-to-right code block (a network in sheet notation).
- $...$ is LaTeX math: digits stay ASCII, the PDF renders it as an SVG image, the terminal shows it as it is.
- everything else in Persian text gets Persian digits (۰–۹), decimal separator ٫ and thousands separator ٬.
"""

from __future__ import annotations

import re
from fractions import Fraction

from lang.bidi import LRI, PDI, has_rtl, isolate_html, isolate_text, segments, strip_isolates, to_html

__all__ = [
    "LANGS", "LRI", "PDI", "fmt_number", "fmt_shape", "has_rtl", "isolate_html", "isolate_text", "localize",
    "persian_number", "segments", "strip_isolates", "to_html",
]  # fmt: skip

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DECIMAL = "٫"
PERSIAN_THOUSANDS = "٬"
LANGS = ("fa", "en")

_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
_LATIN = re.compile(r"[A-Za-z]")
# a number: 1,234,567 or 1234 or 0.862 (thousands commas only in groups of three)
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")


def persian_number(text: str) -> str:
    """'1,234.5' -> '۱٬۲۳۴٫۵'."""
    return text.replace(",", PERSIAN_THOUSANDS).replace(".", PERSIAN_DECIMAL).translate(_TO_PERSIAN)


def _persian_digits(text: str) -> str:
    return _NUMBER.sub(lambda m: persian_number(m.group(0)), text)


def _localize_piece(kind: str, piece: str) -> str:
    if kind == "text" or (kind == "formula" and not _LATIN.search(piece)):
        return _persian_digits(piece)
    return piece  # code, math and formulas with letters keep the digits as typed


def localize(text: str, lang: str) -> str:
    """The island rule for plain text. fa: Persian digits outside `code`, $math$ and formulas written with
    letters (`2·C·H·W`); in text with Persian letters every island is wrapped in LRI … PDI. Idempotent.
    en is returned unchanged."""
    if lang != "fa" or not text:
        return text
    return isolate_text(text, lang, _localize_piece)


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
