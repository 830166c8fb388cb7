"""The meta-device tracer: exact per-layer arithmetic of any `nn.Module`, with no weights allocated.

How it works (fvcore's shape: a table of op handlers, pure math kept in `analysis.arithmetic`):
- the model runs once on the `meta` device under a TorchDispatchMode, so every aten op is seen — also the ones
  module hooks miss (attention's matrix products, `torch.cat` and `+` in residual and dense paths);
- forward hooks give the module each op belongs to: a row per innermost executed module;
- each op's handler returns its MACs and the receptive-field state of its output. An op with no handler and not
  known to be free of MACs (views, element-wise, normalization, bookkeeping) is counted in `unsupported`, never
  silently as zero.

Conventions: see `analysis.arithmetic` (MACs of conv/linear/matmul/attention only; FLOPs = 2 x MACs;
receptive field as side length with its jump, cumulated from the input; the largest path over branches).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from analysis import arithmetic as ar
from analysis.handlers import GONE, HANDLERS, Spatial, TraceError, classify, first, merge, reshaped
from analysis.meta_shapes import fast_output, same_meta


@dataclass
class LayerRow:
    label: str
    op: str
    module: str
    output_shape: list[int] | None
    weights: int = 0
    biases: int = 0
    params: int = 0  # every trainable parameter owned: weights + biases + others (see `param_kind`)
    macs: int = 0
    receptive_field: list[int | float] | None = None
    jump: list[int | float] | None = None

    @property
    def flops(self) -> int:
        return ar.flops(self.macs)

    @property
    def others(self) -> int:
        """Trainable parameters neither weight nor bias (`param_kind`): params = weights + biases + others."""
        return self.params - self.weights - self.biases

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "op": self.op,
            "module": self.module,
            "output_shape": self.output_shape,
            "weights": self.weights,
            "biases": self.biases,
            "params": self.params,
            "macs": self.macs,
            "flops": self.flops,
            "receptive_field": self.receptive_field,
            "jump": self.jump,
        }


@dataclass
class TraceResult:
    input_shape: list[int]
    layers: list[LayerRow]
    totals: dict[str, int]
    unsupported: dict[str, int] = field(default_factory=dict)

    def row(self, label: str) -> LayerRow:
        for row in self.layers:
            if row.label == label:
                return row
        raise KeyError(f"no layer labelled '{label}'")

    def to_json(self) -> dict[str, Any]:
        return {
            "input_shape": self.input_shape,
            "layers": [r.to_json() for r in self.layers],
            "totals": self.totals,
            "unsupported": self.unsupported,
        }


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _rf_fields(state: Spatial | None) -> tuple[list | None, list | None]:
    if state is None or not state.rf:
        return None, None
    return [_number(r) for r in state.rf], [_number(j) for j in state.jump]


def param_kind(name: str) -> str:
    """'weight', 'bias' or 'other', by the tensor's own name.

    `weight`, `weight_*` and `*_weight` are weights (LSTM's `weight_ih_l0`, attention's `in_proj_weight`,
    BatchNorm's γ, PReLU's slopes, an Embedding's table); `bias`, `bias_*` and `*_bias` are biases (`bias_hh_l0`,
    `in_proj_bias`, attention's `bias_k`, BatchNorm's β). Everything else is 'other': class tokens, position
    embeddings, Swin's relative-position bias table. So weights + biases + others = params, row by row."""
    leaf = name.rsplit(".", 1)[-1]
    for kind in ("weight", "bias"):
        if leaf == kind or leaf.startswith(kind + "_") or leaf.endswith("_" + kind):
            return kind
    return "other"


@dataclass
class _Call:
    name: str
    macs: int = 0  # ops executed while this call was the innermost module
    had_child: bool = False
    unsupported: bool = False


class _Tracer(TorchDispatchMode):
    verify = False  # tests: check every output `fast_output` makes against torch's own meta kernel

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        """False: torch would wrap `__torch_dispatch__` in `torch._disable_dynamo`, whose first call imports
        `torch._dynamo` (about 1 s of a cold `azmoon trace`). The tracer never runs under torch.compile, so there is
        nothing for dynamo to skip; this is the opt-out `TorchDispatchMode` documents for such modes."""
        return False

    def __init__(self) -> None:
        super().__init__()
        self.states: dict[int, Spatial] = {}
        self.keep: list[torch.Tensor] = []  # keeps ids unique while the trace runs
        self.stack: list[_Call] = []
        self.unsupported: Counter[str] = Counter()

    def state(self, t: Any) -> Spatial | None:
        return self.states.get(id(t)) if isinstance(t, torch.Tensor) else None

    def set_state(self, t: Any, state: Spatial | None) -> None:
        if isinstance(t, torch.Tensor) and state is not None:
            self.states[id(t)] = state
            self.keep.append(t)

    def _input_states(self, args: tuple) -> list[Spatial]:
        flat = [a for arg in args for a in (arg if isinstance(arg, list | tuple) else [arg])]
        return [s for s in (self.state(a) for a in flat) if s is not None]

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        out = fast_output(func, args, kwargs)
        if out is None:
            out = func(*args, **kwargs)
        elif self.verify:
            same_meta(out, func(*args, **kwargs), func)
        kind = classify(func)
        states = self._input_states(args)
        macs = 0
        if kind == "handler":
            macs, new = HANDLERS[func.overloadpacket](args, kwargs, out, states[0] if states else None)
        elif kind == "passthrough":
            new = merge(states)
        elif kind == "reshape":
            new = reshaped(states[0], args[0], first(out)) if states else None
        elif kind == "gone":
            new = GONE if states else None
        elif kind == "creation":
            new = None
        else:
            self.unsupported[str(func.overloadpacket.__name__)] += 1
            if self.stack:
                self.stack[-1].unsupported = True
            new = GONE if states else None
        if self.stack:
            self.stack[-1].macs += macs
        self.set_state(first(out), new)
        return out


