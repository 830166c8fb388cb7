"""Bench: cold `azmoon solve ITEM --json` against cold `python -c "import torch"`, in the same run.

An item loads only its own family (issue 13.7): an item whose family needs no torch solves in a fraction of
what importing torch takes. The target for `conv_output_size` is <= 0.3 x import torch. An item whose family
imports sympy (`conv_backprop_2d`) is shown beside it for scale.

Usage: .venv/bin/python bench/solve.py [--repeat 7] [--item conv_output_size] [--item ...]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cold(args: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"bench: {' '.join(args)} failed:\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--item", action="append", default=None)
    options = parser.parse_args()
    items = options.item or ["conv_output_size", "conv_backprop_2d"]
    commands = {"import torch": ["-c", "import torch"]}
    commands |= {f"solve {item}": ["cli.py", "solve", item, "--json"] for item in items}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for args in commands.values():
        cold(args)  # warm the file cache once; every measured run is a fresh process
    for _ in range(options.repeat):  # interleaved, so a busy moment of the machine hits every command alike
        for name, args in commands.items():
            times[name].append(cold(args))
    torch = statistics.median(times["import torch"])
    print(f"median of {options.repeat} cold runs, {sys.executable}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"  {name:<28} {median:6.3f} s   {median / torch:5.2f} x import torch")
    print("target: solve conv_output_size <= 0.30 x import torch")


if __name__ == "__main__":
    main()
