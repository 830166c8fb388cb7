"""Typed text as students write it -> plain ASCII the parsers read (no heavy imports).

Persian (۰–۹) and Arabic-Indic (٠–٩) digits become ASCII, `٫` the decimal point, `٬` (a thousands separator) is
dropped, `٪` is `%`, the many dashes are `-`, `× ⋅ · ∙` are `*`, `÷` is `/`, bidi marks and zero-width joiners
vanish, superscripts (`10⁸`, `x²`, `10⁻⁵`) become `**(...)`, then NFKC folds full-width forms.
"""

from __future__ import annotations

import ast
import re
import unicodedata

MAX_TYPED_CHARS = 2000  # one typed answer; longer input is refused before any parsing

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")

_TRANSLATE = str.maketrans(
    {
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        "٫": ".",
        "٬": "",
        "٪": "%",
        "،": ",",
        "؛": ";",
        "−": "-",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‒": "-",
        "×": "*",
        "✕": "*",
        "✖": "*",
        "⋅": "*",
        "·": "*",
        "∙": "*",
        "÷": "/",
        "∕": "/",
        "π": "pi",
        "√": "sqrt",
        "\u200c": "",  # zero-width non-joiner
        "\u200d": "",
        "\u200e": "",  # left-to-right mark
        "\u200f": "",  # right-to-left mark
        "\u202a": "",
        "\u202b": "",
        "\u202c": "",
        "\u2066": "",
        "\u2067": "",
        "\u2068": "",
        "\u2069": "",
        "\ufeff": "",
    }
)
_SPACES = re.compile(r"\s+")


class FormatProblem(ValueError):
    """Typed text the grader cannot read: `reason` is a key of grader.messages.REASONS, `values` fill it."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


def is_blank(typed: object) -> bool:
    if typed is None:
        return True
    if isinstance(typed, str):
        return not typed.translate(_TRANSLATE).strip()
    if isinstance(typed, list | tuple):
        return len(typed) == 0
    return False


def normalize(typed: str) -> str:
    """The ASCII form of typed text (see the module docstring); refuses over-long text."""
    if len(typed) > MAX_TYPED_CHARS:
        raise FormatProblem("too_long", limit=MAX_TYPED_CHARS)
    text = _SUPERSCRIPT_RUN.sub(lambda m: "**(" + m.group(0).translate(_SUPERSCRIPT) + ")", typed)
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return _SPACES.sub(" ", text).strip()


_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "ـ": ""})
_PUNCTUATION = re.compile(r"[\s\"'`.,;:!?()\[\]{}«»]+")


def fold_words(text: str) -> str:
    """A comparison key for option texts: digits and letters unified, case and punctuation ignored."""
    return _PUNCTUATION.sub(" ", normalize(text).translate(_ARABIC_LETTERS).casefold()).strip()


def parse_bounded(source: str, max_nodes: int) -> ast.Expression:
    """Python's own parser on typed text, refused when empty, unreadable or over `max_nodes` nodes."""
    if not source:
        raise FormatProblem("empty")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise FormatProblem("syntax") from None
    if sum(1 for _ in ast.walk(tree)) > max_nodes:
        raise FormatProblem("too_long", limit=max_nodes)
    return tree
