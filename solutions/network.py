"""The `network` family: a TA's own network, pasted in sheet notation, asked about layer by layer or in total.

The item's settings (`ranges.settings`, repeated as seed 0's params by a YAML merge `<<: *settings`):

    network: |                     # sheet notation (analysis.sheet) with Jinja placeholders for what varies
      Layer1: Conv2d(out_channels={{ c1 }}, kernel_size={{ k1 }}, padding={{ k1 // 2 }})
    input: [3, 32, 32]             # C x H x W; any entry may be a typed range ({int: [lo, hi]}, {one_of: [...]})
    ask:                           # quantity -> {per: layer | total, points: P}
      shape: {per: layer, points: 0.25}
      params: {per: total, points: 1}
    conventions: {shape_order: CHW}   # or HWC; the statement's conventions are written from these settings
    constraints: {min_output: [4, 4]} # the last spatial output must stay at least this size (checked by tracing)

`ranges.vary` gives each placeholder a typed range; seed 0 (`canonical.values`) is the network as pasted.
The key comes from `analysis.trace.trace_module`; the worked solution recomputes every layer with
`analysis.arithmetic` and must agree with the trace.
"""

from __future__ import annotations

import inspect
import random
import re
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from analysis import arithmetic as ar
from bank.ranges import draw, sample_until
from bank.registry import Answer, Misconception, Solution, generator, solver
from base.errors import AzmoonError
from lang import fmt_shape
from solutions.common import misconceptions as mc

QUANTITIES = ("shape", "weights", "biases", "params", "macs", "flops", "rf", "jump")
SPATIAL_ONLY = ("rf", "jump")  # per layer: only layers whose output still has a spatial grid
MAX_TRIES = 200  # draws of `vary:` tried against `constraints:` (see sample_until below)
MAX_NETWORK_CHARS = 20_000
_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


class NetworkItemError(AzmoonError, ValueError):
    """An item of the network family whose settings cannot be used; the message says which setting."""


def network_text(params: dict[str, Any]) -> str:
    """The network with the variant's values in place of the placeholders."""
    template = params["network"]
    if not isinstance(template, str) or len(template) > MAX_NETWORK_CHARS:
        raise NetworkItemError(f"setting 'network': a text of at most {MAX_NETWORK_CHARS} characters")
    try:
        return _env.from_string(template).render(**params.get("values", {})).strip()
    except Exception as exc:  # jinja's errors: an undefined placeholder, a syntax slip
        raise NetworkItemError(f"setting 'network': {exc}") from None


def trace_params(params: dict[str, Any]):  # -> (analysis.trace.TraceResult, nn.Sequential)
    from analysis.sheet import build_sheet
    from analysis.trace import trace_module

    sheet = build_sheet(network_text(params), list(params["input"]))
    return trace_module(sheet.model, list(params["input"]), labels=sheet.labels), sheet.model


def meets_constraints(params: dict[str, Any]) -> bool:
    """The network builds and traces, and its last spatial output is at least `min_output`."""
    from analysis.handlers import TraceError
    from analysis.sheet import SheetError

    try:
        result, _ = trace_params(params)
    except (SheetError, TraceError, NetworkItemError):
        return False
    minimum = params.get("constraints", {}).get("min_output")
    spatial = [r for r in result.layers if r.output_shape and len(r.output_shape) >= 2 and r.receptive_field]
    if minimum and spatial:
        return all(s >= m for s, m in zip(spatial[-1].output_shape[1:], minimum, strict=False))
    return True


