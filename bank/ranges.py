"""Typed ranges: what an item's `ranges:` values mean, said in the YAML and checked when the item loads.

    ranges:
      W: {int: [16, 512]}             # an integer, lo..hi inclusive           -> rng.randint(16, 512)
      K: {one_of: [3, 3, 5, 7]}       # one of the listed values (repeat to weight) -> rng.choice([...])
      x0: {decimal: [-2, 2, 0.5]}     # a multiple of the step in lo..hi, printed short -> rng.randint(0, 8)
      centre: {real: [0.2, 0.8]}      # a real number in lo..hi                 -> rng.uniform(0.2, 0.8)
      x_max: 3                        # a plain number or text: a constant the family reads as it is
      vary: {c1: {int: [8, 64]}}      # a mapping without a type: a group of named ranges
      settings: {...}                 # a family's fixed settings (the network family): not ranges, kept as given

A plain list is refused: `[2, 3]` could mean "2 or 3" or "2 to 3", and only the Python knew which.

Generators still receive the mapping as written and draw with `draw(rng, ranges["W"])`; each kind makes one
call on the generator's `random.Random`, the same call the families made before ranges were typed, so every
seed keeps its params. `sample_until(attempt, tries=N)` replaces open `while True:` loops: it calls `attempt()`
until it returns something other than None, at most N times, and then fails with an error that says so.
"""

from __future__ import annotations

import decimal
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from base.errors import AzmoonError

T = TypeVar("T")

SETTINGS = "settings"  # the one key whose value is not ranges: a family's fixed settings
DEFAULT_TRIES = 1000


class RangeError(AzmoonError, ValueError):
    """A range the item cannot use, or draws that never met the generator's conditions."""


def _written_decimals(number: float) -> int:
    exponent = decimal.Decimal(repr(number)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True)
class IntRange:
    lo: int
    hi: int

    def draw(self, rng: random.Random) -> int:
        return rng.randint(self.lo, self.hi)


@dataclass(frozen=True)
class OneOf:
    values: tuple[Any, ...]

    def draw(self, rng: random.Random) -> Any:
        return rng.choice(self.values)


@dataclass(frozen=True)
class DecimalRange:
    lo: float
    hi: float
    step: float

    @property
    def count(self) -> int:
        return round((self.hi - self.lo) / self.step)

    @property
    def places(self) -> int:
        """Decimals that lo + k·step needs, as lo and the step are written: 0.5 -> 1, 0.25 -> 2, 2.5 -> 1."""
        return max(_written_decimals(self.step), _written_decimals(self.lo))

    def draw(self, rng: random.Random) -> float:
        return round(self.lo + self.step * rng.randint(0, self.count), self.places)


@dataclass(frozen=True)
class RealRange:
    lo: float
    hi: float

    def draw(self, rng: random.Random) -> float:
        return rng.uniform(self.lo, self.hi)


Range = IntRange | OneOf | DecimalRange | RealRange
KINDS = ("int", "one_of", "decimal", "real")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _bounds(name: str, kind: str, value: Any, size: int) -> list[Any]:
    if not isinstance(value, list) or len(value) != size or not all(_is_number(v) for v in value):
        shape = "[lo, hi]" if size == 2 else "[lo, hi, step]"
        raise RangeError(f"range '{name}': {kind} takes {shape} (numbers), not {value!r}")
    if value[0] > value[1]:
        raise RangeError(f"range '{name}': lo {value[0]} is above hi {value[1]}")
    return value


def _parse_int(name: str, value: Any) -> IntRange:
    lo, hi = _bounds(name, "int", value, 2)
    if not all(isinstance(v, int) for v in (lo, hi)):
        raise RangeError(f"range '{name}': int takes whole numbers, not {value!r} (for reals write real:)")
    return IntRange(lo, hi)


def _parse_one_of(name: str, value: Any) -> OneOf:
    if not isinstance(value, list) or not value:
        raise RangeError(f"range '{name}': one_of takes a non-empty list, not {value!r}")
    return OneOf(tuple(value))


def _parse_decimal(name: str, value: Any) -> DecimalRange:
    lo, hi, step = _bounds(name, "decimal", value, 3)
    if step <= 0:
        raise RangeError(f"range '{name}': the step must be positive, not {step}")
    steps = (hi - lo) / step
    if abs(steps - round(steps)) > 1e-9:
        raise RangeError(f"range '{name}': {hi} - {lo} is not a whole number of steps of {step}")
    return DecimalRange(lo, hi, step)


