"""`azmoon questions schema`: the JSON Schema of the item format (issue 14.4), checked against the real bank."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from bank.schema import family_names, item_json_schema
from base.paths import QUESTIONS_DIR
from cli import app

SCHEMA = item_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_the_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", sorted(QUESTIONS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bank_item_validates(path) -> None:
    errors = [e.message for e in VALIDATOR.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
    assert errors == []


def bank_item(name: str = "conv_output_size") -> dict:
    return yaml.safe_load((QUESTIONS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(titel=d.pop("title")), "'titel' was unexpected"),
        (lambda d: d["parts"][0].update(kind="vector"), "'vector' is not one of"),
        (
            lambda d: d["parts"][0].update(promt=d["parts"][0].pop("prompt")),
            "'prompt' is a required property",
        ),
        (lambda d: d["title"].pop("fa"), "'fa' is a required property"),
        (lambda d: d["parts"][0]["grading"].update(comparator="exactly"), "'exactly' is not one of"),
    ],
)
def test_a_misspelt_field_is_flagged(change, words: str) -> None:
    data = bank_item()
    change(data)
    assert any(words in e.message for e in VALIDATOR.iter_errors(data)), [
        e.message for e in VALIDATOR.iter_errors(data)
    ]


def test_families_grading_and_typed_ranges_are_described() -> None:
    properties = SCHEMA["properties"]
    assert "conv_output_size" in family_names() and "common" not in family_names()
    assert properties["family"]["anyOf"][0]["enum"] == family_names()
    forms = properties["ranges"]["additionalProperties"]["anyOf"]
    typed = [next(iter(f["required"])) for f in forms if "required" in f]
    assert {"int", "one_of", "decimal", "real"} <= set(typed)
    grading = SCHEMA["$defs"]["Part"]["properties"]["grading"]
    assert "comparator" in grading["properties"]
    assert properties["generator"]["deprecated"] is True
    for value in ({"int": [16, 512]}, {"one_of": [3, 5, 7]}, {"decimal": [-2, 2, 0.5]}, {"real": [0, 1]}, 3,
                  {"c1": {"int": [8, 64]}}):  # fmt: skip
        assert list(VALIDATOR.iter_errors({**bank_item(), "ranges": {"W": value}})) == []
    for value in ([16, 512], {"int": [16, 512], "one_of": [3]}, {"c1": [8, 64]}):  # a plain list says no kind
        assert list(VALIDATOR.iter_errors({**bank_item(), "ranges": {"W": value}})) != [], value
    assert list(VALIDATOR.iter_errors({**bank_item(), "ranges": {"settings": {"input": [3, 32, 32]}}})) == []


def test_the_command_prints_the_schema_and_writes_a_file(tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["questions", "schema"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == SCHEMA
    out = tmp_path / "item.schema.json"
    result = runner.invoke(app, ["questions", "schema", "-o", str(out)])
    assert (result.exit_code, result.stdout) == (0, f"schema written to {out}\n")
    assert json.loads(out.read_text(encoding="utf-8")) == SCHEMA
