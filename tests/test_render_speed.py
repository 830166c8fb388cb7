"""What makes the key pages cheap to render must not change what they show: math images drawn from stored PDF
operators look as WeasyPrint's own SVG drawing of the same formula, their HTML is a small placeholder, anything
the converter does not know is embedded as it is; the fixed table layouts give the same columns."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from course import render

FORMULA = (
    r"\frac{K^2 C_{in} + C_{in} C_{out}}{K^2 C_{in} C_{out}} = \frac{1}{ 128 } + \sqrt{ 9 } \approx 0.1189"
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) missing"
)


def svg_of(img_html: str) -> str:
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', img_html).group(1)
    return base64.b64decode(data).decode("utf-8")


def test_a_formula_is_a_small_placeholder_naming_its_stored_drawing() -> None:
    html = render.math_img(FORMULA)
    placeholder = svg_of(html)
    assert len(html) < 1000 and "<path" not in placeholder
    digest = re.search(rf'id="{render.MATH_ID_PREFIX}([0-9a-f]+)"', placeholder).group(1)
    viewbox, ops = render._MATH_DRAWINGS[digest]
    assert f'viewBox="{" ".join(f"{v:g}" for v in viewbox)}"' in placeholder  # same size as the real SVG
    assert ops.startswith(b"0 0 0 rg") and ops.count(b" re") >= 2 and b" c" in ops  # bars, curves


def test_quadratic_segments_become_the_equivalent_cubic_ones() -> None:
    assert render._path_ops("M 0 0 Q 3 3 6 0 Z") == ["0 0 m", "2 2 4 2 6 0 c", "h"]
    assert render._path_ops("M 0 0 L 1 2 Z M 5 5 L 6 6 Q 6 9 9 9 Z") == [
        "0 0 m", "1 2 l", "h", "5 5 m", "6 6 l", "6 8 7 9 9 9 c", "h",
    ]  # fmt: skip
    assert render._path_ops("M 0 0 C 1 1 2 2 3 3") is None  # not what ziamath writes: WeasyPrint draws it
    assert render._path_ops("M 0 0 l 1 1") is None  # relative commands too
    assert render._path_ops("M 0") is None


def test_an_svg_the_converter_does_not_know_is_embedded_as_it_is() -> None:
    odd = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10">'
        '<path d="M 0 0 L 5 5 Z" fill="red" /></svg>'
    )
    assert render._svg_drawing(odd) is None
    assert svg_of(f'src="{render._math_src(odd)}"') == odd
    transformed = odd.replace(' fill="red"', ' transform="scale(2)"')
    assert render._svg_drawing(transformed) is None


def render_page(html_body: str, out: Path) -> None:
    from weasyprint import HTML

    render._init_worker()
    page = f'<html lang="fa" dir="rtl"><body><p lang="en" dir="ltr">{html_body}</p></body></html>'
    HTML(string=page, base_url=str(render.TEMPLATES_DIR)).render(
        stylesheets=[render._worker["css"]], font_config=render._worker["font_config"]
    ).write_pdf(out)


def pixels(pdf: Path, dpi: int = 150) -> bytes:
    result = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-singlefile", str(pdf)], capture_output=True, check=True
    )
    return result.stdout


@needs_poppler
def test_stored_operators_draw_what_weasyprint_draws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same formula twice on a page (drawn once, placed twice), through the placeholder and through
    WeasyPrint's own SVG drawing: the rasterized pages are the same."""
    body = f"Ratio: $x$ {render.math_img(FORMULA)} and again {render.math_img(FORMULA)}."
    render_page(body, tmp_path / "fast.pdf")
    monkeypatch.setattr(render, "MATH_AS_OPERATORS", False)
    render.math_img.cache_clear()
    try:
        slow_img = render.math_img(FORMULA)
        assert "<path" in svg_of(slow_img)  # WeasyPrint gets the real SVG
        render_page(f"Ratio: $x$ {slow_img} and again {slow_img}.", tmp_path / "svg.pdf")
    finally:
        render.math_img.cache_clear()
    fast, slow = pixels(tmp_path / "fast.pdf"), pixels(tmp_path / "svg.pdf")
    assert len(fast) == len(slow)
    differing = sum(1 for a, b in zip(fast, slow, strict=True) if abs(a - b) > 40)
    ink = sum(1 for v in slow if v < 128)
    assert ink > 500  # the formula is there
    assert differing <= ink // 200  # anti-aliasing at most


def test_tables_use_the_fixed_layout_with_border_box_cells() -> None:
    """table.parts, the options and the header are laid out with `table-layout: fixed` (no min/max-content
    pass over every cell); the parts' cells are border-box so the fixed widths are the automatic layout's."""
    css = re.sub(
        r"/\*.*?\*/", "", (render.TEMPLATES_DIR / "style.css").read_text(encoding="utf-8"), flags=re.S
    )
    rules = {m.group(1).strip(): m.group(2) for m in re.finditer(r"([^{}]+)\{([^{}]*)\}", css)}
    for selector in ("table.parts", "table.options", ".head table", "table.grid"):
        assert "table-layout: fixed" in rules[selector], selector
    assert "box-sizing: border-box" in rules["table.parts td"]