def _owned_params(model: nn.Module) -> dict[str, dict[str, int]]:
    """Trainable parameter counts by owning module name and kind ('weight', 'bias', other)."""
    owned: dict[str, dict[str, int]] = {}
    for mod_name, module in model.named_modules():
        for p_name, p in module.named_parameters(recurse=False):
            if p.requires_grad:
                counts = owned.setdefault(mod_name, Counter())
                counts[param_kind(p_name)] += p.numel()
    return owned


def _attribute_params(model: nn.Module, rows: list[LayerRow], executed: set[str]) -> None:
    """Each trainable parameter goes to exactly one row: its module's first row; a module used only
    functionally (never called) gives its parameters to the nearest executed ancestor, which gets a row of its
    own if it has none (e.g. a position embedding owned by a container)."""
    first_row: dict[str, LayerRow] = {}
    for row in rows:
        first_row.setdefault(row.module, row)
    for mod_name, counts in _owned_params(model).items():
        owner = mod_name
        while owner and owner not in executed:
            owner = owner.rsplit(".", 1)[0] if "." in owner else ""
        if owner not in first_row:
            module = model.get_submodule(owner)
            first_row[owner] = LayerRow(owner or type(module).__name__, type(module).__name__ + " (own params)",
                                        owner, None)  # fmt: skip
            rows.append(first_row[owner])
        row = first_row[owner]
        row.weights += counts.get("weight", 0)
        row.biases += counts.get("bias", 0)
        row.params += sum(counts.values())


def _fold(rows: list[LayerRow], depth: int) -> list[LayerRow]:
    """Fold rows into their ancestor module `depth` levels deep (consecutive rows of one block become one)."""
    folded: list[LayerRow] = []
    for row in rows:
        parts = row.module.split(".") if row.module else []
        key = ".".join(parts[:depth]) if len(parts) > depth else None
        if key is not None and folded and folded[-1].module == key:
            last = folded[-1]
            last.weights += row.weights
            last.biases += row.biases
            last.params += row.params
            last.macs += row.macs
            last.output_shape, last.receptive_field, last.jump = (
                row.output_shape,
                row.receptive_field,
                row.jump,
            )
        elif key is not None:
            folded.append(LayerRow(key, "block", key, row.output_shape, row.weights, row.biases, row.params,
                                   row.macs, row.receptive_field, row.jump))  # fmt: skip
        else:
            folded.append(row)
    return folded


def trace_module(
    model: nn.Module,
    input_shape: Sequence[int],
    labels: dict[str, str] | None = None,
    depth: int | None = None,
) -> TraceResult:
    """Run `model` once on `meta` with input [1, *input_shape]; rows per innermost executed module."""
    labels = labels or {}
    model = model.to("meta").eval()
    modules = dict(model.named_modules())
    names = {id(m): n for n, m in modules.items()}
    tracer = _Tracer()
    rows: list[LayerRow] = []
    executed: set[str] = set()

    def pre_hook(module: nn.Module, inputs: Any) -> None:
        if tracer.stack:
            tracer.stack[-1].had_child = True
        tracer.stack.append(_Call(names[id(module)]))

    def post_hook(module: nn.Module, inputs: Any, output: Any) -> None:
        call = tracer.stack.pop()
        executed.add(call.name)
        if call.had_child and not call.macs and not call.unsupported:
            return  # a container: its children have the rows
        out = first(output) if isinstance(output, torch.Tensor | tuple | list) else None
        rf, jump = _rf_fields(tracer.state(out))
        rows.append(
            LayerRow(
                label=labels.get(call.name, call.name or type(module).__name__),
                op=type(module).__name__ + (" (own ops)" if call.had_child else ""),
                module=call.name,
                output_shape=list(out.shape[1:]) if isinstance(out, torch.Tensor) else None,
                macs=call.macs,
                receptive_field=rf,
                jump=jump,
            )
        )

    hooks = [m.register_forward_pre_hook(pre_hook) for m in modules.values()]
    hooks += [m.register_forward_hook(post_hook) for m in modules.values()]
    try:
        x = torch.empty(1, *input_shape, device="meta")
        with torch.no_grad(), tracer:
            tracer.set_state(x, Spatial.of_input(len(input_shape) - 1))
            model(x)
    except (RuntimeError, ValueError, ArithmeticError, TypeError, IndexError) as exc:
        raise TraceError(
            f"the model does not run on input {list(input_shape)}: {str(exc).splitlines()[0]}"
        ) from None
    finally:
        for hook in hooks:
            hook.remove()
    _attribute_params(model, rows, executed)

    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    macs = sum(r.macs for r in rows)
    totals = {
        "weights": sum(p.numel() for n, p in trainable if param_kind(n) == "weight"),
        "biases": sum(p.numel() for n, p in trainable if param_kind(n) == "bias"),
        "params": sum(p.numel() for _, p in trainable),
        "macs": macs,
        "flops": ar.flops(macs),
    }
    layers = _fold(rows, depth) if depth else rows
    return TraceResult(list(input_shape), layers, totals, dict(tracer.unsupported))