@generator("network")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    settings = ranges.get("settings")
    if not isinstance(settings, dict) or "network" not in settings:
        raise NetworkItemError(
            "ranges: the network family needs `settings:` with `network:` (see WRITE-AN-ITEM)"
        )
    vary = ranges.get("vary", {})

    def attempt() -> dict[str, Any] | None:
        """One draw of the input and every placeholder (bank.ranges.draw), kept if it meets the constraints."""
        params = {key: value for key, value in settings.items() if key != "input"}
        params["input"] = [draw(rng, v, f"input[{i}]") for i, v in enumerate(settings["input"])]
        params["values"] = {name: draw(rng, spec, name) for name, spec in vary.items()}
        return params if meets_constraints(params) else None

    return sample_until(
        attempt, tries=MAX_TRIES, what=f"the network's constraints {settings.get('constraints')}"
    )


# --- the key ------------------------------------------------------------------------------------------------


def row_key(label: str) -> str:
    """A part-id-safe key for a layer label (`features.3` -> `features_3`)."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "layer"


def _asked_row(row: Any) -> bool:
    """Layers a table asks about: with parameters, MACs, or a pooling (activations, dropout, flatten are not)."""
    return bool(row.params or row.macs or "Pool" in row.op)


def _side(values: list | None) -> int | float | None:
    return None if not values else values[0]


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)  # type: ignore[return-value]


def _steps(module: Any, row: Any, shape_in: list[int], rf_in: int, jump_in: Any) -> dict[str, str | None]:
    """The worked arithmetic of one layer, recomputed with analysis.arithmetic (asserted equal to the trace)."""
    name = type(module).__name__
    steps: dict[str, str | None] = dict.fromkeys(("size", "weights", "macs", "rf"))
    if name in ("Conv2d", "MaxPool2d", "AvgPool2d") and len(shape_in) == 3:
        k, s = _pair(module.kernel_size)[0], _pair(module.stride or module.kernel_size)[0]
        p, d = _pair(module.padding)[0], _pair(getattr(module, "dilation", 1))[0]
        size = ar.conv_output_size(shape_in[1], k, s, p, d, getattr(module, "ceil_mode", False))
        keff = ar.effective_kernel(k, d)
        rf, jump = ar.receptive_field_step(rf_in, jump_in, k, s, d)
        steps["size"] = f"⌊({shape_in[1]} + 2·{p} − {keff}) / {s}⌋ + 1 = {size}"
        steps["rf"] = f"{rf_in} + ({keff} − 1)·{jump_in} = {rf}"
        assert (row.output_shape[1], _side(row.receptive_field)) == (size, rf), (
            "arithmetic and trace disagree"
        )
        if name == "Conv2d":
            c_in, c_out, g = module.in_channels, module.out_channels, module.groups
            weights = ar.conv_weights(c_in, c_out, (k, k), g)
            macs = ar.conv_macs(c_in, c_out, (k, k), (size, size), g)
            steps["weights"] = f"{c_out}·{c_in // g}·{k}·{k} = {weights:,}"
            steps["macs"] = f"{size}·{size}·{c_out}·{c_in // g}·{k}·{k} = {macs:,}"
            assert (row.weights, row.macs) == (weights, macs), "arithmetic and trace disagree"
    elif name == "Linear":
        weights = ar.linear_weights(module.in_features, module.out_features)
        macs = ar.linear_macs(module.in_features, module.out_features)
        steps["weights"] = f"{module.out_features}·{module.in_features} = {weights:,}"
        steps["macs"] = steps["weights"]
        assert (row.weights, row.macs) == (weights, macs), "arithmetic and trace disagree"
    return steps


def _ordered(shape: list[int], order: str) -> list[int]:
    return [*shape[1:], shape[0]] if order == "HWC" and len(shape) == 3 else list(shape)


def _shape_answer(shape: list[int], order: str, steps: dict[str, Any], module: Any) -> Answer:
    value = _ordered(shape, order)
    slips: list[Misconception | None] = []
    if len(shape) == 3:
        slips.append(mc.channel_order(shape) if order == "CHW" else mc.channel_order_hwc(value))
        floor = _no_floor_shape(module, steps, shape, order)
        slips.append(floor)
    return Answer(value, misconceptions=slips)


def _no_floor_shape(module: Any, steps: dict[str, Any], shape: list[int], order: str) -> Misconception | None:
    if steps.get("size") is None:
        return None
    m = re.match(r"⌊\((\d+) \+ 2·(\d+) − (\d+)\) / (\d+)⌋", steps["size"])
    size_in, p, keff, s = (int(g) for g in m.groups())  # type: ignore[union-attr]
    slip = mc.no_floor(size_in + 2 * p - keff, s)
    if slip is None:
        return None
    side = slip.value
    return Misconception(_ordered([shape[0], side, side], order), slip.hint)


def _answers(row: Any, steps: dict[str, Any], module: Any, order: str, kernels: list, dils: list) -> dict:
    flops = row.flops
    out = {
        "shape": _shape_answer(row.output_shape, order, steps, module),
        # a layer without biases or MACs makes these mistakes equal to the answer: the bank drops them then
        "weights": Answer(row.weights, misconceptions=[mc.weights_with_biases(row.weights, row.biases)]),
        "biases": Answer(row.biases),
        "params": Answer(row.params, misconceptions=[mc.bias_forgotten(row.params, row.biases)]),
        "macs": Answer(row.macs, misconceptions=[mc.flops_instead_of_macs(row.macs)]),
        "flops": Answer(flops, misconceptions=[mc.macs_instead_of_flops(flops)]),
    }  # fmt: skip
    if row.receptive_field:
        rf = _side(row.receptive_field)
        out["rf"] = Answer(rf, misconceptions=[mc.rf_without_jump(kernels, dils)])
        out["jump"] = Answer(_side(row.jump))
    return out


@solver("network")
def solve(params: dict[str, Any]) -> Solution:
    result, model = trace_params(params)
    modules = dict(model.named_modules())
    order = params.get("conventions", {}).get("shape_order", "CHW")
    answers: dict[str, Answer] = {}
    rows: list[dict[str, Any]] = []
    shape, rf, jump = list(params["input"]), 1, 1
    kernels: list[int] = []
    dils: list[int] = []
    for r in result.layers:
        module = modules[r.module]
        steps = _steps(module, r, shape, rf, jump)
        if steps["rf"] is not None:
            kernels.append(_pair(module.kernel_size)[0])
            dils.append(_pair(getattr(module, "dilation", 1))[0])
            rf, jump = _side(r.receptive_field), _side(r.jump)
        shape = r.output_shape
        if not _asked_row(r):
            continue
        key = row_key(r.label)
        row_answers = _answers(r, steps, module, order, kernels, dils)
        answers.update({f"{key}_{q}": a for q, a in row_answers.items()})
        rows.append({"key": key, "label": r.label, "op": r.op, "shape": fmt_shape(_ordered(r.output_shape, order)),
                     "weights": r.weights, "biases": r.biases, "params": r.params, "macs": r.macs,
                     "flops": r.flops, "rf": _side(r.receptive_field), "jump": _side(r.jump),
                     "steps": steps})  # fmt: skip
    last = result.layers[-1]
    spatial = [row for row in rows if row["rf"] is not None]
    totals = dict(result.totals)
    answers["total_shape"] = Answer(_ordered(last.output_shape, order))
    answers["total_weights"] = Answer(totals["weights"])
    answers["total_biases"] = Answer(totals["biases"])
    answers["total_params"] = Answer(
        totals["params"], misconceptions=[mc.bias_forgotten(totals["params"], totals["biases"])]
    )
    answers["total_macs"] = Answer(totals["macs"], misconceptions=[mc.flops_instead_of_macs(totals["macs"])])
    answers["total_flops"] = Answer(
        totals["flops"], misconceptions=[mc.macs_instead_of_flops(totals["flops"])]
    )
    if spatial:
        answers["total_rf"] = answers[f"{spatial[-1]['key']}_rf"]
        answers["total_jump"] = answers[f"{spatial[-1]['key']}_jump"]
    asked = set()
    for q, how in params.get("ask", {}).items():
        per = how.get("per", "layer")
        asked |= ({q} if per in ("layer", "both") else set()) | (
            {f"total_{q}"} if per in ("total", "both") else set()
        )
    answers = {k: a for k, a in answers.items() if k.startswith("total_") and k in asked or
               not k.startswith("total_") and k.rsplit("_", 1)[1] in asked}  # fmt: skip
    return Solution(
        answers=answers,
        values={
            "sheet": network_text(params),
            "input_text": "×".join(str(v) for v in params["input"]),
            "layers": rows,
            "spatial_layers": spatial,
            "totals": totals,
            "conventions_text": conventions_text(params),
        },
    )


# --- what the statement says, from the settings -------------------------------------------------------------


def conventions_text(params: dict[str, Any]) -> dict[str, str]:
    """The conventions stated to students, in both languages, written from the item's settings."""
    order = params.get("conventions", {}).get("shape_order", "CHW")
    asked = set(params.get("ask", {}))
    fa = [f"اندازه‌ی خروجی را به شکل `{'×'.join(order)}` بنویسید (برای لایه‌های خطی فقط تعداد ویژگی‌ها)."]
    en = [f"Write output sizes as `{'×'.join(order)}` (for linear layers just the number of features)."]
    if asked & {"weights", "biases", "params"}:
        fa.append("پارامترها = وزن‌ها + بایاس‌ها؛ هر فیلتر یا نورون یک بایاس دارد.")
        en.append("Parameters = weights + biases; each filter or neuron has one bias.")
    if "macs" in asked:
        fa.append("MACs یعنی تعداد ضرب‌ـجمع‌ها: یکی برای هر وزن در هر جایگاه خروجی.")
        en.append("MACs are multiply-accumulates: one per weight per output position.")
    if "flops" in asked:
        fa.append("FLOPs یعنی همه‌ی ضرب‌ها و جمع‌ها، یعنی دو برابر MACs.")
        en.append("FLOPs are all multiplications and additions, i.e. twice the MACs.")
    if asked & {"macs", "flops"}:
        fa.append("جمع بایاس، pooling و توابع فعال‌سازی شمرده نمی‌شوند.")
        en.append("Bias additions, pooling and activations are not counted.")
    if asked & {"rf", "jump"}:
        fa.append("میدان تأثیر را با طول ضلع ناحیه‌ی مربعی ورودی بنویسید (مثلاً 7 برای 7×7)؛ گام مؤثر (jump) "
                  "فاصله‌ی دو خروجی مجاور روی ورودی است.")  # fmt: skip
        en.append("Give the receptive field as the side of the square input region (e.g. 7 for 7×7); the jump "
                  "is the distance on the input between two neighbouring outputs.")  # fmt: skip
    return {"fa": " ".join(fa), "en": " ".join(en)}


