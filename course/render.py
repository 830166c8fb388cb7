"""Bilingual PDF worksheets and the TA's key: Jinja2 templates in `templates/`, WeasyPrint, two worker processes.

Rendering rules that hold with WeasyPrint (it ignores `unicode-bidi`, but lays out every element with a `dir` as
its own run) and in browsers (where `dir` on an inline element makes it an isolate):
- `<html lang="fa" dir="rtl">`, and `lang`/`dir` on every Persian and English block;
- the island rule of `lang.bidi`: `code` is `<code dir="ltr">`, every formula, shape and signed number outside code
  in Persian text is `<bdi dir="ltr">`, and a Persian line with no Persian letter is one left-to-right isolate;
- `$...$` LaTeX islands become SVG images (ziamath) sized in em and lowered to sit on the baseline (cached);
- digits are made Persian by `lang.localize` (already applied to the stored texts), not by the font.
Each worker process parses the stylesheet once and keeps one `FontConfiguration`.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import multiprocessing
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from base.paths import FONTS_DIR, TEMPLATES_DIR
from course.answers import (
    answer_file_template,
    display_items,
    is_flat_shape,
    is_written,
    part_form,
    part_prompt,
)
from course.config import Course, CourseError
from lang import fmt_number, localize, persian_number, segments, strip_isolates
from lang.bidi import line_reads_ltr

BUNDLED_FONTS = {"regular": "Vazirmatn-Regular.ttf", "bold": "Vazirmatn-Bold.ttf"}
FALLBACK_FAMILIES = ("Vazirmatn", "Noto Sans Arabic")  # system fonts that draw Persian well
MATH_PX = 16.0  # ziamath size that maps to 1em

# --- text -> HTML ---------------------------------------------------------------------------------------------


# A math image's drawing, by the digest its placeholder SVG names: (viewBox, PDF path operators in viewBox units).
# Filled by math_img in the process that renders the template, read by the SVG drawing hook in the same process
# (render_pdf does both), so the HTML carries a few hundred bytes per formula instead of ~30 KB of paths that
# WeasyPrint's pure-Python HTML parser, SVG tree and path parser would each go through again per document.
_MATH_DRAWINGS: dict[str, tuple[tuple[float, float, float, float], bytes]] = {}
MATH_ID_PREFIX = "azmoon-math-"
MATH_AS_OPERATORS = True  # False: embed every SVG and let WeasyPrint draw it (the tests compare the two)
_SVG_NS = "{http://www.w3.org/2000/svg}"


def _pdf_number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _path_ops(d: str) -> list[str] | None:
    """An SVG path of absolute M/L/Q/Z commands (what ziamath writes) as PDF path operators; None otherwise.
    Quadratic segments become the equivalent cubic ones, as WeasyPrint's own SVG drawing makes them."""
    tokens = d.replace(",", " ").split()
    out: list[str] = []
    current = start = (0.0, 0.0)
    k = 0
    try:
        while k < len(tokens):
            op = tokens[k]
            if op in ("M", "L"):
                x, y = float(tokens[k + 1]), float(tokens[k + 2])
                out.append(f"{_pdf_number(x)} {_pdf_number(y)} {'m' if op == 'M' else 'l'}")
                current = (x, y)
                if op == "M":
                    start = current
                k += 3
            elif op == "Q":
                qx, qy, x, y = (float(t) for t in tokens[k + 1 : k + 5])
                x0, y0 = current
                c1 = (x0 + 2 / 3 * (qx - x0), y0 + 2 / 3 * (qy - y0))
                c2 = (x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y))
                out.append(" ".join(_pdf_number(v) for v in (*c1, *c2, x, y)) + " c")
                current = (x, y)
                k += 5
            elif op in ("Z", "z"):
                out.append("h")
                current = start
                k += 1
            else:
                return None
    except (IndexError, ValueError):
        return None
    return out


