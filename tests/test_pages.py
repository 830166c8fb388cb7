"""Visual checks of what people read: the worksheet, key and preview templates rendered for real bank items and a
few seeds, asserted on their HTML (the island rule in Persian blocks, headings that keep together, points that add
up, choice letters, flat-shape prompts, thousands separators), the answer file, and PDFs where it matters (the
visual order of a formula inside a Persian sentence, read back from the PDF with pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
from fractions import Fraction
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from base.paths import TEMPLATES_DIR
from course import render
from course.answers import answer_file_template, display_items, scale_points
from course.assignments import Assignment
from course.config import Course
from course.generate import StudentVariant
from course.roster import Student
from lang import segments

ITEMS = {"cnn_table": 8, "conv_output_size": 2, "concept_normalization": 4, "depthwise_separable": 3}
SEEDS = (3, 11)


@cache
def solved(item_id: str, seed: int) -> dict[str, Any]:
    from bank.item import find_item
    from bank.pipeline import solve_item

    return solve_item(find_item(item_id), seed).to_json()


def variant(seed: int) -> tuple[Course, Assignment, StudentVariant]:
    course = Course(Path("."), {"name": {"fa": "یادگیری عمیق", "en": "Deep Learning"}})
    entries = [{"item": item, "points": points} for item, points in ITEMS.items()]
    assignment = Assignment("hw4", {"fa": "تمرین ۴", "en": "Homework 4"}, entries, 3, None)
    items = [{**solved(e["item"], seed), "points": e["points"]} for e in entries]
    return course, assignment, StudentVariant(Student("40112345", "علی"), seed, "815062349117208", items)


def page_html(template: str, seed: int) -> str:
    course, assignment, student = variant(seed)
    context = render._student_context(course, assignment, student)
    if template == "key.html.j2":
        context = render._key_context(course, assignment, [student])
    return render.template_env().get_template(template).render(**context)


class _Text(HTMLParser):
    """Text nodes with the direction of their nearest `dir` ancestor and whether an island element holds them."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, bool, str]] = []  # (dir, inside an ltr island element, text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("br", "img", "meta"):
            self.stack.append((tag, dict(attrs).get("dir")))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        direction = next((d for _, d in reversed(self.stack) if d), "rtl")
        island = any(t in ("code", "bdi", "pre", "style", "title") or d == "ltr" for t, d in self.stack)
        self.texts.append((direction, island, data))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("template", ["worksheet.html.j2", "key.html.j2"])
def test_every_formula_in_persian_text_is_an_isolate(template: str, seed: int) -> None:
    parser = _Text()
    parser.feed(page_html(template, seed))
    loose = [
        piece
        for direction, island, text in parser.texts
        if direction == "rtl" and not island
        for kind, piece in segments(text, "fa")
        if kind != "text"
    ]
    assert loose == []
    assert sum(island for direction, island, _ in parser.texts if direction == "rtl") > 20


def test_a_line_of_code_keeps_its_period_at_its_end() -> None:
    html = str(render.rich_text("به زبان PyTorch:\n`Conv2d(kernel_size=3)`.", "fa"))
    assert '<span dir="ltr" class="ltr-line"><code dir="ltr">Conv2d(kernel_size=3)</code>.</span>' in html


def _css_rule(selector: str) -> str:
    css = (TEMPLATES_DIR / "style.css").read_text(encoding="utf-8")
    match = re.search(rf"(?m)^{re.escape(selector)} \{{([^}}]*)\}}", css)
    assert match, f"no rule for {selector}"
    return match.group(1)


def test_headings_keep_together_and_stay_with_what_follows() -> None:
    rule = _css_rule(".item-head")
    assert "break-inside: avoid" in rule and "break-after: avoid" in rule
    assert "break-inside: avoid" in _css_rule(".statement p, .statement li, .solution p, .solution li, pre")
    html = page_html("worksheet.html.j2", SEEDS[0])
    headings = re.findall(r'<div class="item-head (row|stack)">(.*?)</div>\n</div>', html, flags=re.S)
    assert len(headings) == len(ITEMS)
    for _, heading in headings:
        # the number is bound to the title, the points to its last word: no space a line could break at
        assert re.search(r"سؤال&nbsp;[۰-۹]+:</span>&nbsp;", heading)
        assert re.search(r"Q\d+\.</span>&nbsp;", heading)
        assert '&nbsp;<span class="pts">(' in heading and "&nbsp;pts)" in heading and "&nbsp;نمره)" in heading


