"""Typical wrong answers, computed from the right one (catalogue: "Mistakes seen in real answers").

Each helper returns Misconception objects a solver attaches to a part's Answer; the grader matches a wrong
answer against them (with the part's own comparator) and shows the bilingual hint.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from bank.item import Bilingual
from bank.registry import Misconception


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


def channel_order_hwc(shape_hwc: Sequence[int]) -> Misconception:
    """The reverse slip: C×H×W written where the item asks for H×W×C."""
    *spatial, c = shape_hwc
    return Misconception(
        [c, *spatial],
        Bilingual(
            fa="عددها درست‌اند ولی ترتیب نه: سؤال H×W×C خواسته و شما C×H×W نوشته‌اید.",
            en="Right numbers, wrong order: the question asks for H×W×C and you wrote C×H×W.",
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


def dilation_ignored(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> Misconception | None:
    """Output size computed with the kernel K instead of the dilated span D(K-1)+1."""
    if dilation == 1 or size + 2 * padding < kernel:
        return None
    return Misconception(
        (size + 2 * padding - kernel) // stride + 1,
        Bilingual(
            fa="اتساع (dilation) را نادیده گرفته‌اید: دهانه‌ی مؤثر کرنل D(K−1)+1 است، نه K.",
            en="You ignored the dilation: the kernel spans D(K−1)+1 pixels, not K.",
        ),
    )


def plus_one_forgotten(right: int) -> Misconception:
    return Misconception(
        right - 1,
        Bilingual(
            fa="«+1» فرمول را جا انداخته‌اید: تعداد جایگاه‌های کرنل یکی بیشتر از تعداد گام‌هاست.",
            en="You dropped the “+1”: the kernel has one more position than the number of steps it takes.",
        ),
    )


def rf_kernels_summed(kernels: Sequence[int], plus_one: bool = False) -> Misconception:
    """RF of stacked layers as the plain sum of the kernel sizes (overlap not removed)."""
    return Misconception(
        sum(kernels) + (1 if plus_one else 0),
        Bilingual(
            fa="اندازه‌ی کرنل‌ها را روی هم جمع زده‌اید؛ کرنل‌های پشت‌سرهم هم‌پوشانی دارند و هر لایه فقط (k−1) پیکسل اضافه می‌کند.",
            en="You added the kernel sizes; stacked kernels overlap, so each layer adds only (k−1) pixels.",
        ),
    )


def dilation_multiplied(kernel: int, dilation: int) -> Misconception:
    """Dilated kernel span taken as K·D instead of D(K−1)+1."""
    return Misconception(
        kernel * dilation,
        Bilingual(
            fa="K·D حساب کرده‌اید؛ بین K درایه‌ی کرنل K−1 فاصله هست و هر فاصله D پیکسل است: D(K−1)+1.",
            en="You computed K·D; the K taps have K−1 gaps of D pixels each: D(K−1)+1.",
        ),
    )


def positions_forgotten(weights: int) -> Misconception:
    """Connections of a conv layer given as its weight count (the sliding over output positions left out)."""
    return Misconception(
        weights,
        Bilingual(
            fa="این تعداد وزن‌های لایه است؛ هر وزن در همه‌ی مکان‌های خروجی دوباره به کار می‌رود، پس اتصال‌ها = وزن‌ها × تعداد مکان‌های خروجی.",
            en="That is the weight count; each weight is reused at every output position, so connections = weights × output positions.",
        ),
    )


def bias_shared_in_local(params_untied: int, positions: int, filters: int) -> Misconception | None:
    """Locally connected layer counted with one bias per filter instead of one per output unit."""
    if positions == 1:
        return None
    return Misconception(
        params_untied - filters * (positions - 1),
        Bilingual(
            fa="در لایه‌ی محلی (بدون اشتراک وزن) هر نورون خروجی بایاس خودش را دارد، نه فقط هر فیلتر.",
            en="In a locally connected (unshared) layer every output unit has its own bias, not one per filter.",
        ),
    )


def padding_dropped(value_without_padding: int) -> Misconception:
    """The answer a student gets by ignoring the padding the item states."""
    return Misconception(
        value_without_padding,
        Bilingual(
            fa="این جواب بدون پدینگ است؛ صورت سؤال پدینگ را مشخص کرده است.",
            en="This is the answer without padding; the question states the padding to use.",
        ),
    )


def follows_wording(hoped_for: int) -> Misconception:
    """The value the question's wording hopes for, not the one the arithmetic gives."""
    return Misconception(
        hoped_for,
        Bilingual(
            fa="این عددی است که صورت سؤال انتظارش را دارد، نه نتیجه‌ی محاسبه؛ لایه‌ها را یکی‌یکی حساب کنید.",
            en="That is what the wording hopes for, not what the arithmetic gives; work through the layers one by one.",
        ),
    )


