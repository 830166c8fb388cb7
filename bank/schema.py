"""The JSON Schema of the item format (`azmoon questions schema`), for editor completion and checks.

It is generated from the pydantic model (`bank.item.Item`), then made precise where the model holds open
mappings: `grading:` lists the grader's own closed set of keys (`grader.settings.GRADING_KEYS`), `ranges:`
the typed forms of a range (`bank.ranges`), and `family:` the family modules of `solutions/`. An editor with
the YAML language server uses it with a first line `# yaml-language-server: $schema=item.schema.json`.
"""

from __future__ import annotations

import importlib.util
import pkgutil
from typing import Any

from bank.item import Item
from bank.registry import FAMILY_PACKAGE
from grader.settings import GRADING_KEYS

# the typed forms of a range, as bank.ranges reads them (a plain list is refused: it says no kind)
RANGE_FORMS: list[dict[str, Any]] = [
    {
        "type": "object",
        "description": "an integer drawn uniformly from lo..hi (both included)",
        "properties": {"int": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}},
        "required": ["int"],
        "additionalProperties": False,
    },
    {
        "type": "object",
        "description": "one of these values, each equally likely",
        "properties": {"one_of": {"type": "array", "minItems": 1}},
        "required": ["one_of"],
        "additionalProperties": False,
    },
    {
        "type": "object",
        "description": "a decimal from lo to hi in steps of step: [lo, hi, step]",
        "properties": {
            "decimal": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3}
        },
        "required": ["decimal"],
        "additionalProperties": False,
    },
]
RANGE_FORMS.append(
    {
        "type": "object",
        "description": "a real number drawn uniformly from lo..hi: [lo, hi]",
        "properties": {"real": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}},
        "required": ["real"],
        "additionalProperties": False,
    }
)
CONSTANT = {"type": ["number", "string", "boolean"], "description": "a constant the family reads as it is"}
GROUP_REF = {"$ref": "#/$defs/RangeGroup"}
GROUP = {  # a group may hold groups (e25_scaling: one group of changes per model)
    "type": "object",
    "title": "RangeGroup",
    "description": "a group of named ranges",
    "additionalProperties": {"anyOf": [*RANGE_FORMS, CONSTANT, GROUP_REF]},
}
SETTINGS = {"description": "a family's fixed settings (the network family): not ranges, kept as written"}


def family_names() -> list[str]:
    """The family modules of `solutions/`, found without importing any of them."""
    spec = importlib.util.find_spec(FAMILY_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return []
    return sorted(m.name for m in pkgutil.iter_modules(spec.submodule_search_locations) if not m.ispkg)


def _grading_schema() -> dict[str, Any]:
    """`grading:` as the grader defines it: its closed set of keys, each with its own schema fragment."""
    return {"type": "object", "properties": dict(GRADING_KEYS), "additionalProperties": False}


def item_json_schema() -> dict[str, Any]:
    schema = Item.model_json_schema()
    part = schema["$defs"]["Part"]["properties"]
    part["grading"] = {**_grading_schema(), "title": "Grading"}
    properties = schema["properties"]
    properties["ranges"] = {
        "title": "Ranges",
        "type": "object",
        "description": "what varies: one typed range per parameter (bank.ranges), passed to the family's generator",
        "properties": {"settings": SETTINGS},
        "additionalProperties": {"anyOf": [*RANGE_FORMS, CONSTANT, GROUP_REF]},
    }
    schema["$defs"]["RangeGroup"] = GROUP
    families = family_names()
    if families:
        properties["family"]["anyOf"][0]["enum"] = families
    for older in ("generator", "solver"):
        properties[older]["deprecated"] = True
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
