"""bank/ranges.py: what each typed range draws (the exact random calls, so every seed keeps its params), what it
refuses and with which words, and sample_until's bound. Every expected value is the call a family made before
ranges were typed, made here on a twin generator: the draw and the twin must agree, and so must the generators'
states afterwards (the same number of calls, not just the same value)."""

from __future__ import annotations

import math
import random

import pytest

from bank import ranges
from bank.ranges import (
    DEFAULT_TRIES,
    RangeError,
    bounds,
    draw,
    options,
    parse_range,
    parse_ranges,
    sample_until,
)
from base.errors import AzmoonError


def decimal_choice(rng: random.Random, low: float, high: float, step: float) -> float:
    """solutions/common/grad_tools.decimal_choice as the gradient families drew with it before `{decimal: ...}`
    (commit eb60503, verbatim), kept here as the reference the typed range must match call for call."""
    count = round((high - low) / step)
    places = max(0, -math.floor(math.log10(step)) if step < 1 else 0)
    return round(low + step * rng.randint(0, count), places)


SEED = 7

# (spec, the call it must make on random.Random(SEED)); a constant makes no call at all
KINDS = [
    ({"int": [16, 512]}, lambda r: r.randint(16, 512)),
    ({"int": [-3, -3]}, lambda r: r.randint(-3, -3)),
    ({"one_of": [3, 3, 5, 7]}, lambda r: r.choice([3, 3, 5, 7])),
    ({"one_of": ["resnet50", "swin_t"]}, lambda r: r.choice(["resnet50", "swin_t"])),
    ({"one_of": [[1, 2], [3, 4]]}, lambda r: r.choice([[1, 2], [3, 4]])),
    ({"decimal": [-2, 2, 0.5]}, lambda r: round(-2 + 0.5 * r.randint(0, 8), 1)),
    ({"decimal": [0, 1, 0.1]}, lambda r: round(0 + 0.1 * r.randint(0, 10), 1)),
    ({"decimal": [0.05, 0.95, 0.05]}, lambda r: round(0.05 + 0.05 * r.randint(0, 18), 2)),
    ({"real": [0.2, 0.8]}, lambda r: r.uniform(0.2, 0.8)),
    (3, lambda r: 3),
    (0.5, lambda r: 0.5),
    ("CHW", lambda r: "CHW"),
    (True, lambda r: True),
]


@pytest.mark.parametrize(("spec", "call"), KINDS, ids=[repr(spec) for spec, _ in KINDS])
def test_each_kind_makes_the_call_it_replaces(spec, call) -> None:
    rng, twin = random.Random(SEED), random.Random(SEED)
    assert draw(rng, spec, "x") == call(twin)
    assert rng.getstate() == twin.getstate()


@pytest.mark.parametrize(("spec", "call"), KINDS, ids=[repr(spec) for spec, _ in KINDS])
def test_a_parsed_range_draws_like_the_mapping(spec, call) -> None:
    parsed = parse_ranges({"x": spec})["x"]
    rng, twin = random.Random(SEED), random.Random(SEED)
    assert draw(rng, parsed, "x") == call(twin)
    assert rng.getstate() == twin.getstate()


def test_draws_in_a_row_keep_the_order_of_the_calls() -> None:
    spec = {"W": {"int": [16, 512]}, "K": {"one_of": [3, 5, 7]}, "x0": {"decimal": [-2, 2, 0.5]}}
    rng, twin = random.Random(SEED), random.Random(SEED)
    got = [draw(rng, spec[name], name) for name in ("W", "K", "x0")]
    assert got == [twin.randint(16, 512), twin.choice([3, 5, 7]), round(-2 + 0.5 * twin.randint(0, 8), 1)]


# the old helper rounded a 0.25 step to one decimal (-0.75 -> -0.8); no bank item had such a step, and the typed
# range keeps the step's own decimals (test_a_decimal_step_with_two_significant_digits_is_kept)
DECIMALS = [(-2, 2, 0.5), (-3, 3, 0.5), (0.5, 2, 0.5), (0, 1, 0.1), (-1, 1, 0.05), (0, 10, 2),
            (0, 0.003, 0.001), (1, 1, 0.5)]  # fmt: skip


@pytest.mark.parametrize(("lo", "hi", "step"), DECIMALS)
def test_decimal_draws_exactly_like_grad_tools_decimal_choice(lo, hi, step) -> None:
    rng, twin = random.Random(SEED), random.Random(SEED)
    for _ in range(500):
        assert draw(rng, {"decimal": [lo, hi, step]}, "x") == decimal_choice(twin, lo, hi, step)
    assert rng.getstate() == twin.getstate()