def input_channels_forgotten(value: int) -> Misconception:
    """A weight count without the input depth: each filter spans all C_in (D) input channels."""
    return Misconception(
        value,
        Bilingual(
            fa="عمق ورودی را فراموش کرده‌اید: هر فیلتر روی همه‌ی کانال‌های ورودی امتداد دارد (K·K·D وزن).",
            en="You left out the input depth: each filter spans all input channels (K·K·D weights).",
        ),
    )


def design_without_jump(value: int) -> Misconception:
    """A design answer (kernel, dilation, layer count) worked out with the RF summed without the jump."""
    return Misconception(
        value,
        Bilingual(
            fa="این جواب با جمع زدن میدان تأثیر بدون گام مؤثر (jump) به دست می‌آید؛ بعد از هر pooling سهم هر لایه j برابر می‌شود.",
            en="This answer comes from summing the RF without the jump; after each pooling a layer's share is multiplied by j.",
        ),
    )


def function_instead_of_derivative(value: object) -> Misconception:
    """The function (or its value) given where its derivative was asked, e.g. σ(x) for σ'(x)."""
    return Misconception(
        value,
        Bilingual(
            fa="این خودِ تابع است، نه مشتق آن: مثلاً به جای $\\sigma'(x)$ مقدار $\\sigma(x)$ را نوشته‌اید.",
            en="This is the function itself, not its derivative: e.g. $\\sigma(x)$ written for $\\sigma'(x)$.",
        ),
    )


def chain_factor_forgotten(value: object, factor: str) -> Misconception:
    """A derivative without one factor of the chain rule; `factor` names it (LaTeX allowed)."""
    return Misconception(
        value,
        Bilingual(
            fa=f"یک ضریب قاعده‌ی زنجیره‌ای جا افتاده است: {factor}",
            en=f"A chain-rule factor is missing: {factor}",
        ),
    )


def sign_flipped(value: object) -> Misconception:
    """y − p written for p − y (the gradient of the loss, not of the log-likelihood)."""
    return Misconception(
        value,
        Bilingual(
            fa="علامت برعکس است: گرادیان تابع هزینه نسبت به لاجیت $p-y$ است، نه $y-p$.",
            en="The sign is flipped: the gradient of the loss with respect to the logit is $p-y$, not $y-p$.",
        ),
    )


def variance_for_std(value: object, *, std_asked: bool) -> Misconception:
    """Variance given where the standard deviation was asked (or the reverse)."""
    if std_asked:
        hint = Bilingual(
            fa="این واریانس است؛ انحراف معیار جذر واریانس است.",
            en="This is the variance; the standard deviation is its square root.",
        )
    else:
        hint = Bilingual(
            fa="این انحراف معیار است؛ واریانس مربع آن است.",
            en="This is the standard deviation; the variance is its square.",
        )
    return Misconception(value, hint)


def temperature_squared_forgotten(value: object) -> Misconception:
    """Distillation loss without the T² factor on the soft term."""
    return Misconception(
        value,
        Bilingual(
            fa="ضریب $T^2$ جمله‌ی نرم (KL) را فراموش کرده‌اید؛ بدون آن گرادیان این جمله با $1/T^2$ کوچک می‌شود.",
            en="You forgot the $T^2$ factor on the soft (KL) term; without it that term's gradients shrink as $1/T^2$.",
        ),
    )


