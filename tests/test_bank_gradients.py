"""Gradient families B15–B21: the sympy solvers against hand-derived forms (written out), finite differences and
plain numpy / loop recomputations of the numeric instances."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import sympy as sp

from bank.item import load_items
from bank.pipeline import make_params, solve_item
from bank.registry import get_solver

ITEMS = load_items()
# the items of this file (catalogue B15-B21); their self-test runs in tests/test_selftest_every_item.py
GRADIENT_ITEMS = [
    "activation_derivative",
    "conv_backprop_1d",
    "conv_backprop_2d",
    "pool_backprop",
    "residual_gradient",
    "vanishing_gradient",
    "weight_init",
    "cross_entropy",
    "distillation",
]


def solve(solver: str, params: dict) -> dict:
    solution = get_solver(solver)(params)
    return {key: answer.value for key, answer in solution.answers.items()}


def answers_for(item_id: str, seed: int) -> tuple[dict, dict]:
    item = ITEMS[item_id]
    params = make_params(item, seed)
    return params, solve(item.solver_name, params)


def expression(text: str):
    """Our own reference answer (trusted text written by str(sympy_expr)) back to a callable."""
    return sp.sympify(text, locals={"x": sp.Symbol("x", real=True), "z": sp.Symbol("z", real=True)})


def sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v))


def central_difference(f, v: float, h: float = 1e-6) -> float:
    return (f(v + h) - f(v - h)) / (2 * h)


def np_softmax(z, temperature: float = 1.0) -> np.ndarray:
    e = np.exp(np.asarray(z, dtype=float) / temperature)
    return e / e.sum()


# --- B15 activation derivatives --------------------------------------------------------------------------------

PLAIN = {  # name -> (f(x, a), f'(x, a) derived by hand)
    "sigmoid": (lambda v, a: sigmoid(v), lambda v, a: sigmoid(v) * (1 - sigmoid(v))),
    "tanh": (lambda v, a: math.tanh(v), lambda v, a: 1 - math.tanh(v) ** 2),
    "relu": (lambda v, a: max(v, 0.0), lambda v, a: 1.0 if v > 0 else 0.0),
    "leaky_relu": (lambda v, a: v if v > 0 else a * v, lambda v, a: 1.0 if v > 0 else a),
    "prelu": (lambda v, a: v if v > 0 else a * v, lambda v, a: 1.0 if v > 0 else a),
    "elu": (
        lambda v, a: v if v > 0 else a * (math.exp(v) - 1),
        lambda v, a: 1.0 if v > 0 else a * math.exp(v),
    ),
    "silu": (lambda v, a: v * sigmoid(v), lambda v, a: sigmoid(v) + v * sigmoid(v) * (1 - sigmoid(v))),
    "gelu": (
        lambda v, a: v * 0.5 * (1 + math.erf(v / math.sqrt(2))),
        lambda v, a: (
            0.5 * (1 + math.erf(v / math.sqrt(2))) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
        ),
    ),
}
SATURATES = {
    "sigmoid": "both",
    "tanh": "both",
    "relu": "negative",
    "elu": "negative",
    "silu": "negative",
    "gelu": "negative",
    "leaky_relu": "none",
    "prelu": "none",
}


def test_activation_seed0_is_sigmoid_at_zero():
    params, answers = answers_for("activation_derivative", 0)
    assert params == {"activation": "sigmoid", "alpha": None, "x0": 0}
    assert answers["value"] == pytest.approx(0.5 * (1 - 0.5))  # σ(0)(1 − σ(0))
    assert answers["saturation"] == "both"


@pytest.mark.parametrize("name", sorted(PLAIN))
@pytest.mark.parametrize("alpha", [0.1, 1.5])
def test_activation_derivative_matches_hand_form_and_finite_differences(name: str, alpha: float):
    f, df = PLAIN[name]
    x_sym = sp.Symbol("x", real=True)
    for x0 in (-2.5, -1.0, 0.5, 2.0):
        answers = solve("activation_derivative", {"activation": name, "alpha": alpha, "x0": x0})
        derivative = expression(answers["derivative"])
        for v in (-2.7, -0.3, 0.4, 1.9, x0):
            assert float(derivative.subs(x_sym, v)) == pytest.approx(df(v, alpha), rel=1e-9, abs=1e-12)
            assert float(derivative.subs(x_sym, v)) == pytest.approx(
                central_difference(lambda u: f(u, alpha), v), abs=1e-6
            )
        assert answers["value"] == pytest.approx(df(x0, alpha), rel=1e-9, abs=1e-12)
        assert answers["saturation"] == SATURATES[name]


# --- B16 convolution backprop ----------------------------------------------------------------------------------


def test_conv1d_seed0_by_hand():
    _, a = answers_for("conv_backprop_1d", 0)  # x = (1, 2, -1, 3, 0), w = (2, -1, 1), δ = (1, -2, 2)
    assert [a["dw0"], a["dw1"], a["dw2"]] == [
        1 * 1 + (-2) * 2 + 2 * (-1),
        1 * 2 + (-2) * (-1) + 2 * 3,
        1 * (-1) + (-2) * 3 + 2 * 0,
    ]
    assert a["db"] == 1 - 2 + 2
    assert [a[f"dx{m}"] for m in range(5)] == [
        2 * 1,
        2 * (-2) + (-1) * 1,
        2 * 2 + (-1) * (-2) + 1 * 1,
        (-1) * 2 + 1 * (-2),
        1 * 2,
    ]
    assert expression(a["dw_formula"]) == expression("d0*x1 + d1*x2 + d2*x3")
    assert expression(a["dx_formula"]) == expression("w0*d2 + w1*d1 + w2*d0")


@pytest.mark.parametrize("seed", range(1, 16))
def test_conv1d_against_numpy_and_finite_differences(seed: int):
    params, a = answers_for("conv_backprop_1d", seed)
    x, w, d = (np.array(params[key], dtype=float) for key in ("x", "w", "delta"))
    assert [a[f"dw{j}"] for j in range(len(w))] == list(np.correlate(x, d, mode="valid").astype(int))
    assert [a[f"dx{m}"] for m in range(len(x))] == list(np.convolve(d, w, mode="full").astype(int))
    assert a["db"] == int(d.sum())

    def loss(x_, w_, b_=0.0) -> float:  # L = Σ δ_i z_i with z the forward pass of the layer
        z = [sum(w_[j] * x_[i + j] for j in range(len(w_))) + b_ for i in range(len(d))]
        return float(np.dot(d, z))

    for j in range(len(w)):
        step = np.eye(len(w))[j]
        assert (loss(x, w + step) - loss(x, w - step)) / 2 == pytest.approx(a[f"dw{j}"])
    assert (loss(x, w, 1.0) - loss(x, w, -1.0)) / 2 == pytest.approx(a["db"])


def test_conv2d_seed0_by_hand():
    _, a = answers_for("conv_backprop_2d", 0)
    assert [[a["dw00"], a["dw01"]], [a["dw10"], a["dw11"]]] == [[8, 2], [-1, -3]]
    assert a["db"] == 2 - 1 + 1 + 1 + 0 - 2 - 1 + 1 + 1
    assert a["dx_at"] == 1 * 1 + (-1) * (-1) + 2 * 0 + 0 * 1  # W00·G21 + W01·G20 + W10·G11 + W11·G10


@pytest.mark.parametrize("seed", range(1, 11))
def test_conv2d_against_an_explicit_double_loop(seed: int):
    params, a = answers_for("conv_backprop_2d", seed)
    X, W, G = (np.array(params[key]) for key in ("X", "W", "G"))
    k, out = len(W), len(G)
    dW = np.zeros((k, k), dtype=int)
    dX = np.zeros_like(X)
    for r in range(out):
        for c in range(out):
            dW += G[r, c] * X[r : r + k, c : c + k]
            dX[r : r + k, c : c + k] += G[r, c] * W
    assert {f"dw{p}{q}": a[f"dw{p}{q}"] for p in range(k) for q in range(k)} == {
        f"dw{p}{q}": int(dW[p, q]) for p in range(k) for q in range(k)
    }
    assert a["db"] == int(G.sum())
    r0, c0 = params["rc"]
    assert a["dx_at"] == int(dX[r0, c0])
    p0, q0 = params["pq"]
    formula = expression(a["dw_formula"])
    symbols = {sp.Symbol(f"g{i}{j}"): int(G[i, j]) for i in range(out) for j in range(out)}
    symbols |= {sp.Symbol(f"x{i}{j}"): int(X[i, j]) for i in range(len(X)) for j in range(len(X))}
    assert int(formula.subs(symbols)) == int(dW[p0, q0])


# --- B17 pooling backprop --------------------------------------------------------------------------------------


def pool_grads(params: dict) -> tuple[np.ndarray, np.ndarray]:
    X, G = np.array(params["X"], dtype=float), np.array(params["G"], dtype=float)
    k, s = params["k"], params["s"]
    avg, mx = np.zeros_like(X), np.zeros_like(X)
    for a in range(len(G)):
        for c in range(len(G)):
            window = X[a * s : a * s + k, c * s : c * s + k]
            avg[a * s : a * s + k, c * s : c * s + k] += G[a, c] / k**2
            i, j = np.unravel_index(np.argmax(window), window.shape)
            mx[a * s + i, c * s + j] += G[a, c]
    return avg, mx


def test_pool_seed0_by_hand():
    _, a = answers_for("pool_backprop", 0)
    assert a["avg_value"] == 1.0 / 4  # G00 / 4
    assert a["max_p"] == 1.0  # X11 = 6 is the max of [[1, 3], [4, 6]]
    assert a["max_q"] == 0.0  # X02 = 2 is not the max of [[2, 0], [7, 5]]
    assert a["max_nonzero"] == 4
    assert expression(a["avg_formula"]) == expression("g00/4")


@pytest.mark.parametrize("seed", range(1, 21))
def test_pool_against_loops_and_finite_differences(seed: int):
    params, a = answers_for("pool_backprop", seed)
    avg, mx = pool_grads(params)
    (pi, pj), (qi, qj) = params["p"], params["q"]
    assert a["avg_value"] == pytest.approx(avg[pi, pj])
    assert a["max_p"] == pytest.approx(mx[pi, pj])
    assert a["max_q"] == pytest.approx(mx[qi, qj])
    assert a["max_nonzero"] == int(np.count_nonzero(mx))
    k, s, G = params["k"], params["s"], np.array(params["G"])

    def max_loss(X: np.ndarray) -> float:
        return sum(
            G[r, c] * X[r * s : r * s + k, c * s : c * s + k].max()
            for r in range(len(G))
            for c in range(len(G))
        )

    X = np.array(params["X"], dtype=float)
    step = np.zeros_like(X)
    step[pi, pj] = 1e-3  # the values are distinct integers: a small step does not change any arg-max
    assert (max_loss(X + step) - max_loss(X - step)) / 2e-3 == pytest.approx(mx[pi, pj])


# --- B18 residual gradient -------------------------------------------------------------------------------------

BRANCH = {"tanh": math.tanh, "sigmoid": sigmoid, "sin": math.sin}


def test_residual_seed0_by_hand():
    params, a = answers_for("residual_gradient", 0)
    assert params == {"branch": "tanh", "w": 0.5, "x0": 1, "L": 3}
    assert a["local_value"] == pytest.approx(1 + 0.5 * (1 - math.tanh(1) ** 2))
    x_sym = sp.Symbol("x", real=True)
    assert sp.simplify(expression(a["local"]) - (1 + sp.Rational(1, 2) * (1 - sp.tanh(x_sym) ** 2))) == 0


@pytest.mark.parametrize("seed", range(0, 12))
def test_residual_chain_against_finite_differences(seed: int):
    params, a = answers_for("residual_gradient", seed)
    w, layers, branch = params["w"], params["L"], BRANCH[params["branch"]]

    def residual(v: float) -> float:
        for _ in range(layers):
            v = v + w * branch(v)
        return v

    def plain(v: float) -> float:
        for _ in range(layers):
            v = w * branch(v)
        return v

    x0 = params["x0"]
    assert a["residual_total"] == pytest.approx(central_difference(residual, x0), rel=1e-6)
    assert a["plain_total"] == pytest.approx(central_difference(plain, x0), rel=1e-5, abs=1e-12)
    assert abs(a["residual_total"]) > abs(a["plain_total"])  # the skip keeps the gradient larger here
    local = expression(a["local"])
    for v in (-1.3, 0.2, 2.1):
        expected = central_difference(lambda u: u + w * branch(u), v)
        assert float(local.subs(sp.Symbol("x", real=True), v)) == pytest.approx(expected, abs=1e-6)


# --- B19 vanishing gradient ------------------------------------------------------------------------------------


def test_vanishing_seed0_is_the_sheet_instance():
    _, a = answers_for("vanishing_gradient", 0)
    assert a["bound"] == pytest.approx(0.9**100) and a["bound"] == pytest.approx(2.66e-5, rel=2e-3)
    assert a["depth"] == 132  # 0.9**131 = 1.013e-6 is still ≥ 1e-6, 0.9**132 = 9.12e-7 is below
    assert 0.9**131 >= 1e-6 > 0.9**132
    L, eps = sp.Symbol("L"), sp.Symbol("eps")
    bound = sp.sympify(a["bound_expr"], locals={"L": L, "eps": eps})
    assert sp.simplify(bound - eps * sp.Rational(9, 10) ** L) == 0


@pytest.mark.parametrize("seed", range(1, 25))
def test_vanishing_against_brute_force(seed: int):
    params, a = answers_for("vanishing_gradient", seed)
    if params["mode"] == "given":
        sigma_max = params["value"]
    else:  # the activation's derivative scanned on a grid: its maximum is 1/4 (sigmoid) or 1 (tanh) at x = 0
        df = PLAIN[params["mode"]][1]
        sigma_max = params["value"] * max(df(v / 100, None) for v in range(-500, 501))
    assert a["bound"] == pytest.approx(sigma_max ** params["L"], rel=1e-9)
    tau = 10.0 ** -params["tau_exp"]
    depth = next(n for n in range(1, 100_000) if sigma_max**n < tau)
    assert a["depth"] == depth


# --- B20 weight initialization ---------------------------------------------------------------------------------


def test_he_seed0_is_the_sheet_instance():
    _, a = answers_for("weight_init", 0)
    assert a["fan_in"] == 3 * 8 * 8 == 192
    assert a["variance"] == pytest.approx(2 / 192) and round(a["variance"], 4) == 0.0104
    assert a["std"] == pytest.approx(math.sqrt(2 / 192)) and round(a["std"], 3) == 0.102
    assert a["bound"] == pytest.approx(math.sqrt(6 / 192))


def test_xavier_conv_and_linear_by_hand():
    a = solve("weight_init", {"layer": "conv", "scheme": "xavier", "c_in": 16, "c_out": 32, "k": 3})
    assert a["fan_in"] == 16 * 3 * 3
    assert a["variance"] == pytest.approx(2 / (16 * 3 * 3 + 32 * 3 * 3))
    a = solve("weight_init", {"layer": "linear", "scheme": "xavier", "c_in": 784, "c_out": 256, "k": 1})
    assert a["std"] == pytest.approx(math.sqrt(2 / (784 + 256)))
    assert a["bound"] == pytest.approx(math.sqrt(6 / (784 + 256)))  # Glorot uniform: √(6/(n_in+n_out))


def test_weight_init_misconceptions_name_the_other_scheme():
    """On the key (where the bank keeps the mistakes the grader tells apart), not on the solver's list."""
    solved = solve_item(ITEMS["weight_init"], 0)
    assert solved.params == {"layer": "conv", "scheme": "he", "c_in": 3, "c_out": 16, "k": 8}
    (variance,) = [p for p in solved.parts if p["id"] == "variance"]
    wrong = {round(m["value"], 8) for m in variance["misconceptions"]}
    assert round(2 / (192 + 16 * 64), 8) in wrong  # Xavier where He was asked
    assert round(1 / 192, 8) in wrong  # LeCun: the factor 2 forgotten
    assert round(2 / 3, 8) in wrong  # the kernel forgotten in the fan-in


