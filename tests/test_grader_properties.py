"""Property tests: any correct answer re-formatted in any supported way grades full marks (and a changed one not)."""

from __future__ import annotations

import re
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from grader import grade_part

PERSIAN = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")
ARABIC = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")
THOUSANDS = re.compile(r"(?<=\d),(?=\d)")  # a comma between digits is a thousands separator: ٬ in Persian


def persian(text: str) -> str:
    return THOUSANDS.sub("٬", text).translate(PERSIAN)


def arabic(text: str) -> str:
    return THOUSANDS.sub("٬", text).translate(ARABIC)


DIGITS: list[Callable[[str], str]] = [
    lambda t: t,
    persian,
    arabic,
    lambda t: f"\u200f{persian(t)}\u200e",
]


def key(kind: str, answer: object, text: str, **grading: object) -> dict:
    return {"id": "p", "kind": kind, "answer": answer, "answer_text": text, "points": 1, "grading": grading}


def _sci(n: int) -> list[str]:
    """n written as m×10^k where that is exact."""
    if n == 0:
        return []
    k = len(str(abs(n))) - len(str(abs(n)).rstrip("0"))
    if k == 0:
        return []
    m = n // 10**k
    return [f"{m}e{k}", f"{m}×10^{k}", f"{m} x 10^{k}", f"{m}*10**{k}", f"{m}·10^{k}"]


def integer_forms(n: int, a: int, k: int) -> list[str]:
    forms = [
        str(n),
        f"{n:,}",
        f"{n:_}",
        f"{n:,}".replace(",", " ") if n >= 0 else str(n),
        f"{n}.0",
        f"{a} + {n - a}",
        f"{n + a} - {a}",
        f"{n * k}/{k}",
        f"({n * k}) / {k}",
        f"{n * k}//{k}",
        f"floor({n * k + k - 1}/{k})" if k > 1 else f"floor({n})",
        f"N = {n}",
        f"{a} + {n - a} = {n}",
        f"max({n}, {n - abs(a) - 1})",
        f"  {n}  ",
    ]
    return forms + _sci(n)


@settings(max_examples=150, deadline=None)
@given(
    n=st.one_of(
        st.integers(-(10**12), 10**12), st.integers(0, 1000), st.integers(1, 10**6).map(lambda v: v * 1000)
    ),
    a=st.integers(-1000, 1000),
    k=st.integers(1, 9),
    pick=st.data(),
)
def test_integers_in_any_form(n: int, a: int, k: int, pick: st.DataObject) -> None:
    part = key("integer", n, str(n))
    typed = pick.draw(st.sampled_from(integer_forms(n, a, k)))
    digits = pick.draw(st.sampled_from(DIGITS))
    result = grade_part(part, digits(typed))
    assert result["status"] == "correct", (typed, digits(typed), result)
    assert grade_part(part, digits(str(n + 1)))["status"] == "wrong"


@st.composite
def decimals(draw: st.DrawFn) -> tuple[int, int]:
    """(mantissa, exponent): value = mantissa × 10^exponent, 1-7 significant digits."""
    mantissa = draw(st.integers(1, 9_999_999)) * draw(st.sampled_from([1, -1]))
    exponent = draw(st.integers(-12, 9))
    return mantissa, exponent


def real_forms(mantissa: int, exponent: int) -> list[str]:
    value = mantissa * 10.0**exponent
    digits = str(abs(mantissa))
    sign = "-" if mantissa < 0 else ""
    point = len(digits) + exponent  # position of the decimal point in the digit string
    if point <= 0:
        plain = f"{sign}0.{'0' * -point}{digits}"
    elif point >= len(digits):
        plain = f"{sign}{digits}{'0' * (point - len(digits))}"
    else:
        plain = f"{sign}{digits[:point]}.{digits[point:]}"
    lead = f"{sign}{digits[0]}.{digits[1:] or '0'}"
    power = len(digits) - 1 + exponent
    return [
        plain,
        repr(value),
        f"{value:e}",
        f"{value:.6E}",
        f"{lead}e{power}",
        f"{lead}×10^{power}",
        f"{lead} × 10^({power})",
        f"{lead}*10**{power}",
        f"{lead}x10^{power}",
        f"≈ {plain}",
        f"{mantissa}/10**{-exponent}" if exponent < 0 else f"{mantissa}*10**{exponent}",
        f"{plain}00" if "." in plain else plain,
    ]