# --- evaluation metrics and MC dropout (catalogue C22-C23) ---


def precision_recall_swapped(value: Fraction | float) -> Misconception:
    """Precision given where recall was asked, or the reverse (column total and row total mixed up)."""
    return Misconception(
        float(value),
        Bilingual(
            fa="دقت (precision) و بازیابی (recall) را جابه‌جا کرده‌اید: precision بر جمع ستونِ پیش‌بینی‌ها تقسیم می‌شود "
            "و recall بر جمع سطرِ نمونه‌های واقعی آن کلاس.",
            en="Precision and recall are swapped: precision divides by the column total (everything predicted as "
            "the class), recall by the row total (every actual sample of the class).",
        ),
    )


def macro_weighted_mixed(value: Fraction | float, *, asked: str) -> Misconception:
    """A weighted average given where the macro average was asked (asked='macro'), or the reverse."""
    if asked == "macro":
        hint = Bilingual(
            fa="این میانگین وزنی است (وزن هر کلاس = تعداد نمونه‌هایش)؛ میانگین macro به همه‌ی کلاس‌ها وزن برابر می‌دهد.",
            en="That is the weighted average (each class weighted by its support); the macro average weights "
            "every class equally.",
        )
    else:
        hint = Bilingual(
            fa="این میانگین macro (ساده) است؛ در میانگین وزنی هر کلاس به اندازه‌ی تعداد نمونه‌هایش وزن دارد.",
            en="That is the macro (plain) average; the weighted average weights each class by its support.",
        )
    return Misconception(float(value), hint)


def majority_recall_as_accuracy(value: Fraction | float) -> Misconception:
    return Misconception(
        float(value),
        Bilingual(
            fa="این بازیابی (recall) کلاس بزرگ‌تر است، نه دقت کل: accuracy تعداد همه‌ی پاسخ‌های درست (قطر اصلی) "
            "تقسیم بر تعداد همه‌ی نمونه‌هاست.",
            en="That is the recall of the largest class, not the accuracy: accuracy is every correct prediction "
            "(the diagonal) over all samples.",
        ),
    )


def f1_arithmetic_mean(precision: Fraction | float, recall: Fraction | float) -> Misconception:
    return Misconception(
        float((precision + recall) / 2),
        Bilingual(
            fa="میانگین حسابی precision و recall را گرفته‌اید؛ F1 میانگین همساز (هارمونیک) آن‌هاست: 2PR/(P+R).",
            en="You took the arithmetic mean of precision and recall; F1 is their harmonic mean: 2PR/(P+R).",
        ),
    )


def macro_f1_from_averages(
    macro_precision: Fraction | float, macro_recall: Fraction | float
) -> Misconception:
    """Macro-F1 computed as the F1 of macro precision and macro recall instead of the mean of per-class F1."""
    return Misconception(
        float(2 * macro_precision * macro_recall / (macro_precision + macro_recall)),
        Bilingual(
            fa="F1 را از precision و recall میانگین‌گرفته حساب کرده‌اید؛ macro-F1 میانگین F1 تک‌تک کلاس‌هاست.",
            en="You computed F1 of the averaged precision and recall; macro-F1 is the mean of the per-class F1s.",
        ),
    )


def sample_variance_for_population(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="بر T−1 تقسیم کرده‌اید (واریانس نمونه)؛ سؤال واریانس جامعه را خواسته است: تقسیم بر T.",
            en="You divided by T−1 (the sample variance); the question asks for the population variance: divide by T.",
        ),
    )


def deterministic_pass_as_mean(value: float) -> Misconception:
    return Misconception(
        value,
        Bilingual(
            fa="این خروجی یک گذر قطعی با dropout خاموش است؛ میانگین پیش‌بینی MC dropout میانگین T گذر تصادفی است.",
            en="That is the single deterministic pass with dropout off; the MC-dropout predictive mean averages "
            "the T stochastic passes.",
        ),
    )