@pytest.mark.parametrize(
    ("title", "layout"),
    [({"fa": "کانولوشن", "en": "Convolution"}, "row"), ({"fa": "ب" * 40, "en": "Depthwise " * 5}, "stack")],
)
def test_heading_layout_by_length(title: dict[str, str], layout: str) -> None:
    assert render.heading_layout({"title": title}) == layout


def _shown_points(section: str) -> Fraction:
    """The points one item's section prints: a pt per part row, a column's points × its cells, or its total."""
    total = sum(
        (Fraction(v) for v in re.findall(r'<span class="pts">([\d.]+) pt</span>', section)), Fraction()
    )
    for table in re.findall(r'<table class="grid".*?</table>', section, flags=re.S):
        header, body = table.split("<tbody>")
        for k, (value, kind) in enumerate(re.findall(r"· ([\d.]+)&nbsp;(pt each|pts in all)", header)):
            cells = len(re.findall(r"<tr>\s*<td class=\"rowkey\".*?</tr>", body, flags=re.S))
            rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
            filled = sum(1 for row in rows if 'class="none"' not in re.findall(r"<td[^>]*>", row)[k + 1])
            total += Fraction(value) * (filled if kind == "pt each" else 1)
            assert filled <= cells
    return total


@pytest.mark.parametrize("seed", SEEDS)
def test_points_on_the_worksheet_add_up_to_each_items_points(seed: int) -> None:
    html = page_html("worksheet.html.j2", seed)
    sections = re.findall(r'<section class="item">(.*?)</section>', html, flags=re.S)
    assert len(sections) == len(ITEMS)
    for section, points in zip(sections, ITEMS.values(), strict=True):
        assert f"({points}&nbsp;pts)" in section
        assert _shown_points(section) == points


@pytest.mark.parametrize("seed", SEEDS)
def test_points_in_the_answer_file_add_up(seed: int) -> None:
    _, _, student = variant(seed)
    text = answer_file_template({"fa": "د", "en": "D"}, "hw4", "401", "علی", "1", student.items)
    by_item = re.split(r"(?m)^  (\w+):$", text)[1:]
    for item_id, body in zip(by_item[::2], by_item[1::2], strict=True):
        shown = sum(Fraction(v) for v in re.findall(r"\(([\d.]+) pts?\) —", body))
        assert shown == ITEMS[item_id], item_id


@pytest.mark.parametrize(
    ("raw", "total", "expected"),
    [
        ([1, 1], 2, [1, 1]),
        ([1, 2, 3], 8, [1.25, 2.75, 4]),  # steps of 0.25 where they keep every part within 10%
        ([2, 1, 1, 1, 1], 3, [1, 0.5, 0.5, 0.5, 0.5]),
        ([1, 1, 1], 2, [0.7, 0.7, 0.6]),  # largest remainder: the sum is exact
        ([0.25] * 59 + [1], 8, None),  # cnn_table: 60 parts, sum 15.75, shown in 8 points
    ],
)
def test_scale_points_sums_exactly(raw: list[float], total: float, expected: list[float] | None) -> None:
    shown = scale_points(raw, total)
    assert sum(Fraction(str(v)) for v in shown) == total
    exact = [Fraction(str(r)) * total / sum(Fraction(str(x)) for x in raw) for r in raw]
    assert all(abs(Fraction(str(s)) - e) <= e / 10 and s > 0 for s, e in zip(shown, exact, strict=True))
    if expected is not None:
        assert shown == expected


def test_choice_options_carry_letters_in_the_variants_order() -> None:
    _, _, student = variant(SEEDS[0])
    concept = next(i for i in display_items(student.items) if i["item"] == "concept_normalization")
    choice = next(p for p in concept["parts"] if p.get("options"))
    assert [o["letter"] for o in choice["options"]] == [
        chr(ord("A") + k) for k in range(len(choice["options"]))
    ]
    html = page_html("worksheet.html.j2", SEEDS[0])
    first = choice["options"][0]
    assert f'<b class="letter">A</b> <code class="optid">{first["id"]}</code>' in html
    text = answer_file_template({"fa": "د", "en": "D"}, "hw4", "401", "علی", "1", student.items)
    assert "#     A: " in text and f"({first['id']})" in text
    assert "the letter of one option (A, B" in text


