"""The question bank: seed -> params (generate), params -> key (solve), and rendering in both languages.

`solve_item(item, seed)` returns a `SolvedItem`: the JSON of `azmoon solve` and, part by part, the key that the
course workflow stores at generation and the grader reads at submit time (no torch, no solver needed then):
`SolvedItem.part_keys` typed (`bank.partkey.PartKey`), `SolvedItem.parts` as stored (JSON).
"""

from __future__ import annotations

import dataclasses
import functools
import random
from dataclasses import dataclass
from typing import Any

import jinja2

from bank.item import Item, Part
from bank.mistakes import distinct_mistakes
from bank.partkey import MisconceptionKey, OptionKey, PartKey
from bank.registry import Answer, get_generator, get_solver
from base.errors import AzmoonError
from lang import LANGS, fmt_number, fmt_shape, localize


class SolveError(AzmoonError, ValueError):
    """The solver's answers do not fit the item's parts (a mistake in the item's YAML, reported by name)."""


def item_rng(item_id: str, seed: int, salt: str = "") -> random.Random:
    # random.Random seeded with a str hashes it with SHA-512: stable across processes and machines
    return random.Random(f"azmoon:{item_id}:{seed}:{salt}")


def make_params(item: Item, seed: int) -> dict[str, Any]:
    """Seed 0 is the catalogue's canonical instance where the item has one."""
    if seed == 0 and item.canonical is not None:
        return dict(item.canonical)
    return get_generator(item.generator_name)(item_rng(item.id, seed), dict(item.ranges))


_env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
_env.filters["num"] = fmt_number
_env.filters["shape"] = fmt_shape


@functools.lru_cache(maxsize=1024)
def _compiled(template: str) -> jinja2.Template:
    return _env.from_string(template)


def render(template: str, context: dict[str, Any], lang: str) -> str:
    """Fill a Jinja2 template and localize it (Persian digits outside `code` and $math$)."""
    text = _compiled(template).render(**context, lang=lang)
    return localize(text.strip(), lang)


def answer_text(kind: str, value: Any) -> str:
    if kind == "shape":
        return fmt_shape(value)
    if kind in ("integer", "real") and isinstance(value, int | float):
        return fmt_number(value).replace(",", "") if kind == "integer" else repr(value)
    return str(value)


@dataclass
class SolvedItem:
    item: Item
    seed: int
    params: dict[str, Any]
    statement: dict[str, str]
    part_keys: list[PartKey]
    solution: dict[str, str]

    @functools.cached_property
    def parts(self) -> list[dict[str, Any]]:
        """The part keys as stored (JSON): the contract's part fields + grading, misconceptions, options, form."""
        return [key.to_json() for key in self.part_keys]

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item.id,
            "seed": self.seed,
            "params": self.params,
            "title": {lang: self.item.title.get(lang) for lang in LANGS},
            "statement": self.statement,
            "parts": self.parts,
            "solution": self.solution,
        }


def _expand(part: Part, values: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if part.each is None:
        return [(part.id, {})]
    rows = values.get(part.each)
    if not isinstance(rows, list):
        raise SolveError(f"part '{part.id}' expands over '{part.each}', which the solver did not return")
    return [(part.id.format(**row), {"row": row}) for row in rows]


def _bilingual(texts: Any) -> dict[str, str]:  # a bank.item.Bilingual
    return {lang: localize(texts.get(lang), lang) for lang in LANGS}


def _options(item: Item, part: Part, part_id: str, seed: int) -> list[OptionKey]:
    options = list(part.options or [])
    if part.shuffle and seed != 0:
        item_rng(item.id, seed, salt=part_id).shuffle(options)
    return [
        OptionKey(id=o.id, text=_bilingual(o.text), feedback=_bilingual(o.feedback) if o.feedback else None)
        for o in options
    ]


def authored_answer(part: Part) -> Answer | None:
    """A key the item's author wrote in the YAML: the option marked `correct: true` of a choice part, or the
    `grading.rubric` (model answer) of a manual part. Concept questions are keyed this way; their solver only
    decides which parts a variant asks."""
    if part.kind == "choice":
        marked = [o.id for o in part.options or [] if o.correct]
        return Answer(marked[0]) if marked else None
    rubric = part.grading.get("rubric")
    if part.manual and isinstance(rubric, dict) and isinstance(rubric.get("en"), str):
        return Answer(rubric["en"])
    return None


def _part_answer(item: Item, part: Part, part_id: str, answers: dict[str, Answer]) -> Answer:
    """The solver's answer; a part the author keyed in the YAML may leave it out, but never contradict it."""
    computed, authored = answers.get(part_id), authored_answer(part)
    if computed is not None and authored is not None and computed.value != authored.value:
        raise SolveError(
            f"{item.id}: part '{part_id}': solver answers {computed.value!r}, the YAML keys {authored.value!r}"
        )
    if computed is not None:
        return computed
    if authored is not None:
        return authored
    raise SolveError(f"{item.id}: solver '{item.solver_name}' gave no answer for part '{part_id}'")


def _part_key(
    item: Item, part: Part, part_id: str, answer: Answer, local: dict[str, Any], seed: int
) -> PartKey:
    key = _bare_part_key(item, part, part_id, answer, local, seed)
    mistakes = distinct_mistakes(key.to_json(), answer.misconceptions)
    return dataclasses.replace(
        key, misconceptions=[MisconceptionKey(value=m.value, hint=_bilingual(m.hint)) for m in mistakes]
    )


def _bare_part_key(
    item: Item, part: Part, part_id: str, answer: Answer, local: dict[str, Any], seed: int
) -> PartKey:
    """The part's key without the solver's mistakes (which `distinct_mistakes` checks against it)."""
    return PartKey(
        id=part_id,
        kind=part.kind,
        prompt={lang: render(part.prompt.get(lang), local, lang) for lang in LANGS},
        answer=answer.value,
        answer_text=answer.text if answer.text is not None else answer_text(part.kind, answer.value),
        points=part.points,
        grading=dict(part.grading),
        form=None
        if part.form is None
        else {lang: render(part.form.get(lang), local, lang) for lang in LANGS},
        options=_options(item, part, part_id, seed) if part.kind == "choice" else None,
        manual=part.manual,
    )


def solve_item(item: Item, seed: int) -> SolvedItem:
    params = make_params(item, seed)
    solution = get_solver(item.solver_name)(params)
    context = {**params, **solution.values, "params": params}
    keys = [
        _part_key(
            item,
            part,
            part_id,
            _part_answer(item, part, part_id, solution.answers),
            {**context, **extra},
            seed,
        )
        for part in item.parts
        for part_id, extra in _expand(part, solution.values)
    ]
    extra_answers = sorted(set(solution.answers) - {key.id for key in keys})
    if extra_answers:
        raise SolveError(f"{item.id}: solver gave answers for unknown parts {extra_answers}")
    return SolvedItem(
        item=item,
        seed=seed,
        params=params,
        statement={lang: render(item.statement.get(lang), context, lang) for lang in LANGS},
        part_keys=keys,
        solution={lang: render(item.solution.get(lang), context, lang) for lang in LANGS},
    )
