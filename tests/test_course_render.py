"""Worksheet HTML: left-to-right islands, math images, part grids, the answer-file template, fonts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course import render
from course.answers import answer_file_template
from course.config import CourseError


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("خروجی `Conv2d(3, 32)` است", "fa", '<code dir="ltr">Conv2d(3, 32)</code>'),
        ("اندازه ۶۴×۵۹×۵۹ است", "fa", '<bdi dir="ltr">۶۴×۵۹×۵۹</bdi>'),  # one island rule (13.2)
        ("مقدار -3 است", "fa", '<bdi dir="ltr">-3</bdi>'),
        ("size 64×59×59 here", "en", "size 64×59×59 here"),  # English prose needs no island
        ("a **bold** word", "en", "<b>bold</b>"),
        ("<script>x</script>", "en", "&lt;script&gt;"),
    ],
)
def test_ltr_islands_and_escaping(text: str, lang: str, expected: str) -> None:
    assert expected in str(render.rich_text(text, lang))


def test_blocks_lang_and_dir() -> None:
    html = str(render.rich_text("سطر اول\n- یک\n- دو\n\nبند دوم", "fa"))
    assert html.count('<p lang="fa" dir="rtl">') == 2
    assert '<ul lang="fa" dir="rtl"><li>یک</li><li>دو</li></ul>' in html


def test_fenced_code_is_ltr_and_shown_once_across_languages() -> None:
    fa = "شبکه:\n```\nLayer1: Conv2d(3, 32, 7)\n```"
    en = "The network:\n```\nLayer1: Conv2d(3, 32, 7)\n```"
    assert '<pre dir="ltr" lang="en">Layer1: Conv2d(3, 32, 7)</pre>' in str(render.rich_text(fa, "fa"))
    english = str(render.rich_text(en, "en", render.fences(fa)))
    assert "<pre" not in english and "the code above" in english


def test_math_becomes_an_svg_image_on_the_baseline() -> None:
    html = render.math_img(r"\lfloor 239 / 2 \rfloor + 1")
    assert html.startswith('<img class="math"') and "data:image/svg+xml;base64," in html
    height, lowered = (
        float(v) for v in re.search(r"height:([\d.]+)em;vertical-align:(-[\d.]+)em", html).groups()
    )
    assert 1.0 < height < 3.0 and -1.0 < lowered < 0  # em-sized, its descent below the baseline
    assert render.math_img(r"\lfloor 239 / 2 \rfloor + 1") is html  # cached


def part(pid: str, kind: str = "integer", points: float = 0.25) -> dict:
    row = pid.rpartition("_")[0] or pid  # prompts name the row, as in `each:` expanded parts
    return {"id": pid, "kind": kind, "points": points, "prompt": {"fa": f"`{row}`؟", "en": f"`{row}`?"}}


def test_expanded_parts_become_one_grid() -> None:
    parts = [part("N", points=1)]
    parts += [part(f"Layer{k}_shape", "shape") for k in (1, 2, 3, 4)]
    parts += [part(f"Layer{k}_rf") for k in (1, 2, 3)]  # no receptive field after the flatten
    parts += [part(f"Layer{k}_weights") for k in (1, 2, 3, 4)]
    parts += [part("odd_one"), part("odd_two")]  # a column of two is not a grid
    blocks = render.layout_parts(parts)
    assert [b["type"] for b in blocks] == ["part", "grid", "part", "part"]
    grid = blocks[1]
    assert grid["rows"] == ["Layer1", "Layer2", "Layer3", "Layer4"]
    assert [c["id"] for c in grid["columns"]] == ["shape", "rf", "weights"]
    assert "rf" not in grid["cells"]["Layer4"] and grid["cells"]["Layer3"]["rf"]["id"] == "Layer3_rf"
    assert grid["columns"][0]["prompt"]["en"] == "…?" and grid["columns"][0]["points"] == 0.25


def test_few_parts_stay_rows() -> None:
    assert [b["type"] for b in render.layout_parts([part("std_params"), part("sep_params")])] == [
        "part",
        "part",
    ]


def test_no_persian_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(render, "FONTS_DIR", tmp_path)
    monkeypatch.setattr(render, "_system_font", lambda family: False)
    with pytest.raises(CourseError, match="no Persian-capable font"):
        render.font_face_css()


def test_bundled_fonts_and_licence_are_there() -> None:
    css = render.font_face_css()
    assert "Vazirmatn-Regular.ttf" in css and "Vazirmatn-Bold.ttf" in css
    assert (render.FONTS_DIR / "OFL.txt").read_text(encoding="utf-8").startswith("Copyright")


def test_answer_template_has_header_comments_and_every_part() -> None:
    items = [
        {"item": "cnn_table", "parts": [part("Layer1_shape", "shape"), part("N")]},
        {"item": "quiz", "parts": [{**part("q1", "choice", 1), "options": [{"id": "a"}, {"id": "b"}]}]},
    ]
    text = answer_file_template(
        {"fa": "یادگیری عمیق", "en": "Deep Learning"}, "hw4", "401", "علی", "12345", items
    )
    assert 'assignment: "hw4"\nstudent: "401"\nvariant: 12345\nanswers:\n  cnn_table:\n' in text
    assert "    Layer1_shape:\n" in text and "    N:\n" in text and "    q1:\n" in text
    # choices by letter in the variant's order (issue 12.7; the form named the option ids before)
    assert "the letter of one option (A, B), or its id or text" in text
    assert "    #     A:  (a)\n    #     B:  (b)\n" in text


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"112 \cdot 112 = 12544", '<span class="math-text" dir="ltr">112 · 112 = 12,544</span>'),
        (r"n(K-1)+1 = 3\cdot2+1", '<span class="math-text" dir="ltr">𝑛(𝐾 − 1) + 1 = 3 · 2 + 1</span>'),
        (r"C_{in} = -3", '<span class="math-text" dir="ltr">𝐶<sub>𝑖𝑛</sub> = −3</span>'),
    ],
)
def test_arithmetic_chains_are_set_as_text_with_separators(latex: str, expected: str) -> None:
    assert render.math_html(latex) == expected


def test_formulas_that_need_typesetting_stay_images() -> None:
    assert render.math_html(r"\frac{1}{C_{out}} + \sqrt{2}").startswith('<img class="math"')