def only_present(
    *candidates: Misconception | None, right: object, digits: int | None = None, rtol: float | None = None
) -> list[Misconception]:
    """Drop None and any 'misconception' that happens to equal the right answer (or repeats another); with
    `digits` (a part graded to that many decimals), numbers less than 1.5 units of the last decimal apart count
    as the same: a student who rounds the wrong value must still be told apart from the right one. With `rtol`
    (a part graded with that relative tolerance), numbers within 2·rtol of each other count as the same."""

    def same(a: object, b: object) -> bool:
        if digits is not None and isinstance(a, int | float) and isinstance(b, int | float):
            return abs(float(a) - float(b)) < 1.5 * 10.0**-digits
        if rtol is not None and isinstance(a, int | float) and isinstance(b, int | float):
            return abs(float(a) - float(b)) <= 2 * rtol * max(abs(float(a)), abs(float(b)))
        return a == b

    out: list[Misconception] = []
    seen = [right]
    for m in candidates:
        if m is not None and not any(same(m.value, s) for s in seen):
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


def head_conv_taken(value: object) -> Misconception:
    return _hint(
        value,
        "این خروجی کانولوشن 1×1 پایانی (head، ۱۲۸۰ کانال) است؛ سؤال خروجی آخرین مرحله‌ی MBConv را خواسته.",
        "That is the output of the final 1×1 head convolution (1280 channels); the question asks for the last MBConv stage.",
    )


def outside_tolerance(
    *candidates: Misconception | None, right: float, rtol: float, atol: float = 0.0
) -> list[Misconception]:
    """only_present for real answers: also drop a wrong value the part's tolerance would accept (with a margin)."""
    return [
        m
        for m in only_present(*candidates, right=right)
        if abs(float(m.value) - right) > 2 * (atol + rtol * abs(right))
    ]


# --- the model zoo (catalogue E25) -------------------------------------------------------------------------------


def norm_params_forgotten(value: int) -> Misconception:
    return _hint(
        value,
        "پارامترهای لایه‌های نرمال‌سازی (γ و β در BatchNorm یا LayerNorm، برای هر کانال) را جا انداخته‌اید.",
        "You left out the normalization layers' parameters (γ and β of BatchNorm or LayerNorm, per channel).",
    )


def share_of_the_rest(value: float) -> Misconception:
    return _hint(
        value,
        "سهم را نسبت به بقیه‌ی شبکه حساب کرده‌اید؛ مخرج باید کل پارامترهای شبکه (با خود طبقه‌بند) باشد.",
        "You divided by the rest of the network; the share is over all parameters, the classifier included.",
    )


def scale_factor_inverted(value: float) -> Misconception:
    return _hint(
        value,
        "نسبت را وارونه نوشته‌اید: سؤال مقدار جدید تقسیم بر مقدار پیکربندی منتشرشده را خواسته.",
        "You inverted the ratio: the question asks for the new value divided by the published configuration's.",
    )


def block_input_shape_given(value: object) -> Misconception:
    return _hint(
        value,
        "این شکل ورودی بلوک است؛ سؤال شکل خروجی آن (بعد از گام و تغییر کانال‌ها) را خواسته.",
        "That is the block's input shape; the question asks for its output (after its stride and channel change).",
    )


def imagenet_head_kept(value: int) -> Misconception:
    return _hint(
        value,
        "این تعداد پارامتر با سر ۱۰۰۰ کلاسه‌ی ImageNet است؛ سر را با سر جدید عوض کنید.",
        "That is the count with ImageNet's 1000-class head; replace it with the new head.",
    )


def published_count_given(value: int) -> Misconception:
    return _hint(
        value,
        "این تعداد پارامتر پیکربندی منتشرشده است؛ این تغییر تعداد پارامترها را هم عوض می‌کند.",
        "That is the published configuration's count; this change alters the parameters too.",
    )