def _svg_drawing(svg: str) -> tuple[tuple[float, float, float, float], bytes] | None:
    """ziamath's plain SVG (black-filled paths and rects, no transforms) as (viewBox, PDF operators); None for
    anything else, which is then embedded and drawn by WeasyPrint as it is."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(svg)
        viewbox = tuple(float(v) for v in root.attrib["viewBox"].split())
    except (ElementTree.ParseError, KeyError, ValueError):
        return None
    if len(viewbox) != 4 or viewbox[2] <= 0 or viewbox[3] <= 0:
        return None
    ops = ["0 0 0 rg"]
    for node in root:
        attrib = dict(node.attrib)
        if attrib.pop("fill", "black") not in ("black", "#000", "#000000"):
            return None
        if node.tag == f"{_SVG_NS}path" and set(attrib) == {"d"}:
            path = _path_ops(attrib["d"])
            if path is None:
                return None
            ops.extend(path)
        elif node.tag == f"{_SVG_NS}rect" and set(attrib) == {"x", "y", "width", "height"}:
            try:
                x, y, w, h = (float(attrib[a]) for a in ("x", "y", "width", "height"))
            except ValueError:
                return None
            if w <= 0 or h <= 0:
                continue
            ops.append(" ".join(_pdf_number(v) for v in (x, y, w, h)) + " re")
        else:
            return None
        ops.append("f")
    return viewbox, "\n".join(ops).encode("ascii")  # type: ignore[return-value]


def _math_src(svg: str) -> str:
    """The <img> source of a formula: a placeholder SVG of the same size naming its drawing when the drawing
    could be converted, else the SVG itself."""
    drawing = _svg_drawing(svg) if MATH_AS_OPERATORS else None
    if drawing is not None:
        reuse_svg_drawings()  # the hook that draws placeholders (installed once per process)
        digest = hashlib.sha1(svg.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]
        _MATH_DRAWINGS[digest] = drawing
        root = re.match(r"<svg\b[^>]*?(/?)>", svg)
        if root is not None and not root.group(1):
            svg = root.group(0)[:-1] + f' id="{MATH_ID_PREFIX}{digest}"></svg>'
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@lru_cache(maxsize=4096)
def math_img(latex: str) -> str:
    """A LaTeX island as an inline SVG <img>, sized in em and lowered so its baseline is the text's."""
    from course.formulas import typeset

    try:
        # plain paths (no <symbol>/<use>) with one decimal (1/160 em): WeasyPrint draws them about 1.5x faster
        svg, width, height, yofst = typeset(latex, MATH_PX)
        descent = height + yofst if yofst is not None else 0.0
    except Exception:  # a formula ziamath cannot typeset is shown as its source, never lost
        return f'<code dir="ltr" class="tex">{escape(latex)}</code>'
    match = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', svg)
    if match:  # viewBox: min-x, min-y (negative: ascent), width, height; baseline at y = 0
        _, min_y, width, height = (float(v) for v in match.groups())
        descent = height + min_y
    style = f"height:{height / MATH_PX:.3f}em;vertical-align:{-descent / MATH_PX:.3f}em"
    return f'<img class="math" dir="ltr" alt="{escape(latex)}" style="{style}" src="{_math_src(svg)}">'


# --- simple formulas as text: an arithmetic chain needs no typesetting ------------------------------------------

TEX_SYMBOLS = {
    "cdot": "·", "times": "×", "approx": "≈", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    "le": "≤", "ge": "≥", "ne": "≠", "leq": "≤", "geq": "≥", "neq": "≠", "to": "→", ",": "\u2009",
}  # fmt: skip
_TEX_TOKEN = re.compile(r"\\[A-Za-z]+|\\,|[_^](?:\{[^{}]*\}|[0-9A-Za-z])|\d+(?:\.\d+)?|[A-Za-z]|\s+|.")
_BINARY = {"+", "−", "=", "·", "×", "≈", "≤", "≥", "≠", "→"}
_PLAIN_MATH_CHARS = set("()/,.|!'")


def _math_letter(ch: str) -> str:
    """A Latin letter in math italic (U+1D434…), as TeX sets variables; h is U+210E."""
    if ch == "h":
        return "\u210e"
    base = 0x1D434 if ch.isupper() else 0x1D44E
    return chr(base + ord(ch.upper() if ch.isupper() else ch) - ord("A" if ch.isupper() else "a"))


def _math_atoms(latex: str) -> list[str] | None:
    """The atoms of a simple formula as HTML, or None when it needs real typesetting (fractions, roots…)."""
    atoms: list[str] = []
    for token in _TEX_TOKEN.findall(latex):
        if token.isspace():
            continue
        if token.startswith("\\"):
            symbol = TEX_SYMBOLS.get(token[1:])
            if symbol is None:
                return None
            atoms.append(symbol)
        elif token[0] in "_^":
            inner = _math_atoms(token[1:].strip("{}"))
            if inner is None or any(a in _BINARY for a in inner):
                return None
            tag = "sub" if token[0] == "_" else "sup"
            atoms.append(f"<{tag}>{''.join(inner)}</{tag}>")
        elif token[0].isdigit():
            atoms.append(fmt_number(int(token)) if token.isdigit() else token)
        elif token.isalpha():
            atoms.append(_math_letter(token))
        elif token == "-":
            atoms.append("−")
        elif token in "+=" or token in _PLAIN_MATH_CHARS:
            atoms.append(token)
        else:
            return None
    return atoms


