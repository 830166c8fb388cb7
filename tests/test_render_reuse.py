"""WeasyPrint's work reused across a worker's documents (course/render_reuse.py) must not change a pixel: every
bank item's worksheet and key pages, rendered in a process without the reuse and in one with it (the seed-0 pages
twice there, the second time from the memos), are the same pages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path
from types import SimpleNamespace

import pytest

from course import render_reuse

ROOT = Path(__file__).resolve().parent.parent
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) missing"
)
# every bank item at seed 0, then a few items for other students (other numbers in the same words and styles)
FEW_ITEMS = ("cnn_table", "conv_output_size", "depthwise_separable", "concept_normalization", "cross_entropy",
             "batchnorm", "classification_report", "conv_backprop_1d")  # fmt: skip
DOCUMENTS = ("w0", "k0", "w3", "k3", "w7", "k7")


def render_every_item(out_dir: str, reuse: bool) -> None:
    """Run in a fresh process: a worksheet and a key of every bank item at seed 0 and of FEW_ITEMS at seeds 3
    and 7; when reusing, the seed-0 pages once more at the end (everything then comes from the memos)."""
    from bank.item import load_items
    from bank.pipeline import solve_item
    from course import render
    from course.assignments import Assignment
    from course.config import Course
    from course.generate import StudentVariant
    from course.roster import Student

    if not reuse:
        render_reuse._state["installed"] = False  # the worker set-up then leaves WeasyPrint as it is
    course = Course(Path("."), {"name": {"fa": "یادگیری عمیق", "en": "Deep Learning"}})
    bank = load_items()
    jobs = []
    for seed, items in ((0, sorted(bank)), (3, FEW_ITEMS), (7, FEW_ITEMS)):
        entries = [{"item": item, "points": 2} for item in items]
        assignment = Assignment("hw9", {"fa": "تمرین ۹", "en": "Homework 9"}, entries, 3, None)
        solved = [{**solve_item(bank[item], seed).to_json(), "points": 2} for item in items]
        student = StudentVariant(Student(f"4011{seed:04d}", "دانشجو"), seed, f"{seed:015d}", solved)
        jobs.append(("worksheet.html.j2", render._student_context(course, assignment, student), f"w{seed}"))
        jobs.append(("key.html.j2", render._key_context(course, assignment, [student]), f"k{seed}"))
    for round_, batch in ((1, jobs), (2, jobs[:2] if reuse else [])):
        for template, context, name in batch:
            render.render_pdf((template, context, str(Path(out_dir) / f"{name}-{round_}.pdf")))
    assert render_reuse._state["installed"] is reuse


def rendering(tmp_path: Path, reuse: bool) -> tuple[Path, subprocess.Popen]:
    out = tmp_path / ("with" if reuse else "without")
    out.mkdir()
    code = (
        f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]; import test_render_reuse as t; "
        f"t.render_every_item({str(out)!r}, {reuse!r})"
    )
    return out, subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)


def pages(pdf: Path) -> tuple[list[bytes], str]:
    """Each page at 60 dpi in gray, and the text."""
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "60", "-gray", str(pdf), str(prefix)], check=True)
    images = [p.read_bytes() for p in sorted(pdf.parent.glob(f"{prefix.name}-*.pgm"))]
    for image in pdf.parent.glob(f"{prefix.name}-*.pgm"):
        image.unlink()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return images, text


@needs_poppler
def test_every_item_s_pages_are_the_same_with_the_reuse(tmp_path: Path) -> None:
    runs = [rendering(tmp_path, reuse) for reuse in (False, True)]  # the two processes side by side
    for _, process in runs:
        _, errors = process.communicate(timeout=600)
        assert process.returncode == 0, errors
    (without, _), (with_, _) = runs
    for name in DOCUMENTS:
        expected_images, expected_text = pages(without / f"{name}-1.pdf")
        assert "Homework 9" in expected_text
        for pdf in sorted(with_.glob(f"{name}-*.pdf")):
            images, text = pages(pdf)
            assert text == expected_text, pdf.name
            differing = [k for k, (a, b) in enumerate(zip(images, expected_images, strict=True)) if a != b]
            assert len(images) == len(expected_images) and not differing, (pdf.name, differing)
    assert len(pages(without / "w0-1.pdf")[0]) >= 30  # every item is on the seed-0 pages
    assert sorted(p.name for p in with_.glob("*0-2.pdf")) == ["k0-2.pdf", "w0-2.pdf"]


def test_it_is_installed_only_for_the_weasyprint_it_was_written_for() -> None:
    import weasyprint

    modules = render_reuse.weasyprint_modules()
    assert render_reuse._fits(f"{render_reuse.TESTED_MAJOR}.1", modules)
    assert not render_reuse._fits("71.0", modules)
    assert not render_reuse._fits("7.0", modules)
    assert weasyprint.__version__.split(".")[0] == render_reuse.TESTED_MAJOR, (
        "check the reuse, then update it"
    )


def test_a_memo_keeps_its_newest_entries() -> None:
    memo: OrderedDict = OrderedDict()
    for k in range(5):
        render_reuse.remember(memo, k, str(k), size=3)
    assert list(memo) == [2, 3, 4]


def test_split_first_line_is_asked_once_per_distinct_call() -> None:
    calls = []

    def split_first_line(text, style, context, max_width, spacing, is_line_start=True, minimum=False):
        calls.append((text, max_width))
        return (SimpleNamespace(text=text), len(text), None, 10.0 * len(text), 12.0, 9.0)

    class Style(dict):
        font_config = object()

    style = Style({name: "normal" for name in render_reuse.TEXT_PROPERTIES})
    split = render_reuse.remembered_split(split_first_line, OrderedDict())
    first = split("word", style, None, 100.0, 0)
    again = split("word", style, None, 100.0, 0)
    split("word", style, None, 50.0, 0)  # another width
    split("word", style, None, 100.0, 0, is_line_start=False)
    assert calls == [("word", 100.0), ("word", 50.0), ("word", 100.0)]
    assert (
        again[1:] == first[1:] and again[0] is not first[0] and again[0].text == "word"
    )  # a copy of the layout


def test_a_kept_layout_is_drawn_as_it_is_unless_justified() -> None:
    made = []

    class Layout:
        def __init__(self, spacing: float) -> None:
            self.justification_spacing = spacing
            self.layout = "pango layout"

        def deactivate(self) -> None:
            del self.layout

        def reactivate(self, style) -> None:
            made.append(self.justification_spacing)
            self.layout = "new pango layout"

    render_reuse.keep_layouts(Layout)
    plain, justified = Layout(0), Layout(2.5)
    for layout in (plain, justified):
        layout.deactivate()
        layout.reactivate(style=None)
    assert plain.layout == "pango layout" and justified.layout == "new pango layout" and made == [2.5]
