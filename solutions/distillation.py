"""B21 knowledge distillation (Hinton): softened softmax at temperature T, KL(teacher ‖ student), the T² factor and
the combined loss α·CE + (1−α)·T²·KL, all as sympy expressions of the student's logits (so the gradient of the soft
term, T·(q_k − p_k), comes from sympy's derivative, not from a typed formula).
"""

from __future__ import annotations

import random
from typing import Any

import sympy as sp

from bank.item import Bilingual
from bank.ranges import draw
from bank.registry import Answer, Misconception, Solution, generator, solver
from solutions.common.grad_tools import (
    exact,
    indexed_symbols,
    softmax,
    tex_num,
    tex_vector,
    to_float,
)
from solutions.common.misconceptions import sign_flipped

NO_TEMPERATURE = Bilingual(
    fa="دما را اعمال نکرده‌اید: احتمال‌های نرم از $\\mathrm{softmax}(z/T)$ می‌آیند، نه $\\mathrm{softmax}(z)$.",
    en="You left out the temperature: the soft probabilities are $\\mathrm{softmax}(z/T)$, not $\\mathrm{softmax}(z)$.",
)
KL_REVERSED = Bilingual(
    fa="جهت KL برعکس است: در روش هینتون $\\mathrm{KL}(p^{teacher}\\,\\|\\,q^{student}) = \\sum p\\ln(p/q)$ است.",
    en="The KL is the wrong way round: Hinton uses $\\mathrm{KL}(p^{teacher}\\,\\|\\,q^{student}) = \\sum p\\ln(p/q)$.",
)
ALPHA_SWAPPED = Bilingual(
    fa="وزن‌ها جابه‌جا شده‌اند: $\\alpha$ ضریب CE با برچسب واقعی است و $1-\\alpha$ ضریب جمله‌ی نرم.",
    en="The weights are swapped: $\\alpha$ multiplies the CE with the true label and $1-\\alpha$ the soft term.",
)
CE_AT_T = Bilingual(
    fa="CE با برچسب واقعی با دمای ۱ (softmax معمولی دانش‌آموز) حساب می‌شود، نه با دمای $T$.",
    en="The CE with the true label uses temperature 1 (the student's plain softmax), not $T$.",
)
GRAD_WITHOUT_T = Bilingual(
    fa="ضریب $T$ جا افتاده: مشتق $T^2\\,\\mathrm{KL}$ نسبت به $z_k$ برابر $T(q_k - p_k)$ است ($T^2$ ضربدر $1/T$ از قاعده‌ی زنجیره‌ای).",
    en="The factor $T$ is missing: the derivative of $T^2\\,\\mathrm{KL}$ with respect to $z_k$ is $T(q_k - p_k)$ ($T^2$ times the chain rule's $1/T$).",
)


def temperature_squared_forgotten(value: object) -> Misconception:
    """Distillation loss without the T² factor on the soft term."""
    return Misconception(
        value,
        Bilingual(
            fa="ضریب $T^2$ جمله‌ی نرم (KL) را فراموش کرده‌اید؛ بدون آن گرادیان این جمله با $1/T^2$ کوچک می‌شود.",
            en="You forgot the $T^2$ factor on the soft (KL) term; without it that term's gradients shrink as $1/T^2$.",
        ),
    )


@generator("distillation")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    classes = draw(rng, ranges["classes"], "classes")
    c = rng.randrange(classes)
    teacher = [draw(rng, ranges["teacher"], "teacher") for _ in range(classes)]
    # a trained teacher favours the true class
    teacher[c] = round(max(teacher) + draw(rng, ranges["teacher_margin"], "teacher_margin"), 1)
    return {
        "teacher": teacher,
        "student": [draw(rng, ranges["student"], "student") for _ in range(classes)],
        "c": c,
        "T": draw(rng, ranges["T"], "T"),
        "alpha": draw(rng, ranges["alpha"], "alpha"),
        "k": rng.randrange(classes),
    }


def kl(p: list[Any], q: list[Any]) -> Any:
    return sp.Add(*(pj * (sp.log(pj) - sp.log(qj)) for pj, qj in zip(p, q, strict=True)))