@lru_cache(maxsize=4096)
def math_html(latex: str) -> str:
    """A $...$ island: an arithmetic chain (digits, letters, sub/superscripts, + − · × = ≈ ⌊⌋) as math-italic
    text with thousands separators, cheap to lay out; anything else as a typeset SVG image (math_img)."""
    atoms = _math_atoms(latex)
    if not atoms:
        return math_img(latex)
    out: list[str] = []
    for k, atom in enumerate(atoms):
        unary = atom in ("−", "+") and (k == 0 or atoms[k - 1] in _BINARY or atoms[k - 1] in ("(", "⌊", "⌈"))
        out.append(f" {atom} " if atom in _BINARY and not unary else atom)
    return f'<span class="math-text" dir="ltr">{"".join(out).strip()}</span>'


_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")


def _segments_html(text: str, lang: str) -> str:
    """A piece of one line by the island rule (lang.segments): code, $math$ images, formulas as isolates."""
    out: list[str] = []
    for kind, piece in segments(text, lang):
        if kind == "code":
            out.append(f'<code dir="ltr">{escape(piece[1:-1])}</code>')
        elif kind == "math":
            out.append(math_html(piece[1:-1].strip()))
        elif kind == "formula":
            out.append(f'<bdi dir="ltr">{escape(piece)}</bdi>')
        else:
            out.append(str(escape(piece)))
    return "".join(out)


@lru_cache(maxsize=8192)
def _line_html(line: str, lang: str) -> str:
    """One line of item text: **bold**, then the island rule; a Persian line with no Persian letter (code and its
    period) is one left-to-right isolate, so its punctuation ends it instead of starting it."""
    line = strip_isolates(line)
    pieces = _BOLD.split(line)
    html = "".join(
        f"<b>{_segments_html(piece, lang)}</b>" if k % 2 else _segments_html(piece, lang)
        for k, piece in enumerate(pieces)
        if piece
    )
    return f'<span dir="ltr" class="ltr-line">{html}</span>' if line_reads_ltr(line, lang) else html


def _paragraph_html(lines: list[str], lang: str) -> str:
    """Consecutive text lines: `- ` lines become a list, the others one paragraph with line breaks."""
    out: list[str] = []
    direction = "rtl" if lang == "fa" else "ltr"
    prose: list[str] = []
    bullets: list[str] = []

    def flush() -> None:
        if prose:
            out.append(f'<p lang="{lang}" dir="{direction}">' + "<br>".join(prose) + "</p>")
            prose.clear()
        if bullets:
            out.append(
                f'<ul lang="{lang}" dir="{direction}">' + "".join(f"<li>{b}</li>" for b in bullets) + "</ul>"
            )
            bullets.clear()

    for line in lines:
        if line.startswith(("- ", "* ")):
            if prose:
                flush()
            bullets.append(_line_html(line[2:].strip(), lang))
        else:
            if bullets:
                flush()
            prose.append(_line_html(line, lang))
    flush()
    return "".join(out)


def fences(text: str | None) -> set[str]:
    """The ``` code blocks of a text (to show a block that both languages share only once)."""
    return set(re.findall(r"```[^\n]*\n(.*?)\n\s*```", text or "", flags=re.S))


def rich_text(text: str | None, lang: str, shown: set[str] | None = None) -> Markup:
    """Item text (already localized) as HTML: ``` fences as left-to-right code blocks, `- ` lists, paragraphs on
    blank lines, line breaks kept, `code` and $math$ islands rendered. A fence whose code is in `shown` (already
    printed in the other language just above) becomes a one-line reference instead."""
    if not text:
        return Markup("")
    shown = {block.strip() for block in (shown or set())}
    html: list[str] = []
    lines: list[str] = []
    fence: list[str] | None = None
    for raw in text.strip().splitlines():
        if raw.strip().startswith("```"):
            if fence is None:
                html.append(_paragraph_html(lines, lang))
                lines, fence = [], []
            else:
                code = "\n".join(fence)
                if code.strip() in shown:
                    html.append('<p class="same-code" lang="en" dir="ltr">(the code above)</p>')
                else:
                    html.append(f'<pre dir="ltr" lang="en">{escape(code)}</pre>')
                fence = None
        elif fence is not None:
            fence.append(raw.rstrip())
        elif raw.strip():
            lines.append(raw.strip())
        else:
            html.append(_paragraph_html(lines, lang))
            lines = []
    if fence is not None:  # an unclosed fence: still shown as code
        html.append(f'<pre dir="ltr" lang="en">{escape(chr(10).join(fence))}</pre>')
    html.append(_paragraph_html(lines, lang))
    return Markup("".join(html))


def inline_text(text: str | None, lang: str) -> Markup:
    """One-line text (prompts, answers) without paragraph wrapping."""
    if not text:
        return Markup("")
    return Markup(
        "<br>".join(_line_html(line.strip(), lang) for line in str(text).splitlines() if line.strip())
    )


