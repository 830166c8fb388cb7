"""Typical wrong answers, computed from the right one (catalogue: "Mistakes seen in real answers").

Each helper returns Misconception objects a solver attaches to a part's Answer; the grader matches a wrong
answer against them (with the part's own comparator) and shows the bilingual hint.
"""

from __future__ import annotations

from collections.abc import Sequence

from solutions.item import Bilingual
from solutions.registry import Misconception


def macs_instead_of_flops(flops_value: int) -> Misconception:
    return Misconception(
        flops_value // 2,
        Bilingual(
            fa="این نصف مقدار درست است: آیا به جای FLOPs (ضرب و جمع) فقط ضرب‌ها (MACs) را شمرده‌اید؟",
            en="This is half the expected value: did you count MACs instead of FLOPs (multiplies and adds)?",
        ),
    )


def flops_instead_of_macs(macs_value: int) -> Misconception:
    return Misconception(
        2 * macs_value,
        Bilingual(
            fa="این دو برابر مقدار درست است: سؤال تعداد ضرب‌ها (MACs) را خواسته، نه ضرب و جمع (FLOPs).",
            en="This is twice the expected value: the question asks for multiplications (MACs), not FLOPs.",
        ),
    )


def bias_forgotten(params_with_bias: int, biases: int) -> Misconception:
    return Misconception(
        params_with_bias - biases,
        Bilingual(
            fa="بایاس‌ها را فراموش کرده‌اید: هر فیلتر یک بایاس دارد.",
            en="You left out the biases: each filter (output unit) has one bias.",
        ),
    )


def channel_order(shape_chw: Sequence[int]) -> Misconception:
    c, *spatial = shape_chw
    return Misconception(
        [*spatial, c],
        Bilingual(
            fa="عددها درست‌اند ولی ترتیب نه: سؤال C×H×W خواسته و شما H×W×C نوشته‌اید.",
            en="Right numbers, wrong order: the question asks for C×H×W and you wrote H×W×C.",
        ),
    )


def no_floor(numerator: int, stride: int) -> Misconception | None:
    """(W + 2P - D(K-1) - 1) / S + 1 without the floor: only a distinct answer when S does not divide."""
    if numerator % stride == 0:
        return None
    return Misconception(
        numerator / stride + 1,
        Bilingual(
            fa="کف (floor) تقسیم را فراموش کرده‌اید: اندازه‌ی خروجی عدد صحیح است.",
            en="You forgot the floor of the division: an output size is a whole number.",
        ),
    )


def padding_once(
    size: int, kernel: int, stride: int, padding: int, dilation: int = 1
) -> Misconception | None:
    if padding == 0:
        return None
    return Misconception(
        (size + padding - dilation * (kernel - 1) - 1) // stride + 1,
        Bilingual(
            fa="پدینگ را فقط یک بار اضافه کرده‌اید: پدینگ در هر دو طرف اعمال می‌شود (2P).",
            en="You added the padding once: it is applied on both sides (2P).",
        ),
    )


def rf_without_jump(kernels: Sequence[int], dilations: Sequence[int] | None = None) -> Misconception:
    """RF summed as if every layer had stride 1: 1 + sum(k_eff - 1)."""
    dilations = dilations or [1] * len(kernels)
    return Misconception(
        1 + sum(d * (k - 1) for k, d in zip(kernels, dilations, strict=True)),
        Bilingual(
            fa="میدان تأثیر را بدون در نظر گرفتن گام مؤثر (jump) جمع زده‌اید: هر لایه (k−1)·j اضافه می‌کند.",
            en="You added the kernels without the jump (effective stride): each layer adds (k−1)·j.",
        ),
    )


def only_present(*candidates: Misconception | None, right: object) -> list[Misconception]:
    """Drop None and any 'misconception' that happens to equal the right answer (or repeats another)."""
    out: list[Misconception] = []
    seen = [right]
    for m in candidates:
        if m is not None and m.value not in seen:
            out.append(m)
            seen.append(m.value)
    return out