# --- B21 cross-entropy and distillation ------------------------------------------------------------------------


def test_cross_entropy_seed0_by_hand():
    _, a = answers_for("cross_entropy", 0)
    p = 1 / (1 + math.exp(-1.5))
    assert a["bce_loss"] == pytest.approx(-math.log(p))
    assert a["bce_grad"] == pytest.approx(p - 1)
    probs = np.exp([2.0, 1.0, 0.1]) / np.exp([2.0, 1.0, 0.1]).sum()
    assert round(probs[0], 3) == 0.659
    assert a["ce_loss"] == pytest.approx(-math.log(probs[0]))
    assert a["ce_grad"] == pytest.approx(probs[0] - 1)


@pytest.mark.parametrize("seed", range(1, 21))
def test_cross_entropy_is_p_minus_y(seed: int):
    params, a = answers_for("cross_entropy", seed)
    y, z = params["y"], params["z"]

    def bce(v: float) -> float:
        p = sigmoid(v)
        return -(y * math.log(p) + (1 - y) * math.log(1 - p))

    assert a["bce_loss"] == pytest.approx(bce(z))
    assert a["bce_grad"] == pytest.approx(sigmoid(z) - y)
    assert a["bce_grad"] == pytest.approx(central_difference(bce, z), abs=1e-7)
    grad_expr = expression(a["bce_grad_expr"])
    for v in (-3.1, 0.7, 2.6):
        assert float(grad_expr.subs(sp.Symbol("z", real=True), v)) == pytest.approx(sigmoid(v) - y)
    logits, c, k = np.array(params["logits"]), params["c"], params["k"]
    probs = np_softmax(logits)
    assert a["ce_loss"] == pytest.approx(-math.log(probs[c]))
    assert a["ce_grad"] == pytest.approx(probs[k] - (k == c))
    step = np.eye(len(logits))[k] * 1e-6
    fd = (-math.log(np_softmax(logits + step)[c]) + math.log(np_softmax(logits - step)[c])) / 2e-6
    assert a["ce_grad"] == pytest.approx(fd, abs=1e-7)


