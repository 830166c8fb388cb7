"""Generation: seeds, keys solved once and stored, PDFs and answer files; the TA's key.

`generate_assignment` is the only step of the course workflow that imports torch (through the solvers): it
computes each student's keys once, stores them, and later runs reuse what is stored (same seeds, same keys, no
duplicate rows). `submit` grades from the stored keys alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.assignments import Assignment, get_assignment
from course.config import Course, CourseError
from course.roster import Student, list_students
from course.seeds import variant_seed, variant_token
from course.store import transaction

Progress = Callable[[str, int, int], None]  # (stage, done, total)


# --- generation -------------------------------------------------------------------------------------------------


@dataclass
class StudentVariant:
    student: Student
    seed: int
    token: str
    items: list[dict[str, Any]]  # solve_item(...).to_json() per item, in worksheet order, + "points"


@dataclass
class GenerateReport:
    assignment: str
    out_dir: Path | None
    students: int
    keys_computed: int
    keys_reused: int
    seconds_keys: float = 0.0
    seconds_pdf: float = 0.0
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "assignment": self.assignment,
            "out": str(self.out_dir) if self.out_dir else None,
            "students": self.students,
            "keys_computed": self.keys_computed,
            "keys_reused": self.keys_reused,
            "seconds_keys": round(self.seconds_keys, 3),
            "seconds_pdf": round(self.seconds_pdf, 3),
            "files": self.files,
        }


def _to_json_text(item_id: str, document: Any) -> str:
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise CourseError(
            f"item '{item_id}': its key is not JSON-serialisable ({exc}); a bug in the item"
        ) from None


def compute_variants(
    course: Course, assignment: Assignment, students: list[Student], progress: Progress | None = None
) -> tuple[list[StudentVariant], int, int]:
    """Seeds and keys for every student; keys missing from the store are solved (torch) and stored."""
    secret = course.secret()
    bank = None
    computed = reused = 0
    variants: list[StudentVariant] = []
    conn = course.connect()
    try:
        for done, student in enumerate(students):
            seed = variant_seed(secret, assignment.name, student.student_id)
            token = variant_token(secret, assignment.name, student.student_id, seed)
            stored = {
                r["item"]: r
                for r in conn.execute(
                    "SELECT item, seed, solved FROM variant_items WHERE assignment = ? AND student_id = ?",
                    (assignment.name, student.student_id),
                )
            }
            items: list[dict[str, Any]] = []
            with transaction(conn):
                row = conn.execute(
                    "SELECT seed FROM variants WHERE assignment = ? AND student_id = ?",
                    (assignment.name, student.student_id),
                ).fetchone()
                if row is not None and row["seed"] != seed:
                    raise CourseError(
                        f"student {student.student_id}: the stored seed of '{assignment.name}' differs from the "
                        "one the course secret gives; was the secret file replaced?"
                    )
                if row is None:
                    conn.execute(
                        "INSERT INTO variants (assignment, student_id, seed, token) VALUES (?, ?, ?, ?)",
                        (assignment.name, student.student_id, seed, token),
                    )
                for position, entry in enumerate(assignment.items):
                    item_id = entry["item"]
                    if item_id in stored and stored[item_id]["seed"] == seed:
                        solved = json.loads(stored[item_id]["solved"])
                        reused += 1
                    else:
                        if bank is None:
                            from bank.item import load_items

                            bank = load_items()
                        from bank.pipeline import solve_item  # imports the solvers (torch) on first use

                        try:
                            solved = solve_item(bank[item_id], seed).to_json()
                        except Exception as exc:  # a solver bug: name the item and seed, keep what is stored
                            raise CourseError(
                                f"item '{item_id}' failed to solve for student {student.student_id} "
                                f"(seed {seed}): {type(exc).__name__}: {exc}"
                            ) from exc
                        conn.execute(
                            "INSERT OR REPLACE INTO variant_items "
                            "(assignment, student_id, item, position, seed, params, solved) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (
                                assignment.name,
                                student.student_id,
                                item_id,
                                position,
                                seed,
                                _to_json_text(item_id, solved["params"]),
                                _to_json_text(item_id, solved),
                            ),
                        )
                        computed += 1
                    items.append({**solved, "points": entry["points"]})
            variants.append(StudentVariant(student, seed, token, items))
            if progress:
                progress("keys", done + 1, len(students))
    finally:
        conn.close()
    return variants, computed, reused


def generate_assignment(
    course: Course,
    name: str,
    out_dir: Path | None,
    workers: int = 2,
    progress: Progress | None = None,
    with_key: bool = True,
) -> GenerateReport:
    """Seeds, keys (once) and, when out_dir is given, every worksheet.pdf + answers.yaml and key.pdf."""
    conn = course.connect()
    try:
        assignment = get_assignment(conn, name)
    finally:
        conn.close()
    students = list_students(course)
    if not students:
        raise CourseError("the roster is empty; import it first with `azmoon roster import roster.csv`")
    pool = None
    if out_dir is not None:
        from course.render import start_pool  # workers warm up (weasyprint, fonts) while keys are solved

        pool = start_pool(workers)
    try:
        started = time.perf_counter()
        variants, computed, reused = compute_variants(course, assignment, students, progress)
        report = GenerateReport(name, out_dir, len(students), computed, reused)
        report.seconds_keys = time.perf_counter() - started
        if out_dir is not None:
            from course.render import write_assignment_files

            started = time.perf_counter()
            report.files = write_assignment_files(
                course, assignment, variants, Path(out_dir), pool, progress, with_key
            )
            report.seconds_pdf = time.perf_counter() - started
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return report


# --- the TA's key -----------------------------------------------------------------------------------------------


def assignment_key(course: Course, name: str, student_id: str | None = None) -> list[dict[str, Any]]:
    """The contract's key document: per student, per item its seed, params and part answers."""
    conn = course.connect()
    try:
        assignment = get_assignment(conn, name)
        query = (
            "SELECT v.student_id, vi.item, vi.seed, vi.solved FROM variants v "
            "JOIN variant_items vi ON vi.assignment = v.assignment AND vi.student_id = v.student_id "
            "WHERE v.assignment = ?"
        )
        args: list[Any] = [name]
        if student_id is not None:
            query += " AND v.student_id = ?"
            args.append(student_id)
        rows = conn.execute(query + " ORDER BY v.student_id, vi.position", args).fetchall()
    finally:
        conn.close()
    if not rows:
        if student_id is not None:
            raise CourseError(f"no generated variant of '{name}' for student {student_id}")
        raise CourseError(f"'{name}' has no generated variants; run `azmoon assignment generate {name}`")
    points = {entry["item"]: entry["points"] for entry in assignment.items}
    by_student: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        solved = json.loads(row["solved"])
        by_student.setdefault(row["student_id"], []).append(
            {
                "item": row["item"],
                "seed": row["seed"],
                "points": points.get(row["item"]),
                "params": solved["params"],
                "parts": [
                    {
                        "id": part["id"],
                        "kind": part["kind"],
                        "answer": part["answer"],
                        "answer_text": part["answer_text"],
                        "points": part["points"],
                    }
                    for part in solved["parts"]
                ],
            }
        )
    return [{"student_id": sid, "items": items} for sid, items in by_student.items()]