@settings(max_examples=150, deadline=None)
@given(number=decimals(), pick=st.data())
def test_reals_in_any_form(number: tuple[int, int], pick: st.DataObject) -> None:
    mantissa, exponent = number
    value = mantissa * 10.0**exponent
    part = key("real", value, repr(value))
    typed = pick.draw(st.sampled_from(real_forms(mantissa, exponent)))
    digits = pick.draw(st.sampled_from(DIGITS))
    result = grade_part(part, digits(typed))
    assert result["status"] == "correct", (typed, digits(typed), result)
    assert grade_part(part, repr(value + max(1.0, abs(value))))["status"] == "wrong"


@settings(max_examples=80, deadline=None)
@given(tenths=st.integers(1, 999), stored_as_fraction=st.booleans(), pick=st.data())
def test_percentages_in_any_form(tenths: int, stored_as_fraction: bool, pick: st.DataObject) -> None:
    percent = tenths / 10
    text = f"{percent:g}%"
    part = key("real", percent / 100 if stored_as_fraction else percent, text, percent=True)
    forms = [f"{percent:g}%", f"{percent:g} %", f"{percent:g}", f"{percent / 100:g}", f"{tenths}/10 %"]
    typed = pick.draw(st.sampled_from(forms))
    digits = pick.draw(st.sampled_from(DIGITS))
    result = grade_part(part, digits(typed).replace("%", pick.draw(st.sampled_from(["%", "٪"]))))
    assert result["status"] == "correct", (typed, result)


SEPARATORS = ["x", "X", "×", " × ", " x ", "*", ", ", ",", " ", "، ", ";"]
BRACKETS = [("", ""), ("(", ")"), ("[", "]"), ("{", "}"), ("( ", " )")]


@settings(max_examples=150, deadline=None)
@given(
    shape=st.lists(st.integers(1, 4096), min_size=1, max_size=5),
    separator=st.sampled_from(SEPARATORS),
    brackets=st.sampled_from(BRACKETS),
    pick=st.data(),
)
def test_shapes_in_any_form(
    shape: list[int], separator: str, brackets: tuple[str, str], pick: st.DataObject
) -> None:
    part = key("shape", shape, "×".join(map(str, shape)))
    typed = brackets[0] + separator.join(map(str, shape)) + brackets[1]
    digits = pick.draw(
        st.sampled_from([lambda t: t, lambda t: t.translate(PERSIAN), lambda t: t.translate(ARABIC)])
    )
    assert grade_part(part, digits(typed))["status"] == "correct", digits(typed)
    assert grade_part(part, [str(s) for s in shape])["status"] == "correct"
    changed = [shape[0] + 1, *shape[1:]]
    assert grade_part(part, separator.join(map(str, changed)))["status"] != "correct"


@settings(max_examples=40, deadline=None)
@given(
    coefficients=st.lists(st.integers(-9, 9).filter(bool), min_size=2, max_size=3),
    pick=st.data(),
)
def test_polynomials_in_any_form(coefficients: list[int], pick: st.DataObject) -> None:
    terms = [(c, len(coefficients) - 1 - i) for i, c in enumerate(coefficients)]
    reference = " + ".join(f"{c}*x**{p}" for c, p in terms)
    part = key("expression", reference, reference)
    styles = [
        lambda c, p: f"{c}*x**{p}",
        lambda c, p: f"{c}x^{p}",
        lambda c, p: f"{c}*x^{p}",
        lambda c, p: f"({c})*x**{p}",
        lambda c, p: f"{c}*{'*'.join(['x'] * p) or '1'}",
    ]
    style = pick.draw(st.sampled_from(styles))
    order = pick.draw(st.permutations(terms))
    typed = " + ".join(style(c, p) for c, p in order)
    digits = pick.draw(st.sampled_from(DIGITS[:2]))
    assert grade_part(part, digits(typed))["status"] == "correct", typed
    assert grade_part(part, typed + " + 1")["status"] == "wrong"


