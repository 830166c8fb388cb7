"""The cheaper style copy given to ziamath changes nothing it writes: the same dictionaries as dataclasses.asdict,
the same SVG for the key's formulas, and ziamath is left alone when its style classes are not the expected ones."""

from __future__ import annotations

import dataclasses
import types

import pytest

from course import formulas

ziamath = pytest.importorskip("ziamath")
from ziamath import styles  # noqa: E402

FORMULAS = (
    r"\frac{K^2 C_{in} + C_{in} C_{out}}{K^2 C_{in} C_{out}} = \frac{1}{C_{out}} + \frac{1}{K^2}"
    r" = \frac{1}{ 128 } + \frac{1}{ 25 } \approx 0.0478",
    r"\lfloor 239 / 2 \rfloor + 1",
    r"\sqrt{ 9 } + x_{i}^{2} - \mathbf{W} \cdot \left( \frac{a}{b} \right)",
    r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}",
)


def test_style_copy_equals_dataclasses_asdict() -> None:
    fast = formulas.style_asdict(styles)
    variants = [styles.MathVariant(), styles.MathVariant(style="sans", italic=True, bold=True, normal=True)]
    for variant in variants:
        assert fast(variant) == dataclasses.asdict(variant)
        style = styles.MathStyle(mathvariant=variant, displaystyle=False, mathcolor="red", scriptlevel=2)
        copied = fast(style)
        assert copied == dataclasses.asdict(style)
        assert copied["mathvariant"] is not fast(style)["mathvariant"]  # fresh dictionaries, as asdict's
    assert fast(styles.MathStyle(), dict_factory=list) == dataclasses.asdict(
        styles.MathStyle(), dict_factory=list
    )


def test_the_same_svg_with_and_without_the_cheaper_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(formulas._state, "fast", True)  # typeset() installs nothing: this test chooses
    monkeypatch.setattr(styles, "asdict", dataclasses.asdict)
    plain = [formulas.typeset(latex, 16.0) for latex in FORMULAS]
    monkeypatch.setattr(styles, "asdict", formulas.style_asdict(styles))
    fast = [formulas.typeset(latex, 16.0) for latex in FORMULAS]
    assert fast == plain
    assert all(svg.startswith("<svg") and "<path" in svg for svg, *_ in fast)


def test_installed_once_for_the_expected_classes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(styles, "asdict", dataclasses.asdict)
    monkeypatch.delitem(formulas._state, "fast", raising=False)
    assert formulas.fast_styles() is True
    assert getattr(styles.asdict, "azmoon_fast", False)
    installed = styles.asdict
    assert formulas.fast_styles() is True and styles.asdict is installed


def test_left_alone_when_the_style_fields_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    @dataclasses.dataclass
    class OtherStyle:
        mathvariant: object = None
        displaystyle: bool = True
        mathcolor: str = "black"
        mathbackground: str = "none"
        mathsize: str = ""
        scriptlevel: int = 0
        mathweight: str = ""  # a field the copy would drop

    fake = types.SimpleNamespace(
        asdict=dataclasses.asdict, MathStyle=OtherStyle, MathVariant=styles.MathVariant
    )
    monkeypatch.setitem(__import__("sys").modules, "ziamath.styles", fake)
    monkeypatch.setattr(ziamath, "styles", fake)
    monkeypatch.delitem(formulas._state, "fast", raising=False)
    assert formulas.fast_styles() is False
    assert fake.asdict is dataclasses.asdict


STRETCHY_FORMULAS = (
    r"\left( \frac{a}{b} \right)",
    r"\left\lfloor \frac{H + 2P - K}{S} \right\rfloor + 1",
    r"\| x \|_2 + \left| \frac{1}{2} \right|",
    r"\overline{x} + \hat{y} + \vec{v}",
    r"\begin{matrix} a & b \\ c & d \end{matrix}",
    r"\max_{i} \left( \sum_{j} W_{ij} x_j \right) \to \langle x, y \rangle",
)


def test_rows_with_nothing_stretchy_are_not_measured_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    from ziamath.nodes import mrow

    assert formulas.fast_rows()
    fast = mrow.Mrow._get_height_nostretch
    original = fast.azmoon_original
    names = formulas.stretchy_names(ziamath.operators)
    assert {"(", ")", "|", "‖", "→"} <= names and not {"+", "=", "≈", "·"} & names

    measured: list[int] = []

    def counting(self, line, **kwargs):  # type: ignore[no-untyped-def]
        measured.append(1)
        return original(self, line, **kwargs)

    monkeypatch.setitem(formulas._state, "fast", True)  # typeset() installs nothing: this test chooses
    monkeypatch.setitem(formulas._state, "rows", True)
    every = FORMULAS + STRETCHY_FORMULAS
    monkeypatch.setattr(mrow.Mrow, "_get_height_nostretch", counting)
    plain = [formulas.typeset(latex, 16.0) for latex in every]
    measured_plain = len(measured)
    monkeypatch.setattr(mrow.Mrow, "_get_height_nostretch", fast)
    fast_rows = [formulas.typeset(latex, 16.0) for latex in every]
    assert fast_rows == plain  # the same SVG, size and offset for every formula
    # every row asks may_stretch; only those that may stretch are measured (fewer than ziamath measures)
    calls: list[bool] = []
    real = formulas.may_stretch
    monkeypatch.setattr(
        formulas, "may_stretch", lambda line, names: calls.append(real(line, names)) or calls[-1]
    )
    [formulas.typeset(latex, 16.0) for latex in every]
    assert calls and not all(calls) and any(calls)  # some rows skipped, the stretchy ones still measured
    assert sum(calls) < measured_plain


def test_a_stretchy_subtree_is_still_measured() -> None:
    from xml.etree import ElementTree

    names = formulas.stretchy_names(ziamath.operators)
    plain = ElementTree.fromstring("<mrow><mi>x</mi><mo>+</mo><mfrac><mn>1</mn><mn>2</mn></mfrac></mrow>")
    fenced = ElementTree.fromstring("<mrow><mi>x</mi><mrow><mo>(</mo><mn>1</mn><mo>)</mo></mrow></mrow>")
    marked = ElementTree.fromstring('<mrow><mi>x</mi><mo stretchy="true">+</mo></mrow>')
    assert not formulas.may_stretch(list(plain), names)
    assert formulas.may_stretch(list(fenced), names)
    assert formulas.may_stretch(list(marked), names)
