"""The question-item format: one YAML file per family, validated with pydantic.

An item keeps parameters, parts, solution and meta-information together (R/exams style):

    id: conv_output_size            # unique, [a-z0-9_]
    catalogue: A3                   # family in QUESTION-CATALOGUE.md
    topic: cnn-arithmetic
    tags: [conv, output-size]
    title: {fa: ..., en: ...}
    statement: {fa: ..., en: ...}   # Jinja2 template over params and solver values
    generator: conv_output_size     # registered name: (rng, ranges) -> params
    ranges: {W: [32, 512]}          # the generator's ranges, passed to it as `ranges`
    canonical: {W: 240, K: 3, ...}  # seed 0 = the seed sheet's instance
    solver: conv_output_size        # registered name: params -> Solution
    parts:
      - id: out
        kind: integer               # integer | real | shape | expression | choice | text
        prompt: {fa: ..., en: ...}
        points: 1
        grading: {comparator: exact}   # see grader/ for comparators and their settings
    solution: {fa: ..., en: ...}    # worked solution template, filled from the solver's own values

A part with `each: layers` is expanded once per row of the solver's `values["layers"]` (each row a dict
with a `key`); its id is a template (`"{key}_shape"`) and its prompt sees the row as `row`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PartKind = Literal["integer", "real", "shape", "expression", "choice", "text"]
ITEM_ID = re.compile(r"^[a-z][a-z0-9_]*$")
CATALOGUE_ID = re.compile(r"^[A-E]\d{1,2}$")


class ItemError(ValueError):
    """A question item that cannot be loaded: the message names the file and the field."""


class Bilingual(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fa: str
    en: str

    def get(self, lang: str) -> str:
        return self.fa if lang == "fa" else self.en


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    text: Bilingual
    correct: bool = False
    feedback: Bilingual | None = None  # why this option is right or wrong


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    kind: PartKind
    prompt: Bilingual
    points: float = Field(default=1.0, ge=0)
    each: str | None = None  # expand over solver values[each]
    grading: dict[str, Any] = Field(default_factory=dict)  # comparator and its settings
    form: Bilingual | None = None  # the expected form, shown in the answer file and on format errors
    options: list[Option] | None = None  # choice parts
    shuffle: bool = True  # choice parts: option order shuffled per variant (seed 0 keeps the file's order)
    manual: bool = False  # graded by the TA (free text): recorded as pending, not scored

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[Option] | None) -> list[Option] | None:
        if options is not None:
            if sum(o.correct for o in options) > 1:
                raise ValueError("at most one option may be correct")
            if len({o.id for o in options}) != len(options):
                raise ValueError("option ids must be unique")
        return options


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    catalogue: str
    topic: str
    tags: list[str] = Field(default_factory=list)
    title: Bilingual
    statement: Bilingual
    generator: str
    ranges: dict[str, Any] = Field(default_factory=dict)
    canonical: dict[str, Any] | None = None
    solver: str
    parts: list[Part]
    solution: Bilingual
    source: str | None = None  # where the question comes from (sheet and question)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not ITEM_ID.match(value):
            raise ValueError("item id must match [a-z][a-z0-9_]*")
        return value

    @field_validator("catalogue")
    @classmethod
    def _catalogue(cls, value: str) -> str:
        if not CATALOGUE_ID.match(value):
            raise ValueError("catalogue must be a family like A1 or E25")
        return value

    @property
    def kind(self) -> str:
        kinds = sorted({p.kind for p in self.parts})
        return kinds[0] if len(kinds) == 1 else "mixed"


def load_item(path: Path) -> Item:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ItemError(f"{path}: cannot read YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ItemError(f"{path}: an item must be a YAML mapping")
    try:
        item = Item.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(item)"
        raise ItemError(f"{path}: field '{field}': {first['msg']}") from None
    if item.id != path.stem:
        raise ItemError(f"{path}: field 'id': '{item.id}' must equal the file name '{path.stem}'")
    return item


QUESTIONS_DIR = Path(__file__).resolve().parent.parent / "questions"


def load_items(directory: Path = QUESTIONS_DIR) -> dict[str, Item]:
    """Every item in the bank, by id (files sorted by name, so the order is stable)."""
    items: dict[str, Item] = {}
    for path in sorted(directory.glob("*.yaml")):
        item = load_item(path)
        items[item.id] = item
    return items


def find_item(item_id: str, directory: Path = QUESTIONS_DIR) -> Item:
    """One item by id (reads only its own file)."""
    path = directory / f"{item_id}.yaml"
    if not ITEM_ID.match(item_id) or not path.is_file():
        raise ItemError(f"no item '{item_id}' in the bank; `azmoon questions list` names them")
    return load_item(path)
