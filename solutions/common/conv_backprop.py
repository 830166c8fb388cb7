"""B16 (1-D and 2-D backprop through a convolution): the mistakes and helpers both families share.

z[i] = Σ_j w[j] x[i+j] + b (2-D: z[a,b] = Σ_pq W[p,q] X[a+p,b+q] + b). With the upstream gradient δ = ∂L/∂z,
the loss near the point is L = Σ δ·z, so sympy's ∂L/∂w, ∂L/∂b and ∂L/∂x are exactly the backprop formulas:
∂L/∂w[j] = Σ_i δ[i] x[i+j] (a cross-correlation of x with δ), ∂L/∂b = Σ δ, ∂L/∂x[m] = Σ_j w[j] δ[m−j]
(a full convolution of δ with the kernel).
"""

from __future__ import annotations

import random
from typing import Any

from bank.item import Bilingual

FLIPPED = Bilingual(
    fa="این جواب با کرنل (یا δ) برعکس‌شده به دست می‌آید: گرادیان وزن‌ها همبستگی متقابل x با δ است، بدون وارونه کردن.",
    en="This comes from a flipped kernel (or δ): the weight gradient is the cross-correlation of x with δ, no flip.",
)
ONE_POSITION = Bilingual(
    fa="فقط یک موقعیت خروجی را حساب کرده‌اید: وزن در همه‌ی موقعیت‌ها مشترک است، پس سهم همه‌ی خروجی‌ها جمع می‌شود.",
    en="You counted one output position only: the weight is shared by every position, so all contributions add up.",
)
BIAS_WITHOUT_DELTA = Bilingual(
    fa="این تعداد خروجی‌هاست: $\\partial z/\\partial b = 1$ درست است، ولی باید در δ هر خروجی ضرب و سپس جمع شود.",
    en="This is the number of outputs: $\\partial z/\\partial b = 1$, but each must be multiplied by its δ and summed.",
)
DX_NOT_FLIPPED = Bilingual(
    fa="گرادیان ورودی کانولوشن کامل δ با کرنل وارونه است: $\\sum_j w_j\\,\\delta_{m-j}$، نه $\\sum_j w_j\\,\\delta_{m+j}$.",
    en="The input gradient is a full convolution of δ with the flipped kernel, $\\sum_j w_j\\,\\delta_{m-j}$, not $\\sum_j w_j\\,\\delta_{m+j}$.",
)


def small_ints(rng: random.Random, count: int, low: int, high: int, nonzero: bool = False) -> list[int]:
    """`count` whole numbers in low..high (an `{int: [low, high]}` range's bounds), each one rng.choice of the
    list of allowed values (0 left out with `nonzero`)."""
    values = [v for v in range(low, high + 1) if v != 0 or not nonzero]
    return [rng.choice(values) for _ in range(count)]


def products_tex(pairs: list[tuple[Any, Any]]) -> str:
    return " + ".join(f"({a})({b})" for a, b in pairs) if pairs else "0"
