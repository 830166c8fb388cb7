"""Each comparator at its tolerance edges, the notes it adds, and grade_part / grade_answers / compare."""

from __future__ import annotations

from fractions import Fraction as F
from typing import Any

import pytest

from grader import compare, grade_answers, grade_part, selftest_part, settings_for
from grader.grade import numeric_test

HINT = {"fa": "بایاس‌ها فراموش شده", "en": "You left out the biases."}


def part(kind: str, answer: Any, text: str | None = None, **grading: Any) -> dict[str, Any]:
    return {
        "id": "p",
        "kind": kind,
        "answer": answer,
        "answer_text": text if text is not None else str(answer),
        "points": 2,
        "grading": grading,
        "misconceptions": [],
    }


@pytest.mark.parametrize(
    ("kind", "comparator"),
    [
        ("integer", "exact"),
        ("real", "relabs"),
        ("shape", "shape"),
        ("expression", "expression"),
        ("choice", "choice"),
        ("text", "manual"),
    ],
)
def test_defaults_by_kind(kind: str, comparator: str) -> None:
    assert settings_for({"kind": kind})["comparator"] == comparator


def test_relabs_defaults_are_prairielearn_s() -> None:
    settings = settings_for({"kind": "real"})
    assert (settings["rtol"], settings["atol"]) == (1e-2, 1e-8)


# (comparator settings, key, typed, same)
EDGES = [
    ({"comparator": "exact"}, F(120), F(120), True),
    ({"comparator": "exact"}, F(120), F(1201, 10), False),
    ({"comparator": "exact"}, F(1, 3), F(1, 3), True),
    ({"comparator": "relabs", "rtol": 0.01, "atol": 0}, F(100), F(101), True),
    ({"comparator": "relabs", "rtol": 0.01, "atol": 0}, F(100), F(99), True),
    ({"comparator": "relabs", "rtol": 0.01, "atol": 0}, F(100), F(101001, 1000), False),
    ({"comparator": "relabs", "rtol": 0.01, "atol": 0}, F(100), F(98999, 1000), False),
    ({"comparator": "relabs", "rtol": 0, "atol": 0.5}, F(0), F(1, 2), True),
    ({"comparator": "relabs", "rtol": 0, "atol": 0.5}, F(0), F(501, 1000), False),
    ({"comparator": "relabs", "rtol": 1e-2, "atol": 1e-8}, F(0), F(1, 10**8), True),
    ({"comparator": "relabs", "rtol": 1e-2, "atol": 1e-8}, F(0), F(2, 10**8), False),
    ({"comparator": "relabs", "rtol": 1e-2, "atol": 1e-8}, F(862, 1000), F(86, 100), True),
    ({"comparator": "relabs", "rtol": 1e-2, "atol": 1e-8}, F(862, 1000), F(85, 100), False),
    ({"comparator": "sigfig", "digits": 3}, F(314159, 100000), F(314, 100), True),
    ({"comparator": "sigfig", "digits": 3}, F(314159, 100000), F(315, 100), False),
    ({"comparator": "sigfig", "digits": 3}, F(314159, 100000), F(3146, 1000), True),  # within 0.51 of a unit
    ({"comparator": "sigfig", "digits": 3}, F(314159, 100000), F(3147, 1000), False),
    ({"comparator": "sigfig", "digits": 2}, F(120422400), F(120000000), True),
    ({"comparator": "sigfig", "digits": 2}, F(120422400), F(130000000), False),
    ({"comparator": "sigfig", "digits": 3}, F(266, 10**7), F(266, 10**7), True),
    ({"comparator": "sigfig", "digits": 3}, F(266, 10**7), F(27, 10**6), False),
    ({"comparator": "sigfig", "digits": 3}, F(0), F(4, 1000), True),
    ({"comparator": "sigfig", "digits": 3}, F(0), F(6, 1000), False),
    ({"comparator": "decdig", "digits": 2}, F(314159, 100000), F(314, 100), True),
    ({"comparator": "decdig", "digits": 2}, F(314159, 100000), F(3137, 1000), True),
    ({"comparator": "decdig", "digits": 2}, F(314159, 100000), F(3136, 1000), False),
    ({"comparator": "decdig", "digits": 0}, F(120), F(1204, 10), True),
    ({"comparator": "decdig", "digits": 0}, F(120), F(1206, 10), False),
    ({"comparator": "decdig", "digits": 3}, F(862, 1000), F(8624, 10000), True),
]


