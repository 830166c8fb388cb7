"""Named generators and solvers (PrairieLearn's fixed phases: generate -> solve; grading lives in grader/).

A family module in `solutions/` (one module a family; shared helpers in `solutions/common/`) registers its pair:

    @generator("conv_output_size")
    def generate(rng: random.Random, ranges: dict) -> dict: ...      # seed -> params, pure

    @solver("conv_output_size")
    def solve(params: dict) -> Solution: ...                        # params -> answers + steps, pure

Generators get a private `random.Random` seeded from (item id, seed): no global RNG, no `hash()`, so the same
seed gives the same params in any process on any machine.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bank.item import Bilingual

Generator = Callable[[random.Random, dict[str, Any]], dict[str, Any]]


@dataclass
class Misconception:
    """A typical wrong answer and why a student gives it (computed by the solver, not typed in)."""

    value: Any
    hint: Bilingual


@dataclass
class Answer:
    value: Any  # machine-readable: int, float, list[int] (shape), str (sympy expression or option id)
    text: str | None = None  # how a student would write it; default derived from value
    misconceptions: list[Misconception] = field(default_factory=list)


@dataclass
class Solution:
    """What a solver returns: one Answer per (expanded) part id, and the values its templates show."""

    answers: dict[str, Answer]
    values: dict[str, Any] = field(default_factory=dict)


Solver = Callable[[dict[str, Any]], Solution]

GENERATORS: dict[str, Generator] = {}
SOLVERS: dict[str, Solver] = {}


def _register(table: dict, kind: str, name: str) -> Callable:
    def decorate(func: Callable) -> Callable:
        if name in table and table[name] is not func:
            raise ValueError(f"{kind} '{name}' is registered twice")
        table[name] = func
        return func

    return decorate


def generator(name: str) -> Callable[[Generator], Generator]:
    return _register(GENERATORS, "generator", name)


def solver(name: str) -> Callable[[Solver], Solver]:
    return _register(SOLVERS, "solver", name)


# found by name: the families import the registry, the registry never imports them
FAMILY_PACKAGE = "solutions"
_loaded = False


def load_families() -> None:
    """Import every family module of `solutions/` (each registers itself). Imports torch/sympy as they need.

    The bank finds families by name at run time: `solutions` imports `bank.registry`, never the reverse.
    """
    global _loaded
    if _loaded:
        return
    families = importlib.import_module(FAMILY_PACKAGE)
    for info in pkgutil.iter_modules(families.__path__):
        if not info.ispkg:  # solutions/common/ holds shared helpers, not families
            importlib.import_module(f"{FAMILY_PACKAGE}.{info.name}")
    _loaded = True


def get_generator(name: str) -> Generator:
    load_families()
    try:
        return GENERATORS[name]
    except KeyError:
        raise KeyError(f"no generator named '{name}'") from None


def get_solver(name: str) -> Solver:
    load_families()
    try:
        return SOLVERS[name]
    except KeyError:
        raise KeyError(f"no solver named '{name}'") from None


@generator("canonical_only")
def canonical_only(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """For items whose only variation is the option order (concept questions): no parameters."""
    return {}
