"""The tracer's printed table (the report, kept apart from the crawl)."""

from __future__ import annotations

from analysis.trace import TraceResult


def format_table(result: TraceResult) -> str:
    """A readable table: one row per layer, totals last."""

    def side(values: list | None) -> str:
        return "-" if values is None else "×".join(str(v) for v in values)

    header = ["layer", "op", "output", "weights", "biases", "params", "MACs", "FLOPs", "RF", "jump"]
    t = result.totals
    body = [
        [r.label, r.op, side(r.output_shape), *(f"{n:,}" for n in (r.weights, r.biases, r.params, r.macs, r.flops)),
         side(r.receptive_field), side(r.jump)]
        for r in result.layers
    ]  # fmt: skip
    body.append(
        ["total", "", "", *(f"{t[k]:,}" for k in ("weights", "biases", "params", "macs", "flops")), "", ""]
    )
    widths = [max(len(str(row[k])) for row in [header, *body]) for k in range(len(header))]
    lines = [f"input: {side(result.input_shape)}   params: {t['params']:,}   FLOPs = 2 × MACs"]
    for n, row in enumerate([header, *body]):
        if n == 1 or n == len(body):
            lines.append("  ".join("-" * w for w in widths))
        lines.append(
            "  ".join(
                str(c).rjust(w) if k >= 3 else str(c).ljust(w)
                for k, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)
