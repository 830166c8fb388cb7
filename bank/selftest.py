"""Run an item over many seeds (R/exams' stresstest_exercise, PrairieLearn's `test` phase).

Per seed: the generator and the solver are deterministic; every answer is valid for its kind (finite numbers,
positive shape entries, a choice among the options); both languages render; and the three classes of answers
PrairieLearn tests are graded as they must be: the reference answer gets full marks and perturbed answers and
the solver's misconceptions don't (the grader's own checks, `grader.selftest_part`), and unreadable text
(`INVALID_ANSWERS`) is a format error, not a wrong answer (a format error uses no attempt).

Over all seeds: how many distinct variants there are (params, answers and option order), and — from
`MIN_SEEDS_FOR_VARIETY` seeds on — every choice part whose key the solver decides from the params (no option
marked `correct: true` in the YAML) takes more than one answer: a key that never changes is a question
students answer without reading it.
"""

from __future__ import annotations

import json
import math
from typing import Any

from bank.item import Item
from bank.pipeline import authored_answer, make_params, solve_item
from grader import grade_part, selftest_part

PERSIAN_LETTERS = set("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآ")
# unreadable for every kind: not a number, a shape, an expression nor an option id
INVALID_ANSWERS = ("@@ )(", "banana")
MIN_SEEDS_FOR_VARIETY = 20


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


def invalid_answer_problems(part: dict[str, Any]) -> list[str]:
    """Unreadable text must be a format error (no attempt used), never a wrong or a right answer."""
    if part.get("manual"):
        return []
    problems = []
    for typed in INVALID_ANSWERS:
        status = grade_part(part, typed)["status"]
        if status != "format_error":
            problems.append(f"unreadable answer {typed!r} grades {status}, not format_error")
    return problems


def decided_choices(item: Item) -> set[str]:
    """The choice parts whose key the solver decides from the params (the YAML marks no option correct)."""
    return {p.id for p in item.parts if p.kind == "choice" and p.each is None and authored_answer(p) is None}


def check_seed(item: Item, seed: int, repeat: bool) -> tuple[list[str], dict[str, Any]]:
    """The problems of one seed, and the variant's document (`azmoon solve --json`)."""
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
        for problem in [*selftest_part(part), *invalid_answer_problems(part)]:
            failures.append(f"seed {seed}: part {part['id']}: {problem}")
    return failures, document


def _variety_failures(item: Item, keys: dict[str, set[str]], seeds: int) -> list[str]:
    if seeds < MIN_SEEDS_FOR_VARIETY:
        return []
    return [
        f"part {part_id}: the solver answers {sorted(answers)[0]!r} for all {seeds} seeds (a choice the params "
        "decide must take more than one answer)"
        for part_id, answers in sorted(keys.items())
        if len(answers) == 1
    ]


def stress_test(item: Item, seeds: int = 100) -> dict[str, Any]:
    failures: list[str] = []
    variants: set[str] = set()
    decided = decided_choices(item)
    keys: dict[str, set[str]] = {part_id: set() for part_id in decided}
    for seed in range(seeds):
        try:
            seed_failures, document = check_seed(item, seed, repeat=seed < 3)
            failures.extend(seed_failures)
            variants.add(variant_fingerprint(document))
            for part in document["parts"]:
                if part["id"] in decided:
                    keys[part["id"]].add(str(part["answer"]))
        except Exception as exc:  # a crash on one seed is a failure to report, not a reason to stop
            failures.append(f"seed {seed}: {type(exc).__name__}: {exc}")
    failures.extend(_variety_failures(item, keys, seeds))
    return {
        "item": item.id,
        "seeds": seeds,
        "distinct_variants": len(variants),
        "ok": not failures,
        "failures": failures,
    }