def fa_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return persian_number(str(value))


def points_number(value: Any) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0")
    return str(value)


_PLAIN_INTEGER = re.compile(r"-?\d+")


def answer_texts(part: dict[str, Any]) -> dict[str, str]:
    """A key's answer as printed, in both languages: an integer with thousands separators (147,865,600 and
    ۱۴۷٬۸۶۵٬۶۰۰); any other answer as the key writes it, the same in both (the fa line is then not printed)."""
    text = strip_isolates(str(part.get("answer_text", "")))
    letters = {str(o.get("id")): o.get("letter") for o in part.get("options") or [] if o.get("letter")}
    if text in letters:  # a choice: its letter in this variant, then its id
        text = f"{letters[text]} ({text})"
    elif _PLAIN_INTEGER.fullmatch(text) and abs(int(text)) >= 1000:
        text = fmt_number(int(text))
        return {"en": text, "fa": localize(text, "fa")}
    return {"en": text, "fa": text}


HEADING_SIDE_BY_SIDE_CHARS = 64  # fa + en titles up to this length share one row; longer ones are stacked


def heading_layout(item: dict[str, Any]) -> str:
    """The heading's layout: "row" (fa and en titles side by side) or "stack" (one above the other), by length."""
    title = item.get("title") or {}
    length = len(title.get("fa") or "") + len(title.get("en") or "")
    return "row" if length <= HEADING_SIDE_BY_SIDE_CHARS else "stack"


# --- part layout -----------------------------------------------------------------------------------------------

GRID_MIN_ROWS = 3
GRID_MIN_COLUMNS = 2


def _split_id(part_id: str) -> tuple[str, str] | None:
    head, sep, tail = part_id.rpartition("_")
    return (head, tail) if sep and head and tail else None


def _column_prompt(prompt: str, row: str) -> str:
    """A part's prompt with its row key taken out: the heading of its grid column."""
    return prompt.replace(f"`{row}`", "…").replace(row, "…")


