"""Regrade: after an item's YAML, solver or tolerance changed, re-solve every variant's key and regrade every
stored submission — keeping everything it replaces.

1. Re-solve (torch, as at generation): every variant of the assignment (or of one item) with its stored seed.
2. Regrade every graded submission from its stored answer file against the new keys (the TA's written grades
   are folded in again), in memory.
3. In one transaction: the regrade run (`regrades`); each replaced key kept with a version (`key_versions`:
   version 1 the key as generated, then one version per change); each changed submission's old score and
   result (`regrade_changes`); then the new keys and results. The gradebook's counted score of every student
   is computed before and after, and the students whose score changes are reported (and written as CSV).
   A dry run does all of it and rolls the transaction back.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.assignments import get_assignment
from course.config import Course, CourseError
from course.store import deadlines as db
from course.store import transaction, utc_now


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass
class RegradeReport:
    assignment: str
    item: str | None
    dry_run: bool
    keys_solved: int = 0
    keys_changed: int = 0
    submissions: int = 0
    submissions_changed: int = 0
    students: list[dict[str, Any]] = field(default_factory=list)  # whose counted score changes
    regrade_id: int | None = None
    csv: str | None = None
    seconds_solve: float = 0.0
    seconds_grade: float = 0.0

    def to_json(self) -> dict[str, Any]:
        document = dict(self.__dict__)
        document["seconds_solve"] = round(self.seconds_solve, 3)
        document["seconds_grade"] = round(self.seconds_grade, 3)
        return document


def _canonical(document: Any) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


def solve_keys(course: Course, rows: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The new key of every (student, item) row, solved from its stored seed (bank.pipeline.solve_item)."""
    from bank.item import load_items
    from bank.pipeline import solve_item

    bank = load_items(course.root)
    solved: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        item = bank.get(row["item"])
        if item is None:
            raise CourseError(f"item '{row['item']}' is no longer in the bank; nothing was regraded")
        try:
            solved[(row["student_id"], row["item"])] = json.loads(
                json.dumps(solve_item(item, int(row["seed"])).to_json(), ensure_ascii=False, allow_nan=False)
            )
        except Exception as exc:  # a solver bug: name it, change nothing
            raise CourseError(
                f"item '{row['item']}' failed to solve for student {row['student_id']} (seed {row['seed']}): "
                f"{type(exc).__name__}: {exc}; nothing was regraded"
            ) from exc
    return solved


PARALLEL_FROM = 2000  # submissions: below this, one process grades them all
_WORK: tuple | None = None  # what forked workers grade: (submissions, keys, written), inherited at fork


