"""Regrade speed: 10,000 stored submissions regraded after a wrong key, key solving timed apart.

    .venv/bin/python bench/regrade.py [--students 1000] [--attempts 10] [--dir /tmp/azmoon-bench-regrade]

Builds a real course (SQLite): a roster, an assignment of two items, keys solved once; every stored key of the
first item is then made wrong by one (a solver bug at generation) and every submission is sent through the
real `course.submit.submit` (the setup, timed but not the figure), graded against the wrong key. Then
`course.regrade.regrade` re-solves the keys (timed apart: `solve`) and regrades every stored submission,
writing the new results, the old ones and the key versions in one transaction (the figure: `regrade`;
from 2,000 submissions the grading runs in 2 forked processes where the machine has 2 cores). The target is
≤ 10 s for 10,000 submissions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS = ["conv_output_size", "dilated_conv"]


def build(base: Path, students: int, attempts: int) -> tuple[object, float]:
    import yaml

    from course.assignments import create_assignment
    from course.config import init_course
    from course.generate import assignment_key, generate_assignment
    from course.roster import import_roster
    from course.seeds import variant_token
    from course.submit import submit

    course = init_course(base / "course", attempts=attempts)
    ids = [f"4011{k:05d}" for k in range(students)]
    (base / "roster.csv").write_text(
        "student_id,name\n" + "".join(f"{sid},Student {sid}\n" for sid in ids), encoding="utf-8"
    )
    import_roster(course, base / "roster.csv")
    create_assignment(course, "hw1", ITEMS, attempts=attempts)
    generate_assignment(course, "hw1", None)
    keys = {entry["student_id"]: entry for entry in assignment_key(course, "hw1")}  # the right answers
    break_keys(course.db_path, ITEMS[0])  # then the stored key is wrong, as if the solver had a bug
    conn = course.connect()
    seeds = {r["student_id"]: r["seed"] for r in conn.execute("SELECT student_id, seed FROM variants")}
    conn.close()
    started = time.perf_counter()
    path = base / "answers.yaml"
    for sid in ids:
        right = {i["item"]: {p["id"]: p["answer_text"] for p in i["parts"]} for i in keys[sid]["items"]}
        token = variant_token(course.secret(), "hw1", sid, seeds[sid])
        for attempt in range(attempts):
            answers = json.loads(json.dumps(right))
            if attempt % 2:  # every other attempt gets the first item wrong, each time differently
                first = answers[ITEMS[0]]
                first[next(iter(first))] = str(attempt)
            document = {"assignment": "hw1", "student": sid, "variant": token, "answers": answers}
            path.write_text(yaml.safe_dump(document), encoding="utf-8")
            submit(course, path)
    return course, time.perf_counter() - started


def break_keys(db: Path, item: str) -> None:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT student_id, solved FROM variant_items WHERE item = ?", (item,)).fetchall()
    for sid, solved in rows:
        key = json.loads(solved)
        key["parts"][0]["answer"] += 1
        key["parts"][0]["answer_text"] = str(key["parts"][0]["answer"])
        conn.execute(
            "UPDATE variant_items SET solved = ? WHERE student_id = ? AND item = ?",
            (json.dumps(key), sid, item),
        )
    conn.commit()
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--attempts", type=int, default=10)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="azmoon-bench-regrade-"))
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    try:
        course, setup = build(base, args.students, args.attempts)
        from course.regrade import regrade

        started, cpu = time.perf_counter(), sum(os.times()[:4])  # this process and its (joined) workers
        report = regrade(course, "hw1")
        elapsed, cpu = time.perf_counter() - started, sum(os.times()[:4]) - cpu
        figures = {
            "submissions": report.submissions,
            "submissions_changed": report.submissions_changed,
            "keys_solved": report.keys_solved,
            "keys_changed": report.keys_changed,
            "setup_submit_seconds": round(setup, 2),
            "solve_seconds": round(report.seconds_solve, 3),
            "regrade_seconds": round(elapsed - report.seconds_solve, 3),
            "of_which_grading_seconds": round(report.seconds_grade, 3),
            "regrade_and_solve_cpu_seconds": round(cpu, 3),  # the machine may be shared: CPU time beside wall
        }
        print(json.dumps(figures, indent=2))
        print(
            f"regrade: {report.submissions} submissions in {figures['regrade_seconds']:.2f} s "
            f"(target ≤ 10 s); key solving apart: {report.keys_solved} keys in {figures['solve_seconds']:.2f} s"
        )
    finally:
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
