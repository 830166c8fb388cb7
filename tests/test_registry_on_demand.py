"""An item loads only its own family (issue 13.7): `solutions.<family>` and nothing else, so an item that needs no
torch never imports it, and a broken family module breaks only its own items."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from bank import registry
from bank.item import find_item, load_items
from bank.pipeline import solve_item

GOOD_FAMILY = """
from bank.ranges import draw
from bank.registry import Answer, Solution, generator, solver

@generator("good_family")
def generate(rng, ranges):
    return {"n": draw(rng, ranges["n"])}

@solver("good_family")
def solve(params):
    return Solution(answers={"out": Answer(params["n"] * 2)}, values={"double": params["n"] * 2})
"""

BROKEN_FAMILY = "import torchvision_is_not_installed  # noqa\n"


def item_yaml(item_id: str, family: str) -> dict:
    return {
        "id": item_id,
        "catalogue": "A3",
        "topic": "test",
        "title": {"fa": "عنوان", "en": "Title"},
        "statement": {"fa": "عدد {{ n }}", "en": "number {{ n }}"},
        "family": family,
        "ranges": {"n": {"int": [1, 9]}},
        "parts": [{"id": "out", "kind": "integer", "prompt": {"fa": "دو برابر", "en": "twice"}}],
        "solution": {"fa": "{{ double }}", "en": "{{ double }}"},
    }


@pytest.fixture
def tmp_families(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A family package of its own in tmp_path (one good module, one broken) and a bank of two items using
    them; the registry's tables are fresh for the test, nothing is left in solutions/ or sys.modules."""
    package = tmp_path / "tmp_families_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "good_family.py").write_text(GOOD_FAMILY, encoding="utf-8")
    (package / "broken_family.py").write_text(BROKEN_FAMILY, encoding="utf-8")
    bank = tmp_path / "questions"
    bank.mkdir()
    for item_id, family in [("good_item", "good_family"), ("broken_item", "broken_family")]:
        (bank / f"{item_id}.yaml").write_text(yaml.safe_dump(item_yaml(item_id, family)), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "FAMILY_PACKAGE", "tmp_families_pkg")
    monkeypatch.setattr(registry, "GENERATORS", {})
    monkeypatch.setattr(registry, "SOLVERS", {})
    yield bank
    for name in [m for m in sys.modules if m.startswith("tmp_families_pkg")]:
        del sys.modules[name]


def test_a_broken_family_breaks_only_its_own_items(tmp_families: Path) -> None:
    good = solve_item(find_item("good_item", bank_dir=tmp_families), 3)
    n = good.params["n"]
    assert [p["answer"] for p in good.parts] == [n * 2]
    with pytest.raises(ModuleNotFoundError, match="torchvision_is_not_installed"):
        solve_item(find_item("broken_item", bank_dir=tmp_families), 3)
    again = solve_item(find_item("good_item", bank_dir=tmp_families), 4)  # still solves after the failure
    assert again.parts[0]["answer"] == 2 * again.params["n"]


def test_solving_imports_only_the_items_family_module(tmp_families: Path) -> None:
    solve_item(find_item("good_item", bank_dir=tmp_families), 1)
    assert "tmp_families_pkg.good_family" in sys.modules
    assert "tmp_families_pkg.broken_family" not in sys.modules


def test_a_family_name_no_module_registers_is_a_clear_error(tmp_families: Path) -> None:
    (tmp_families / "lost_item.yaml").write_text(
        yaml.safe_dump(item_yaml("lost_item", "no_such_family")), encoding="utf-8"
    )
    with pytest.raises(registry.FamilyNotFound) as info:
        solve_item(find_item("lost_item", bank_dir=tmp_families), 1)
    message = str(info.value)
    assert "no family module of tmp_families_pkg/ registers 'no_such_family'" in message
    assert "broken_family (ModuleNotFoundError" in message  # the search names the module it could not read


CHILD = textwrap.dedent(
    """
    import json, sys
    from bank.item import find_item
    from bank.pipeline import solve_item
    solve_item(find_item(sys.argv[1]), 5)
    print(json.dumps(sorted(m for m in sys.modules if m.startswith("solutions.") or m in ("torch", "sympy",
                                                                                            "pandas"))))
    """
)


def loaded_by(item_id: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", CHILD, item_id], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    ("item_id", "family_modules"),
    [
        ("conv_output_size", ["solutions.conv_output_size"]),
        ("classification_report", ["solutions.classification_report"]),
    ],
)
def test_a_torch_free_item_imports_neither_torch_nor_other_families(
    item_id: str, family_modules: list[str]
) -> None:
    loaded = loaded_by(item_id)
    assert "torch" not in loaded and "sympy" not in loaded and "pandas" not in loaded, loaded
    assert [m for m in loaded if not m.startswith("solutions.common")] == family_modules


def test_every_item_names_a_family_the_registry_finds() -> None:
    for item in load_items().values():
        assert callable(registry.get_generator(item.generator_name)), item.id
        assert callable(registry.get_solver(item.solver_name)), item.id
