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


# --- blocks of modern architectures (catalogue A9-A14): the solver computes the wrong value, the hint says why ---


def _hint(value: object, fa: str, en: str) -> Misconception:
    return Misconception(value, Bilingual(fa=fa, en=en))


def bias_added(params_without_bias: int, biases: int) -> Misconception:
    return _hint(
        params_without_bias + biases,
        "بایاس شمرده‌اید، ولی صورت سؤال گفته این لایه‌ها بایاس ندارند (bias=False).",
        "You counted biases, but the question says these layers have none (bias=False).",
    )


def bottleneck_cost_forgotten(value: int) -> Misconception:
    return _hint(
        value,
        "هزینه‌ی خود کانولوشن‌های 1×1 (کاهش کانال) را جا انداخته‌اید؛ آن‌ها هم ضرب دارند.",
        "You left out the cost of the 1×1 (channel-reducing) convolutions themselves; they multiply too.",
    )


def remaining_share_given(value: float) -> Misconception:
    return _hint(
        value,
        "این سهم باقی‌مانده است (نسبت هزینه‌ی جدید به قدیم)، نه درصد کاهش؛ کاهش = ۱۰۰ منهای آن.",
        "That is the share that remains (new cost over old), not the reduction; the reduction is 100 minus it.",
    )


def branch_left_out(value: object) -> Misconception:
    return _hint(
        value,
        "یکی از شاخه‌ها را جا انداخته‌اید: خروجی ماژول اینسپشن الحاق (concatenate) هر چهار شاخه است.",
        "You left out a branch: the inception module's output concatenates all four branches.",
    )


def ratio_inverted(value: float) -> Misconception:
    return _hint(
        value,
        "نسبت را وارونه نوشته‌اید: سؤال هزینه‌ی جداپذیر تقسیم بر استاندارد را خواسته (عددی کمتر از ۱).",
        "You inverted the ratio: the question asks for separable over standard cost (a number below 1).",
    )


def pointwise_forgotten(value: int) -> Misconception:
    return _hint(
        value,
        "فقط بخش depthwise را شمرده‌اید؛ کانولوشن pointwise (1×1) که کانال‌ها را ترکیب می‌کند هم جزو لایه است.",
        "You counted only the depthwise part; the pointwise (1×1) convolution that mixes channels belongs to the layer too.",
    )


def depthwise_as_full_conv(value: int) -> Misconception:
    return _hint(
        value,
        "کانولوشن depthwise را مثل کانولوشن معمولی حساب کرده‌اید؛ هر فیلتر آن فقط روی یک کانال کار می‌کند (groups=C).",
        "You counted the depthwise convolution as a standard one; each of its filters sees a single channel (groups=C).",
    )


def batchnorm_forgotten(value: int) -> Misconception:
    return _hint(
        value,
        "پارامترهای BatchNorm (γ و β برای هر کانال) را جا انداخته‌اید.",
        "You left out the BatchNorm parameters (γ and β per channel).",
    )


def running_stats_counted(value: int) -> Misconception:
    return _hint(
        value,
        "میانگین و واریانس متحرک (running mean/var) را هم شمرده‌اید؛ آن‌ها بافر هستند و آموزش داده نمی‌شوند.",
        "You counted the running mean and variance too; they are buffers, not trained parameters.",
    )


def initial_channels_forgotten(value: int) -> Misconception:
    return _hint(
        value,
        "کانال‌های ورودی بلوک (k₀) را فراموش کرده‌اید: هر لایه به همه‌ی نقشه‌های قبلی، از جمله ورودی، الحاق می‌شود.",
        "You forgot the block's input channels (k₀): each layer is concatenated to everything before it, the input included.",
    )


def off_by_one_layer(value: int) -> Misconception:
    return _hint(
        value,
        "یک لایه کم یا زیاد شمرده‌اید: لایه‌ی l ام ورودی‌ای با k₀ + (l−1)·k کانال می‌گیرد.",
        "You are one layer off: layer l receives k₀ + (l−1)·k channels.",
    )


def class_token_forgotten(value: int) -> Misconception:
    return _hint(
        value,
        "توکن کلاس ([CLS]) را فراموش کرده‌اید: دنباله‌ی ورودی ترنسفورمر یک توکن بیشتر از تعداد پچ‌ها دارد.",
        "You forgot the class token ([CLS]): the transformer's sequence has one more token than there are patches.",
    )


def one_product_only(value: int) -> Misconception:
    return _hint(
        value,
        "فقط یکی از دو ضرب ماتریسی را شمرده‌اید؛ هم QKᵀ و هم ضرب ماتریس توجه در V هزینه دارند.",
        "You counted only one of the two matrix products; both QKᵀ and (attention weights)·V cost.",
    )


def one_head_only(value: int) -> Misconception:
    return _hint(
        value,
        "این هزینه‌ی فقط یک سر (head) است؛ سؤال هزینه‌ی کل لایه با همه‌ی سرها را خواسته.",
        "That is the cost of one head; the question asks for the whole layer, all heads together.",
    )


def one_window_only(value: int) -> Misconception:
    return _hint(
        value,
        "این هزینه‌ی فقط یک پنجره است؛ آن را در تعداد پنجره‌ها ضرب کنید.",
        "That is the cost of a single window; multiply by the number of windows.",
    )


def stage_not_doubled(value: object) -> Misconception:
    return _hint(
        value,
        "در هر مرحله‌ی Swin، ادغام پچ‌ها (patch merging) ابعاد مکانی را نصف و کانال‌ها را دو برابر می‌کند.",
        "At each Swin stage, patch merging halves the spatial size and doubles the channels.",
    )


def linear_scaling(value: float) -> Misconception:
    return _hint(
        value,
        "ضریب را در φ ضرب کرده‌اید؛ در مقیاس‌دهی ترکیبی ضریب به توان φ می‌رسد.",
        "You multiplied by φ; compound scaling raises the coefficient to the power φ.",
    )


def squares_forgotten(value: float) -> Misconception:
    return _hint(
        value,
        "توان دوم β و γ را فراموش کرده‌اید: هزینه با مربع عرض و مربع رزولوشن رشد می‌کند.",
        "You forgot the squares on β and γ: cost grows with the square of width and of resolution.",
    )


def unbiased_variance(value: float) -> Misconception:
    return _hint(
        value,
        "بر m−1 تقسیم کرده‌اید؛ BatchNorm در آموزش واریانس دسته را با تقسیم بر m (واریانس اریب) حساب می‌کند.",
        "You divided by m−1; in training BatchNorm uses the biased batch variance (divide by m).",
    )


def std_for_variance(value: float) -> Misconception:
    return _hint(
        value,
        "بر واریانس تقسیم کرده‌اید نه بر انحراف معیار: x̂ = (x − μ)/√(σ² + ε).",
        "You divided by the variance, not the standard deviation: x̂ = (x − μ)/√(σ² + ε).",
    )


def scale_shift_forgotten(value: float) -> Misconception:
    return _hint(
        value,
        "این x̂ است؛ خروجی BatchNorm بعد از مقیاس و جابه‌جایی است: y = γ·x̂ + β.",
        "That is x̂; BatchNorm outputs it after scale and shift: y = γ·x̂ + β.",
    )