@pytest.mark.parametrize(("settings", "key", "typed", "same"), EDGES)
def test_numeric_edges(settings: dict, key: F, typed: F, same: bool) -> None:
    assert numeric_test(settings)(typed, key) is same


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("120", "correct"),
        ("۱۲۰", "correct"),
        ("floor((240+2-3)/2)+1", "correct"),
        ("120.0", "correct"),
        ("121", "wrong"),
        ("120.5", "wrong"),
        ("", "blank"),
        (None, "blank"),
        ("hello", "format_error"),
        (120, "correct"),
        (120.0, "correct"),
        (True, "format_error"),
        ([120], "format_error"),
        ({"a": 1}, "format_error"),
    ],
)
def test_integer_part_statuses(typed: Any, status: str) -> None:
    result = grade_part(part("integer", 120), typed)
    assert result["status"] == status
    assert result["correct"] is (status == "correct")
    assert result["score"] == (2 if status == "correct" else 0) and result["max_score"] == 2
    assert set(result["feedback"]) == {"fa", "en"} and all(result["feedback"].values())


def test_solver_misconception_wins_over_generic_hints() -> None:
    key = part("integer", 2432)
    key["misconceptions"] = [{"value": 2400, "hint": HINT}]
    result = grade_part(key, "2400")
    assert result["status"] == "wrong" and HINT["en"] in result["feedback"]["en"]
    assert HINT["fa"] in result["feedback"]["fa"]


@pytest.mark.parametrize(
    ("answer", "typed", "phrase"),
    [
        (1000, "500", "half"),
        (1000, "2000", "twice"),
        (120, "121", "off by one"),
        (120, "119", "off by one"),
        (0, "1", "Not correct."),  # a count of zero: 1 is not a formula's missing +1
        (1000, "1,000 = 999", None),
        (28 * 28 * 16 * 5 * 5 * 192, "28*28*76*5*5*192", "factor 76 in your product were 16"),
        (28 * 28 * 16 * 5 * 5 * 192, "۲۸×۲۸×۷۶×۵×۵×۱۹۲", "factor 76 in your product were 16"),
    ],
)
def test_generic_integer_hints(answer: int, typed: str, phrase: str | None) -> None:
    feedback = grade_part(part("integer", answer), typed)["feedback"]["en"]
    if phrase == "Not correct.":
        assert feedback == phrase
    elif phrase:
        assert phrase in feedback
    else:
        assert "does not equal the result" in feedback


@pytest.mark.parametrize("typed", ["2*3", "2*3*5", "7"])  # several factors could be "fixed": no guess
def test_no_factor_hint_when_ambiguous(typed: str) -> None:
    assert "factor" not in grade_part(part("integer", 60), typed)["feedback"]["en"]


def test_working_that_disagrees_is_noted_on_a_right_result() -> None:
    result = grade_part(part("integer", 25088), "28*28*30 = 25088")
    assert result["status"] == "correct" and "does not equal" in result["feedback"]["en"]


def test_rounding_hint_just_outside_tolerance() -> None:
    result = grade_part(part("real", 0.862), "0.85")
    assert result["status"] == "wrong" and "tolerance" in result["feedback"]["en"]


def test_fraction_given_where_a_fraction_is_asked_and_100_times() -> None:
    assert grade_part(part("real", 0.862), "86.2%")["status"] == "correct"
    assert "fraction" in grade_part(part("real", 0.862), "86.2%")["feedback"]["en"]
    assert "100 times" in grade_part(part("real", 0.862), "86.2")["feedback"]["en"]


@pytest.mark.parametrize("stored", [(89.67, "89.67"), (89.67, "89.67%"), (0.8967, "89.67%")])
@pytest.mark.parametrize(
    ("typed", "status", "note"),
    [
        ("89.67%", "correct", None),
        ("89.7%", "correct", None),
        ("89.67", "correct", None),
        ("۸۹٫۶۷٪", "correct", None),
        ("0.8967", "correct", "percentage"),
        ("0.897", "correct", "percentage"),
        ("50%", "wrong", None),
        ("0.5", "wrong", None),
    ],
)
def test_percent_parts(stored: tuple[float, str], typed: str, status: str, note: str | None) -> None:
    key = part("real", stored[0], stored[1], percent=True)
    result = grade_part(key, typed)
    assert result["status"] == status
    if note:
        assert note in result["feedback"]["en"]


