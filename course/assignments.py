"""Assignments: create, generate (seeds, keys once, PDFs and answer files), and the TA's key.

`generate_assignment` is the only step of the course workflow that imports torch (through the solvers): it
computes each student's keys once, stores them, and later runs reuse what is stored (same seeds, same keys, no
duplicate rows). `submit` grades from the stored keys alone.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from course.config import Course, CourseError
from course.roster import Student, list_students
from course.seeds import variant_seed, variant_token
from course.store import transaction

ASSIGNMENT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class Assignment:
    name: str
    title: dict[str, str]
    items: list[dict[str, Any]]  # [{"item": id, "points": p}]
    attempts: int
    due: str | None

    @property
    def item_ids(self) -> list[str]:
        return [entry["item"] for entry in self.items]

    @property
    def max_points(self) -> float:
        return float(sum(entry["points"] for entry in self.items))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "items": self.items,
            "attempts": self.attempts,
            "due": self.due,
            "max_points": self.max_points,
        }


def _row_to_assignment(row: Any) -> Assignment:
    return Assignment(
        name=row["name"],
        title={"fa": row["title_fa"], "en": row["title_en"]},
        items=json.loads(row["items"]),
        attempts=int(row["attempts"]),
        due=row["due"],
    )


def get_assignment(conn: Any, name: str) -> Assignment:
    row = conn.execute("SELECT * FROM assignments WHERE name = ?", (name,)).fetchone()
    if row is None:
        known = [r["name"] for r in conn.execute("SELECT name FROM assignments ORDER BY name")]
        hint = (
            f"; the course has: {', '.join(known)}"
            if known
            else "; create it with `azmoon assignment create`"
        )
        raise CourseError(f"no assignment '{name}'{hint}")
    return _row_to_assignment(row)


def _item_points(item: Any) -> float:
    return float(sum(part.points for part in item.parts))


def create_assignment(
    course: Course,
    name: str,
    items: list[str],
    points: list[float] | None = None,
    attempts: int | None = None,
    due: str | None = None,
    title_fa: str | None = None,
    title_en: str | None = None,
) -> Assignment:
    """Define an assignment: bank items in worksheet order with their points (default: the item's part points).

    Re-creating an assignment with the same definition is a no-op; changing one that already has generated
    variants is refused (the students' keys would no longer match it).
    """
    from bank.item import load_items  # pydantic + yaml, no torch

    if not ASSIGNMENT_NAME.match(name):
        raise CourseError(f"assignment name '{name}' must match [a-z0-9][a-z0-9_-]* (at most 40 characters)")
    items = [i.strip() for i in items if i.strip()]
    if not items:
        raise CourseError("an assignment needs at least one item (--items id1,id2,...)")
    if len(set(items)) != len(items):
        raise CourseError("an item appears twice in --items")
    bank = load_items()
    missing = [i for i in items if i not in bank]
    if missing:
        raise CourseError(f"no item {', '.join(missing)} in the bank; `azmoon questions list` names them")
    if points is not None and len(points) != len(items):
        raise CourseError(f"--points gives {len(points)} values for {len(items)} items")
    if points is not None and any(p <= 0 for p in points):
        raise CourseError("points must be positive")
    if due is not None:
        try:
            date.fromisoformat(due)
        except ValueError:
            raise CourseError(f"due date '{due}' must be YYYY-MM-DD") from None
    attempts = course.default_attempts if attempts is None else attempts
    if attempts < 1:
        raise CourseError("--attempts must be at least 1")
    entries = [
        {"item": item_id, "points": float(points[k]) if points else _item_points(bank[item_id])}
        for k, item_id in enumerate(items)
    ]
    assignment = Assignment(
        name=name,
        title={"fa": title_fa or name, "en": title_en or name},
        items=entries,
        attempts=attempts,
        due=due,
    )
    conn = course.connect()
    try:
        with transaction(conn):
            row = conn.execute("SELECT * FROM assignments WHERE name = ?", (name,)).fetchone()
            if row is not None:
                old = _row_to_assignment(row)
                generated = conn.execute(
                    "SELECT count(*) FROM variants WHERE assignment = ?", (name,)
                ).fetchone()[0]
                if generated and old.items != entries:
                    raise CourseError(
                        f"assignment '{name}' already has {generated} generated variants with items "
                        f"{', '.join(old.item_ids)}; create a new assignment instead of changing it"
                    )
                conn.execute(
                    "UPDATE assignments SET title_fa=?, title_en=?, items=?, attempts=?, due=? WHERE name=?",
                    (*_assignment_columns(assignment), name),
                )
            else:
                conn.execute(
                    "INSERT INTO assignments (title_fa, title_en, items, attempts, due, name) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (*_assignment_columns(assignment), name),
                )
    finally:
        conn.close()
    return assignment


def _assignment_columns(a: Assignment) -> tuple:
    return (a.title["fa"], a.title["en"], json.dumps(a.items), a.attempts, a.due)


def list_assignments(course: Course) -> list[Assignment]:
    conn = course.connect()
    try:
        return [_row_to_assignment(r) for r in conn.execute("SELECT * FROM assignments ORDER BY name")]
    finally:
        conn.close()


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