def distillation_by_numpy(params: dict) -> dict:
    t, s, T, alpha, c = (
        np.array(params["teacher"]),
        np.array(params["student"]),
        params["T"],
        params["alpha"],
        params["c"],
    )
    p, q = np_softmax(t, T), np_softmax(s, T)
    kl = float(np.sum(p * np.log(p / q)))
    ce = -math.log(np_softmax(s)[c])
    return {"p": p, "q": q, "kl": kl, "ce": ce, "total": alpha * ce + (1 - alpha) * T**2 * kl}


def test_distillation_seed0_by_hand():
    params, a = answers_for("distillation", 0)
    ref = distillation_by_numpy(params)
    p0 = math.exp(6 / 4) / (math.exp(6 / 4) + math.exp(2 / 4) + math.exp(1 / 4))
    assert a["teacher_soft"] == pytest.approx(p0)
    assert a["total"] == pytest.approx(0.3 * ref["ce"] + 0.7 * 16 * ref["kl"])
    assert a["t_squared"] == "scale"


@pytest.mark.parametrize("seed", range(1, 16))
def test_distillation_against_numpy(seed: int):
    params, a = answers_for("distillation", seed)
    ref = distillation_by_numpy(params)
    c, k, T = params["c"], params["k"], params["T"]
    assert a["teacher_soft"] == pytest.approx(ref["p"][c])
    assert a["student_soft"] == pytest.approx(ref["q"][c])
    assert a["kl"] == pytest.approx(ref["kl"], rel=1e-9, abs=1e-15)
    assert a["ce"] == pytest.approx(ref["ce"])
    assert a["total"] == pytest.approx(ref["total"])
    assert a["soft_grad"] == pytest.approx(T * (ref["q"][k] - ref["p"][k]), abs=1e-12)
    s = np.array(params["student"], dtype=float)
    step = np.eye(len(s))[k] * 1e-6

    def soft(student: np.ndarray) -> float:
        return T**2 * distillation_by_numpy({**params, "student": list(student)})["kl"]

    assert a["soft_grad"] == pytest.approx((soft(s + step) - soft(s - step)) / 2e-6, abs=1e-6)


# --- the items as a whole --------------------------------------------------------------------------------------


@pytest.mark.parametrize("item_id", GRADIENT_ITEMS)
def test_rendering_is_bilingual_with_persian_digits_outside_math(item_id: str):
    solved = solve_item(ITEMS[item_id], 1)
    text = solved.solution["fa"]
    outside_math = "".join(part for i, part in enumerate(text.split("$")) if i % 2 == 0)
    assert not any(ch in "0123456789" for ch in outside_math.replace("`", "")), outside_math[:200]
    assert solved.statement["en"] and solved.solution["en"]
    assert ITEMS[item_id].catalogue in {f"B{n}" for n in range(15, 22)}


def test_generators_vary():
    for item_id in GRADIENT_ITEMS:
        rng = random.Random(item_id)
        seeds = rng.sample(range(1, 10_000), 12)
        assert len({repr(make_params(ITEMS[item_id], s)) for s in seeds}) >= 8, item_id
