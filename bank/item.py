"""The question-item format: one YAML file per family, validated with pydantic.

An item keeps parameters, parts, solution and meta-information together (R/exams style):

    id: conv_output_size            # unique, [a-z0-9_]
    catalogue: A3                   # family in QUESTION-CATALOGUE.md
    topic: cnn-arithmetic
    tags: [conv, output-size]
    title: {fa: ..., en: ...}
    statement: {fa: ..., en: ...}   # Jinja2 template over params and solver values
    family: conv_output_size        # the module solutions/conv_output_size.py: generate (seed -> params) and
                                    # solve (params -> Solution), both registered under this name
    ranges: {W: [32, 512]}          # the generator's ranges, passed to it as `ranges`
    canonical: {W: 240, K: 3, ...}  # seed 0 = the seed sheet's instance
    parts:
      - id: out
        kind: integer               # integer | real | shape | expression | choice | text
        prompt: {fa: ..., en: ...}
        points: 1
        grading: {comparator: exact}   # see grader/ for comparators and their settings
    solution: {fa: ..., en: ...}    # worked solution template, filled from the solver's own values

The older pair `generator: NAME` + `solver: NAME` (registered names, in any module) is still read; an item
names one or the other, never both. A course may keep its own items in a `questions/` folder beside its
`course.yaml`: `load_items(course_dir)` and `find_item(item_id, course_dir)` see them beside the bank's.

A part with `each: layers` is expanded once per row of the solver's `values["layers"]` (each row a dict
with a `key`); its id is a template (`"{key}_shape"`) and its prompt sees the row as `row`.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from base.errors import AzmoonError
from base.paths import QUESTIONS_DIR
from grader.settings import validate_grading

PartKind = Literal["integer", "real", "shape", "expression", "choice", "text"]
ITEM_ID = re.compile(r"^[a-z][a-z0-9_]*$")
CATALOGUE_ID = re.compile(r"^[A-E]\d{1,2}$")


class ItemError(AzmoonError, ValueError):
    """A question item that cannot be loaded: the message names the file and the field."""


class _HasRoot(Protocol):
    root: Path


CourseLike = str | os.PathLike[str] | _HasRoot  # a course directory or a course.config.Course


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
    kind: PartKind = Field(
        description="what the student writes: integer | real | shape | expression | choice | text"
    )
    prompt: Bilingual
    points: float = Field(default=1.0, ge=0)
    each: str | None = Field(default=None, description="expand once per row of the solver's values[each]")
    manual: bool = Field(default=False, description="graded by the TA (free text): recorded as pending")
    grading: dict[str, Any] = Field(
        default_factory=dict,
        description="the comparator and its settings: a closed set of keys, checked by the grader",
    )
    form: Bilingual | None = Field(default=None, description="the expected form, shown on format errors")
    options: list[Option] | None = Field(default=None, description="choice parts: the options")
    shuffle: bool = Field(
        default=True, description="choice parts: option order shuffled per variant (not seed 0)"
    )

    @field_validator("grading")
    @classmethod
    def _grading(cls, grading: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        """Checked by the grader's own settings model: a misspelt key (`rtoll:`) is an error, never a default."""
        if "kind" in info.data:  # raises ValueError naming the key and the nearest valid one
            validate_grading(info.data["kind"], grading, manual=info.data.get("manual", False))
        return grading

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
    catalogue: str | None = Field(
        default=None,
        description="family in the question catalogue (A1..E25); optional for a course's own items",
    )
    topic: str
    tags: list[str] = Field(default_factory=list)
    title: Bilingual
    statement: Bilingual
    family: str | None = Field(
        default=None,
        description="the module solutions/<family>.py: its generator and solver are registered under this name",
    )
    generator: str | None = Field(default=None, description="older form: write `family:` instead")
    ranges: dict[str, Any] = Field(default_factory=dict)
    canonical: dict[str, Any] | None = Field(
        default=None, description="seed 0's params: the sheet's own instance"
    )
    solver: str | None = Field(default=None, description="older form: write `family:` instead")
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
    def _catalogue(cls, value: str | None) -> str | None:
        if value is not None and not CATALOGUE_ID.match(value):
            raise ValueError("catalogue must be a family like A1 or E25")
        return value

    @field_validator("family", "generator", "solver")
    @classmethod
    def _family(cls, value: str | None) -> str | None:
        if value is not None and not ITEM_ID.match(value):
            raise ValueError("a family must name a module of solutions/ ([a-z][a-z0-9_]*)")
        return value

    @field_validator("ranges")
    @classmethod
    def _ranges(cls, value: dict[str, Any]) -> dict[str, Any]:
        parse = _ranges_parser()
        if parse is not None:
            parse(value)  # raises ValueError naming the range
        return value

    @model_validator(mode="after")
    def _family_or_pair(self) -> Item:
        pair = (self.generator, self.solver)
        if self.family is not None and pair != (None, None):
            raise FieldError("family", "give `family:` alone, without the older generator: and solver:")
        if self.family is None and None in pair:
            raise FieldError(
                "family", "missing: name the item's family (the module solutions/NAME.py that solves it)"
            )
        return self

    @property
    def generator_name(self) -> str:
        """The registered generator: the family's, or the older `generator:` key."""
        return self.family or self.generator or ""

    @property
    def solver_name(self) -> str:
        """The registered solver: the family's, or the older `solver:` key."""
        return self.family or self.solver or ""

    @property
    def kind(self) -> str:
        kinds = sorted({p.kind for p in self.parts})
        return kinds[0] if len(kinds) == 1 else "mixed"


