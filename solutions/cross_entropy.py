"""B21 cross-entropy: binary (sigmoid) and softmax losses, and ∂L/∂z = p − y, derived with sympy.

The loss is written as a sympy function of the logits and differentiated; the worked solution shows that the
result is p − y (the tests check the identity symbolically and by finite differences).
"""

from __future__ import annotations

import math
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
    tex,
    tex_num,
    tex_vector,
    to_float,
)
from solutions.common.misconceptions import sign_flipped

Z = sp.Symbol("z", real=True)

LOG10 = Bilingual(
    fa="با لگاریتم مبنای ۱۰ حساب کرده‌اید؛ آنتروپی متقاطع با لگاریتم طبیعی ($\\ln$) تعریف می‌شود.",
    en="You used a base-10 logarithm; cross-entropy uses the natural logarithm ($\\ln$).",
)
WRONG_CLASS = Bilingual(
    fa="احتمال کلاس اشتباه را در لگاریتم گذاشته‌اید: فقط احتمالی که مدل به برچسب درست داده وارد هزینه می‌شود.",
    en="You took the log of the wrong class's probability: only the probability of the true label enters the loss.",
)
EXTRA_SIGMOID_FACTOR = Bilingual(
    fa="ضریب اضافه‌ی $p(1-p)$: در ترکیب سیگموید و آنتروپی متقاطع این ضریب با مخرج $\\ln$ ساده می‌شود و فقط $p-y$ می‌ماند.",
    en="An extra factor $p(1-p)$: with sigmoid plus cross-entropy it cancels against the log's denominator, leaving $p-y$.",
)
SOFTMAX_FORGOTTEN = Bilingual(
    fa="softmax را فراموش کرده‌اید: هزینه $-\\ln p_c$ است که $p$ از softmax لاجیت‌ها می‌آید، نه خود لاجیت.",
    en="You skipped the softmax: the loss is $-\\ln p_c$ with $p$ the softmax of the logits, not the logit itself.",
)
ONE_HOT_FORGOTTEN = Bilingual(
    fa="برای کلاس درست باید ۱ (همان $y_c$) را کم کرد: $\\partial L/\\partial z_c = p_c - 1$.",
    en="For the true class subtract 1 (that is $y_c$): $\\partial L/\\partial z_c = p_c - 1$.",
)
ONE_HOT_MISPLACED = Bilingual(
    fa="این کلاس برچسب درست نیست، پس $y_k = 0$ و $\\partial L/\\partial z_k = p_k$؛ ۱ فقط از کلاس درست کم می‌شود.",
    en="This is not the true class, so $y_k = 0$ and $\\partial L/\\partial z_k = p_k$; the 1 is subtracted only at the true class.",
)


@generator("cross_entropy")
def generate(rng: random.Random, ranges: dict[str, Any]) -> dict[str, Any]:
    classes = draw(rng, ranges["classes"], "classes")
    c = rng.randrange(classes)
    return {
        "z": draw(rng, ranges["logit"], "logit"),
        "y": rng.randrange(2),
        "logits": [draw(rng, ranges["logit"], "logit") for _ in range(classes)],
        "c": c,
        "k": c if rng.random() < 0.5 else rng.choice([j for j in range(classes) if j != c]),
    }


@solver("cross_entropy")
def solve(params: dict[str, Any]) -> Solution:
    y, z0 = params["y"], exact(params["z"])
    p_sym = 1 / (1 + sp.exp(-Z))
    bce = -(y * sp.log(p_sym) + (1 - y) * sp.log(1 - p_sym))
    bce_grad_expr = sp.simplify(sp.diff(bce, Z))
    p = to_float(p_sym.subs(Z, z0))
    bce_value = to_float(bce.subs(Z, z0))
    bce_grad = to_float(bce_grad_expr.subs(Z, z0))
    p_true = p if y == 1 else 1 - p

    logits = [exact(v) for v in params["logits"]]
    c, k = params["c"], params["k"]
    zs = indexed_symbols("z", len(logits))
    probs_sym = softmax(zs)
    ce = -sp.log(probs_sym[c])
    point = dict(zip(zs, logits, strict=True))
    ce_value = to_float(ce.subs(point))
    ce_grad = to_float(sp.diff(ce, zs[k]).subs(point))
    probs = [to_float(q.subs(point)) for q in probs_sym]

    answers = {
        "bce_loss": Answer(
            bce_value,
            misconceptions=[
                Misconception(-math.log10(p_true), LOG10),
                Misconception(-math.log(1 - p_true), WRONG_CLASS),
            ],
        ),
        "bce_grad": Answer(
            bce_grad,
            misconceptions=[
                sign_flipped(-bce_grad),
                Misconception(bce_grad * p * (1 - p), EXTRA_SIGMOID_FACTOR),
            ],
        ),
        "bce_grad_expr": Answer(
            str(bce_grad_expr),
            misconceptions=[sign_flipped(str(sp.simplify(-bce_grad_expr)))],
        ),
        "ce_loss": Answer(
            ce_value,
            misconceptions=[
                Misconception(-math.log10(probs[c]), LOG10),
                Misconception(-float(params["logits"][c]), SOFTMAX_FORGOTTEN),
            ],
        ),
        "ce_grad": Answer(
            ce_grad,
            misconceptions=[
                sign_flipped(-ce_grad),
                Misconception(probs[k], ONE_HOT_FORGOTTEN)
                if k == c
                else Misconception(probs[k] - 1, ONE_HOT_MISPLACED),
            ],
        ),
    }
    exps = [to_float(sp.exp(v)) for v in logits]
    values = {
        "z_tex": tex_num(params["z"]),
        "p_tex": tex_num(p),
        "bce_tex": tex(bce),
        "bce_grad_tex": tex(bce_grad_expr),
        "bce_value_tex": tex_num(bce_value),
        "bce_grad_value_tex": tex_num(bce_grad),
        "log_term": f"\\ln({tex_num(p)})" if y == 1 else f"\\ln(1 - {tex_num(p)})",
        "logits_tex": tex_vector(params["logits"]),
        "exps_tex": tex_vector(exps),
        "sum_exp_tex": tex_num(sum(exps)),
        "probs_tex": tex_vector(probs),
        "p_c_tex": tex_num(probs[c]),
        "p_k_tex": tex_num(probs[k]),
        "ce_value_tex": tex_num(ce_value),
        "ce_grad_tex": tex_num(ce_grad),
        "y_k": int(k == c),
        "classes": len(logits),
    }
    return Solution(answers=answers, values=values)