@pytest.mark.parametrize(("lo", "hi", "step"), [(-2, 2, 0.5), (0, 1, 0.1), (-1, 1, 0.05), (0, 10, 2)])
def test_a_decimal_is_a_short_multiple_of_its_step_inside_its_bounds(lo, hi, step) -> None:
    rng = random.Random(SEED)
    seen = {draw(rng, {"decimal": [lo, hi, step]}, "x") for _ in range(500)}
    count = round((hi - lo) / step)
    assert seen == {round(lo + step * k, 10) for k in range(count + 1)}  # every multiple, nothing else
    assert all(decimals(v) <= decimals(step) for v in seen)  # short: 0.3, never 0.30000000000000004


def decimals(value: float) -> int:
    """Decimals printed: 0.05 -> 2, 0.3 -> 1, 2.0 -> 0, 2 -> 0."""
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


@pytest.mark.parametrize(("lo", "hi", "step"), [(-1, 1, 0.25), (0, 3, 0.75), (0, 10, 2.5)])
def test_a_decimal_step_with_two_significant_digits_is_kept(lo, hi, step) -> None:
    rng = random.Random(SEED)
    seen = {draw(rng, {"decimal": [lo, hi, step]}, "x") for _ in range(500)}
    assert seen == {lo + step * k for k in range(round((hi - lo) / step) + 1)}


def test_options_and_bounds() -> None:
    assert options({"one_of": [3, 3, 5, 7]}) == [3, 3, 5, 7]  # the repeats that weight the draw stay
    assert options({"int": [2, 5]}) == [2, 3, 4, 5]
    assert bounds({"int": [16, 512]}) == (16, 512)
    assert bounds({"decimal": [-2, 2, 0.5]}) == (-2, 2)
    assert bounds({"real": [0.2, 0.8]}) == (0.2, 0.8)
    assert options(parse_range("K", {"one_of": ["a", "b"]})) == ["a", "b"]


def test_a_group_and_settings_parse_as_written() -> None:
    typed = parse_ranges(
        {"models": {"one_of": ["resnet50"]}, "pick": 3, "vary": {"c1": {"int": [8, 64]}, "k": 3},
         "settings": {"input": [3, {"int": [28, 36]}, 32], "network": "Layer1: ReLU()"}}
    )  # fmt: skip
    assert typed["models"] == ranges.OneOf(("resnet50",))
    assert typed["pick"] == 3
    assert typed["vary"] == {"c1": ranges.IntRange(8, 64), "k": 3}
    assert typed["settings"] == {"input": [3, {"int": [28, 36]}, 32], "network": "Layer1: ReLU()"}


# (spec, the message the refusal starts with): every refusal names the range and says what to write
REFUSALS = [
    ({"int": [1]}, "range 'W': int takes [lo, hi] (numbers), not [1]"),
    ({"int": [1, 2, 3]}, "range 'W': int takes [lo, hi] (numbers), not [1, 2, 3]"),
    ({"int": "16..512"}, "range 'W': int takes [lo, hi] (numbers), not '16..512'"),
    ({"int": ["a", 2]}, "range 'W': int takes [lo, hi] (numbers), not ['a', 2]"),
    ({"int": [True, 2]}, "range 'W': int takes [lo, hi] (numbers), not [True, 2]"),
    ({"int": [0, float("inf")]}, "range 'W': int takes [lo, hi] (numbers), not [0, inf]"),
    ({"int": [1, 2.5]}, "range 'W': int takes whole numbers, not [1, 2.5] (for reals write real:)"),
    ({"int": [512, 16]}, "range 'W': lo 512 is above hi 16"),
    ({"one_of": []}, "range 'W': one_of takes a non-empty list, not []"),
    ({"one_of": 3}, "range 'W': one_of takes a non-empty list, not 3"),
    ({"decimal": [0, 1]}, "range 'W': decimal takes [lo, hi, step] (numbers), not [0, 1]"),
    ({"decimal": [0, 1, 0]}, "range 'W': the step must be positive, not 0"),
    ({"decimal": [0, 1, -0.5]}, "range 'W': the step must be positive, not -0.5"),
    ({"decimal": [0, 1, 0.3]}, "range 'W': 1 - 0 is not a whole number of steps of 0.3"),
    ({"decimal": [2, -2, 0.5]}, "range 'W': lo 2 is above hi -2"),
    ({"real": [0.8, 0.2]}, "range 'W': lo 0.8 is above hi 0.2"),
    ({"real": [0.2]}, "range 'W': real takes [lo, hi] (numbers), not [0.2]"),
    ({"int": [1, 2], "one_of": [1]}, "range 'W': give one kind alone (int, one_of, decimal, real), not ['int', 'one_of']"),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "message"), REFUSALS, ids=[m.split(": ", 1)[1][:40] for _, m in REFUSALS])
