"""The `network` family: keys against hand arithmetic and against torch.nn modules built directly; the
conventions, the constraints, the misconceptions; `questions new` refusing bad input in one clean line."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from bank.item import ItemError, load_item
from bank.pipeline import solve_item
from bank.ranges import RangeError, draw
from solutions import network as net

ROOT = Path(__file__).resolve().parents[1]
PASTED = (ROOT / "examples" / "mynet_sequential.txt").read_text(encoding="utf-8")
TEMPLATE, VALUES, VARY = net.draft_network(PASTED, [3, 32, 32])
ASK = net.parse_ask("shape,weights,biases,params,macs,flops,rf,jump,params:total,flops:total,rf:total")


def params(values=None, order="CHW", input_shape=(3, 32, 32), constraints=None):
    return {"network": TEMPLATE, "input": list(input_shape), "values": values or dict(VALUES), "ask": ASK,
            "conventions": {"shape_order": order}, "constraints": constraints or {}}  # fmt: skip


def answers(p):
    return {k: a.value for k, a in net.solve(p).answers.items()}


ASK_ALL = "shape,weights,biases,params,macs,flops,rf,jump,params:total,flops:total,rf:total"


def key_parts(folder: Path, order="CHW", input_shape=(3, 32, 32), ask=ASK_ALL, seed=0):
    """The key as the bank stores it (its mistakes checked by the bank) of the item `questions new` drafts."""
    path = folder / "mynet.yaml"
    path.write_text(
        net.draft_item("mynet", PASTED, list(input_shape), net.parse_ask(ask), order), encoding="utf-8"
    )
    return {p["id"]: p for p in solve_item(load_item(path, in_bank=False), seed).parts}


def mistakes(part: dict) -> list:
    return [m["value"] for m in part["misconceptions"]]


HAND = [  # (part, value written as the arithmetic a student does), seed 0 = the pasted LeNet-like network
    ("layer1_shape", [16, (32 + 2 * 1 - 3) // 1 + 1, (32 + 2 * 1 - 3) // 1 + 1]),
    ("layer1_weights", 16 * 3 * 3 * 3),
    ("layer1_biases", 16),
    ("layer1_macs", 32 * 32 * 16 * 3 * 3 * 3),
    ("layer1_flops", 2 * 32 * 32 * 16 * 3 * 3 * 3),
    ("layer3_shape", [16, 32 // 2, 32 // 2]),
    ("layer3_rf", 3 + (2 - 1) * 1),
    ("layer3_jump", 1 * 2),
    ("layer4_weights", 32 * 16 * 5 * 5),
    ("layer4_params", 32 * 16 * 5 * 5 + 32),
    ("layer4_rf", 4 + (5 - 1) * 2),
    ("layer6_shape", [32, 12 // 2, 12 // 2]),
    ("layer6_jump", 2 * 2),
    ("layer8_weights", 120 * 32 * 6 * 6),
    ("layer10_params", 10 * 120 + 10),
    ("total_params", (16 * 3 * 3 * 3 + 16) + (32 * 16 * 5 * 5 + 32) + (120 * 1152 + 120) + (10 * 120 + 10)),
    ("total_rf", 12 + (2 - 1) * 2),
]


@pytest.mark.parametrize(("part", "value"), HAND)
def test_seed0_key_is_hand_arithmetic(part, value):
    assert answers(params())[part] == value


def torch_network(v, c_in):
    return nn.Sequential(
        nn.Conv2d(c_in, v["c1"], v["k1"], padding=v["k1"] // 2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(v["c1"], v["c2"], v["k2"]), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.LazyLinear(v["h1"]), nn.ReLU(), nn.Linear(v["h1"], 10),
    )  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_every_variant_agrees_with_torch_modules_built_directly(seed):
    p = net.generate(random.Random(seed), {"settings": params(), "vary": VARY})
    model = torch_network(p["values"], p["input"][0])
    x = torch.zeros(1, *p["input"])
    model(x)  # materialises LazyLinear
    got = answers(p)
    shapes = []
    for layer in model:
        x = layer(x)
        shapes.append(list(x.shape[1:]))
    keyed = {0: "layer1", 2: "layer3", 3: "layer4", 5: "layer6", 7: "layer8", 9: "layer10"}
    for index, key in keyed.items():
        layer = model[index]
        assert got[f"{key}_shape"] == shapes[index]
        assert got[f"{key}_params"] == sum(t.numel() for t in layer.parameters())
        assert got[f"{key}_biases"] == (layer.bias.numel() if getattr(layer, "bias", None) is not None else 0)
    assert got["total_params"] == sum(t.numel() for t in model.parameters())
    assert min(shapes[5][1:]) >= 1


def test_hwc_convention_orders_shapes_and_flags_chw(tmp_path):
    solved = net.solve(params(order="HWC"))
    shape = key_parts(tmp_path, order="HWC")["layer1_shape"]
    assert shape["answer"] == [32, 32, 16]
    assert mistakes(shape) == [[16, 32, 32]]
    assert (
        "H×W×C" in solved.values["conventions_text"]["en"]
        and "H×W×C" in solved.values["conventions_text"]["fa"]
    )


def test_conventions_are_written_from_the_settings():
    p = params()
    p["ask"] = net.parse_ask("macs:total")
    text = net.conventions_text(p)
    assert "MACs are multiply-accumulates" in text["en"] and "FLOPs" not in text["en"]
    assert "receptive field" not in text["en"] and "MACs" in text["fa"]


MISCONCEPTIONS = [  # (part, the wrong value a student writes)
    ("layer1_params", 16 * 3 * 3 * 3),  # bias forgotten
    ("layer1_weights", 16 * 3 * 3 * 3 + 16),  # weights with the biases
    ("layer1_flops", 32 * 32 * 16 * 3 * 3 * 3),  # MACs for FLOPs
    ("layer1_macs", 2 * 32 * 32 * 16 * 3 * 3 * 3),  # FLOPs for MACs
    ("layer4_rf", 1 + (3 - 1) + (2 - 1) + (5 - 1)),  # RF without the jump
    ("layer4_shape", [12, 12, 32]),  # H×W×C where C×H×W is asked
]


@pytest.fixture(scope="module")
def seed0_key(tmp_path_factory):
    return key_parts(tmp_path_factory.mktemp("mynet"))


@pytest.mark.parametrize(("part", "wrong"), MISCONCEPTIONS)
def test_misconceptions_from_the_conventions(seed0_key, part, wrong):
    assert wrong in mistakes(seed0_key[part])


def test_a_mistake_equal_to_the_answer_is_not_in_the_key(seed0_key):
    # pooling layers have no weights and no biases: "biases forgotten" would be the answer itself
    assert seed0_key["layer3_params"]["answer"] == 0 and mistakes(seed0_key["layer3_params"]) == []
    for part in seed0_key.values():
        assert part["answer"] not in mistakes(part), part["id"]


def test_no_floor_is_flagged_when_the_stride_does_not_divide(tmp_path):
    # pool 2 on 33: floor(31 / 2) + 1 = 16, without the floor 16.5
    slips = mistakes(key_parts(tmp_path, input_shape=(3, 33, 33))["layer3_shape"])
    assert [16, (33 - 2) / 2 + 1, (33 - 2) / 2 + 1] in slips


def test_only_asked_parts_are_answered():
    p = params()
    p["ask"] = net.parse_ask("params:total")
    assert set(net.solve(p).answers) == {"total_params"}


def test_constraints_that_no_variant_meets_are_one_clear_error():
    settings = params(constraints={"min_output": [40, 40]})
    with pytest.raises(RangeError) as info:
        net.generate(random.Random(1), {"settings": settings, "vary": VARY})
    assert str(info.value).startswith(
        f"the network's constraints {{'min_output': [40, 40]}}: no draw in {net.MAX_TRIES} tries met"
    )


def test_ranged_input_and_min_output_hold_over_seeds():
    settings = params(input_shape=(3, {"one_of": [28, 32]}, 32), constraints={"min_output": [4, 4]})
    settings["input"] = [3, {"one_of": [28, 32, 36]}, {"one_of": [28, 32, 36]}]
    for seed in range(1, 20):
        p = net.generate(random.Random(seed), {"settings": settings, "vary": VARY})
        last = net.trace_params(p)[0].row("Layer6").output_shape
        assert p["input"][1] in (28, 32, 36) and min(last[1:]) >= 4


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"int": [1]}, "range 'c1': int takes [lo, hi] (numbers), not [1]"),
        ({"range": [1, 2]}, "range 'c1': write {int: [lo, hi]}, {one_of: [...]}"),
        ([16, 32], "range 'c1': write {int: [lo, hi]}, {one_of: [...]}"),
    ],
)
def test_a_malformed_range_names_it(spec, message):
    with pytest.raises(RangeError) as info:
        draw(random.Random(0), spec, "c1")
    assert str(info.value).startswith(message)


def test_the_placeholders_and_input_draw_as_typed_ranges():
    # bank.ranges.draw makes the calls the family made before: randint for int, choice for one_of, none for 3
    settings = params(input_shape=(3, {"int": [28, 36]}, {"one_of": [28, 32]}))
    vary = {
        "c1": {"one_of": [8, 16, 32]},
        "k1": {"one_of": [3, 5]},
        "c2": {"int": [8, 64]},
        "k2": 5,
        "h1": 120,
    }
    rng = random.Random(5)
    expected = [3, rng.randint(28, 36), rng.choice([28, 32])]
    expected_values = {"c1": rng.choice([8, 16, 32]), "k1": rng.choice([3, 5]), "c2": rng.randint(8, 64),
                       "k2": 5, "h1": 120}  # fmt: skip
    p = net.generate(random.Random(5), {"settings": settings, "vary": vary})
    assert (p["input"], p["values"]) == (expected, expected_values)


def test_a_malformed_input_range_names_the_entry():
    settings = params(input_shape=(3, {"int": [28.5, 36]}, 32))
    with pytest.raises(RangeError, match=r"^range 'input\[1\]': int takes whole numbers"):
        net.generate(random.Random(1), {"settings": settings, "vary": VARY})


def test_an_item_with_a_malformed_vary_range_is_refused_when_it_loads(tmp_path):
    text = net.draft_item("mynet", PASTED, [3, 32, 32], net.parse_ask("shape"))
    path = tmp_path / "mynet.yaml"
    path.write_text(text.replace("one_of: [8, 16, 32]", "one_of: []"), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != text
    with pytest.raises(ItemError, match=r"range 'vary.c1': one_of takes a non-empty list, not \[\]"):
        load_item(path, in_bank=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input", "0x32x32"], "--input"),
        (["--input", "3xbig"], "--input"),
        (["--ask", "shape,volume"], "volume"),
        (["--from-network", "/nonexistent.txt"], "cannot read"),
        (["--from-network", str(ROOT / "README.md")], None),
    ],
)
def test_questions_new_refuses_bad_input_in_one_line(tmp_path, args, message):
    options = {"--from-network": str(ROOT / "examples" / "mynet_sequential.txt"), "--input": "3x32x32"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        options[flag] = value
    flat = [x for pair in options.items() for x in pair]
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "questions", "new", "bad", *flat, "--course",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0 and "Traceback" not in done.stderr + done.stdout
    if message:
        assert message in done.stderr + done.stdout
    assert not (tmp_path / "questions" / "bad.yaml").exists()


def test_a_sheets_own_labels_are_kept_and_torch_names_renumbered():
    own = net.draft_network("conv1: Conv2d(3, 8, 3)\npool: MaxPool2d(2)\nhead: Linear(10)", [3, 16, 16])[0]
    assert [line.split(":")[0] for line in own.splitlines()] == ["conv1", "pool", "head"]
    assert TEMPLATE.splitlines()[0].startswith("Layer1: Conv2d(out_channels={{ c1 }}")


def test_questions_new_hwc_item_passes_its_self_test(tmp_path):
    pasted = tmp_path / "net.txt"
    pasted.write_text("conv1: Conv2d(3, 8, 3)\npool: MaxPool2d(2)\nhead: Linear(10)\n", encoding="utf-8")

    def run(*args):
        return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args, "--course", str(tmp_path)],
                              capture_output=True, text=True, timeout=300)  # fmt: skip

    course = tmp_path / "course"
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "course", "init", str(course)], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    tmp_path = course
    made = run("questions", "new", "hwcnet", "--from-network", str(pasted), "--input", "3x16x16", "--ask",
               "shape,params:total", "--shape-order", "HWC")  # fmt: skip
    assert made.returncode == 0, made.stderr
    tested = run("questions", "test", "hwcnet", "--seeds", "30")
    assert tested.returncode == 0 and tested.stdout.startswith("ok"), tested.stdout
    solved = run("solve", "hwcnet", "--json")
    import json

    parts = {p["id"]: p["answer"] for p in json.loads(solved.stdout)["parts"]}
    assert parts["conv1_shape"] == [16 - 3 + 1, 16 - 3 + 1, 8]  # H×W×C
    assert parts["total_params"] == 8 * 3 * 3 * 3 + 8 + 10 * (8 * 7 * 7) + 10
