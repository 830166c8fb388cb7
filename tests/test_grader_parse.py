"""Table-driven tests of what the grader reads: numbers, arithmetic, shapes, expressions and options."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from grader.grade import match_option
from grader.numbers import parse_number, show_number
from grader.shapes import parse_shape
from grader.symbolic import build_expression, expression_text
from grader.text import FormatProblem, is_blank, normalize

PERSIAN = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# (typed, exact value, typed with a % sign)
NUMBERS = [
    ("120", F(120), False),
    (" 120 ", F(120), False),
    ("+120", F(120), False),
    ("-3", F(-3), False),
    ("0", F(0), False),
    ("007", None, False),  # Python refuses leading zeros: a format error, not 7
    ("120.0", F(120), False),
    ("120.", F(120), False),
    (".5", F(1, 2), False),
    ("0.862", F(862, 1000), False),
    ("0.8620", F(862, 1000), False),
    ("1,204,224", F(1204224), False),
    ("73,856", F(73856), False),
    ("1,234.5", F(12345, 10), False),
    ("1 204 224", F(1204224), False),
    ("1\u202f204\u202f224", F(1204224), False),  # narrow no-break spaces
    ("1\u00a0204", F(1204), False),
    ("1_204_224", F(1204224), False),
    ("0,897", F(897, 1000), False),  # a decimal comma after 0
    ("1.78e8", F(178000000), False),
    ("1.78E8", F(178000000), False),
    ("1.78e+8", F(178000000), False),
    ("2.66e-5", F(266, 10**7), False),
    ("1.78×10^8", F(178000000), False),
    ("1.78 × 10^8", F(178000000), False),
    ("1.78x10^8", F(178000000), False),
    ("1.78 x 10^8", F(178000000), False),
    ("1.78X10^8", F(178000000), False),
    ("1.78*10**8", F(178000000), False),
    ("1.78*10^8", F(178000000), False),
    ("1.78·10^8", F(178000000), False),
    ("1.78⋅10^8", F(178000000), False),
    ("1.78×10⁸", F(178000000), False),
    ("2.66×10⁻⁵", F(266, 10**7), False),
    ("10^-5", F(1, 10**5), False),
    ("10^(-5)", F(1, 10**5), False),
    ("2.66 × 10^-5", F(266, 10**7), False),
    ("۱٫۷۸ × ۱۰^۸", F(178000000), False),
    ("25.6M", F(25600000), False),
    ("25.6 M", F(25600000), False),
    ("12K", F(12000), False),
    ("1.2k", F(1200), False),
    ("3.5G", F(3500000000), False),
    ("12 million", F(12000000), False),
    ("1.5 billion", F(1500000000), False),
    ("۱۲ میلیون", F(12000000), False),
    ("۳ هزار", F(3000), False),
    ("1/3", F(1, 3), False),
    ("2/4", F(1, 2), False),
    ("-1/8", F(-1, 8), False),
    ("۰/۸۶۲", F(862, 1000), False),  # the decimal slash of Persian handwriting (0 ÷ 862 is never meant)
    ("٠/٨٦٢", F(862, 1000), False),
    ("۱/۲", F(1, 2), False),  # not after a zero: a division
    ("3/4 ", F(3, 4), False),
    ("89.7%", F(897, 10), True),
    ("89.7 %", F(897, 10), True),
    ("۸۹٫۷٪", F(897, 10), True),
    ("٨٩٫٧٪", F(897, 10), True),
    ("100%", F(100), True),
    ("0.5%", F(1, 2), True),
    ("≈ 0.862", F(862, 1000), False),
    ("~0.862", F(862, 1000), False),
    ("about 120", F(120), False),
    ("حدود ۱۲۰", F(120), False),
    ("تقریباً 120", F(120), False),
    ("N = 120", F(120), False),
    ("out = 120", F(120), False),
    ("= 120", F(120), False),
    ("(240-3+2)/2+1 = 120", F(120), False),
    ("28*28*32*5*5*192", F(28 * 28 * 32 * 5 * 5 * 192), False),
    ("28×28×32×5×5×192", F(120422400), False),
    ("28 x 28 x 32 x 5 x 5 x 192", F(120422400), False),
    ("۲۸×۲۸×۳۲×۵×۵×۱۹۲", F(120422400), False),
    ("(240-3+2)/2+1", F(241, 2), False),
    ("(240 − 3 + 2) / 2 + 1", F(241, 2), False),
    ("(240 – 3 + 2) ÷ 2 + 1", F(241, 2), False),
    ("floor((240-3+2)/2)+1", F(120), False),
    ("floor((128-7)/1)+1", F(122), False),
    ("ceil(7/2)", F(4), False),
    ("ceiling(7/2)", F(4), False),
    ("(240+2*1-3)//2+1", F(120), False),
    ("32*3*7*7 + 32", F(32 * 3 * 7 * 7 + 32), False),
    ("3*3*64*128+128", F(73856), False),
    ("2*(3*3*64*128)", F(147456), False),
    ("2(3+4)", F(14), False),
    ("(1+2)(3+4)", F(21), False),
    ("2^10", F(1024), False),
    ("2**10", F(1024), False),
    ("2²", F(4), False),
    ("3³", F(27), False),
    ("1 + 3·24", F(73), False),
    ("32 + 3*24", F(104), False),
    ("0.9^100", F(9, 10) ** 100, False),
    ("1/(1+1)", F(1, 2), False),
    ("sqrt(16)", F(4), False),
    ("sqrt(1/4)", F(1, 2), False),
    ("√(16)", F(4), False),
    ("abs(-3)", F(3), False),
    ("max(3, 5)", F(5), False),
    ("min(120,128)", F(120), False),
    ("round(2.5)", F(2), False),
    ("round(0.8621, 3)", F(862, 1000), False),
    ("log2(8)", F(3), False),
    ("7 % 4", None, False),  # '%' in the middle is refused
    ("((((1))))", F(1), False),
    ("１２０", F(120), False),  # full-width digits
    ("\u200f۱۲۰\u200e", F(120), False),  # bidi marks around Persian digits
]
# rows whose value is None: readable, but their exact value is computed below or not checked
UNREAD = ["007", "7 % 4"]


def _digit_variants(typed: str) -> list[str]:
    variants = [typed]
    if any(c.isdigit() for c in typed) and typed.isascii():
        variants.append(typed.translate(PERSIAN))
        variants.append(typed.translate(ARABIC))
    return variants


@pytest.mark.parametrize(
    ("typed", "value", "percent"),
    [
        (variant, value, percent)
        for typed, value, percent in NUMBERS
        if value is not None
        for variant in _digit_variants(typed)
    ],
)
def test_number_reads(typed: str, value: F, percent: bool) -> None:
    reading = parse_number(typed)
    assert F(reading.value) == value or abs(float(reading.value) - float(value)) <= 1e-12 * abs(float(value))
    assert reading.percent is percent


@pytest.mark.parametrize("typed", UNREAD)
def test_number_refused(typed: str) -> None:
    with pytest.raises(FormatProblem):
        parse_number(typed)


def test_thousands_comma_inside_a_call_is_refused_not_misread() -> None:
    # commas inside parentheses separate arguments; "1,024" there would be max(120, 1, 024): refused
    with pytest.raises(FormatProblem):
        parse_number("max(120, 1,024)")
    assert parse_number("max(120, 1024)").value == 1024


NOT_NUMBERS = [
    ("", "empty"),
    ("abc", "unknown_name"),
    ("x+1", "unknown_name"),
    ("120 pixels", "syntax"),
    ("1,23", "comma"),
    ("1/0", "division_by_zero"),
    ("sqrt(-1)", "not_real"),
    ("log(0)", "not_real"),
    ("(-8)**(1/3)", "not_real"),
    ("1e400", "too_big"),
    ("9**9**9**9", "too_big"),
    ("10**5000", "too_big"),
    ("2**-5000", "too_big"),
    ("exp(1000)", "too_big"),
    ("1" * 1300, "too_big"),
    ("1" * 2500, "too_long"),
    ("-(" * 150 + "1" + ")" * 150, "too_deep"),
    ("+".join(["1"] * 300), "too_long"),
    ("1j", "not_allowed"),
    ("'120'", "not_allowed"),
    ("[120]", "not_allowed"),
    ("{120}", "not_allowed"),
    ("__import__('os')", "not_allowed"),
    ("(120).real", "not_allowed"),
    ("lambda: 120", "not_allowed"),
    ("x if 1 else 2", "not_allowed"),
    ("floor(1, 2, 3)", "arity"),
    ("floor(x=1)", "not_allowed"),
    ("a.b.c", "not_allowed"),
    ("1 if 1 else 0", "not_allowed"),
    ("[i for i in range(9)]", "not_allowed"),
    ("120%%", "percent_place"),
]


@pytest.mark.parametrize(("typed", "reason"), NOT_NUMBERS)
def test_number_format_problems(typed: str, reason: str) -> None:
    with pytest.raises(FormatProblem) as caught:
        parse_number(typed)
    if reason == "not_allowed":
        assert caught.value.reason in ("not_allowed", "unknown_name", "syntax", "unknown_function")
    elif reason == "too_deep":
        assert caught.value.reason in ("too_deep", "syntax")  # Python's own parser may stop it first
    else:
        assert caught.value.reason == reason


def test_zero_slash_is_a_decimal_only_in_persian_digits() -> None:
    assert parse_number("0/862").value == 0  # ASCII digits: a division
    assert parse_number("۰/۸۶۲").value == F(862, 1000)


def test_working_that_disagrees_with_the_result_is_kept() -> None:
    reading = parse_number("28*28*32 = 25000")
    assert reading.value == 25000 and reading.working == 28 * 28 * 32
    assert parse_number("28*28*32 = 25088").working is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [(F(120), "120"), (F(897, 1000), "0.897"), (F(1, 3), "1/3"), (0.1 + 0.2, "0.3"), (F(-5, 2), "-2.5")],
)
def test_show_number(value: F | float, shown: str) -> None:
    assert show_number(value) == shown


SHAPES = [
    ("64x59x59", [64, 59, 59]),
    ("64X59X59", [64, 59, 59]),
    ("64×59×59", [64, 59, 59]),
    ("64 × 59 × 59", [64, 59, 59]),
    ("64*59*59", [64, 59, 59]),
    ("64 59 59", [64, 59, 59]),
    ("(64, 59, 59)", [64, 59, 59]),
    ("(64,59,59)", [64, 59, 59]),
    ("[64, 59, 59]", [64, 59, 59]),
    ("[64,59,59]", [64, 59, 59]),
    ("{64, 59, 59}", [64, 59, 59]),
    ("<64, 59, 59>", [64, 59, 59]),
    ("64; 59; 59", [64, 59, 59]),
    ("64 by 59 by 59", [64, 59, 59]),
    ("۶۴×۵۹×۵۹", [64, 59, 59]),
    ("٦٤×٥٩×٥٩", [64, 59, 59]),
    ("(۶۴، ۵۹، ۵۹)", [64, 59, 59]),
    ("torch.Size([64, 59, 59])", None),
    ("1024", [1024]),
    ("[1024]", [1024]),
    ("(1024,)", [1024]),
    ("3x128x128", [3, 128, 128]),
    ("64x59.0x59", [64, 59, 59]),
    ([64, 59, 59], [64, 59, 59]),
    (["64", "59", "59"], [64, 59, 59]),
    (["۶۴", "۵۹", "۵۹"], [64, 59, 59]),
    (1024, [1024]),
    ("N×64×59×59", [64, 59, 59]),
    ("Bx64x59x59", [64, 59, 59]),
    ("batch, 64, 59, 59", [64, 59, 59]),
]


@pytest.mark.parametrize(("typed", "entries"), [row for row in SHAPES if row[1] is not None])
def test_shape_reads(typed: object, entries: list[int]) -> None:
    assert parse_shape(typed)[0] == entries


@pytest.mark.parametrize(
    "typed",
    [
        "64x59xa",
        "64x-59x59",
        "64x0x59",
        "64.5x59",
        "x",
        "()",
        "1x2x3x4x5x6x7x8x9",
        "64x59x" + "9" * 12,
        "torch.Size([64])",
    ],
)
def test_shape_refused(typed: str) -> None:
    with pytest.raises(FormatProblem):
        parse_shape(typed)


EXPRESSIONS = [
    ("sigma(x)*(1-sigma(x))", "(1 - 1/(1 + exp(-x)))/(1 + exp(-x))"),
    ("σ(x)(1-σ(x))", "(1 - 1/(1 + exp(-x)))/(1 + exp(-x))"),
    ("exp(-x)/(1+exp(-x))^2", "exp(-x)/(exp(-x) + 1)**2"),
    ("e^(-x)", "exp(-x)"),
    ("2x", "2*x"),
    ("2x^2", "2*x**2"),
    ("x(1-x)", "x*(1 - x)"),
    ("(x+1)(x-1)", "(x - 1)*(x + 1)"),
    ("|x|", "Abs(x)"),
    ("abs(x)", "Abs(x)"),
    ("1 - tanh(x)^2", "1 - tanh(x)**2"),
    ("relu(x)", "Max(0, x)"),
    ("max(0, x)", "Max(0, x)"),
    ("H(x)", "Heaviside(x)"),
    ("step(x)", "Heaviside(x)"),
    ("Heaviside(x)", "Heaviside(x)"),
    ("1 if x > 0 else 0", "Piecewise((1, x > 0), (0, True))"),
    ("where(x > 0, 1, 0.01)", "Piecewise((1, x > 0), (1/100, True))"),
    ("Piecewise((1, x > 0), (0.01, True))", "Piecewise((1, x > 0), (1/100, True))"),
    ("Piecewise((1, x > 0), (alpha*exp(x), True))", None),
    ("x**2", "x**2"),
    ("x²", "x**2"),
    ("۲x", "2*x"),
    ("ln(x)", "log(x)"),
    ("log(x, 2)", "log(x)/log(2)"),
    ("0.5*x", "x/2"),
    ("1e-3*x", "x/1000"),
    ("pi*x", "pi*x"),
    ("π x", "pi*x"),
    ("d0 x1 + d1 x2", "d0*x1 + d1*x2"),
    ("(x > 0) & (x < 1)", "(x > 0) & (x < 1)"),
]


@pytest.mark.parametrize(("typed", "printed"), EXPRESSIONS)
def test_expression_reads(typed: str, printed: str | None) -> None:
    names = {"x", "alpha"} if "alpha" in typed else {"x", "d0", "d1", "x1", "x2"}
    if printed is None:
        build_expression(typed, names)
        return
    import sympy as sp

    built = build_expression(typed, names)
    expected = build_expression(printed, names)
    assert (
        sp.simplify(built - expected) == 0
        if not isinstance(built, sp.logic.boolalg.Boolean)
        else built == expected
    )


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("y + 1", "unknown_name"),
        ("exp", "function_without_argument"),
        ("foo(x)", "unknown_function"),
        ("__import__('os').system('true')", "not_allowed"),
        ("x.__class__", "not_allowed"),
        ("lambda x: x", "syntax"),
        ("[x for x in (1,)]", "not_allowed"),
        ("x**10**6", "too_big"),
        ("9**9**9**9", "too_big"),
        ("x**(2**100)", "too_big"),
        ("10**100*x", "too_big"),
        ("exp(x, 2)", "arity"),
        ("Piecewise(1, 2)", "piecewise"),
        ("x/0", "division_by_zero"),
        ("", "empty"),
        ("x +", "syntax"),
        ("'x'", "not_allowed"),
        ("x[0]", "not_allowed"),
        ("sin(x=1)", "not_allowed"),
        ("x" + "+x" * 400, "too_long"),
    ],
)
def test_expression_refused(typed: str, reason: str) -> None:
    with pytest.raises(FormatProblem) as caught:
        build_expression(typed, {"x"})
    assert caught.value.reason == reason


def test_expression_text_keeps_scientific_numbers() -> None:
    assert expression_text("2e-3x") == "2e-3*x"
    assert expression_text("log2(x)") == "log2(x)"


OPTIONS = [
    {"id": "a", "text": {"fa": "درست", "en": "True"}},
    {"id": "b", "text": {"fa": "نادرست", "en": "False"}},
    {"id": "c", "text": {"fa": "اشتراک وزن‌ها", "en": "Weight sharing"}},
    {"id": "d", "text": {"fa": "میدان تأثیر ۵×۵", "en": "A 5×5 receptive field"}},
]


@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        ("a", "a"),
        ("A", "a"),
        ("(a)", "a"),
        ("a)", "a"),
        ("a.", "a"),
        ("option a", "a"),
        ("Option C", "c"),
        ("گزینه c", "c"),
        ("True", "a"),
        ("true", "a"),
        ("T", "a"),
        ("yes", "a"),
        ("درست", "a"),
        ("صحیح", "a"),
        ("F", "b"),
        ("false", "b"),
        ("غلط", "b"),
        ("نادرست", "b"),
        ("weight sharing", "c"),
        ("Weight  Sharing.", "c"),
        ("اشتراک وزن‌ها", "c"),
        ("اشتراك وزن‌ها", "c"),  # Arabic kaf
        ("a 5x5 receptive field", None),
        ("A 5×5 receptive field", "d"),
        ("میدان تأثیر 5×5", "d"),
    ],
)
def test_option_matching(typed: str, chosen: str | None) -> None:
    if chosen is None:
        with pytest.raises(FormatProblem):
            match_option(OPTIONS, typed)
    else:
        assert match_option(OPTIONS, typed) == chosen


@pytest.mark.parametrize(
    ("typed", "blank"),
    [(None, True), ("", True), ("   ", True), ("\u200f", True), ([], True), ("0", False), (0, False)],
)
def test_blank(typed: object, blank: bool) -> None:
    assert is_blank(typed) is blank


def test_normalize_persian_separators() -> None:
    assert normalize("۱٬۲۳۴٫۵") == "1234.5"
    assert normalize("٣٫١٤") == "3.14"
