"""The one island rule: what inside right-to-left text must read left to right, and how it is marked.

An *island* is a run that reads left to right inside Persian text:
- `code` in backticks and $math$ (as written by item authors);
- a formula or arithmetic chain outside code: operands joined by operators (`2·C·H·W`, `3 × 3 × 512 = 4,608`,
  `⌊(W + 2P − K)/S⌋ + 1`), a shape (`64×59×59`, `3x32x32`), a signed number (`−0.5`, `-3`), a call
  (`Conv2d(3, 32)`).
Plain words and plain numbers are not islands (the bidi algorithm places them well); punctuation that ends the
sentence stays outside the island, with its sentence, and brackets that do not balance inside a run stay too.

Each island is marked as its own left-to-right isolate: U+2066 LRI … U+2069 PDI in plain text (terminal,
stored texts), `<bdi dir="ltr">` / `<code dir="ltr">` in HTML. `segments()` is the rule; `localize`,
`isolate_html`, `to_html` and the PDF renderer all call it.
"""

from __future__ import annotations

import html as _html
import re

LRI = "\u2066"
PDI = "\u2069"
_ISOLATE_MARKS = str.maketrans("", "", "\u2066\u2067\u2068\u2069\u200e\u200f")

# `code` and $math$ as authors write them (one line)
_CODE_OR_MATH = re.compile(r"(`[^`\n]*`|\$[^$\n]+\$)")
# Hebrew and Arabic-script letters (not their digits ٠-٩ ۰-۹ or the separators ٫ ٬)
_RTL_LETTER = re.compile(
    "[\u05d0-\u05ea\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff"
    "\ufb1d-\ufdff\ufe70-\ufefc]"
)
_LATIN_LETTER = re.compile(r"[A-Za-zα-ωΑ-Ω]")

_DIGITS = "0-9۰-۹٠-٩"
_OPERATORS = "+\\-−×·/=≈≠≤≥<>^⌊⌋⌈⌉√∑∂∇→%٪"
# characters a formula is made of (besides inner punctuation and spaces)
_FORMULA_CHAR = re.compile(rf"[A-Za-z{_DIGITS}α-ωΑ-Ω_'′²³¹⁰-⁹₀-₉{_OPERATORS}()\[\]{{}}|]")
_INNER_PUNCT = ".,٫٬"  # decimal and thousands marks, dotted names: only between two formula characters
_OPENERS, _CLOSERS = "([{", ")]}"

_OPERAND_END = rf"[A-Za-z{_DIGITS}α-ωΑ-Ω_'′²³)\]⌋⌉]"
_OPERAND_START = rf"[A-Za-z{_DIGITS}α-ωΑ-Ω_(\[⌊⌈√−-]"
# an operator between operands; a hyphen counts only with a space beside it or between digits (not in names
# such as depthwise-separable or ResNet-50)
_JOINED = re.compile(
    rf"{_OPERAND_END}\s*[+−×·/=≈≠≤≥<>^→]\s*{_OPERAND_START}"
    rf"|{_OPERAND_END}\s+-\s*{_OPERAND_START}|[{_DIGITS}]-[{_DIGITS}]"
)
_SIGNED = re.compile(rf"^[-−+][{_DIGITS}]")
_SHAPE = re.compile(rf"[{_DIGITS}]+(?:[x×][{_DIGITS}]+)+")
_CALL = re.compile(r"[A-Za-z_][\w.]*\(")
_FLOOR = re.compile(r"[⌊⌈√∑]")


def strip_isolates(text: str) -> str:
    """Text without bidi isolate and mark characters (for comparing, parsing and YAML comments)."""
    return text.translate(_ISOLATE_MARKS)


def has_rtl(text: str) -> bool:
    return _RTL_LETTER.search(text) is not None


def has_latin(text: str) -> bool:
    return _LATIN_LETTER.search(text) is not None


def _is_formula(run: str) -> bool:
    return bool(
        _JOINED.search(run)
        or _SIGNED.match(run)
        or _SHAPE.fullmatch(run)
        or _CALL.match(run)
        or _FLOOR.search(run)
    )


_LOOSE_START = "×·/=≈≠≤≥<>^→%٪"  # an operator with no operand before it is the sentence's, not the formula's
_LOOSE_END = "+−-×·/=≈≠≤≥<>^→"


