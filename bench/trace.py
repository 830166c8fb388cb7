"""Benchmark the tracer: prints figures, asserts nothing.

1. ResNet-50 at 224×224 (the zoo's plain-torch.nn definition): Azmoon's meta-device trace, torch's
   FlopCounterMode alone on meta, and a real CPU forward with allocated weights — in one run.
2. Cold start of `azmoon trace zoo:resnet50 --json` and of `azmoon trace` on the seed sheet against
   `python -c "import torch"`, in the same run: medians and ratios (issue 13.8: ≤ 1.5×).
3. Every zoo model: trace vs CPU forward, totals vs the published table.

Run: `.venv/bin/python bench/trace.py [--repeat 5] [--only cold]`
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
BASELINE = "python -c 'import torch'"
sys.path.insert(0, str(ROOT))  # `python bench/trace.py` from a checkout: the packages beside bench/


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
    """Whole processes, interleaved so that a busy machine slows every command alike; medians and ratios."""
    print(f"Cold start (whole process; runs interleaved, n={repeat} each after one warm-up round)")
    azmoon = [sys.executable, str(ROOT / "cli.py")]
    commands = {
        BASELINE: [sys.executable, "-c", "import torch"],
        "azmoon trace zoo:resnet50 --json": [*azmoon, "trace", "zoo:resnet50", "--json"],
        "azmoon trace examples/sheet002_q1.txt": [
            *azmoon, "trace", str(ROOT / "examples/sheet002_q1.txt"), "--input", "3x128x128",
        ],
    }  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_number in range(repeat + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            if round_number:  # round 0 warms the file cache
                times[name].append(time.perf_counter() - start)
    for name in commands:
        report(name, times[name])
    baseline = statistics.median(times[BASELINE])
    for name in list(commands)[1:]:
        print(f"  {name} / import torch: {statistics.median(times[name]) / baseline:.2f}×  (target ≤ 1.5×)")


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
    parser.add_argument("--only", choices=["resnet50", "cold", "zoo"], help="run one part")
    args = parser.parse_args()
    parts = {"resnet50": bench_resnet50, "cold": bench_cold_start, "zoo": bench_zoo}
    for name, bench in parts.items():
        if args.only in (None, name):
            bench(args.repeat)


if __name__ == "__main__":
    main()