def test_percent_form_credit_can_be_partial() -> None:
    key = part("real", 89.67, "89.67%", percent=True, form_credit=0.5)
    result = grade_part(key, "0.8967")
    assert result["status"] == "partial" and result["score"] == 1


SHAPE_KEY = {**part("shape", [64, 59, 59], "64×59×59", order="CHW")}


@pytest.mark.parametrize(
    ("typed", "status", "phrase"),
    [
        ("64x59x59", "correct", None),
        ("(64, 59, 59)", "correct", None),
        ("59x59x64", "wrong", "another order"),
        ("59x64x59", "wrong", "another order"),
        ("1x64x59x59", "wrong", "batch"),
        ("N×64×59×59", "correct", "batch"),
        ("64x59", "wrong", "3 dimensions"),
        ("64x58x59", "wrong", None),
        ("64x59xq", "format_error", "not a positive whole number"),
    ],
)
def test_shapes(typed: str, status: str, phrase: str | None) -> None:
    result = grade_part(SHAPE_KEY, typed)
    assert result["status"] == status
    if phrase:
        assert phrase in result["feedback"]["en"]


@pytest.mark.parametrize(
    ("accept", "status", "score"), [(True, "correct", 2), (0.5, "partial", 1), (False, "wrong", 0)]
)
def test_reordered_credit_is_the_item_s_decision(accept: Any, status: str, score: float) -> None:
    key = part("shape", [64, 59, 59], "64×59×59", order="CHW", accept_reordered=accept)
    result = grade_part(key, "59×59×64")
    assert (result["status"], result["score"]) == (status, score)
    assert "C×H×W" in result["feedback"]["en"]


def test_channel_order_misconception_hint_replaces_the_generic_one() -> None:
    key = part("shape", [64, 59, 59], "64×59×59")
    key["misconceptions"] = [{"value": [59, 59, 64], "hint": {"fa": "ترتیب", "en": "You wrote H×W×C."}}]
    assert "You wrote H×W×C." in grade_part(key, "59x59x64")["feedback"]["en"]


CHOICE_KEY = {
    **part("choice", "b", "b"),
    "options": [
        {
            "id": "a",
            "text": {"fa": "الف", "en": "Max pooling"},
            "feedback": {"fa": "نه", "en": "No: pooling."},
        },
        {
            "id": "b",
            "text": {"fa": "ب", "en": "Weight sharing"},
            "feedback": {"fa": "آری", "en": "Yes: sharing."},
        },
        {"id": "c", "text": {"fa": "ج", "en": "Dropout"}},
    ],
}


@pytest.mark.parametrize(
    ("typed", "status", "phrase"),
    [
        ("b", "correct", "Yes: sharing."),
        ("weight sharing", "correct", "Yes: sharing."),
        ("a", "wrong", "No: pooling."),
        ("c", "wrong", None),
        ("e", "format_error", "none of the options"),
    ],
)
def test_choice(typed: str, status: str, phrase: str | None) -> None:
    result = grade_part(CHOICE_KEY, typed)
    assert result["status"] == status
    if phrase:
        assert phrase in result["feedback"]["en"]


def test_manual_part_is_pending_or_blank() -> None:
    key = {**part("text", "a model answer"), "manual": True}
    assert grade_part(key, "because of weight sharing")["status"] == "pending"
    assert grade_part(key, "")["status"] == "blank"
    assert grade_part(key, "x")["score"] == 0


EXPRESSION_KEY = part("expression", "exp(-x)/(1 + exp(-x))**2")


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("sigma(x)*(1-sigma(x))", "correct"),
        ("σ(x)(1−σ(x))", "correct"),
        ("e^(-x)/(1+e^(-x))^2", "correct"),
        ("exp(x)/(1+exp(x))^2", "correct"),
        ("sigma(x)", "wrong"),
        ("sigma(x)*(1-sigma(x)) + 0.001", "wrong"),
        ("y", "format_error"),
        ("sigma(x", "format_error"),
    ],
)
def test_expression_part(typed: str, status: str) -> None:
    assert grade_part(EXPRESSION_KEY, typed)["status"] == status


