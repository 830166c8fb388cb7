"""The shared catalogue: slips that cross families (catalogue: "Mistakes seen in real answers").

Only mistakes two or more families make live here — MACs/FLOPs, biases, C×H×W order, the receptive field
without the jump, padding and floors, running statistics, a sign, a variance for a standard deviation; a
mistake one family makes lives in that family's module. Each helper computes the wrong value from the right
one and says why in both languages; the solver lists them on the part's Answer (None where one does not apply)
and the bank drops any the part's comparator cannot tell from the answer or from an earlier one
(`bank.mistakes`), so no helper here takes the answer or a tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def padding_dropped(value_without_padding: int) -> Misconception:
    """The answer a student gets by ignoring the padding the item states."""
    return Misconception(
        value_without_padding,
        Bilingual(
            fa="این جواب بدون پدینگ است؛ صورت سؤال پدینگ را مشخص کرده است.",
            en="This is the answer without padding; the question states the padding to use.",
        ),
    )


def weights_with_biases(weights: int, biases: int) -> Misconception | None:
    """All the parameters given where the weights alone were asked (a layer with biases; the network tables)."""
    if not biases:
        return None
    return Misconception(
        weights + biases,
        Bilingual(
            fa="این تعداد کل پارامترهاست: وزن‌ها و بایاس‌ها را جداگانه بنویسید.",
            en="That is all the parameters: give the weights and the biases separately.",
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


def one_product_only(value: int) -> Misconception:
    return _hint(
        value,
        "فقط یکی از دو ضرب ماتریسی را شمرده‌اید؛ هم QKᵀ و هم ضرب ماتریس توجه در V هزینه دارند.",
        "You counted only one of the two matrix products; both QKᵀ and (attention weights)·V cost.",
    )


# --- the model zoo (catalogue E25) -------------------------------------------------------------------------------


def norm_params_forgotten(value: int) -> Misconception:
    return _hint(
        value,
        "پارامترهای لایه‌های نرمال‌سازی (γ و β در BatchNorm یا LayerNorm، برای هر کانال) را جا انداخته‌اید.",
        "You left out the normalization layers' parameters (γ and β of BatchNorm or LayerNorm, per channel).",
    )
