"""B20 weight initialization: He (Kaiming, for ReLU) Var[w] = 2/fan_in; Xavier (Glorot) Var[w] = 2/(fan_in + fan_out).

fan_in = C_in·K·K for a conv layer (n_in for a linear one), fan_out = C_out·K·K. Exact rationals and square roots
with sympy; the uniform variant U(−a, a) with the same variance has a = √(3·Var).
"""

from __future__ import annotations

import random
from typing import Any

import sympy as sp

from bank.item import Bilingual
from bank.ranges import draw
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.grad_tools import tex, tex_num, to_float
from solutions.common.misconceptions import variance_for_std

SCHEMES = {"he": ("He (Kaiming)", "He (Kaiming)"), "xavier": ("Xavier (Glorot)", "Xavier (Glorot)")}

KERNEL_FORGOTTEN = Bilingual(
    fa="اندازه‌ی کرنل جا افتاده: هر نورون خروجی از $C_{in}\\cdot K\\cdot K$ ورودی جمع می‌گیرد، نه فقط $C_{in}$.",
    en="The kernel size is missing: each output unit sums $C_{in}\\cdot K\\cdot K$ inputs, not just $C_{in}$.",
)
XAVIER_FOR_HE = Bilingual(
    fa="این واریانس Xavier است ($2/(n_{in}+n_{out})$)؛ سؤال مقداردهی He را خواسته: $2/n_{in}$.",
    en="This is the Xavier variance ($2/(n_{in}+n_{out})$); the question asks for He: $2/n_{in}$.",
)
HE_FOR_XAVIER = Bilingual(
    fa="این واریانس He است ($2/n_{in}$)؛ سؤال مقداردهی Xavier را خواسته: $2/(n_{in}+n_{out})$.",
    en="This is the He variance ($2/n_{in}$); the question asks for Xavier: $2/(n_{in}+n_{out})$.",
)
LECUN = Bilingual(
    fa="ضریب ۲ جا افتاده ($1/n_{in}$ مقداردهی LeCun است)؛ He این ۲ را برای جبران نصف شدن واریانس در ReLU دارد.",
    en="The factor 2 is missing ($1/n_{in}$ is LeCun's); He has the 2 because ReLU halves the variance.",
)
STD_AS_BOUND = Bilingual(
    fa="این انحراف معیار است؛ توزیع یکنواخت $U(-a,a)$ واریانس $a^2/3$ دارد، پس $a = \\sqrt{3\\,\\mathrm{Var}}$.",
    en="This is the standard deviation; $U(-a,a)$ has variance $a^2/3$, so $a = \\sqrt{3\\,\\mathrm{Var}}$.",
)


@generator("weight_init")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    layer = rng.choice(["conv", "conv", "linear"])
    scheme = rng.choice(sorted(SCHEMES))
    if layer == "conv":
        return {
            "layer": layer,
            "scheme": scheme,
            "c_in": draw(rng, ranges["channels"], "channels"),
            "c_out": draw(rng, ranges["channels"], "channels"),
            "k": draw(rng, ranges["kernel"], "kernel"),
        }
    return {
        "layer": layer,
        "scheme": scheme,
        "c_in": draw(rng, ranges["features"], "features"),
        "c_out": draw(rng, ranges["features"], "features"),
        "k": 1,
    }


def variance(scheme: str, fan_in: int, fan_out: int) -> sp.Rational:
    return sp.Rational(2, fan_in) if scheme == "he" else sp.Rational(2, fan_in + fan_out)


@solver("weight_init")
def solve(params: dict[str, Any]) -> Solution:
    scheme, c_in, c_out, k = params["scheme"], params["c_in"], params["c_out"], params["k"]
    fan_in, fan_out = c_in * k * k, c_out * k * k
    var = variance(scheme, fan_in, fan_out)
    std = sp.sqrt(var)
    bound = sp.sqrt(3 * var)
    other = variance("xavier" if scheme == "he" else "he", fan_in, fan_out)
    swapped = Misconception(to_float(other), XAVIER_FOR_HE if scheme == "he" else HE_FOR_XAVIER)
    var_f, std_f, bound_f = to_float(var), to_float(std), to_float(bound)
    var_wrong = [swapped, Misconception(to_float(sp.Rational(1, fan_in)), LECUN) if scheme == "he" else None]
    if k > 1:
        var_wrong.append(Misconception(to_float(variance(scheme, c_in, c_out)), KERNEL_FORGOTTEN))
    answers = {
        "fan_in": Answer(fan_in, misconceptions=[Misconception(c_in, KERNEL_FORGOTTEN) if k > 1 else None]),
        "variance": Answer(var_f, misconceptions=[*var_wrong, variance_for_std(std_f, std_asked=False)]),
        "std": Answer(
            std_f,
            misconceptions=[
                variance_for_std(var_f, std_asked=True),
                Misconception(to_float(sp.sqrt(other)), swapped.hint),
            ],
        ),
        "bound": Answer(bound_f, misconceptions=[Misconception(std_f, STD_AS_BOUND)]),
    }
    values = {
        "scheme_name": SCHEMES[scheme][1],
        "fan_in": fan_in,
        "fan_out": fan_out,
        "var_tex": tex(var),
        "var_dec": tex_num(var_f, 3),
        "std_tex": tex(std),
        "std_dec": tex_num(std_f, 3),
        "bound_tex": tex(bound),
        "bound_dec": tex_num(bound_f, 3),
    }
    return Solution(answers=answers, values=values)