def layout_parts(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parts as blocks: expanded families of parts (`Layer1_shape`, `Layer1_weights`, ... `Layer12_flops`)
    become one grid (a row per key, a column per attribute); every other part is its own row."""
    split = {p["id"]: _split_id(p["id"]) for p in parts}
    rows: dict[str, None] = {}
    columns: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        key = split[part["id"]]
        if key is not None:
            rows.setdefault(key[0], None)
            columns.setdefault(key[1], []).append(part)
    grid_columns = {c: ps for c, ps in columns.items() if len(ps) >= GRID_MIN_ROWS}
    grid_rows = [r for r in rows if any(split[p["id"]][0] == r for ps in grid_columns.values() for p in ps)]
    use_grid = len(grid_columns) >= GRID_MIN_COLUMNS and len(grid_rows) >= GRID_MIN_ROWS
    blocks: list[dict[str, Any]] = []
    grid: dict[str, Any] | None = None
    for part in parts:
        key = split[part["id"]]
        if use_grid and key is not None and key[1] in grid_columns:
            if grid is None:
                grid = {"type": "grid", "rows": grid_rows, "columns": [], "cells": {r: {} for r in grid_rows}}
                for column, members in grid_columns.items():
                    first = members[0]
                    row = split[first["id"]][0]
                    points = {m["points"] for m in members}
                    grid["columns"].append(
                        {
                            "id": column,
                            "prompt": {
                                lang: _column_prompt(first["prompt"][lang], row) for lang in ("fa", "en")
                            },
                            "points": points.pop() if len(points) == 1 else None,
                            "total": round(sum(m["points"] for m in members), 6),
                            "form": part_form(first),
                        }
                    )
                blocks.append(grid)
            grid["cells"][key[0]][key[1]] = part
        else:
            blocks.append({"type": "part", "part": part})
    return blocks


# --- fonts and stylesheet ---------------------------------------------------------------------------------------


def _system_font(family: str) -> bool:
    if shutil.which("fc-list") is None:
        return False
    try:
        listed = subprocess.run(
            ["fc-list", f"{family}:lang=fa", "family"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return family.lower() in listed.lower()


def math_font_css() -> str:
    """@font-face for formulas set as text: the STIX Two Math that ziamath ships (the images use it too)."""
    try:
        from importlib.resources import files

        stix = Path(str(files("ziamath.fonts") / "STIXTwoMath-Regular.ttf"))
    except (ImportError, ModuleNotFoundError, TypeError):
        return ""
    return (
        f'@font-face {{ font-family: "AzmoonMath"; src: url("{stix.as_uri()}"); }}\n'
        if stix.is_file()
        else ""
    )


def font_face_css() -> str:
    """@font-face rules for the bundled Vazirmatn, or a system Persian font; a clear error if there is none."""
    regular, bold = (FONTS_DIR / BUNDLED_FONTS[w] for w in ("regular", "bold"))
    if regular.is_file() and bold.is_file():
        return math_font_css() + (
            f'@font-face {{ font-family: "AzmoonFa"; font-weight: 400; src: url("{regular.as_uri()}"); }}\n'
            f'@font-face {{ font-family: "AzmoonFa"; font-weight: 700; src: url("{bold.as_uri()}"); }}\n'
        )
    for family in FALLBACK_FAMILIES:
        if _system_font(family):
            return f'@font-face {{ font-family: "AzmoonFa"; src: local("{family}"); }}\n'
    raise CourseError(
        f"no Persian-capable font: the bundled {FONTS_DIR / BUNDLED_FONTS['regular']} is missing and neither "
        f"{' nor '.join(FALLBACK_FAMILIES)} is installed; restore fonts/ from the repository or install "
        "Debian's fonts-noto-core"
    )


def template_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rich"] = rich_text
    env.globals["fences"] = fences
    env.filters["inline"] = inline_text
    env.filters["fa_num"] = fa_number
    env.filters["pts"] = points_number
    env.filters["localize"] = localize
    env.globals["part_form"] = part_form
    env.globals["part_prompt"] = part_prompt
    env.globals["answer_texts"] = answer_texts
    env.globals["heading_layout"] = heading_layout
    env.globals["is_written"] = is_written
    env.globals["is_flat_shape"] = is_flat_shape
    env.globals["layout_parts"] = layout_parts
    return env


# --- parsing the pages' HTML ------------------------------------------------------------------------------------

_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# tags that close an open <p> in HTML5 (our markup never puts one inside a <p>; the strict parser bails out if so)
_CLOSES_P = frozenset(
    {"address", "article", "aside", "blockquote", "div", "dl", "fieldset", "figure", "footer", "form", "h1", "h2",
     "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul"}
)  # fmt: skip


class _NotOurMarkup(Exception):
    """The HTML needs HTML5's error recovery (implied end tags, foster parenting…): tinyhtml5 parses it."""


def _strict_tree(text: str) -> Any:
    """The element tree tinyhtml5 builds (`namespace_html_elements=False`) for the markup our templates and
    rich_text write — every element closed, a `<tr>` directly in a `<table>` (given its implied `<tbody>`),
    nothing that needs HTML5's error recovery — built by the standard library's HTMLParser in a fifth of the
    time; `_NotOurMarkup` for anything else. tests/test_render_speed.py checks the trees are the same."""
    from html.parser import HTMLParser
    from xml.etree.ElementTree import Element, SubElement

    if "\r" in text or "\x00" in text:
        raise _NotOurMarkup("carriage return or NUL")
    root = Element("html")
    head = SubElement(root, "head")
    stack = [root]
    state = {"head": "before", "body": False}

    def attrs_of(attrs: list[tuple[str, str | None]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in attrs:
            out.setdefault(key, "" if value is None else value)
        return out

    class Builder(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "html":
                if state["head"] != "before" or len(stack) != 1:
                    raise _NotOurMarkup("late <html>")
                root.attrib.update(attrs_of(attrs))
                return
            if tag == "head":
                if state["head"] != "before":
                    raise _NotOurMarkup("second <head>")
                state["head"] = "open"
                stack.append(head)
                return
            if tag == "body":
                if state["head"] != "closed" or state["body"]:
                    raise _NotOurMarkup("<body> out of place")
                state["body"] = True
                stack.append(SubElement(root, "body", attrs_of(attrs)))
                return
            parent = stack[-1]
            if parent is root or (parent is head and tag not in ("meta", "title", "link", "style")):
                raise _NotOurMarkup(f"<{tag}> outside <body>")
            if parent.tag == "p" and tag in _CLOSES_P:
                raise _NotOurMarkup(f"<{tag}> inside <p>")
            if tag == "tr" and parent.tag == "table":
                parent = SubElement(parent, "tbody")
                stack.append(parent)
            elif (tag == "tr") != (parent.tag in ("tbody", "thead", "tfoot")) or (tag in ("td", "th")) != (
                parent.tag == "tr"
            ):
                raise _NotOurMarkup(f"<{tag}> in <{parent.tag}>")
            element = SubElement(parent, tag, attrs_of(attrs))
            if tag not in _VOID_TAGS:
                stack.append(element)

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag not in _VOID_TAGS:
                raise _NotOurMarkup(f"self-closing <{tag}/>")
            self.handle_starttag(tag, attrs)

        def handle_endtag(self, tag: str) -> None:
            if tag in ("html", "body"):
                return  # kept open: what follows (whitespace) belongs in <body> as HTML5 puts it
            if tag in _VOID_TAGS:
                raise _NotOurMarkup(f"</{tag}>")
            if tag == "head":
                if stack[-1] is not head:
                    raise _NotOurMarkup("</head> out of place")
                stack.pop()
                state["head"] = "closed"
                return
            if tag == "table" and stack[-1].tag == "tbody" and len(stack) > 1 and stack[-2].tag == "table":
                stack.pop()  # the implied <tbody>
            if len(stack) < 2 or stack[-1].tag != tag or stack[-1] is head:
                raise _NotOurMarkup(f"</{tag}> does not close <{stack[-1].tag}>")
            stack.pop()

        def handle_data(self, data: str) -> None:
            parent = stack[-1]
            if parent is root or parent is head:
                if data.strip():
                    raise _NotOurMarkup("text outside <body>")
                if parent is root and state["head"] == "closed" and not state["body"]:
                    head.tail = (head.tail or "") + data  # HTML5: whitespace after </head> stays there
                return  # whitespace before <head> and inside it is dropped, as HTML5 drops it
            if parent.tag in ("table", "tbody", "thead", "tfoot", "tr") and data.strip():
                raise _NotOurMarkup("text in a table outside a cell")
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + data
            else:
                if (
                    parent.tag in ("pre", "textarea", "listing")
                    and parent.text is None
                    and data.startswith("\n")
                ):
                    data = data[1:]  # HTML5 drops the newline right after <pre>
                parent.text = (parent.text or "") + data

        def handle_comment(self, data: str) -> None:
            raise _NotOurMarkup("comment")

        def handle_pi(self, data: str) -> None:
            raise _NotOurMarkup("processing instruction")

        def unknown_decl(self, data: str) -> None:
            raise _NotOurMarkup("declaration")

    builder = Builder(convert_charrefs=True)
    builder.feed(text)
    builder.close()
    if not state["body"] or stack[-1].tag != "body":
        raise _NotOurMarkup("unclosed elements")
    return root


_HTML_PROBE: dict[str, Any] = {}  # one WeasyPrint HTML document per process, copied for its settings


def html_document(text: str) -> Any:
    """A WeasyPrint HTML document of our markup: the tree from `_strict_tree` when it can build it (tinyhtml5,
    a pure-Python HTML5 parser, took 6% of a key's render), else parsed by WeasyPrint itself."""
    from weasyprint import HTML

    probe = _HTML_PROBE.get("document")
    if probe is None:
        probe = _HTML_PROBE["document"] = HTML(string="<html></html>", base_url=str(TEMPLATES_DIR))
    try:
        tree = _strict_tree(text)
        import copy

        import cssselect2

        document = copy.copy(probe)  # base URL, URL fetcher and media type as WeasyPrint set them
        document.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree, content_language=None)
        document.etree_element = document.wrapper_element.etree_element
        return document
    except _NotOurMarkup:
        return HTML(string=text, base_url=str(TEMPLATES_DIR))


# --- worker processes -------------------------------------------------------------------------------------------

_worker: dict[str, Any] = {}
# loggers whose warnings say nothing to a TA (font subsetting, CSS the stylesheet uses on purpose)
QUIET_LOGGERS = ("weasyprint", "weasyprint.progress", "fontTools", "fontTools.subset", "fontTools.ttLib")


def quiet_rendering() -> None:
    """WeasyPrint and fontTools report only errors (a missing glyph or a broken image is still an error)."""
    import logging

    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def _draw_math(image: Any, stream: Any, width: float, height: float) -> bool:
    """Draw a math placeholder from its stored PDF operators, scaled from its viewBox as WeasyPrint scales an
    SVG (xMidYMid meet); False when the image is not one (WeasyPrint then draws it)."""
    tree = getattr(getattr(image, "_svg", None), "tree", None)
    name = tree.get("id", "") if tree is not None else ""
    if not name.startswith(MATH_ID_PREFIX):
        return False
    drawing = _MATH_DRAWINGS.get(name[len(MATH_ID_PREFIX) :])
    if drawing is None:  # never: math_img stores it in the process that renders the page
        raise CourseError(f"math image {name} has no stored drawing in this process")
    (min_x, min_y, box_w, box_h), ops = drawing
    scale = min(width / box_w, height / box_h)
    stream.push_state()
    stream.transform(
        a=scale,
        d=scale,
        e=(width - box_w * scale) / 2 - min_x * scale,
        f=(height - box_h * scale) / 2 - min_y * scale,
    )
    stream.stream.append(ops)
    stream.pop_state()
    return True


def reuse_svg_drawings() -> None:
    """Draw each math SVG once per PDF as a Form XObject and place it again wherever the same formula recurs
    (the fa and en solutions share their formulas): WeasyPrint otherwise re-parses and re-emits every path.
    A math placeholder (math_img) is drawn from its stored PDF operators; any other SVG by WeasyPrint."""
    from weasyprint.images import SVGImage

    if getattr(SVGImage.draw, "azmoon_reuse", False):
        return
    draw = SVGImage.draw

    def draw_once(self: Any, stream: Any, width: float, height: float, style: Any) -> None:
        resources = getattr(stream, "_resources", None)
        if resources is None or not hasattr(stream, "add_group"):
            return (
                None if _draw_math(self, stream, width, height) else draw(self, stream, width, height, style)
            )
        forms = self.__dict__.setdefault("_azmoon_forms", {})
        key = (id(resources), round(width, 4), round(height, 4))
        cached = forms.get(key)
        if cached is None or cached[0] is not resources:
            group = stream.add_group(0, 0, width, height)
            if not _draw_math(self, group, width, height):
                draw(self, group, width, height, style)
            cached = forms[key] = (resources, group)
        stream.draw_x_object(cached[1].id)
        return None

    draw_once.azmoon_reuse = True  # type: ignore[attr-defined]
    SVGImage.draw = draw_once


def _forget_worker() -> None:
    from course import render_reuse

    render_reuse.forget()
    _worker.clear()


def _init_worker() -> None:
    """Once per process: import WeasyPrint, parse the stylesheet with one FontConfiguration, load templates."""
    from course import render_reuse

    quiet_rendering()
    reuse_svg_drawings()
    render_reuse.install()
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    atexit.register(_forget_worker)  # before interpreter teardown, when FontConfiguration.__del__ still works
    css_text = font_face_css() + (TEMPLATES_DIR / "style.css").read_text(encoding="utf-8")
    _worker["font_config"] = font_config
    _worker["css"] = CSS(string=css_text, font_config=font_config, base_url=str(TEMPLATES_DIR))
    _worker["env"] = template_env()


# A render makes ~10^6 short-lived objects (boxes, styles, layouts), and the collector's full passes went over
# everything the worker had imported: 44 renders spent 1.7 s in collections with the default thresholds, 0.6 s
# with the imports frozen out of the collector and young generations collected less often (measured).
POOL_GC_THRESHOLDS = (50000, 50, 100)


def _init_pool_worker() -> None:
    """A pool worker: `_init_worker`, then what it imported kept out of the garbage collector's passes."""
    import gc

    _init_worker()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*POOL_GC_THRESHOLDS)


def render_pdf(job: tuple[str, dict[str, Any], str]) -> tuple[str, int]:
    """Render one template with its context to a PDF file; returns (path, pages)."""
    if not _worker:
        _init_worker()
    template, context, out_path = job
    html = _worker["env"].get_template(template).render(**context)
    document = html_document(html).render(stylesheets=[_worker["css"]], font_config=_worker["font_config"])
    document.write_pdf(out_path)
    return out_path, len(document.pages)


def start_pool(workers: int) -> Any:
    """A pool of `workers` processes, or None for in-process rendering.

    Started by `generate_assignment` before any solver runs, so the forked workers do not inherit torch; they
    import WeasyPrint and parse the stylesheet while the main process computes the keys.
    """
    font_face_css()  # fail early and clearly when no font is available
    workers = max(1, min(workers, os.cpu_count() or 1))
    if workers == 1:
        return None
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method).Pool(workers, initializer=_init_pool_worker)


# --- the assignment's files -------------------------------------------------------------------------------------


def _assignment_shown(course: Course, assignment: Any) -> dict[str, Any]:
    """The assignment as a page shows it: the due time in the course's zone and calendar (Jalali in fa)."""
    from course.deadlines import format_time

    shown = assignment.to_json()
    if shown.get("due"):
        shown["due_shown"] = {lang: format_time(course, shown["due"], lang) for lang in ("fa", "en")}
    return shown


def _student_context(course: Course, assignment: Any, variant: Any) -> dict[str, Any]:
    return {
        "course": course.settings,
        "assignment": _assignment_shown(course, assignment),
        "student": {"id": variant.student.student_id, "name": variant.student.name},
        "variant": variant.token,
        "items": display_items(variant.items),
    }


def _key_context(
    course: Course, assignment: Any, variants: list[Any], students: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The key's context: the students' own contexts (made here unless `students` has them already)."""
    return {
        "course": course.settings,
        "assignment": _assignment_shown(course, assignment),
        "students": students
        if students is not None
        else [_student_context(course, assignment, v) for v in variants],
    }


def write_assignment_files(
    course: Course,
    assignment: Any,
    variants: list[Any],
    out_dir: Path,
    pool: Any,
    progress: Callable[[str, int, int], None] | None = None,
    with_key: bool = True,
    student_keys_dir: Path | None = None,
    server: str | None = None,
) -> dict[str, str]:
    """Per student `worksheet.pdf` and `answers.yaml` (with `server:` when given), and `key.pdf`; the PDFs
    rendered by the pool.

    The key is rendered one student at a time (longest jobs first, so both workers stay busy to the end) and
    merged into key.pdf; with `student_keys_dir` each student's key is kept there as `<student_id>.pdf` (a
    folder outside the students' own), else the pieces are removed after the merge."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pieces_dir = Path(student_keys_dir) if student_keys_dir is not None else out_dir / ".key-pieces"
    key_paths = [str(pieces_dir / f"{v.student.student_id}.pdf") for v in variants] if with_key else []
    if with_key:
        pieces_dir.mkdir(parents=True, exist_ok=True)
    contexts: dict[str, dict[str, Any]] = {}  # a student's context, made once for their key and worksheet

    def context_of(variant: Any) -> dict[str, Any]:
        found = contexts.get(variant.student.student_id)
        if found is None:
            found = contexts[variant.student.student_id] = _student_context(course, assignment, variant)
        return found

    def jobs() -> Iterator[tuple[str, dict[str, Any], str]]:
        """Made while the pool renders (the first job starts at once): the keys, then the worksheets, each
        after its student's answer file is written."""
        for variant, key_path in zip(variants, key_paths, strict=True) if with_key else ():
            yield (
                "key.html.j2",
                _key_context(course, assignment, [variant], [context_of(variant)]),
                key_path,
            )
        for variant in variants:
            student_dir = out_dir / variant.student.student_id
            student_dir.mkdir(exist_ok=True)
            (student_dir / "answers.yaml").write_text(
                answer_file_template(
                    course.name,
                    assignment.name,
                    variant.student.student_id,
                    variant.student.name,
                    variant.token,
                    variant.items,
                    server=server,
                ),
                encoding="utf-8",
            )
            yield ("worksheet.html.j2", context_of(variant), str(student_dir / "worksheet.pdf"))

    total = len(variants) * (2 if with_key else 1)
    results = pool.imap_unordered(render_pdf, jobs()) if pool is not None else map(render_pdf, jobs())
    pages: dict[str, int] = {}
    for done, (path, count) in enumerate(results, start=1):
        pages[path] = count
        if progress:
            progress("pdf", done, total)
    key_path = out_dir / "key.pdf"
    if with_key:
        merge_pdfs(key_paths, key_path, remove=student_keys_dir is None)
        if student_keys_dir is None:
            (out_dir / ".key-pieces").rmdir()
    keys = set(key_paths)
    worksheet_pages = [n for p, n in pages.items() if p not in keys]
    files = {
        "worksheets": str(out_dir / "<student_id>" / "worksheet.pdf"),
        "answer_files": str(out_dir / "<student_id>" / "answers.yaml"),
        "worksheet_pages": f"{min(worksheet_pages)}-{max(worksheet_pages)}" if worksheet_pages else "0",
    }
    if with_key:
        files["key"] = str(key_path)
        files["key_pages"] = str(sum(pages[p] for p in key_paths))
        if student_keys_dir is not None:
            files["student_keys"] = str(Path(student_keys_dir) / "<student_id>.pdf")
    return files


def render_student_key(course: Course, assignment: Any, variant: Any, out_pdf: Path | str) -> int:
    """One student's key (the pages key.pdf has for them) as its own PDF, in this process; returns its pages."""
    Path(out_pdf).parent.mkdir(parents=True, exist_ok=True)
    _, pages = render_pdf(("key.html.j2", _key_context(course, assignment, [variant]), str(out_pdf)))
    return pages


def render_item_preview(item_or_id: Any, seed: int, out_pdf: Path | str, course: Any = None) -> int:
    """One item as it appears on a worksheet and on the key, both languages, into a PDF; returns its pages.
    `item_or_id`: a bank item or its id (a course's own `questions/` are seen when `course` is given)."""
    from bank.item import find_item
    from bank.pipeline import solve_item

    item = find_item(item_or_id, course) if isinstance(item_or_id, str) else item_or_id
    solved = solve_item(item, seed).to_json()
    solved["points"] = round(sum(float(p["points"]) for p in solved["parts"]), 6)
    context = {"item": display_items([solved])[0], "seed": seed}
    Path(out_pdf).parent.mkdir(parents=True, exist_ok=True)
    _, pages = render_pdf(("preview.html.j2", context, str(out_pdf)))
    return pages


def merge_pdfs(paths: list[str], out: Path, remove: bool = True) -> None:
    """Concatenate PDFs (the students' keys) into one file; the pieces are removed unless `remove` is False."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for path in paths:
        writer.append(path)
    with open(out, "wb") as handle:
        writer.write(handle)
    writer.close()
    for path in paths if remove else ():
        Path(path).unlink(missing_ok=True)