def test_expression_misconception_hint() -> None:
    key = part("expression", "Heaviside(x)")
    key["misconceptions"] = [{"value": "1", "hint": {"fa": "منفی‌ها", "en": "What about x < 0?"}}]
    result = grade_part(key, "1")
    assert result["status"] == "wrong" and "x < 0" in result["feedback"]["en"]


@pytest.mark.parametrize(
    ("domain", "status"),
    [
        (None, "wrong"),
        ([-3, 3], "wrong"),
        ([0.1, 5], "correct"),
        ({"x": [0.5, 2]}, "correct"),
        ([0, 4], "correct"),
    ],
)
def test_sqrt_of_square_is_x_only_where_x_is_positive(domain: Any, status: str) -> None:
    key = part("expression", "x", domain=domain) if domain is not None else part("expression", "x")
    assert grade_part(key, "sqrt(x^2)")["status"] == status


@pytest.mark.parametrize(
    ("key", "typed", "status"),
    [
        ("Heaviside(x)", "Piecewise((1, x > 0), (0, True))", "correct"),
        ("Heaviside(x)", "1 if x > 0 else 0", "correct"),
        ("Heaviside(x)", "1", "wrong"),  # both signs are always sampled on [-3, 3]
        ("Heaviside(x)", "0", "wrong"),
        ("Piecewise((1, x > 0), (1/100, True))", "where(x > 0, 1, 0.01)", "correct"),
        ("Piecewise((1, x > 0), (1/100, True))", "where(x > 0, 1, 0.1)", "wrong"),
        ("1 - tanh(x)**2", "sech(x)^2", "correct"),
        ("Max(0, x)", "relu(x)", "correct"),
        ("Max(0, x)", "(x + |x|)/2", "correct"),
        ("log(1 + exp(x))", "softplus(x)", "correct"),
        ("x0*w1 + x1*w0", "w0 x1 + w1 x0", "correct"),  # a space between names is a product
        ("x0*w1 + x1*w0", "w_0*x_1 + w_1*x_0", "correct"),
        ("3*d*w - 3*d + 3", "3dw - 3d + 3", "correct"),  # a run of variable names is their product
        ("3*d*w - 3*d + 3", "3 d (w - 1) + 3", "correct"),
        ("3*d*w - 3*d + 3", "3dw - 3d + 5", "wrong"),
        ("3*d*w - 3*d + 3", "3dx", "format_error"),
        ("x0*w1 + x1*w0", "w0*x1 + w1*x0", "correct"),
        ("2", "4/2", "correct"),
    ],
)
def test_expression_equivalences(key: str, typed: str, status: str) -> None:
    assert grade_part(part("expression", key), typed)["status"] == status


def test_time_bound_gives_could_not_be_checked_not_a_verdict() -> None:
    key = part("expression", "(x + 1)**60", time_limit=1e-6)
    result = grade_part(key, "(1 + x)^60 + 0*x")
    assert result["status"] == "format_error" and result["unchecked"] is True
    assert "could not be checked" in result["feedback"]["en"]


def test_check_in_a_thread_runs_in_a_child_process() -> None:
    import threading

    results: list[dict] = []
    thread = threading.Thread(
        target=lambda: results.append(grade_part(EXPRESSION_KEY, "sigma(x)*(1-sigma(x))"))
    )
    thread.start()
    thread.join()
    assert results[0]["status"] == "correct"
    results.clear()
    thread = threading.Thread(target=lambda: results.append(grade_part(EXPRESSION_KEY, "__import__('os')")))
    thread.start()
    thread.join()
    assert results[0]["status"] == "format_error"
    results.clear()
    bounded = part("expression", "(x + 1)**60", time_limit=1e-6)
    thread = threading.Thread(target=lambda: results.append(grade_part(bounded, "(1 + x)^60 + 0*x")))
    thread.start()
    thread.join()
    assert results[0]["status"] == "format_error" and results[0]["unchecked"] is True


