"""Typesetting a LaTeX formula with ziamath, as the pages draw it, for less CPU.

What a key costs in formulas (bundled demo, hw4, measured): of the ~29 `$...$` islands a student's key has, one
(depthwise_separable's cost ratio, a fraction chain whose numbers are the student's) needs real typesetting, the
others are arithmetic chains set as text (render.math_html). That formula takes ~65 ms of CPU in ziamath 0.13,
and the class has 12 distinct ones (the numbers repeat across students), each typeset once per worker process
(render.math_img's cache).

Of those 65 ms, ~20% went into `dataclasses.asdict` of the parent's style, called once per MathML node ziamath
builds (and it builds each node twice or more: once to measure a row without stretching, once for real):
`asdict` deep-copies field by field. `fast_styles` gives ziamath's style module a version of `asdict` that
returns the same dictionary for its two style classes (plain fields copied, the nested variant as its own
dictionary) and defers to `dataclasses.asdict` for anything else; it is installed only when both classes have
exactly the fields it copies, so the SVG ziamath writes is the same string (tests/test_formulas.py).

Most of the rest went into building every row's children twice at each level of nesting (so 2^depth times for
the innermost): `Mrow._get_height_nostretch` builds throwaway copies of the row's children only to measure the
row's height without its stretchy operators, and that height is read by nothing but stretchy operators (fences,
bars, arrows, accents: `rowymin`/`rowymax`/`nostretch` reach only `Moperator`, and only where the operator's
`stretchy` is not false). `fast_rows` skips that measurement for a row whose subtree has no element that could
be a stretchy operator (text that any form of ziamath's operator table makes stretchy, or a stretchy/minsize/
maxsize attribute); every other row is measured as before. The key's fraction chain: ~50 -> ~9 ms, the same SVG.
"""

from __future__ import annotations

import dataclasses
from typing import Any

STYLE_FIELDS = ("mathvariant", "displaystyle", "mathcolor", "mathbackground", "mathsize", "scriptlevel")
VARIANT_FIELDS = ("style", "italic", "bold", "normal")
_state: dict[str, bool] = {}


def style_asdict(styles: Any) -> Any:
    """`dataclasses.asdict` for ziamath's MathStyle and MathVariant without its recursive deep copy (their
    fields are str, bool, int and one nested MathVariant): the same dictionary, ~10x cheaper."""
    math_style, math_variant = styles.MathStyle, styles.MathVariant

    def variant_dict(variant: Any) -> dict[str, Any]:
        return {
            "style": variant.style,
            "italic": variant.italic,
            "bold": variant.bold,
            "normal": variant.normal,
        }

    def asdict(obj: Any, *, dict_factory: Any = dict) -> Any:
        kind = type(obj)
        if dict_factory is dict and kind is math_style and type(obj.mathvariant) is math_variant:
            return {
                "mathvariant": variant_dict(obj.mathvariant),
                "displaystyle": obj.displaystyle,
                "mathcolor": obj.mathcolor,
                "mathbackground": obj.mathbackground,
                "mathsize": obj.mathsize,
                "scriptlevel": obj.scriptlevel,
            }
        if dict_factory is dict and kind is math_variant:
            return variant_dict(obj)
        return dataclasses.asdict(obj, dict_factory=dict_factory)

    asdict.azmoon_fast = True  # type: ignore[attr-defined]
    return asdict


def _fields(cls: Any) -> tuple[str, ...]:
    try:
        return tuple(f.name for f in dataclasses.fields(cls))
    except TypeError:
        return ()


def fast_styles() -> bool:
    """Install `style_asdict` in ziamath's style module (once per process); False, and ziamath left as it is,
    when its style classes are not the ones it was written for."""
    if "fast" in _state:
        return _state["fast"]
    try:
        from ziamath import styles
    except ImportError:
        _state["fast"] = False
        return False
    fits = (
        getattr(styles, "asdict", None) is dataclasses.asdict
        and _fields(getattr(styles, "MathStyle", None)) == STYLE_FIELDS
        and _fields(getattr(styles, "MathVariant", None)) == VARIANT_FIELDS
    )
    if fits:
        styles.asdict = style_asdict(styles)
    _state["fast"] = fits or getattr(getattr(styles, "asdict", None), "azmoon_fast", False)
    return _state["fast"]


def stretchy_names(operators: Any) -> frozenset[str]:
    """Operator texts that are stretchy in any form of ziamath's operator table."""
    return frozenset(
        name
        for (name, _form), params in operators.operators.items()
        if str(params.get("stretchy", "false")) != "false"
    )


STRETCH_ATTRIBUTES = frozenset({"stretchy", "minsize", "maxsize"})


def may_stretch(line: Any, names: frozenset[str]) -> bool:
    """True when any element under the row's children could be drawn as a stretchy operator."""
    for child in line:
        for element in child.iter():
            if STRETCH_ATTRIBUTES.intersection(element.attrib) or (element.text or "").strip() in names:
                return True
    return False


def fast_rows() -> bool:
    """Install the row measurement that skips rows with nothing stretchy (once per process); False, and
    ziamath left as it is, when its Mrow or operator table is not the one this was written for."""
    if "rows" in _state:
        return _state["rows"]
    try:
        from ziamath import operators
        from ziamath.nodes import mrow
    except ImportError:
        _state["rows"] = False
        return False
    measure = getattr(getattr(mrow, "Mrow", None), "_get_height_nostretch", None)
    table = getattr(operators, "operators", None)
    if getattr(measure, "azmoon_fast", False):
        _state["rows"] = True
        return True
    if (
        measure is None
        or not isinstance(table, dict)
        or not all(isinstance(k, tuple) and len(k) == 2 and isinstance(v, dict) for k, v in table.items())
    ):
        _state["rows"] = False
        return False
    names = stretchy_names(operators)

    def get_height_nostretch(self: Any, line: Any, **kwargs: Any) -> tuple[float, float]:
        if may_stretch(line, names):
            return measure(self, line, **kwargs)
        return 9999, -9999  # what the measurement gives a row with nothing to measure; read by nothing here

    get_height_nostretch.azmoon_fast = True  # type: ignore[attr-defined]
    get_height_nostretch.azmoon_original = measure  # type: ignore[attr-defined]
    mrow.Mrow._get_height_nostretch = get_height_nostretch  # type: ignore[method-assign]
    _state["rows"] = True
    return True


def typeset(latex: str, size: float) -> tuple[str, float, float, float | None]:
    """A formula as ziamath's plain SVG (paths, no <symbol>/<use>, one decimal) with its width, height and
    y offset (None when this ziamath has no getyofst); ziamath's exceptions propagate."""
    import ziamath

    fast_styles()
    fast_rows()
    ziamath.config.svg2 = False
    ziamath.config.precision = 1
    math = ziamath.Latex(latex, size=size)
    svg = math.svg()
    width, height = math.getsize()
    yofst = math.getyofst() if hasattr(math, "getyofst") else None
    return svg, width, height, yofst
