"""Benchmark the tracer: prints figures, asserts nothing.

1. ResNet-50 at 224×224 (the zoo's plain-torch.nn definition): Azmoon's meta-device trace, torch's
   FlopCounterMode alone on meta, and a real CPU forward with allocated weights — in one run.
2. Cold start of `azmoon trace` on the seed sheet against `python -c "import torch"`.

Run: `.venv/bin/python bench/trace.py [--repeat 5]`
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float]) -> None:
    print(
        f"  {name:<44} median {statistics.median(times) * 1000:9.1f} ms   (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, n={len(times)})"
    )


def bench_resnet50(repeat: int) -> None:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from analysis.trace import trace_module
    from analysis.zoo import build

    torch.set_num_threads(2)
    print("ResNet-50, one 3×224×224 image")

    def trace() -> None:
        with torch.device("meta"):
            model = build("resnet50")
        trace_module(model, [3, 224, 224])

    def flop_counter() -> None:
        with torch.device("meta"):
            model = build("resnet50").eval()
            with FlopCounterMode(display=False):
                model(torch.empty(1, 3, 224, 224))

    cpu_model = build("resnet50").eval()  # real weights, allocated once
    image = torch.randn(1, 3, 224, 224)

    def cpu_forward() -> None:
        with torch.no_grad():
            cpu_model(image)

    report("azmoon trace_module (build + trace on meta)", timed(trace, repeat))
    report("FlopCounterMode alone (build + run on meta)", timed(flop_counter, repeat))
    report("real CPU forward (weights allocated)", timed(cpu_forward, repeat))
    totals = trace_module(build("resnet50"), [3, 224, 224]).totals
    print(f"  totals: params {totals['params']:,}, MACs {totals['macs']:,} ({totals['macs'] / 1e9:.3f} G)")


def bench_cold_start(repeat: int) -> None:
    print("Cold start (whole process, seed sheet Q1)")
    commands = {
        "python -c 'import torch'": [sys.executable, "-c", "import torch"],
        "azmoon trace examples/sheet002_q1.txt": [
            sys.executable, str(ROOT / "cli.py"), "trace", str(ROOT / "examples/sheet002_q1.txt"), "--input", "3x128x128",
        ],
    }  # fmt: skip
    medians = {}
    for name, command in commands.items():
        times = timed(
            lambda command=command: subprocess.run(command, check=True, capture_output=True), repeat
        )
        report(name, times)
        medians[name] = statistics.median(times)
    ratio = medians["azmoon trace examples/sheet002_q1.txt"] / medians["python -c 'import torch'"]
    print(f"  azmoon trace / import torch: {ratio:.2f}×")


# --- model zoo (solutions/zoo, issue 7) ------------------------------------------------------------------------


def bench_zoo(repeat: int) -> None:
    """Every zoo model at its published input: trace on meta vs a real CPU forward, and the totals vs the table."""
    import torch

    from analysis.trace import trace_module
    from analysis.zoo import MODELS, build, default_input

    torch.set_num_threads(2)
    print("Model zoo, one image at the published input (trace: build + trace on meta; CPU: forward only)")
    print(
        f"  {'model':<16} {'input':<10} {'params':>12} {'published':>12} {'GMACs':>8} {'published':>9}"
        f" {'trace ms':>9} {'CPU ms':>8}"
    )
    for name, entry in MODELS.items():
        shape = list(default_input(name))

        def trace(name: str = name, shape: list[int] = shape) -> object:
            with torch.device("meta"):
                model = build(name)
            return trace_module(model, shape)

        trace_times = timed(trace, repeat)
        totals = trace().totals
        cpu_model = build(name).eval()
        image = torch.randn(1, *shape)

        def cpu_forward(model: torch.nn.Module = cpu_model, image: torch.Tensor = image) -> None:
            with torch.no_grad():
                model(image)

        cpu_times = timed(cpu_forward, repeat)
        del cpu_model
        published = "-" if entry.published_gmacs is None else f"{entry.published_gmacs:.3f}"
        print(
            f"  {name:<16} {'x'.join(map(str, shape)):<10} {totals['params']:>12,} {entry.published_params:>12,}"
            f" {totals['macs'] / 1e9:>8.3f} {published:>9} {statistics.median(trace_times) * 1000:>9.0f}"
            f" {statistics.median(cpu_times) * 1000:>8.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bench_resnet50(args.repeat)
    bench_cold_start(args.repeat)
    bench_zoo(args.repeat)


if __name__ == "__main__":
    main()