PROMPTS = {
    "shape": ("اندازه‌ی خروجی", "Output size"),
    "weights": ("تعداد وزن‌ها (بدون بایاس)", "Number of weights (biases not included)"),
    "biases": ("تعداد بایاس‌ها", "Number of biases"),
    "params": ("تعداد پارامترها (وزن‌ها و بایاس‌ها)", "Number of parameters (weights and biases)"),
    "macs": ("تعداد MACs", "Number of MACs"),
    "flops": ("تعداد FLOPs", "Number of FLOPs"),
    "rf": ("میدان تأثیر روی ورودی (طول ضلع)", "Receptive field on the input (side length)"),
    "jump": ("گام مؤثر (jump) روی ورودی", "Jump (effective stride) on the input"),
}


_WHOLE = {
    "shape": ("خروجی شبکه", "of the network's output"),
    "rf": ("آخرین لایه‌ی فضایی", "of the last spatial layer"),
    "jump": ("آخرین لایه‌ی فضایی", "of the last spatial layer"),
}


def _part(quantity: str, per: str, points: float, shape_order: str) -> dict[str, Any]:
    fa, en = PROMPTS[quantity]
    if per == "layer":
        part: dict[str, Any] = {
            "id": f"{{key}}_{quantity}",
            "kind": "shape" if quantity == "shape" else "integer",
            "each": "spatial_layers" if quantity in SPATIAL_ONLY else "layers",
            "prompt": {
                "fa": f"{fa}: لایه‌ی `{{{{ row.label }}}}`",
                "en": f"{en}: layer `{{{{ row.label }}}}`",
            },
        }
    else:
        whole = _WHOLE.get(quantity, ("کل شبکه", "of the whole network"))
        part = {"id": f"total_{quantity}", "kind": "shape" if quantity == "shape" else "integer",
                "prompt": {"fa": f"{fa} ({whole[0]})", "en": f"{en} ({whole[1]})"}}  # fmt: skip
    part["points"] = points
    if quantity == "shape":
        part["grading"] = {"order": shape_order}
    return part


