"""A9 (inception bottleneck, inception module): costs in the unit a variant asks for, shared by both families."""

from __future__ import annotations

from analysis.arithmetic import flops
from bank.registry import Misconception
from solutions.common.misconceptions import flops_instead_of_macs, macs_instead_of_flops


def percent_text(value: float) -> str:
    """One decimal, as the reduction part's prompt asks for (how close counts as right is its YAML grading)."""
    return f"{value:.1f}"


def counted(macs: int, count: str) -> int:
    """A cost in the unit the variant asks for: MACs, or FLOPs = 2 × MACs."""
    return flops(macs) if count == "flops" else macs


def unit_slip(value: int, count: str) -> Misconception:
    """The other convention's answer: half when FLOPs are asked, double when MACs are."""
    return macs_instead_of_flops(value) if count == "flops" else flops_instead_of_macs(value)