def test_a_broken_key_is_a_key_error_not_the_student_s() -> None:
    with pytest.raises(ValueError):
        grade_part(part("expression", "9**9**9**9"), "x")
    with pytest.raises(ValueError):
        grade_part(part("integer", "not a number"), "1")


def test_grade_answers_sums_and_flags() -> None:
    keys = [
        {**part("integer", 120), "id": "a"},
        {**part("shape", [64, 59, 59], "64×59×59"), "id": "b"},
        {**part("integer", 7), "id": "c"},
        {**part("text", "essay"), "id": "d", "manual": True},
    ]
    report = grade_answers(keys, {"a": "120", "b": "64x59", "c": "seven", "d": "words", "zz": "1"})
    assert (report["score"], report["max_score"]) == (2, 8)
    assert [p["status"] for p in report["parts"]] == ["correct", "wrong", "format_error", "pending"]
    assert report["format_error"] is True and report["pending"] is True and report["unknown_parts"] == ["zz"]
    assert all(
        {"id", "correct", "score", "max_score", "feedback", "status", "parsed"} <= set(p)
        for p in report["parts"]
    )
    empty = grade_answers(keys, {})
    assert empty["score"] == 0 and not empty["format_error"]
    assert {p["status"] for p in empty["parts"]} == {"blank"}


@pytest.mark.parametrize(
    ("key", "answer", "options", "correct"),
    [
        ("120", "(240-3+2)//2+1", {}, True),
        ("0.862", "0.86", {}, True),
        ("0.862", "0.86", {"rtol": 0.001}, False),
        ("0.862", "86.2%", {}, True),
        ("3.14159", "3.14", {"comparator": "sigfig", "digits": 3}, True),
        ("3.14159", "3.15", {"comparator": "sigfig", "digits": 3}, False),
        ("3.14159", "3.14", {"comparator": "decdig", "digits": 2}, True),
        ("64x59x59", "(64, 59, 59)", {}, True),
        ("64x59x59", "59x59x64", {}, False),
        ("1/(1+exp(-x))", "sigmoid(x)", {}, True),
        ("x", "sqrt(x^2)", {}, False),
        ("120", "120.4", {"comparator": "relabs", "atol": 0.5, "rtol": 0}, True),
    ],
)
def test_compare(key: str, answer: str, options: dict, correct: bool) -> None:
    result = compare(key, answer, **options)
    assert result["correct"] is correct
    assert {"correct", "parsed", "feedback"} <= set(result)


@pytest.mark.parametrize(("key", "comparator"), [("abc", "exact"), ("1", "nonsense"), ("9**9**9**9", None)])
def test_compare_refuses_unusable_keys(key: str, comparator: str | None) -> None:
    with pytest.raises(ValueError):
        compare(key, "1", comparator=comparator)


@pytest.mark.parametrize(
    "key",
    [
        part("integer", 73856),
        part("integer", -2),
        part("integer", 0),
        part("real", 0.862),
        part("real", 2.66e-5),
        part("real", 89.67, "89.67%", percent=True),
        part("real", 3.14159, "3.14", comparator="sigfig", digits=3),
        part("shape", [64, 59, 59], "64×59×59"),
        part("expression", "exp(-x)/(1 + exp(-x))**2"),
        CHOICE_KEY,
        {**part("text", "essay"), "manual": True},
    ],
)
def test_selftest_accepts_good_keys(key: dict) -> None:
    assert selftest_part(key) == []


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (part("integer", 120, "121"), "reference answer_text"),
        (part("real", 100.0, "100", rtol=1.0), "perturbed"),
        ({**part("integer", 120), "misconceptions": [{"value": 120, "hint": HINT}]}, "misconception value"),
        (part("expression", "Integral(x, x)"), "cannot use this key"),
        (
            # a comparator that does not fit the kind is refused by grader.settings (issue 15.5)
            part("shape", [64, 59, 59], "64x59x59", accept_reordered=True, comparator="exact"),
            "does not fit a shape part",
        ),
    ],
)
def test_selftest_reports_bad_keys(key: dict, problem: str) -> None:
    problems = selftest_part(key)
    assert problems and any(problem in p for p in problems), problems
