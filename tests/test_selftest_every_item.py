"""One self-test over every item of the bank x seeds (issue 15.5): a new item in questions/ is tested here with no
list to edit. Per seed, PrairieLearn's three classes of answers: the reference answer grades full marks,
perturbed answers and the solver's misconceptions don't, and unreadable text is a format error (not a wrong
answer). A choice part whose key the solver decides takes more than one answer over the seeds (issue 13.6c)."""

from __future__ import annotations

import pytest

from bank import registry
from bank.item import Item, load_items
from bank.pipeline import solve_item
from bank.selftest import MIN_SEEDS_FOR_VARIETY, decided_choices, invalid_answer_problems, stress_test

BANK = load_items()
SEEDS = 20
# only for speed: items that trace real networks or run autograd per seed (~0.1 s a seed) get fewer seeds
FEWER_SEEDS = {
    "cnn_table": 6,
    "e25_scaling": 6,
    "e25_block_macs": 6,
    "distillation": 6,
    "conv_backprop_2d": 6,
    "pool_backprop": 6,
    "efficientnet_scaling": 6,
}


def seeds_for(item: Item) -> int:
    seeds = FEWER_SEEDS.get(item.id, SEEDS)
    return max(seeds, MIN_SEEDS_FOR_VARIETY) if decided_choices(item) else seeds


@pytest.mark.parametrize("item_id", sorted(BANK))
def test_every_item_passes_its_self_test(item_id: str) -> None:
    item = BANK[item_id]
    report = stress_test(item, seeds=seeds_for(item))
    assert report["ok"], "\n".join(report["failures"][:10])
    assert report["distinct_variants"] > 1 or not item.ranges, "an item with ranges must vary"


def test_the_bank_is_all_here() -> None:
    assert len(BANK) >= 46  # every file of questions/ loads; none is left out of the test above


# --- the self-test can fail: each check catches what it is for ---------------------------------------------------


def test_unreadable_text_graded_other_than_format_error_is_caught() -> None:
    key = next(p for p in solve_item(BANK["conv_output_size"], 1).parts if p["id"] == "out")
    assert invalid_answer_problems(key) == []
    not_marked_manual = {
        **key,
        "kind": "text",
        "grading": {},
    }  # a free-text part the TA forgot to mark manual
    assert invalid_answer_problems(not_marked_manual) == [
        "unreadable answer '@@ )(' grades pending, not format_error",
        "unreadable answer 'banana' grades pending, not format_error",
    ]


def fixed_choice_item(monkeypatch: pytest.MonkeyPatch, decide) -> Item:
    monkeypatch.setitem(registry.GENERATORS, "test_fixed", lambda rng, ranges: {"n": rng.randint(1, 10**6)})
    monkeypatch.setitem(
        registry.SOLVERS,
        "test_fixed",
        lambda params: registry.Solution(answers={"pick": registry.Answer(decide(params["n"]))}),
    )
    return Item.model_validate(
        {
            "id": "test_fixed",
            "catalogue": "C22",
            "topic": "test",
            "title": {"fa": "عنوان", "en": "Title"},
            "statement": {"fa": "عدد {{ n }}", "en": "number {{ n }}"},
            "generator": "test_fixed",
            "solver": "test_fixed",
            "parts": [
                {
                    "id": "pick",
                    "kind": "choice",
                    "prompt": {"fa": "کدام؟", "en": "Which?"},
                    "options": [
                        {"id": "even", "text": {"fa": "زوج", "en": "even"}},
                        {"id": "odd", "text": {"fa": "فرد", "en": "odd"}},
                    ],
                }
            ],
            "solution": {"fa": "حل", "en": "Solution"},
        }
    )


def test_a_choice_the_solver_always_answers_alike_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    item = fixed_choice_item(monkeypatch, lambda n: "even")
    assert decided_choices(item) == {"pick"}
    report = stress_test(item, seeds=MIN_SEEDS_FOR_VARIETY)
    assert report["failures"] == [
        f"part pick: the solver answers 'even' for all {MIN_SEEDS_FOR_VARIETY} seeds (a choice the params decide "
        "must take more than one answer)"
    ]


def test_a_choice_the_params_decide_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    item = fixed_choice_item(monkeypatch, lambda n: "even" if n % 2 == 0 else "odd")
    assert stress_test(item, seeds=MIN_SEEDS_FOR_VARIETY)["ok"]


def test_the_seed_counts_leave_no_item_below_the_variety_threshold() -> None:
    for item in BANK.values():
        if decided_choices(item):
            assert seeds_for(item) >= MIN_SEEDS_FOR_VARIETY, item.id
