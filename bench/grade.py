"""Figures for the grading path (`azmoon submit` / `check`): import time, and time to grade a typical answer file.

Prints figures only; nothing is asserted about timing. Asserts that grading imported neither torch nor, for
answer files without expression parts, sympy.

    .venv/bin/python bench/grade.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ANSWER_FILE = """\
assignment: hw4
student: "401234567"
variant: 7
answers:
  conv_output_size: {out: "(240+2*1-3)//2+1"}
  cnn_table:
    L1_shape: "32×122×122"
    L1_weights: "32*3*7*7"
    L1_biases: "۳۲"
    L2_shape: "[64, 59, 59]"
    flops: "1.78e8"
  classification_report: {accuracy: "86.2%", recall: "0.676"}
  concept: {q1: "b"}
"""

PART_KEYS = {
    "conv_output_size": [{"id": "out", "kind": "integer", "answer": 120, "answer_text": "120", "points": 1}],
    "cnn_table": [
        {
            "id": "L1_shape",
            "kind": "shape",
            "answer": [32, 122, 122],
            "answer_text": "32×122×122",
            "points": 1,
        },
        {"id": "L1_weights", "kind": "integer", "answer": 4704, "answer_text": "4704", "points": 1},
        {"id": "L1_biases", "kind": "integer", "answer": 32, "answer_text": "32", "points": 1},
        {"id": "L2_shape", "kind": "shape", "answer": [64, 59, 59], "answer_text": "64×59×59", "points": 1},
        {"id": "flops", "kind": "real", "answer": 178_000_000.0, "answer_text": "1.78e8", "points": 1},
    ],
    "classification_report": [
        {"id": "accuracy", "kind": "real", "answer": 0.862, "answer_text": "0.862", "points": 1},
        {"id": "recall", "kind": "real", "answer": 0.676, "answer_text": "0.676", "points": 1},
    ],
    "concept": [
        {
            "id": "q1",
            "kind": "choice",
            "answer": "b",
            "answer_text": "b",
            "points": 1,
            "options": [
                {"id": "a", "text": {"fa": "الف", "en": "A"}},
                {"id": "b", "text": {"fa": "ب", "en": "B"}},
            ],
        }
    ],
}
EXPRESSION_KEY = {
    "id": "d",
    "kind": "expression",
    "answer": "exp(-x)/(1 + exp(-x))**2",
    "answer_text": "exp(-x)/(1 + exp(-x))**2",
    "points": 1,
}


def main() -> None:
    started = time.perf_counter()
    from grader import grade_answers, grade_part
    from grader.answerfile import read_answer_file

    imported = time.perf_counter()
    answers = read_answer_file(ANSWER_FILE.encode())
    read = time.perf_counter()
    reports = {item: grade_answers(keys, answers.for_item(item)) for item, keys in PART_KEYS.items()}
    graded = time.perf_counter()
    score = sum(r["score"] for r in reports.values())
    total = sum(r["max_score"] for r in reports.values())
    assert "torch" not in sys.modules, "the grading path imported torch"
    assert "sympy" not in sys.modules, "grading numbers, shapes and choices imported sympy"
    repeats = 200
    t0 = time.perf_counter()
    for _ in range(repeats):
        for item, keys in PART_KEYS.items():
            grade_answers(keys, answers.for_item(item))
    per_file = (time.perf_counter() - t0) / repeats

    t1 = time.perf_counter()
    first = grade_part(EXPRESSION_KEY, "sigma(x)*(1-sigma(x))")
    t2 = time.perf_counter()
    for _ in range(20):
        grade_part(EXPRESSION_KEY, "sigma(x)*(1-sigma(x))")
    per_expression = (time.perf_counter() - t2) / 20
    assert "torch" not in sys.modules, "the expression path imported torch"

    print(f"import grader:                          {1000 * (imported - started):8.1f} ms")
    print(f"read answer file:                       {1000 * (read - imported):8.1f} ms")
    print(
        f"grade the file ({sum(map(len, PART_KEYS.values()))} parts, first time):       {1000 * (graded - read):8.1f} ms"
    )
    print(f"grade the file again (mean of {repeats}):      {1000 * per_file:8.2f} ms")
    print(f"score: {score:g}/{total:g}")
    print(f"first expression part (imports sympy):  {1000 * (t2 - t1):8.1f} ms  ({first['status']})")
    print(f"expression part afterwards (mean of 20):{1000 * per_expression:8.1f} ms")
    print(f"'torch' in sys.modules: {'torch' in sys.modules}")


if __name__ == "__main__":
    main()