def _parse_real(name: str, value: Any) -> RealRange:
    lo, hi = _bounds(name, "real", value, 2)
    return RealRange(lo, hi)


PARSERS: dict[str, Callable[[str, Any], Range]] = {
    "int": _parse_int,
    "one_of": _parse_one_of,
    "decimal": _parse_decimal,
    "real": _parse_real,
}


def typed(spec: Any) -> bool:
    """A mapping of exactly one range kind (`{int: [...]}`), as opposed to a group or a constant."""
    return isinstance(spec, Mapping) and len(spec) == 1 and next(iter(spec)) in PARSERS


def _names_a_kind(spec: Any) -> bool:
    """A mapping with a range kind among its keys: a typed range, or a mistyped one (two kinds, or extras)."""
    return isinstance(spec, Mapping) and any(k in PARSERS for k in spec)


def parse_range(name: str, spec: Any) -> Range:
    """One typed range; RangeError names the range and says what to write."""
    if isinstance(spec, Range):
        return spec
    if typed(spec):
        kind, value = next(iter(spec.items()))
        return PARSERS[kind](name, value)
    if _names_a_kind(spec):
        raise RangeError(f"range '{name}': give one kind alone ({', '.join(KINDS)}), not {sorted(spec)}")
    raise RangeError(f"range '{name}': write {{int: [lo, hi]}}, {{one_of: [...]}}, {{decimal: [lo, hi, step]}} "
                     f"or {{real: [lo, hi]}}, not {spec!r}")  # fmt: skip


def _parse_value(name: str, spec: Any) -> Any:
    if _names_a_kind(spec):
        return parse_range(name, spec)
    if isinstance(spec, Mapping):
        return {str(k): _parse_value(f"{name}.{k}", v) for k, v in spec.items()}
    if isinstance(spec, list):
        raise RangeError(
            f"range '{name}': a plain list does not say what it means: write {{one_of: {spec!r}}} "
            f"for one of these values, or {{int: [lo, hi]}} for every integer from lo to hi"
        )
    if spec is None:
        raise RangeError(f"range '{name}': empty")
    return spec  # a constant: a number, a text, a truth value


def parse_ranges(ranges: Mapping[str, Any]) -> dict[str, Any]:
    """Every range of an item, typed: Range objects, constants, groups (dicts); `settings:` as written."""
    return {
        str(name): spec if name == SETTINGS else _parse_value(str(name), spec)
        for name, spec in ranges.items()
    }


def draw(rng: random.Random, spec: Any, name: str = "range") -> Any:
    """One value of a typed range (one call on `rng`); a constant is returned as it is, with no call."""
    if typed(spec) or isinstance(spec, Range):
        return parse_range(name, spec).draw(rng)
    if isinstance(spec, Mapping | list) or spec is None:
        parse_range(name, spec)  # raises, naming the range
    return spec


def options(spec: Any, name: str = "range") -> list[Any]:
    """The values of a `one_of` range, or every integer of an `int` range, in order."""
    parsed = parse_range(name, spec)
    if isinstance(parsed, OneOf):
        return list(parsed.values)
    if isinstance(parsed, IntRange):
        return list(range(parsed.lo, parsed.hi + 1))
    raise RangeError(f"range '{name}': a {type(parsed).__name__} has no list of values")


def bounds(spec: Any, name: str = "range") -> tuple[Any, Any]:
    """(lo, hi) of an `int`, `decimal` or `real` range."""
    parsed = parse_range(name, spec)
    if isinstance(parsed, OneOf):
        raise RangeError(f"range '{name}': one_of has values, not bounds")
    return parsed.lo, parsed.hi


def sample_until(attempt: Callable[[], T | None], *, tries: int = DEFAULT_TRIES, what: str = "the item") -> T:
    """`attempt()` until it gives something other than None, at most `tries` times (one attempt = one draw of
    everything that may be rejected, so the random calls stay those of the loop it replaces)."""
    for _ in range(tries):
        result = attempt()
        if result is not None:
            return result
    raise RangeError(
        f"{what}: no draw in {tries} tries met the generator's conditions: widen the ranges or relax the conditions"
    )