def item_parts(ask: dict[str, dict[str, Any]], shape_order: str = "CHW") -> list[dict[str, Any]]:
    """The parts of an item asking `ask` (quantity -> {per: layer | total | both, points}), as YAML mappings."""
    parts = []
    for quantity, how in ask.items():
        if quantity not in QUANTITIES:
            raise NetworkItemError(f"ask: '{quantity}' is not one of {', '.join(QUANTITIES)}")
        per = how.get("per", "layer")
        for one in ("layer", "total") if per == "both" else (per,):
            parts.append(_part(quantity, one, how.get("points", 0.25 if one == "layer" else 1), shape_order))
    return parts


# --- a pasted network -> the item's template and ranges (`azmoon questions new`) -----------------------------

_KEEP_DEFAULTS = {"stride", "padding", "p"}


def draft_network(text: str, input_shape: list[int]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A pasted network rewritten in sheet notation, one labelled layer a line, in-sizes left to inference, and
    placeholders for the conv channels and kernels and the hidden widths: (template, values, vary).
    Seed 0 (`values`) is the pasted network."""
    from analysis.sheet import LAYERS, build_sheet, parse_sheet
    from analysis.sheet import _bind as bind_call

    build_sheet(text, input_shape)  # the paste must build as it is
    calls = parse_sheet(text)
    from analysis.sheet import _labels as sheet_labels

    linears = [i for i, c in enumerate(calls) if c.name == "Linear"]
    pasted_labels = sheet_labels(calls)  # a sheet's own labels are kept; torch's names (`features.3`) are not
    own = all(label and not re.search(r"\.\d+$", label) for label in pasted_labels)
    names = pasted_labels if own else [f"Layer{n}" for n in range(1, len(calls) + 1)]
    lines, values, vary = [], {}, {}
    n_conv = n_fc = 0
    for number, (i, call) in enumerate(enumerate(calls), start=1):
        cls = LAYERS[call.name]
        args = dict(bind_call(call, cls).arguments)
        args.pop("self", None)
        args.update(args.pop("kwargs", {}) or {})
        defaults = {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()}
        written: list[str] = []
        for name, value in args.items():
            if name in ("in_channels", "in_features", "num_features", "num_channels", "inplace"):
                continue  # inferred from the previous layer
            if value == defaults.get(name) and name not in _KEEP_DEFAULTS:
                continue
            written.append(f"{name}={value!r}" if not isinstance(value, tuple) else f"{name}={value}")
        if call.name == "Conv2d":
            n_conv += 1
            c, k = f"c{n_conv}", f"k{n_conv}"
            channels = args["out_channels"]
            values[c], vary[c] = channels, {"one_of": sorted({max(1, channels // 2), channels, 2 * channels})}
            kernel = _pair(args["kernel_size"])
            written = [w for w in written if not w.startswith(("out_channels=", "kernel_size=", "padding="))]
            head = [f"out_channels={{{{ {c} }}}}"]
            padding = _pair(args.get("padding", 0)) if not isinstance(args.get("padding"), str) else None
            if (
                kernel[0] == kernel[1]
                and kernel[0] % 2 == 1
                and padding is not None
                and padding[0] == padding[1]
            ):
                values[k] = kernel[0]
                vary[k] = {"one_of": sorted({max(1, kernel[0] - 2), kernel[0], kernel[0] + 2})}
                head.append(f"kernel_size={{{{ {k} }}}}")
                same = padding[0] == kernel[0] // 2 and padding[0] > 0
                head.append(f"padding={{{{ {k} // 2 }}}}" if same else f"padding={padding[0]}")
            else:
                head.append(f"kernel_size={args['kernel_size']}")
                head.append(f"padding={args.get('padding', 0)!r}")
            written = head + written
        elif call.name == "Linear" and i != linears[-1]:
            n_fc += 1
            h = f"h{n_fc}"
            width = args["out_features"]
            values[h], vary[h] = width, {"one_of": sorted({max(1, width // 2), width, 2 * width})}
            written = [f"out_features={{{{ {h} }}}}"] + [
                w for w in written if not w.startswith("out_features=")
            ]
        lines.append(f"{names[number - 1]}: {call.name}({', '.join(written)})")
    return "\n".join(lines), values, vary


def parse_ask(text: str) -> dict[str, dict[str, Any]]:
    """`shape,params:total,flops` -> {quantity: {per, points}}; per layer unless `:total`."""
    ask: dict[str, dict[str, Any]] = {}
    for entry in filter(None, (e.strip() for e in text.split(","))):
        quantity, _, per = entry.partition(":")
        if quantity not in QUANTITIES or per not in ("", "layer", "total"):
            raise NetworkItemError(
                f"--ask: '{entry}' is not QUANTITY[:total] with QUANTITY one of {', '.join(QUANTITIES)} / "
                f"هر مورد --ask یکی از {', '.join(QUANTITIES)} است (با :total برای کل شبکه)"
            )
        per = per or "layer"
        if quantity in ask and ask[quantity]["per"] != per:
            per = "both"
        ask[quantity] = {"per": per, "points": 0.25 if per == "layer" else 1}
    if not ask:
        raise NetworkItemError("--ask: name at least one quantity / دست‌کم یک کمیت بنویسید")
    return ask


_STATEMENT = {
    "fa": "شبکه‌ی زیر را در نظر بگیرید. ورودی یک تنسور `{{ input_text }}` است:\n```\n{{ sheet }}\n```\n"
    "{{ conventions_text.fa }}\n",
    "en": "Consider the network below. The input is a `{{ input_text }}` tensor:\n```\n{{ sheet }}\n```\n"
    "{{ conventions_text.en }}\n",
}
_SOLUTION = {
    "fa": "{% for row in layers %}- `{{ row.label }}` ({{ row.op }}): خروجی `{{ row.shape }}`"
    "{% if row.steps.size %} از `{{ row.steps.size }}`{% endif %}؛ وزن‌ها {{ row.weights|num }}"
    "{% if row.steps.weights %} (`{{ row.steps.weights }}`){% endif %}، بایاس‌ها {{ row.biases|num }}"
    "{% if row.rf %}؛ میدان تأثیر {{ row.rf }} از `{{ row.steps.rf }}`، jump برابر {{ row.jump }}{% endif %}"
    "؛ MACs برابر {{ row.macs|num }}{% if row.steps.macs %} (`{{ row.steps.macs }}`){% endif %}"
    " و FLOPs برابر {{ row.flops|num }}.\n{% endfor %}\n"
    "مجموع: پارامترها {{ totals.params|num }}، MACs برابر {{ totals.macs|num }}، FLOPs برابر {{ totals.flops|num }}.\n",
    "en": "{% for row in layers %}- `{{ row.label }}` ({{ row.op }}): output `{{ row.shape }}`"
    "{% if row.steps.size %} from `{{ row.steps.size }}`{% endif %}; weights {{ row.weights|num }}"
    "{% if row.steps.weights %} (`{{ row.steps.weights }}`){% endif %}, biases {{ row.biases|num }}"
    "{% if row.rf %}; receptive field {{ row.rf }} from `{{ row.steps.rf }}`, jump {{ row.jump }}{% endif %}"
    "; MACs {{ row.macs|num }}{% if row.steps.macs %} (`{{ row.steps.macs }}`){% endif %}"
    " and FLOPs {{ row.flops|num }}.\n{% endfor %}\n"
    "In total: {{ totals.params|num }} parameters, {{ totals.macs|num }} MACs, {{ totals.flops|num }} FLOPs.\n",
}


def _last_spatial_side(text: str, input_shape: list[int]) -> list[int] | None:
    from analysis.sheet import build_sheet
    from analysis.trace import trace_module

    sheet = build_sheet(text, input_shape)
    result = trace_module(sheet.model, input_shape, labels=sheet.labels)
    spatial = [r for r in result.layers if r.output_shape and len(r.output_shape) >= 2 and r.receptive_field]
    return list(spatial[-1].output_shape[1:]) if spatial else None, result.totals  # type: ignore[return-value]


def draft_item(
    item_id: str,
    pasted: str,
    input_shape: list[int],
    ask: dict[str, dict[str, Any]],
    shape_order: str = "CHW",
) -> str:
    """A complete item YAML for a pasted network: bilingual skeletons to edit, placeholders with ranges around
    the pasted values, seed 0 the pasted network (checked: the same totals as the paste)."""
    import yaml

    if shape_order not in ("CHW", "HWC"):
        raise NetworkItemError(f"shape order: CHW or HWC, not '{shape_order}' / ترتیب ابعاد: CHW یا HWC")
    template, values, vary = draft_network(pasted, input_shape)
    last, pasted_totals = _last_spatial_side(pasted, input_shape)
    settings = {"network": template, "input": input_shape, "values": values}
    if trace_params(settings)[0].totals != pasted_totals:
        raise NetworkItemError("the rewritten network does not count as the pasted one; please report this")
    constraints = {"min_output": [min(4, s) for s in last]} if last else {}

    def dump(data: Any, indent: int) -> str:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)
        return "".join(" " * indent + line for line in text.splitlines(keepends=True))

    def block(key: str, text: str) -> str:
        return f"  {key}: |\n" + "".join(f"    {line}\n" for line in text.splitlines()).rstrip("\n")

    network_block = "".join(f"      {line}\n" for line in template.splitlines())
    lines = [
        f"id: {item_id}",
        "topic: cnn-arithmetic",
        "tags: [network]",
        "title:",
        "  fa: محاسبات شبکه — اندازه‌ها، پارامترها و هزینه",
        "  en: Arithmetic of a network — sizes, parameters and cost",
        "statement:",
        block("fa", _STATEMENT["fa"]),
        block("en", _STATEMENT["en"]),
        "family: network",
        "ranges:",
        "  settings: &settings",
        "    network: |",
        network_block.rstrip("\n"),
        f"    input: {list(input_shape)}",
        "    ask:",
        dump(ask, 6).rstrip("\n"),
        f"    conventions: {{shape_order: {shape_order}}}",
        f"    constraints: {constraints or '{}'}".replace("'", ""),
        "  vary:",
        dump(vary, 4).rstrip("\n") if vary else "    {}",
        "canonical:",
        "  <<: *settings",
        "  values:",
        dump(values, 4).rstrip("\n") if values else "    {}",
        "parts:",
        dump(item_parts(ask, shape_order), 2).rstrip("\n"),
        "solution:",
        block("fa", _SOLUTION["fa"]),
        block("en", _SOLUTION["en"]),
    ]
    return "\n".join(lines) + "\n"
