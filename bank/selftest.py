"""Run an item over many seeds (R/exams' stresstest_exercise, PrairieLearn's `test` phase).

Per seed: the generator and the solver are deterministic; every answer is valid for its kind (finite numbers,
positive shape entries, a choice among the options); both languages render; and the reference answer is checked
by the grader's own checks (`grader.selftest_part`). Over all seeds: how many distinct variants there are
(params, answers and option order).
"""

from __future__ import annotations

import json
import math
from typing import Any

from bank.item import Item
from bank.pipeline import make_params, solve_item
from grader import selftest_part

PERSIAN_LETTERS = set("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآ")


def _answer_problem(part: dict[str, Any]) -> str | None:
    kind, value = part["kind"], part["answer"]
    if kind == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
        return f"integer part answer is {value!r}"
    if kind == "real" and not (isinstance(value, int | float) and math.isfinite(value)):
        return f"real part answer is {value!r}"
    if kind == "shape" and not (
        isinstance(value, list) and value and all(isinstance(v, int) and v > 0 for v in value)
    ):
        return f"shape part answer is {value!r}"
    if kind == "choice" and value not in {o["id"] for o in part.get("options", [])}:
        return f"choice answer {value!r} is not an option"
    if kind == "expression" and not (isinstance(value, str) and value.strip()):
        return f"expression answer is {value!r}"
    return None


def _render_problem(texts: dict[str, str], what: str) -> str | None:
    if not texts["en"].strip():
        return f"{what}: English text is empty"
    if not PERSIAN_LETTERS & set(texts["fa"]):
        return f"{what}: Persian text has no Persian letters"
    return None


def variant_fingerprint(document: dict[str, Any]) -> str:
    """What makes a variant different for a student: params, answers and the order of options."""
    parts = [(p["id"], p["answer"], [o["id"] for o in p.get("options", [])]) for p in document["parts"]]
    return json.dumps([document["params"], parts], sort_keys=True, default=str)


def check_seed(item: Item, seed: int, repeat: bool) -> tuple[list[str], str]:
    failures: list[str] = []
    params = make_params(item, seed)
    if make_params(item, seed) != params:
        failures.append(f"seed {seed}: generator is not deterministic")
    solved = solve_item(item, seed)
    document = solved.to_json()
    if repeat and json.dumps(solve_item(item, seed).to_json(), sort_keys=True) != json.dumps(
        document, sort_keys=True
    ):
        failures.append(f"seed {seed}: solver is not deterministic")
    for what, texts in [("statement", solved.statement), ("solution", solved.solution)]:
        problem = _render_problem(texts, what)
        if problem:
            failures.append(f"seed {seed}: {problem}")
    for part in solved.parts:
        for problem in (_answer_problem(part), _render_problem(part["prompt"], f"part {part['id']} prompt")):
            if problem:
                failures.append(f"seed {seed}: part {part['id']}: {problem}")
        failures.extend(f"seed {seed}: part {part['id']}: {p}" for p in selftest_part(part))
    return failures, variant_fingerprint(document)


def stress_test(item: Item, seeds: int = 100) -> dict[str, Any]:
    failures: list[str] = []
    variants: set[str] = set()
    for seed in range(seeds):
        try:
            seed_failures, fingerprint = check_seed(item, seed, repeat=seed < 3)
            failures.extend(seed_failures)
            variants.add(fingerprint)
        except Exception as exc:  # a crash on one seed is a failure to report, not a reason to stop
            failures.append(f"seed {seed}: {type(exc).__name__}: {exc}")
    return {
        "item": item.id,
        "seeds": seeds,
        "distinct_variants": len(variants),
        "ok": not failures,
        "failures": failures,
    }