def test_written_parts_get_room_on_the_worksheet() -> None:
    html = page_html("worksheet.html.j2", SEEDS[0])
    assert '<td class="box written">' in html


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_rows_ask_for_a_number_of_features(seed: int) -> None:
    _, _, student = variant(seed)
    table = next(i for i in student.items if i["item"] == "cnn_table")
    flat = [p for p in table["parts"] if p["kind"] == "shape" and len(p["answer"]) == 1]
    assert flat, "the network ends in Linear layers"
    text = answer_file_template({"fa": "د", "en": "D"}, "hw4", "401", "علی", "1", [table])
    for part in flat:
        block = text.split(f"# {part['id']} ", 1)[1].split(f"    {part['id']}:", 1)[0]
        assert "C×H×W" not in block and "32×122×122" not in block
        assert "the number of features" in block
    html = page_html("worksheet.html.j2", seed)
    assert html.count("features · تعداد ویژگی") == len(flat)


def test_key_prints_large_integers_with_separators_in_both_languages() -> None:
    html = page_html("key.html.j2", SEEDS[0])
    _, _, student = variant(SEEDS[0])
    big = [
        int(p["answer_text"])
        for i in student.items
        for p in i["parts"]
        if re.fullmatch(r"\d+", str(p["answer_text"])) and int(p["answer_text"]) >= 1_000_000
    ]
    assert big
    for value in big:
        persian = f"{value:,}".replace(",", "٬").translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        assert f"{value:,}" in html and persian in html


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _words_left_to_right(pdf: Path) -> list[str]:
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', bbox.stdout)
    first_line = min(float(y) for _, y, _ in words)
    return [w for x, y, w in sorted(words, key=lambda t: float(t[0])) if abs(float(y) - first_line) < 2]


@needs_poppler
@pytest.mark.parametrize(
    ("sentence", "formula"),
    [
        ("خروجی برابر ⌊(112 + 2·0 − 7) / 1⌋ + 1 = 106 است.", "⌊(۱۱۲ + ۲·۰ − ۷) / ۱⌋ + ۱ = ۱۰۶"),
        ("خروجی `⌊(112 + 2·0 − 7) / 1⌋ + 1 = 106` است.", "⌊(112 + 2·0 − 7) / 1⌋ + 1 = 106"),
        ("گزینه‌ی 2·C·H·W + 4 درست است.", "2·C·H·W + 4"),
    ],
)
def test_a_formula_in_a_persian_sentence_reads_left_to_right_in_the_pdf(
    tmp_path: Path, sentence: str, formula: str
) -> None:
    from weasyprint import HTML

    from lang import localize

    html = render.rich_text(localize(sentence, "fa"), "fa")
    pdf = tmp_path / "line.pdf"
    HTML(string=f'<html dir="rtl" lang="fa"><body>{html}</body></html>').write_pdf(pdf)
    shown = [w for w in _words_left_to_right(pdf) if not re.search(r"[\u0620-\u06d3]", w)]
    assert shown == formula.split()


def test_student_key_and_item_preview_render(tmp_path: Path) -> None:
    from pypdf import PdfReader

    course, assignment, student = variant(SEEDS[0])
    student.items = [i for i in student.items if i["item"] == "conv_output_size"]
    assignment.items = [{"item": "conv_output_size", "points": 2}]
    pages = render.render_student_key(course, assignment, student, tmp_path / "keys" / "40112345.pdf")
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "keys" / "40112345.pdf").pages)
    assert pages >= 1 and "40112345" in text and "seed" in text
    pages = render.render_item_preview("conv_output_size", 7, tmp_path / "preview.pdf")
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "preview.pdf").pages)
    assert pages == 2 and "Key" in text and "seed 7" in text


def test_rendering_logs_only_errors() -> None:
    import logging

    render._init_worker()
    for name in ("weasyprint", "fontTools", "fontTools.subset"):
        logger = logging.getLogger(name)
        assert not logger.isEnabledFor(logging.WARNING) and logger.isEnabledFor(logging.ERROR)