@solver("distillation")
def solve(params: dict[str, Any]) -> Solution:
    teacher = [exact(v) for v in params["teacher"]]
    student = [exact(v) for v in params["student"]]
    c, k, temperature, alpha = params["c"], params["k"], sp.Integer(params["T"]), exact(params["alpha"])
    s = indexed_symbols("s", len(student))
    point = dict(zip(s, student, strict=True))

    p_soft = softmax(teacher, temperature)
    q_soft_sym = softmax(s, temperature)
    kl_sym = kl(p_soft, q_soft_sym)
    soft_term = temperature**2 * kl_sym
    ce_sym = -sp.log(softmax(s)[c])
    total_sym = alpha * ce_sym + (1 - alpha) * soft_term

    p_vals = [to_float(v) for v in p_soft]
    q_vals = [to_float(v.subs(point)) for v in q_soft_sym]
    p_plain = [to_float(v) for v in softmax(teacher)]
    q_plain = [to_float(v.subs(point)) for v in softmax(s)]
    kl_value = to_float(kl_sym.subs(point))
    ce_value = to_float(ce_sym.subs(point))
    total = to_float(total_sym.subs(point))
    soft_grad = to_float(sp.diff(soft_term, s[k]).subs(point))
    t2 = int(temperature**2)
    a = float(alpha)

    kl_reversed = to_float(kl(q_soft_sym, p_soft).subs(point))
    kl_plain = to_float(kl(softmax(teacher), softmax(s)).subs(point))
    ce_at_t = to_float(-sp.log(q_soft_sym[c]).subs(point))
    answers = {
        "teacher_soft": Answer(p_vals[c], misconceptions=[Misconception(p_plain[c], NO_TEMPERATURE)]),
        "student_soft": Answer(q_vals[c], misconceptions=[Misconception(q_plain[c], NO_TEMPERATURE)]),
        "kl": Answer(
            kl_value,
            misconceptions=[
                Misconception(kl_reversed, KL_REVERSED),
                Misconception(kl_plain, NO_TEMPERATURE),
            ],
        ),
        "ce": Answer(ce_value, misconceptions=[Misconception(ce_at_t, CE_AT_T)]),
        "total": Answer(
            total,
            misconceptions=[
                temperature_squared_forgotten(a * ce_value + (1 - a) * kl_value),
                Misconception((1 - a) * ce_value + a * t2 * kl_value, ALPHA_SWAPPED),
            ],
        ),
        "soft_grad": Answer(
            soft_grad,
            misconceptions=[
                Misconception(soft_grad / float(temperature), GRAD_WITHOUT_T),
                sign_flipped(-soft_grad),
            ],
        ),
        "t_squared": Answer("scale"),
    }
    values = {
        "classes": len(student),
        "teacher_tex": tex_vector(params["teacher"]),
        "student_tex": tex_vector(params["student"]),
        "alpha_tex": tex_num(params["alpha"]),
        "one_minus_alpha": tex_num(round(1 - a, 6)),
        "t2": t2,
        "p_tex": tex_vector(p_vals),
        "q_tex": tex_vector(q_vals),
        "q_plain_tex": tex_vector(q_plain),
        "p_c": tex_num(p_vals[c]),
        "q_c": tex_num(q_vals[c]),
        "q_k": tex_num(q_vals[k]),
        "p_k": tex_num(p_vals[k]),
        "q1_c": tex_num(q_plain[c]),
        "kl_tex": tex_num(kl_value),
        "kl_terms": " + ".join(
            f"{tex_num(pv)}\\ln\\frac{{{tex_num(pv)}}}{{{tex_num(qv)}}}"
            for pv, qv in zip(p_vals, q_vals, strict=True)
        ),
        "ce_tex": tex_num(ce_value),
        "total_tex": tex_num(total),
        "soft_term_tex": tex_num(t2 * kl_value),
        "soft_grad_tex": tex_num(soft_grad),
    }
    return Solution(answers=answers, values=values)