OPTIONS = [
    {"id": "a", "text": {"fa": "اشتراک وزن", "en": "Weight sharing"}},
    {"id": "b", "text": {"fa": "ادغام بیشینه", "en": "Max pooling"}},
    {"id": "c", "text": {"fa": "حذف تصادفی", "en": "Dropout"}},
]


@settings(max_examples=60, deadline=None)
@given(answer=st.sampled_from(["a", "b", "c"]), pick=st.data())
def test_options_in_any_form(answer: str, pick: st.DataObject) -> None:
    part = {**key("choice", answer, answer), "options": OPTIONS}
    option = next(o for o in OPTIONS if o["id"] == answer)
    forms = [
        answer,
        answer.upper(),
        f"({answer})",
        f"{answer})",
        f" {answer}. ",
        f"option {answer}",
        f"گزینه {answer}",
        option["text"]["en"],
        option["text"]["en"].upper(),
        option["text"]["fa"],
    ]
    assert grade_part(part, pick.draw(st.sampled_from(forms)))["status"] == "correct"


FUZZ_KEYS = [
    key("integer", 120, "120"),
    key("real", 0.862, "0.862"),
    key("real", 89.67, "89.67%", percent=True),
    key("shape", [64, 59, 59], "64×59×59"),
    {**key("choice", "a", "a"), "options": OPTIONS},
]
ALPHABET = st.sampled_from(
    list("0123456789۰۱۲۳۴۵۶۷۸۹٫٬.,_ xX×*/+-^%()[]eE=≈~") + ["floor", "sqrt", "**", "ر"]
)


@settings(max_examples=300, deadline=None)
@given(
    typed=st.one_of(st.text(max_size=40), st.lists(ALPHABET, max_size=25).map("".join)),
    which=st.integers(0, 4),
)
def test_any_text_gets_a_verdict_never_an_exception(typed: str, which: int) -> None:
    result = grade_part(FUZZ_KEYS[which], typed)
    assert result["status"] in ("correct", "partial", "wrong", "blank", "format_error")
    assert 0 <= result["score"] <= result["max_score"]
    assert result["feedback"]["en"] and result["feedback"]["fa"]


@settings(max_examples=60, deadline=None)
@given(
    typed=st.lists(
        st.sampled_from(list("x+-*/^()0123456789.") + ["exp", "sigma", "**", "|", " "]), max_size=20
    )
)
def test_any_expression_text_gets_a_verdict(typed: list[str]) -> None:
    result = grade_part(key("expression", "x*exp(-x)", "x*exp(-x)"), "".join(typed))
    assert result["status"] in ("correct", "wrong", "blank", "format_error")


@settings(max_examples=100, deadline=None)
@given(
    number=st.one_of(st.integers(-(10**9), 10**9), decimals().map(lambda d: d[0] * 10.0 ** d[1])),
    shape=st.lists(st.integers(1, 2048), min_size=1, max_size=4),
)
def test_selftest_agrees_with_any_well_formed_key(number: float, shape: list[int]) -> None:
    from grader import selftest_part

    kind = "integer" if isinstance(number, int) else "real"
    assert selftest_part(key(kind, number, str(number) if kind == "integer" else repr(number))) == []
    assert selftest_part(key("shape", shape, "×".join(map(str, shape)))) == []
