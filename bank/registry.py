"""Named generators and solvers (PrairieLearn's fixed phases: generate -> solve; grading lives in grader/).

A family module `solutions/<family>.py` (one module a family; shared helpers in `solutions/common/`) registers
its pair under the family's name, the name an item's `family:` key gives:

    @generator("conv_output_size")
    def generate(rng: random.Random, ranges: dict) -> dict: ...      # seed -> params, pure

    @solver("conv_output_size")
    def solve(params: dict) -> Solution: ...                        # params -> answers + steps, pure

The bank imports a family's module when one of its items is solved, and no other: an item that needs no torch
never imports it, and a broken module breaks only its own items.

Generators get a private `random.Random` seeded from (item id, seed): no global RNG, no `hash()`, so the same
seed gives the same params in any process on any machine.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bank.item import Bilingual
from base.errors import AzmoonError

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
    # the wrong values the family computes, None where one does not apply; the bank drops any the part's
    # comparator grades right against the answer or equal to an earlier one (bank.mistakes)
    misconceptions: list[Misconception | None] = field(default_factory=list)


@dataclass
class Solution:
    """What a solver returns: one Answer per (expanded) part id, and the values its templates show."""

    answers: dict[str, Answer]
    values: dict[str, Any] = field(default_factory=dict)


Solver = Callable[[dict[str, Any]], Solution]

GENERATORS: dict[str, Generator] = {}
SOLVERS: dict[str, Solver] = {}


def _same_function(a: Callable, b: Callable) -> bool:
    # a module that failed half-way and is imported again registers new function objects for the same code
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def _register(table: dict, kind: str, name: str) -> Callable:
    def decorate(func: Callable) -> Callable:
        if name in table and not _same_function(table[name], func):
            raise ValueError(f"{kind} '{name}' is registered twice")
        table[name] = func
        return func

    return decorate


def generator(name: str) -> Callable[[Generator], Generator]:
    return _register(GENERATORS, "generator", name)


def solver(name: str) -> Callable[[Solver], Solver]:
    return _register(SOLVERS, "solver", name)


class FamilyNotFound(AzmoonError, KeyError):
    """No module of the family package registers this name (a typo in an item's `family:`)."""

    def __str__(self) -> str:  # KeyError would quote its message
        return str(self.args[0])


# Found by name: the families import the registry, the registry never imports them.
FAMILY_PACKAGE = "solutions"


def _module_names() -> list[str]:
    package = importlib.import_module(FAMILY_PACKAGE)
    # solutions/common/ holds shared helpers, not families
    return [info.name for info in pkgutil.iter_modules(package.__path__) if not info.ispkg]


def _import_family(name: str) -> bool:
    """Import `<FAMILY_PACKAGE>.<name>` if that module exists; False if there is none. A module that exists but
    fails to import raises its own error (a bug in that family, with its traceback)."""
    module = f"{FAMILY_PACKAGE}.{name}"
    if module in sys.modules:
        return True
    if importlib.util.find_spec(FAMILY_PACKAGE) is None or importlib.util.find_spec(module) is None:
        return False
    importlib.import_module(module)
    return True


def _search_families(table: dict[str, Callable], name: str) -> None:
    """Older items name a generator/solver registered in a module of another name: import the family modules
    one by one until one registers it. A module that fails to import is skipped, so it breaks only its own
    items; it is named if the name is found nowhere."""
    broken: list[str] = []
    for module in _module_names():
        if name in table:
            return
        try:
            _import_family(module)
        except Exception as exc:  # noqa: BLE001 - another family's bug must not break this item
            broken.append(f"{module} ({type(exc).__name__}: {exc})")
    if name not in table:
        unreadable = f"; modules that failed to import: {', '.join(broken)}" if broken else ""
        raise FamilyNotFound(f"no family module of {FAMILY_PACKAGE}/ registers '{name}'{unreadable}")


def _lookup(table: dict[str, Callable], kind: str, name: str) -> Callable:
    if name not in table and not _import_family(name):
        _search_families(table, name)
    if name not in table:
        raise FamilyNotFound(f"{FAMILY_PACKAGE}/{name}.py registers no {kind} named '{name}'")
    return table[name]


def get_generator(name: str) -> Generator:
    """The generator registered under `name`: imports `solutions/<name>.py` (only that module) on first use."""
    return _lookup(GENERATORS, "generator", name)


def get_solver(name: str) -> Solver:
    """The solver registered under `name`: imports `solutions/<name>.py` (only that module) on first use."""
    return _lookup(SOLVERS, "solver", name)


def load_families() -> None:
    """Import every family module (each registers itself): only for listing them all, never to solve one item."""
    for module in _module_names():
        _import_family(module)


@generator("canonical_only")
def canonical_only(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    """For items whose only variation is the option order (concept questions): no parameters."""
    return {}