class FieldError(ValueError):
    """A check over several fields, reported under the field it is about (load_item names it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"field '{field}': {message}")


@functools.cache
def _ranges_parser():  # -> Callable[[dict], Any] | None
    """`bank.ranges.parse_ranges` (typed ranges, validated with the item) once that module is in the tree."""
    if importlib.util.find_spec("bank.ranges") is None:
        return None
    from bank import ranges

    return getattr(ranges, "parse_ranges", None)


def _error_message(path: Path, exc: ValidationError) -> str:
    first = exc.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if not first["loc"] and message.startswith("field '"):
        return f"{path}: {message}"
    field = ".".join(str(p) for p in first["loc"]) or "(item)"
    return f"{path}: field '{field}': {message}"


def load_item(path: Path, *, in_bank: bool = True) -> Item:
    """One item file; `in_bank` items also need their catalogue code (a course's own items may leave it out)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ItemError(f"{path}: cannot read YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ItemError(f"{path}: an item must be a YAML mapping")
    try:
        item = Item.model_validate(data)
    except ValidationError as exc:
        raise ItemError(_error_message(path, exc)) from None
    if item.id != path.stem:
        raise ItemError(f"{path}: field 'id': '{item.id}' must equal the file name '{path.stem}'")
    if in_bank and item.catalogue is None:
        raise ItemError(
            f"{path}: field 'catalogue': required for an item of the bank (a family like A1 or E25)"
        )
    return item


def course_questions_dir(course_dir: CourseLike) -> Path:
    """A course's own items: the `questions/` folder beside its `course.yaml`."""
    root = (
        course_dir if isinstance(course_dir, str | os.PathLike) else course_dir.root
    )  # a Course or its folder
    return Path(root) / "questions"


def _item_paths(course_dir: CourseLike | None, bank_dir: Path) -> dict[str, Path]:
    paths = {path.stem: path for path in sorted(bank_dir.glob("*.yaml"))}
    if course_dir is None:
        return paths
    for path in sorted(course_questions_dir(course_dir).glob("*.yaml")):
        if path.stem in paths:
            raise ItemError(
                f"item '{path.stem}' is defined twice: {path} (the course's) and {paths[path.stem]} (the bank's); "
                "rename the course's item"
            )
        paths[path.stem] = path
    return paths


def load_items(course_dir: CourseLike | None = None, *, bank_dir: Path = QUESTIONS_DIR) -> dict[str, Item]:
    """Every item of the bank, then the course's own (`course_dir/questions/`), by id; files sorted by name."""
    return {
        item_id: load_item(path, in_bank=path.parent == bank_dir)
        for item_id, path in _item_paths(course_dir, bank_dir).items()
    }


def find_item(item_id: str, course_dir: CourseLike | None = None, *, bank_dir: Path = QUESTIONS_DIR) -> Item:
    """One item by id: reads only its own file (the bank's, or the course's `questions/`)."""
    if not ITEM_ID.match(item_id):
        raise ItemError(f"no item '{item_id}' in the bank; `azmoon questions list` names them")
    bank_path = bank_dir / f"{item_id}.yaml"
    course_path = None if course_dir is None else course_questions_dir(course_dir) / f"{item_id}.yaml"
    if course_path is not None and course_path.is_file():
        if bank_path.is_file():
            _item_paths(course_dir, bank_dir)  # raises: the same id in both places
        return load_item(course_path, in_bank=False)
    if not bank_path.is_file():
        where = "the bank or the course's questions/" if course_dir is not None else "the bank"
        raise ItemError(f"no item '{item_id}' in {where}; `azmoon questions list` names them")
    return load_item(bank_path)