def _trim_once(run: str) -> tuple[int, int]:
    """How many characters to drop from the run's start and end (one step), or (0, 0) when it is settled."""
    if run[0] in _LOOSE_START or run[0] == " ":
        return 1, 0
    if run[-1] in _LOOSE_END or run[-1] == " ":
        return 0, 1
    for opener, closer in zip(_OPENERS, _CLOSERS, strict=True):
        if run[0] == opener and run.count(opener) > run.count(closer):
            return 1, 0
        if run[-1] == closer and run.count(closer) > run.count(opener):
            return 0, 1
    return 0, 0


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a run so that its brackets balance (a bracket without a partner leaves it) and it neither starts
    nor ends with a dangling operator."""
    while start < end:
        head, tail = _trim_once(text[start:end])
        if not head and not tail:
            break
        start, end = start + head, end - tail
    return start, end


def _formula_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each formula island in a stretch of prose (no code or math in it)."""
    runs: list[tuple[int, int]] = []
    k, n = 0, len(text)
    while k < n:
        if not _FORMULA_CHAR.match(text[k]):
            k += 1
            continue
        start, depth, j = k, 0, k
        while j < n:
            ch = text[j]
            nxt = text[j + 1] if j + 1 < n else ""
            if _FORMULA_CHAR.match(ch):
                depth += ch in _OPENERS
                depth -= ch in _CLOSERS and depth > 0
                j += 1
            elif ch in _INNER_PUNCT and nxt and _FORMULA_CHAR.match(nxt):
                j += 1
            elif ch == "," and depth > 0 and nxt == " ":
                j += 1
            elif ch == " ":
                rest = text[j:].lstrip(" ")
                if not rest or not _FORMULA_CHAR.match(rest[0]):
                    break
                j = n - len(rest)
            else:
                break
        end = j
        s, e = _trim(text, start, end)
        if s < e and _is_formula(text[s:e]):
            runs.append((s, e))
        k = max(end, k + 1)
    return runs


def segments(line: str, lang: str) -> list[tuple[str, str]]:
    """One line as (kind, text) pieces: "code" (with its backticks), "math" (with its $), "formula" (an island
    outside code) and "text". In English text nothing outside code and math is an island."""
    out: list[tuple[str, str]] = []
    for k, piece in enumerate(_CODE_OR_MATH.split(line)):
        if not piece:
            continue
        if k % 2:
            out.append(("code" if piece.startswith("`") else "math", piece))
            continue
        if lang != "fa":
            out.append(("text", piece))
            continue
        last = 0
        for start, end in _formula_runs(piece):
            if start > last:
                out.append(("text", piece[last:start]))
            out.append(("formula", piece[start:end]))
            last = end
        if last < len(piece):
            out.append(("text", piece[last:]))
    return out


def line_reads_ltr(line: str, lang: str) -> bool:
    """A Persian line with no right-to-left letter (a line that is only code, a formula and its period): it is
    one left-to-right isolate as a whole, so its closing punctuation stays at its end, not at the line's start."""
    return lang == "fa" and bool(line.strip()) and not has_rtl(line)


# --- HTML -----------------------------------------------------------------------------------------------------

_TAG = re.compile(r"(<[^>]*>)")
_SKIP_TAGS = ("code", "pre", "bdi", "script", "style", "kbd", "samp")


def _segment_html(line: str, lang: str) -> str:
    pieces: list[str] = []
    for kind, piece in segments(line, lang):
        if kind == "code":
            pieces.append(f'<code dir="ltr">{_html.escape(piece[1:-1], quote=False)}</code>')
        elif kind == "math":
            pieces.append(f'<code dir="ltr" class="tex">{_html.escape(piece[1:-1], quote=False)}</code>')
        elif kind == "formula":
            pieces.append(f'<bdi dir="ltr">{_html.escape(piece, quote=False)}</bdi>')
        else:
            pieces.append(_html.escape(piece, quote=False))
    return "".join(pieces)


def isolate_html(escaped: str, lang: str) -> str:
    """Already-escaped HTML (tags allowed) with the island rule applied to its text: `code` spans become
    `<code dir="ltr">`, and in Persian every formula, shape and signed number outside code becomes
    `<bdi dir="ltr">`. Text inside code/pre/bdi elements is left alone; plain-text isolates are dropped."""
    out: list[str] = []
    skip = 0
    for k, piece in enumerate(_TAG.split(escaped)):
        if k % 2:
            name = re.match(r"</?\s*([A-Za-z0-9]+)", piece)
            if name and name.group(1).lower() in _SKIP_TAGS and not piece.endswith("/>"):
                skip += -1 if piece.startswith("</") else 1
                skip = max(skip, 0)
            out.append(piece)
        elif piece:
            text = strip_isolates(_html.unescape(piece))
            out.append(_html.escape(text, quote=False) if skip else _segment_html(text, lang))
    return "".join(out)


def to_html(text: str, lang: str) -> str:
    """Plain text (a message, a prompt) as HTML by the island rule; line breaks become <br>."""
    return "<br>".join(
        isolate_html(_html.escape(strip_isolates(line), quote=False), lang) for line in text.split("\n")
    )


# --- plain text -----------------------------------------------------------------------------------------------


def isolate_text(text: str, lang: str, convert: object = None) -> str:
    """Plain text with each island wrapped in LRI … PDI (Persian text that has right-to-left letters only).
    `convert(kind, piece)` may rewrite each piece (digits); fenced ``` blocks are kept as they are."""
    text = strip_isolates(text)
    wrap = lang == "fa" and has_rtl(text)
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if line.strip().startswith("```"):
            fenced = not fenced
            out.append(line)
            continue
        if fenced:
            out.append(line)
            continue
        pieces: list[str] = []
        for kind, piece in segments(line, lang):
            if callable(convert):
                piece = convert(kind, piece)
            pieces.append(f"{LRI}{piece}{PDI}" if wrap and kind != "text" else piece)
        out.append("".join(pieces))
    return "\n".join(out)
