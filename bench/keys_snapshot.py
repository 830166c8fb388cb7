"""Dump `solve_item(item, seed).to_json()` for every bank item over seeds, to diff keys before/after a refactor.

    .venv/bin/python bench/keys_snapshot.py /tmp/keys_before.json            # write a snapshot
    .venv/bin/python bench/keys_snapshot.py /tmp/keys_after.json --diff /tmp/keys_before.json
    .venv/bin/python bench/keys_snapshot.py /tmp/mine.json --diff /tmp/keys_before.json --items conv_output_size,rf_design

A difference is named by what differs: params, the answers, the mistakes the key keeps, or the texts.

Heavy items (torch traces, sympy) get seeds 0..60, the others 0..200; the same counts every run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bank.item import load_items  # noqa: E402
from bank.pipeline import solve_item  # noqa: E402

CHEAP_SEEDS = 200
HEAVY_SEEDS = 60
# items that trace torch modules or derive with sympy (seconds a seed): fewer seeds, the same every run
HEAVY_IDS = {
    "activation_derivative", "classification_report", "cnn_table", "cnn_whatif", "conv_backprop_1d",
    "conv_backprop_2d", "cross_entropy", "distillation", "downsampling_chain", "e25_block_macs",
    "e25_block_params", "e25_classifier_share", "e25_scaling", "efficientnet_scaling", "pool_backprop",
    "residual_gradient",
}  # fmt: skip


def snapshot(only: set[str] | None = None) -> dict[str, dict[str, object]]:
    keys: dict[str, dict[str, object]] = {}
    for item_id, item in load_items().items():
        if only and item_id not in only:
            continue
        seeds = HEAVY_SEEDS if item_id in HEAVY_IDS else CHEAP_SEEDS
        keys[item_id] = {}
        for seed in range(seeds + 1):
            keys[item_id][str(seed)] = solve_item(item, seed).to_json()
    return keys


def _what_differs(a: dict, b: dict) -> list[str]:
    """Which parts of two `solve --json` documents differ: params, answers, mistakes, texts."""
    what = []
    if a.get("params") != b.get("params"):
        what.append("params")
    parts_a, parts_b = a.get("parts") or [], b.get("parts") or []
    strip = ("misconceptions", "prompt", "form")
    if [{k: v for k, v in p.items() if k not in strip} for p in parts_a] != [
        {k: v for k, v in p.items() if k not in strip} for p in parts_b
    ]:
        what.append("answers")
    if [p.get("misconceptions") for p in parts_a] != [p.get("misconceptions") for p in parts_b]:
        what.append("mistakes")
    rest_a = {k: v for k, v in a.items() if k not in ("params", "parts")}
    rest_b = {k: v for k, v in b.items() if k not in ("params", "parts")}
    if rest_a != rest_b or [(p.get("prompt"), p.get("form")) for p in parts_a] != [
        (p.get("prompt"), p.get("form")) for p in parts_b
    ]:
        what.append("texts")
    return what


def diff(old: dict, new: dict, only: set[str] | None = None) -> list[str]:
    lines = []
    for item_id in sorted(set(old) | set(new)):
        if only and item_id not in only:
            continue
        a, b = old.get(item_id, {}), new.get(item_id, {})
        seeds = sorted(set(a) & set(b), key=int)
        changed = [s for s in seeds if a[s] != b[s]]
        if set(a) != set(b):
            lines.append(f"{item_id}: seeds only in one snapshot: {sorted(set(a) ^ set(b), key=int)[:10]}")
        if changed:
            kinds = sorted({k for s in changed for k in _what_differs(a[s], b[s])})
            lines.append(
                f"{item_id}: {len(changed)}/{len(seeds)} seeds differ in {', '.join(kinds)} (first: {changed[:5]})"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--diff", help="an earlier snapshot to compare with")
    parser.add_argument("--items", help="comma-separated item ids (default: every item)")
    args = parser.parse_args()
    only = set(args.items.split(",")) if args.items else None
    start = time.perf_counter()
    keys = snapshot(only)
    Path(args.out).write_text(json.dumps(keys, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    compared = sum(len(v) for v in keys.values())
    print(
        f"{len(keys)} items, {compared} item x seed keys in {time.perf_counter() - start:.1f} s -> {args.out}"
    )
    if args.diff:
        old = json.loads(Path(args.diff).read_text(encoding="utf-8"))
        lines = diff(old, keys, only)
        print("\n".join(lines) if lines else "no difference")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
