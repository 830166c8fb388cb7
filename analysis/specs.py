"""Loading what a user names for the tracer: a sheet file, `module.py:factory`, or `zoo:NAME`."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import torch
from torch import nn

from analysis.handlers import TraceError
from analysis.trace import TraceResult, trace_module


def parse_shape(text: str) -> list[int]:
    """'3x128x128', '3×128×128', '3*128*128' or '3,128,128' -> [3, 128, 128] (no batch dimension)."""
    pieces = [p.strip() for p in re.split(r"[x×*,]", text.strip().strip("[]()"))]
    if not pieces or not all(p.isdigit() for p in pieces) or len(pieces) > 4:
        raise TraceError(f"input shape '{text}' should look like 3x128x128 (channels first, no batch)")
    shape = [int(p) for p in pieces]
    if any(s <= 0 or s > 100_000 for s in shape):
        raise TraceError(f"input shape '{text}' has a size out of range")
    return shape


def _load_factory(spec: str) -> nn.Module:
    path_text, _, factory_name = spec.rpartition(":")
    path = Path(path_text)
    if not path.is_file():
        raise TraceError(f"no Python file '{path}'")
    module_spec = importlib.util.spec_from_file_location(f"azmoon_user_{path.stem}", path)
    if module_spec is None or module_spec.loader is None:
        raise TraceError(f"cannot import '{path}'")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)  # a TA's own model file: trusted code, like `python file.py`
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise TraceError(f"'{path}' has no callable '{factory_name}'")
    with torch.device("meta"):
        model = factory()
    if not isinstance(model, nn.Module):
        raise TraceError(f"'{spec}' returned {type(model).__name__}, not an nn.Module")
    return model


def trace_spec(spec: str, input_shape: str | None = None, depth: int | None = None) -> TraceResult:
    """Trace a sheet file, a `module.py:factory`, or `zoo:NAME`."""
    shape = parse_shape(input_shape) if input_shape else None
    if spec.startswith("zoo:"):
        from analysis import zoo

        name = spec[len("zoo:") :]
        with torch.device("meta"):
            model = zoo.build(name, **zoo.input_options(name, shape))
        return trace_module(model, shape or list(zoo.default_input(name)), depth=depth)
    if re.search(r"\.py:[A-Za-z_]\w*$", spec):
        if shape is None:
            raise TraceError("give the input shape with --input, e.g. --input 3x224x224")
        return trace_module(_load_factory(spec), shape, depth=depth)
    path = Path(spec)
    if not path.is_file():
        raise TraceError(f"no sheet file '{spec}' (or use module.py:factory, or zoo:NAME)")
    if shape is None:
        raise TraceError("give the input shape with --input, e.g. --input 3x128x128")
    from analysis.sheet import build_sheet

    sheet = build_sheet(path.read_text(encoding="utf-8"), shape)
    return trace_module(sheet.model, shape, labels=sheet.labels, depth=depth)
