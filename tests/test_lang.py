"""The one island rule (lang.bidi): what reads left to right inside Persian text, in plain text and in HTML."""

from __future__ import annotations

import pytest

from lang import LRI, PDI, isolate_html, localize, segments, strip_isolates, to_html


def islands(text: str) -> list[str]:
    """The LRI … PDI isolates localize puts in a text."""
    out, rest = [], localize(text, "fa")
    while LRI in rest:
        start = rest.index(LRI)
        end = rest.index(PDI, start)
        out.append(rest[start + 1 : end])
        rest = rest[end + 1 :]
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a formula outside code (the concept option of issue 16: shown as C·H·W·۲ before)
        ("2·C·H·W: یک γ و یک β برای هر فعال‌سازی.", ["2·C·H·W"]),
        ("هر فیلتر C·H·W وزن دارد", ["C·H·W"]),
        # an arithmetic chain keeps its order; its digits are Persian like the sentence's
        ("خروجی ⌊(112 + 2·0 − 7) / 1⌋ + 1 = 106 است.", ["⌊(۱۱۲ + ۲·۰ − ۷) / ۱⌋ + ۱ = ۱۰۶"]),
        ("با 3 × 3 × 512 = 4,608 وزن", ["۳ × ۳ × ۵۱۲ = ۴٬۶۰۸"]),
        # shapes and signed numbers
        ("اندازه 64×59×59 است", ["۶۴×۵۹×۵۹"]),
        ("ورودی 3x32x32 است", ["3x32x32"]),
        ("مقدار -3 و −0.5 است", ["-۳", "−۰٫۵"]),
        # code and math islands keep their digits as typed
        ("خروجی `Conv2d(3, 32)` است.", ["`Conv2d(3, 32)`"]),
        ("رابطه‌ی $\\lfloor x/2 \\rfloor$ را ببینید", ["$\\lfloor x/2 \\rfloor$"]),
        ("لایه‌ی Conv2d(3, 32, kernel_size=5) را", ["Conv2d(3, 32, kernel_size=5)"]),
        # an unbalanced bracket and the sentence's punctuation stay with the sentence
        ("ویژگی (C·H·W، مثلاً 4,096) را", ["C·H·W"]),
        # words and plain numbers are not islands
        ("لایه‌ی BatchNorm و depthwise-separable با 1,024 کانال", []),
        ("FLOPs برابر 20 است", []),
    ],
)
def test_islands_in_persian_text(text: str, expected: list[str]) -> None:
    assert islands(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2·C·H·W: یک γ و یک β",
        "خروجی ⌊(112 + 2·0 − 7) / 1⌋ + 1 = 106 است.",
        "مقدار -3 است",
        "`a` و `b`",
        "-3",
        "۶۴×۵۹×۵۹",
    ],
)
def test_localize_is_idempotent(text: str) -> None:
    once = localize(text, "fa")
    assert localize(once, "fa") == once


def test_text_without_persian_letters_gets_no_isolates() -> None:
    # an answer written in Persian digits (the grader's self-test form) is not wrapped
    assert localize("-3", "fa") == "-۳"
    assert localize("32×122×122", "fa") == "۳۲×۱۲۲×۱۲۲"


def test_english_is_unchanged_and_isolates_strip() -> None:
    text = "2·C·H·W weights, shape 64×59×59, -3"
    assert localize(text, "en") == text
    assert strip_isolates(localize("هر فیلتر C·H·W وزن", "fa")) == "هر فیلتر C·H·W وزن"


def test_fenced_blocks_are_left_alone() -> None:
    text = "شبکه:\n```\nLayer1: Conv2d(3, 32, 7)\n```"
    assert localize(text, "fa").splitlines()[1:] == ["```", "Layer1: Conv2d(3, 32, 7)", "```"]


def test_segments_name_each_piece() -> None:
    assert segments("خروجی `x` برابر 2·C است", "fa") == [
        ("text", "خروجی "),
        ("code", "`x`"),
        ("text", " برابر "),
        ("formula", "2·C"),
        ("text", " است"),
    ]
    assert segments("output 2·C", "en") == [("text", "output 2·C")]


def test_html_isolates_formulas_and_code_keeps_tags_and_escapes() -> None:
    html = isolate_html("<b>وزن‌ها</b> برابر a &lt; b + 1 و `x &amp; y` است", "fa")
    assert html == (
        '<b>وزن‌ها</b> برابر <bdi dir="ltr">a &lt; b + 1</bdi> و <code dir="ltr">x &amp; y</code> است'
    )
    # text already inside code or bdi is not wrapped twice
    assert isolate_html('<code dir="ltr">2·C</code>', "fa") == '<code dir="ltr">2·C</code>'


def test_to_html_reads_plain_text_with_isolates() -> None:
    message = localize("شکل ۳ بعد دارد: 32×7×7؛ «<b>»", "fa")
    assert to_html(message, "fa") == 'شکل ۳ بعد دارد: <bdi dir="ltr">۳۲×۷×۷</bdi>؛ «&lt;b&gt;»'
    assert LRI not in to_html(message, "fa")
