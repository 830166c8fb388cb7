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

# the typed forms of a range (issue 15.3): what the families' `draw` reads
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
UNTYPED_RANGE = {"description": "older form: a list or value the family's generator reads itself"}


def family_names() -> list[str]:
    """The family modules of `solutions/`, found without importing any of them."""
    spec = importlib.util.find_spec(FAMILY_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return []
    return sorted(m.name for m in pkgutil.iter_modules(spec.submodule_search_locations) if not m.ispkg)


def _grading_schema() -> dict[str, Any]:
    """`grading:` as the grader defines it: its closed set of keys, each with its own schema fragment."""
    return {"type": "object", "properties": dict(GRADING_KEYS), "additionalProperties": False}


def _range_forms() -> list[dict[str, Any]]:
    """The typed range forms: `bank.ranges`' own schema when it provides one."""
    if importlib.util.find_spec("bank.ranges") is not None:
        from bank import ranges

        forms = getattr(ranges, "RANGE_JSON_SCHEMA", None)
        if forms:
            return list(forms)
    return RANGE_FORMS


def item_json_schema() -> dict[str, Any]:
    schema = Item.model_json_schema()
    part = schema["$defs"]["Part"]["properties"]
    part["grading"] = {**_grading_schema(), "title": "Grading"}
    properties = schema["properties"]
    properties["ranges"] = {
        "title": "Ranges",
        "type": "object",
        "description": "what varies: one range per parameter, passed to the family's generator",
        "additionalProperties": {"anyOf": [*_range_forms(), UNTYPED_RANGE]},
    }
    families = family_names()
    if families:
        properties["family"]["anyOf"][0]["enum"] = families
    for older in ("generator", "solver"):
        properties[older]["deprecated"] = True
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