def test_a_bad_range_is_refused_when_the_item_loads_and_when_drawn(spec, message) -> None:
    with pytest.raises(RangeError) as loading:
        parse_ranges({"W": spec})
    assert str(loading.value) == message
    rng = random.Random(SEED)
    state = rng.getstate()
    with pytest.raises(RangeError) as drawing:
        draw(rng, spec, "W")
    assert str(drawing.value) == message
    assert rng.getstate() == state  # nothing drawn


def test_a_range_inside_a_group_is_named_by_its_path() -> None:
    with pytest.raises(RangeError, match=r"^range 'vary\.c1': one_of takes a non-empty list, not \[\]$"):
        parse_ranges({"vary": {"c1": {"one_of": []}}})


def test_an_empty_range_and_an_untyped_mapping_are_refused() -> None:
    with pytest.raises(RangeError, match=r"^range 'W': empty$"):
        parse_ranges({"W": None})
    expected = "range 'W': write {int: [lo, hi]}, {one_of: [...]}, {decimal: [lo, hi, step]} or {real: [lo, hi]}, not"
    for spec in (None, {"ints": [1, 2]}, {"lo": 1, "hi": 2}):
        with pytest.raises(RangeError) as info:
            draw(random.Random(SEED), spec, "W")
        assert str(info.value) == f"{expected} {spec!r}"


def test_options_and_bounds_refuse_what_they_cannot_give() -> None:
    with pytest.raises(RangeError, match=r"^range 'x0': a DecimalRange has no list of values$"):
        options({"decimal": [-2, 2, 0.5]}, "x0")
    with pytest.raises(RangeError, match=r"^range 'c': a RealRange has no list of values$"):
        options({"real": [0.2, 0.8]}, "c")
    with pytest.raises(RangeError, match=r"^range 'K': one_of has values, not bounds$"):
        bounds({"one_of": [3, 5]}, "K")
    with pytest.raises(RangeError, match=r"^range 'K': write \{int"):
        options([3, 5], "K")


def test_a_range_error_is_a_clean_cli_error() -> None:
    assert issubclass(RangeError, AzmoonError) and issubclass(RangeError, ValueError)


# --- plain lists: refused, because they do not say what they mean --------------------------------------------------


@pytest.mark.parametrize("where", ["top", "group"])
def test_a_plain_list_is_refused(where: str) -> None:
    spec = {"C_in": [1, 3, 16]} if where == "top" else {"vary": {"C_in": [1, 3, 16]}}
    name = "C_in" if where == "top" else "vary.C_in"
    with pytest.raises(RangeError) as info:
        parse_ranges(spec)
    assert str(info.value) == (
        f"range '{name}': a plain list does not say what it means: write {{one_of: [1, 3, 16]}} for one of these "
        "values, or {int: [lo, hi]} for every integer from lo to hi"
    )


def test_settings_keep_their_lists() -> None:
    assert parse_ranges({"settings": {"input": [3, 32, 32]}}) == {"settings": {"input": [3, 32, 32]}}


# --- sample_until: the loop it replaces, bounded -------------------------------------------------------------------


def test_sample_until_makes_the_calls_of_the_while_true_loop() -> None:
    def loop(rng: random.Random) -> tuple[int, int]:  # the open loop families wrote before
        while True:
            a, b = rng.randint(1, 6), rng.randint(1, 6)
            if a + b >= 11:
                return a, b

    rng, twin = random.Random(SEED), random.Random(SEED)

    def attempt() -> tuple[int, int] | None:
        a, b = rng.randint(1, 6), rng.randint(1, 6)
        return (a, b) if a + b >= 11 else None

    for _ in range(50):
        assert sample_until(attempt, tries=200, what="dice") == loop(twin)
    assert rng.getstate() == twin.getstate()


def test_sample_until_stops_at_the_first_result_even_a_falsy_one() -> None:
    calls = []

    def attempt() -> int | None:
        calls.append(1)
        return 0 if len(calls) == 3 else None

    assert sample_until(attempt, tries=5) == 0
    assert len(calls) == 3


@pytest.mark.parametrize("tries", [1, 5, 37])
def test_sample_until_tries_exactly_n_times_then_says_so(tries: int) -> None:
    calls = []

    def attempt() -> None:
        calls.append(1)

    with pytest.raises(RangeError) as info:
        sample_until(attempt, tries=tries, what="e25_demo")
    assert len(calls) == tries
    assert str(info.value) == (
        f"e25_demo: no draw in {tries} tries met the generator's conditions: widen the ranges or relax the conditions"
    )


def test_sample_until_defaults() -> None:
    calls = []
    with pytest.raises(RangeError) as info:
        sample_until(lambda: calls.append(1))
    assert len(calls) == DEFAULT_TRIES == 1000
    assert str(info.value).startswith("the item: no draw in 1000 tries")
