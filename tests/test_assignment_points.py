"""An assignment's item given without `--points` is worth the sum of its parts' points as a variant asks them:
after `each:` expansion (cnn_table's per-layer attributes once per row, a concept pool's drawn questions only),
from the item solved at seed 0 — so the part points printed on the worksheet and key add up to the item's."""

from __future__ import annotations

from pathlib import Path

import pytest

from bank.item import load_items
from bank.pipeline import solve_item
from course.answers import display_items
from course.assignments import create_assignment, edit_assignment, get_assignment
from course.config import CourseError, init_course, open_course
from course.generate import compute_variants
from course.roster import import_roster, list_students

ROSTER = "student_id,name\n40110001,علی رضایی\n40110002,Reza Karimi\n"


@pytest.fixture
def course(tmp_path: Path):
    root = tmp_path / "course"
    init_course(root)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    course = open_course(root)
    import_roster(course, tmp_path / "roster.csv")
    return course


def expanded_points(item_id: str) -> float:
    return round(sum(part.points for part in solve_item(load_items()[item_id], 0).part_keys), 6)


def unexpanded_points(item_id: str) -> float:
    return float(sum(part.points for part in load_items()[item_id].parts))


@pytest.mark.parametrize("item_id", ["cnn_table", "concept_equivariance", "conv_output_size"])
def test_default_points_are_the_expanded_parts_at_seed_0(course, item_id: str) -> None:
    assignment = create_assignment(course, "hw1", [item_id])
    assert assignment.items == [{"item": item_id, "points": expanded_points(item_id)}]
    with course.connect() as conn:
        assert get_assignment(conn, "hw1").items[0]["points"] == expanded_points(item_id)


@pytest.mark.parametrize("item_id", ["cnn_table", "concept_equivariance"])
def test_items_whose_parts_expand_differ_from_the_unexpanded_sum(item_id: str) -> None:
    """The old default (the YAML's parts summed once each) is not what a variant asks: cnn_table's row
    attributes repeat per layer, a pool asks only the questions it draws."""
    item = load_items()[item_id]
    assert len(solve_item(item, 0).part_keys) != len(item.parts)
    assert expanded_points(item_id) != unexpanded_points(item_id)


def test_printed_part_points_add_up_and_are_not_rescaled(course) -> None:
    items = ["cnn_table", "concept_equivariance", "stacked_kernels"]
    assignment = create_assignment(course, "hw1", items)
    variants, _, _ = compute_variants(course, assignment, list_students(course))
    for variant in variants:
        for item, entry in zip(display_items(variant.items), assignment.items, strict=True):
            points = [part["points"] for part in item["parts"]]
            assert sum(points) == pytest.approx(entry["points"])
            # the default is the variant's own raw sum (every seed of these items asks the same points): no
            # part is shown rescaled
            assert points == pytest.approx([part["raw_points"] for part in item["parts"]])


def test_given_points_are_kept_and_edit_recomputes_the_default(course) -> None:
    assignment = create_assignment(course, "hw1", ["cnn_table", "conv_output_size"], points=[8, 2])
    assert [e["points"] for e in assignment.items] == [8.0, 2.0]
    edited, changed = edit_assignment(course, "hw1", items=["cnn_table", "conv_output_size"])
    assert changed == ["items"]
    assert [e["points"] for e in edited.items] == [
        expanded_points("cnn_table"),
        expanded_points("conv_output_size"),
    ]


def test_an_item_that_fails_to_solve_is_a_clear_error(course, monkeypatch: pytest.MonkeyPatch) -> None:
    import bank.pipeline

    def broken(item, seed):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(bank.pipeline, "solve_item", broken)
    with pytest.raises(CourseError, match=r"item 'cnn_table' failed to solve at seed 0.*--points"):
        create_assignment(course, "hw1", ["cnn_table"])
    with course.connect() as conn:
        with pytest.raises(CourseError, match="no assignment 'hw1'"):
            get_assignment(conn, "hw1")
