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


# --- the pages' HTML parsed by the standard library's HTMLParser, the tree tinyhtml5 builds ----------------------

PAGE_ITEMS = {"cnn_table": 8, "conv_output_size": 2, "concept_normalization": 4, "depthwise_separable": 3,
              "batchnorm": 2, "classification_report": 3, "conv_backprop_1d": 3}  # fmt: skip


def dump(element, depth: int = 0, out: list | None = None) -> list:
    out = [] if out is None else out
    out.append((depth, element.tag, sorted(element.attrib.items()), element.text or "", element.tail or ""))
    for child in element:
        dump(child, depth + 1, out)
    return out


def tinyhtml5_tree(text: str):
    import tinyhtml5

    return tinyhtml5.parse(text, namespace_html_elements=False)


def pages(seed: int) -> list[str]:
    from bank.item import find_item
    from bank.pipeline import solve_item
    from course.answers import display_items
    from course.assignments import Assignment
    from course.config import Course
    from course.generate import StudentVariant
    from course.roster import Student

    course = Course(Path("."), {"name": {"fa": "یادگیری عمیق", "en": "Deep <Learning> & co"}})
    entries = [{"item": item, "points": points} for item, points in PAGE_ITEMS.items()]
    assignment = Assignment("hw4", {"fa": "تمرین ۴", "en": "Homework 4"}, entries, 3, None)
    items = [{**solve_item(find_item(e["item"]), seed).to_json(), "points": e["points"]} for e in entries]
    student = StudentVariant(Student("40112345", "علی 'ع' \"ر\""), seed, "815062349117208", items)
    env = render.template_env()
    preview = display_items([items[0]])[0]
    return [
        env.get_template("worksheet.html.j2").render(**render._student_context(course, assignment, student)),
        env.get_template("key.html.j2").render(**render._key_context(course, assignment, [student])),
        env.get_template("preview.html.j2").render(item=preview, seed=seed),
    ]


@pytest.mark.parametrize("seed", [0, 5, 17])
def test_our_pages_parse_to_the_tree_weasyprint_s_parser_builds(seed: int) -> None:
    for text in pages(seed):
        assert dump(render._strict_tree(text)) == dump(tinyhtml5_tree(text))


@pytest.mark.parametrize(
    "markup",
    [
        '<html><head></head><body><pre dir="ltr">\nfirst line\n  second</pre><p>a &amp; b&nbsp;c &#39;q&#39;</p>'
        "</body></html>",
        "<!doctype html>\n<html lang=fa>\n<head><meta charset=utf-8><title>t &lt; u</title></head>\n<body>\n"
        "<table class=grid><thead><tr><th>h</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>\n"
        "<table><tr><td>x<br>y</td><td><img src=a.png alt=''></td></tr></table></body>\n</html>\n",
    ],
)
def test_markup_it_accepts_gives_the_same_tree(markup: str) -> None:
    assert dump(render._strict_tree(markup)) == dump(tinyhtml5_tree(markup))


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body><p>one<p>two</body></html>",  # implied </p>
        "<html><body><p>text<div>block</div></p></body></html>",  # a block closes the <p>
        "<html><body><ul><li>a<li>b</ul></body></html>",  # implied </li>
        "<html><body><table><td>no row</td></table></body></html>",
        "<html><body><table>stray<tr><td>x</td></tr></table></body></html>",  # foster parenting
        "<html><body><b><i>misnested</b></i></body></html>",
        "<html><body><div>unclosed</body></html>",
        "<html><body>a\r\nb</body></html>",
        "<html><body><!-- comment --></body></html>",
        "text before any element",
    ],
)
def test_markup_that_needs_html5_recovery_goes_to_weasyprint_s_parser(markup: str) -> None:
    with pytest.raises(render._NotOurMarkup):
        render._strict_tree(markup)
    document = render.html_document(markup)  # still a document: parsed by WeasyPrint (tinyhtml5)
    assert dump(document.etree_element) == dump(tinyhtml5_tree(markup))


def test_a_document_from_the_strict_tree_is_what_weasyprint_would_make() -> None:
    from weasyprint import HTML

    text = pages(0)[1]
    ours, theirs = render.html_document(text), HTML(string=text, base_url=str(render.TEMPLATES_DIR))
    assert (ours.base_url, ours.media_type) == (theirs.base_url, theirs.media_type)
    assert dump(ours.etree_element) == dump(theirs.etree_element)


def test_fonts_are_subset_by_harfbuzz() -> None:
    """WeasyPrint subsets fonts with HarfBuzz's subsetter when libharfbuzz-subset0 is there (scripts/system-deps.sh
    installs it); without it, fontTools does it, several times slower, with a warning per font and page."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset, "libharfbuzz-subset0 missing: run scripts/system-deps.sh"
    assert harfbuzz.hb_version_atleast(4, 1, 0)


def test_parsing_alone_does_not_stand_in_for_the_worker_set_up(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(render, "_worker", {})
    render.html_document("<html><head></head><body><p>x</p></body></html>")
    assert render._worker == {}  # render_pdf still sets up the stylesheet, fonts and templates
    path, pages = render.render_pdf(
        ("preview.html.j2", {"item": _preview_item(), "seed": 0}, str(tmp_path / "p.pdf"))
    )
    assert pages >= 1 and Path(path).read_bytes()[:5] == b"%PDF-"


def _preview_item() -> dict:
    from bank.item import find_item
    from bank.pipeline import solve_item
    from course.answers import display_items

    solved = solve_item(find_item("conv_output_size"), 0).to_json()
    solved["points"] = round(sum(float(p["points"]) for p in solved["parts"]), 6)  # as render_item_preview
    return display_items([solved])[0]