def regrade_submissions(
    submissions: list[Any],
    keys: dict[str, list[dict[str, Any]]],
    written: dict[int, list[Any]],
    workers: int | None = None,
) -> list[tuple[Any, dict[str, Any]]]:
    """(row, new result) for every submission whose result changes under `keys` (per student, worksheet order,
    each with its "item" and "points"). Many submissions are graded by `workers` forked processes (default:
    2 where the machine has them; grading is pure and CPU-bound), each a slice, in order."""
    import multiprocessing
    import os

    global _WORK
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(submissions) >= PARALLEL_FROM else 1
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [
            (submissions[i], new)
            for i, new in _changed_results(submissions, keys, written, 0, len(submissions))
        ]
    step = -(-len(submissions) // (workers * 4))
    slices = [(start, min(start + step, len(submissions))) for start in range(0, len(submissions), step)]
    _WORK = (submissions, keys, written)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = pool.map(_grade_slice, slices)
    finally:
        _WORK = None
    return [(submissions[i], new) for part in done for i, new in part]


def _grade_slice(bounds: tuple[int, int]) -> list[tuple[int, dict[str, Any]]]:
    assert _WORK is not None
    return _changed_results(*_WORK, *bounds)


def _changed_results(
    submissions: list[Any],
    keys: dict[str, list[dict[str, Any]]],
    written: dict[int, list[Any]],
    start: int,
    stop: int,
) -> list[tuple[int, dict[str, Any]]]:
    from course.submit import grade_variant
    from course.written import _answers, apply_written_grades

    changed = []
    graded_fields = ("score", "items", "parts")
    for index in range(start, stop):
        row = submissions[index]
        old = json.loads(row["result"])
        graded = grade_variant(keys.get(row["student_id"], []), _answers(row["raw"]))
        new = {**old, **{k: graded[k] for k in ("score", "max_score", "items", "parts", "unknown_items")}}
        new = apply_written_grades(new, written.get(int(row["id"]), []))
        if _canonical([new.get(k) for k in graded_fields]) != _canonical([old.get(k) for k in graded_fields]):
            changed.append((index, new))
    return changed


def _counted_scores(course: Course, conn: Any, assignment: Any) -> dict[str, float]:
    from course.gradebook import counted_attempts

    return {sid: entry.final for sid, entry in counted_attempts(course, conn, assignment).items()}


def regrade(
    course: Course,
    name: str,
    item: str | None = None,
    dry_run: bool = False,
    csv_out: Path | str | None = None,
    solved: dict[tuple[str, str], dict[str, Any]] | None = None,
) -> RegradeReport:
    """Re-solve and regrade; `solved` (new keys by (student, item)) skips the solving (the bench times it apart)."""
    report = RegradeReport(name, item, dry_run)
    with course.connect() as conn:
        assignment = get_assignment(conn, name)
        if item is not None and item not in assignment.item_ids:
            raise CourseError(f"'{name}' has no item '{item}'; its items: {', '.join(assignment.item_ids)}")
        rows = db.variant_keys(conn, name)
        if not rows:
            raise CourseError(f"'{name}' has no generated variants; nothing to regrade")
        chosen = [r for r in rows if item is None or r["item"] == item]
        started = time.perf_counter()
        new_keys = solved if solved is not None else solve_keys(course, chosen)
        report.seconds_solve = time.perf_counter() - started
        report.keys_solved = len(chosen)
        points = {entry["item"]: entry["points"] for entry in assignment.items}
        keys: dict[str, list[dict[str, Any]]] = {}
        changed_keys = []
        for r in rows:
            old = json.loads(r["solved"])
            new = new_keys.get((r["student_id"], r["item"]), old)
            if _canonical(new) != _canonical(old):
                changed_keys.append((r, new))
            keys.setdefault(r["student_id"], []).append(
                {**new, "item": r["item"], "points": points[r["item"]]}
            )
        report.keys_changed = len(changed_keys)
        started = time.perf_counter()
        submissions = db.graded_submissions(conn, name)
        changes = regrade_submissions(submissions, keys, db.written_grades_for_assignment(conn, name))
        report.seconds_grade = time.perf_counter() - started
        report.submissions, report.submissions_changed = len(submissions), len(changes)
        names = {s["student_id"]: s["name"] for s in db.students_with_status(conn)}
        try:
            with transaction(conn):
                before = _counted_scores(course, conn, assignment)
                now = utc_now()
                regrade_id = db.insert_regrade(conn, name, item, now, len(changed_keys), len(changes))
                _store_keys(conn, name, changed_keys, regrade_id, now)
                db.insert_regrade_changes(
                    conn,
                    ((regrade_id, int(r["id"]), r["score"], new["score"], r["result"]) for r, new in changes),
                )
                for r, new in changes:
                    db.update_submission_result(
                        conn, int(r["id"]), new["score"], json.dumps(new, ensure_ascii=False)
                    )
                after = _counted_scores(course, conn, assignment)
                report.students = [
                    {
                        "student_id": sid,
                        "name": names.get(sid, ""),
                        "before": before.get(sid),
                        "after": after.get(sid),
                    }
                    for sid in sorted(set(before) | set(after))
                    if before.get(sid) != after.get(sid)
                ]
                if dry_run:
                    raise _DryRun
                report.regrade_id = regrade_id
        except _DryRun:
            pass
    report.csv = str(_write_csv(course, report, csv_out))
    return report


def _store_keys(conn: Any, name: str, changed: list[tuple[Any, dict[str, Any]]], regrade_id: int, now: str):
    latest = db.latest_key_versions(conn, name)
    versions = []
    for row, new in changed:
        version = latest.get((row["student_id"], row["item"]))
        if version is None:  # the key as generated becomes version 1
            version = 1
            versions.append((name, row["student_id"], row["item"], 1, row["seed"], row["solved"], None, now))
        new_text = json.dumps(new, ensure_ascii=False)
        versions.append(
            (name, row["student_id"], row["item"], version + 1, row["seed"], new_text, regrade_id, now)
        )
        db.update_variant_key(conn, name, row["student_id"], row["item"], new_text)
    db.insert_key_versions(conn, versions)


def _write_csv(course: Course, report: RegradeReport, out: Path | str | None) -> Path:
    from course.gradebook import write_csv

    if out is None:
        stamp = utc_now()[:19].replace(":", "").replace("-", "")
        suffix = "-dry-run" if report.dry_run else ""
        out = course.root / "regrades" / f"{report.assignment}-{stamp}{suffix}.csv"
    rows = [
        [s["student_id"], s["name"], s["before"], s["after"], _change(s["before"], s["after"])]
        for s in report.students
    ]
    return write_csv(out, ["student_id", "name", "before", "after", "change"], rows)


def _change(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 4)


def regrade_history(course: Course, name: str) -> list[dict[str, Any]]:
    """Every regrade run of an assignment with the submissions it changed (old and new scores)."""
    with course.connect() as conn:
        get_assignment(conn, name)
        runs = []
        for run in db.regrade_runs(conn, name):
            changes = [
                {
                    "submission": int(c["submission_id"]),
                    "student_id": c["student_id"],
                    "attempt": c["attempt"],
                    "before": c["old_score"],
                    "after": c["new_score"],
                }
                for c in db.regrade_changes(conn, int(run["id"]))
            ]
            columns = ("id", "item", "run_at", "keys_changed", "submissions_changed")
            runs.append({**{k: run[k] for k in columns}, "changes": changes})
    return runs
