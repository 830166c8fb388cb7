"""The typed part key (`bank.partkey.PartKey`): what `solve_item` produces per part, and what is stored."""

from __future__ import annotations

import json

import pytest

from bank.item import load_items
from bank.partkey import OptionKey, PartKey
from bank.pipeline import solve_item

# one item of every part kind: integer, real, shape, expression, choice (solver-decided), manual text
ITEMS = [
    "conv_output_size",
    "classification_report",
    "cnn_table",
    "activation_derivative",
    "concept_fc_vs_cnn",
]


@pytest.mark.parametrize("item_id", ITEMS)
def test_the_stored_json_reads_back_to_the_same_key(item_id: str) -> None:
    solved = solve_item(load_items()[item_id], 3)
    for key, stored in zip(solved.part_keys, solved.parts, strict=True):
        assert isinstance(key, PartKey)
        again = PartKey.from_json(json.loads(json.dumps(stored)))
        assert again == key
        assert again.to_json() == stored


def test_the_json_keeps_the_contract_keys_and_omits_what_a_part_lacks() -> None:
    key = PartKey(
        id="out",
        kind="integer",
        prompt={"fa": "خروجی", "en": "out"},
        answer=32 * 3,
        answer_text="96",
        points=1.0,
    )
    assert key.to_json() == {
        "id": "out",
        "kind": "integer",
        "prompt": {"fa": "خروجی", "en": "out"},
        "answer": 96,
        "answer_text": "96",
        "points": 1.0,
        "grading": {},
        "misconceptions": [],
    }
    choice = PartKey(
        id="fair",
        kind="choice",
        prompt={"fa": "؟", "en": "?"},
        answer="no",
        answer_text="no",
        points=2.0,
        options=[OptionKey(id="no", text={"fa": "نه", "en": "No"})],
        manual=False,
    )
    assert choice.to_json()["options"] == [{"id": "no", "text": {"fa": "نه", "en": "No"}}]
    assert "manual" not in choice.to_json() and "form" not in choice.to_json()


def test_a_manual_part_says_so() -> None:
    solved = solve_item(load_items()["concept_fc_vs_cnn"], 0)
    manual = [key for key in solved.part_keys if key.manual]
    assert manual and all(solved.parts[solved.part_keys.index(k)]["manual"] is True for k in manual)
