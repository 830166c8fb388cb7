"""Generation: seeds, keys solved once and stored, PDFs and answer files; the TA's key.

`generate_assignment` is the only step of the course workflow that imports torch (through the solvers): it
computes each student's keys once, stores them, and later runs reuse what is stored (same seeds, same keys, no
duplicate rows). `submit` grades from the stored keys alone.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course import store
from course.assignments import Assignment, get_assignment
from course.config import Course, CourseError
from course.files import STAFF_FILE_MODE, exclusive, move_into_place, staff_dir
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
    longest_write_lock: float = 0.0
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
            "longest_write_lock_seconds": round(self.longest_write_lock, 4),
            "files": self.files,
        }


def _to_json_text(item_id: str, document: Any) -> str:
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise CourseError(
            f"item '{item_id}': its key is not JSON-serialisable ({exc}); a bug in the item"
        ) from None


@dataclass
class LockHolds:
    """How long each write transaction of a run held the write lock (issue 17.3: a fraction of a second)."""

    seconds: list[float] = field(default_factory=list)

    @contextmanager
    def write(self, conn: Any) -> Iterator[None]:
        started = time.perf_counter()
        with transaction(conn):
            yield
        self.seconds.append(time.perf_counter() - started)

    @property
    def longest(self) -> float:
        return max(self.seconds, default=0.0)


def _solve(course: Course, assignment: Assignment, student: Student, seed: int, bank: dict) -> list[dict]:
    """The student's keys, solved in this process with no transaction open (torch on first use)."""
    from bank.pipeline import solve_item

    solved_items = []
    for entry in assignment.items:
        try:
            solved_items.append(solve_item(bank[entry["item"]], seed).to_json())
        except Exception as exc:  # a solver bug: name the item and seed, keep what is stored
            raise CourseError(
                f"item '{entry['item']}' failed to solve for student {student.student_id} "
                f"(seed {seed}): {type(exc).__name__}: {exc}"
            ) from exc
    return solved_items


def _store_keys(conn: Any, assignment: Assignment, variant: StudentVariant, fresh: dict[str, dict]) -> None:
    """One student's variant and the keys solved for it, in one short write transaction (no solving inside)."""
    sid = variant.student.student_id
    store.insert_variant(conn, assignment.name, sid, variant.seed, variant.token)
    for position, entry in enumerate(assignment.items):
        solved = fresh.get(entry["item"])
        if solved is not None:
            store.upsert_variant_item(
                conn, assignment.name, sid, entry["item"], position, variant.seed,
                _to_json_text(entry["item"], solved["params"]), _to_json_text(entry["item"], solved),
            )  # fmt: skip


def compute_variants(
    course: Course,
    assignment: Assignment,
    students: list[Student],
    progress: Progress | None = None,
    holds: LockHolds | None = None,
) -> tuple[list[StudentVariant], int, int]:
    """Seeds and keys for every student: what is stored is read, what is missing is solved outside any write
    transaction, and each student's new keys are written in one short transaction."""
    secret = course.secret()
    holds = holds if holds is not None else LockHolds()
    with course.connect() as conn:
        stored_seeds = store.variant_seeds(conn, assignment.name)
        stored = store.stored_variant_items(conn, assignment.name)
    bank = None
    computed = reused = 0
    variants: list[StudentVariant] = []
    with course.connect() as conn:
        for done, student in enumerate(students):
            sid = student.student_id
            seed = variant_seed(secret, assignment.name, sid)
            if sid in stored_seeds and stored_seeds[sid] != seed:
                raise CourseError(
                    f"student {sid}: the stored seed of '{assignment.name}' differs from the one the course "
                    "secret gives; was the secret file replaced? | کلید محرمانهٔ درس با برگه‌های ذخیره‌شده نمی‌خواند"
                )
            token = variant_token(secret, assignment.name, sid, seed)
            keep = {e["item"]: stored.get((sid, e["item"])) for e in assignment.items}
            keep = {k: r for k, r in keep.items() if r is not None and int(r["seed"]) == seed}
            fresh = {e["item"] for e in assignment.items} - set(keep)
            solved_now: list[dict] = []
            if fresh:
                if bank is None:
                    from bank.item import load_items

                    bank = load_items(course.root)
                solved_now = _solve(course, assignment, student, seed, bank)
            items = []
            for position, entry in enumerate(assignment.items):
                solved = (
                    json.loads(keep[entry["item"]]["solved"])
                    if entry["item"] in keep
                    else solved_now[position]
                )
                items.append({**solved, "points": entry["points"]})
            computed += len(fresh)
            reused += len(keep)
            variant = StudentVariant(student, seed, token, items)
            if fresh or sid not in stored_seeds:
                with holds.write(conn):
                    _store_keys(
                        conn,
                        assignment,
                        variant,
                        {
                            e["item"]: solved_now[i]
                            for i, e in enumerate(assignment.items)
                            if e["item"] in fresh
                        },
                    )
            variants.append(variant)
            if progress:
                progress("keys", done + 1, len(students))
    return variants, computed, reused


BUILD_PREFIX = ".building-"


def _install_build(staging: Path, out_dir: Path, variants: list[StudentVariant], with_key: bool) -> None:
    """Move finished files from the staging folder into OUT: each student's folder holds only their worksheet
    and answer file; keys go to OUT/keys/<id>.pdf and OUT/key.pdf (0600), never into a student's folder."""
    for variant in variants:
        sid = variant.student.student_id
        target = staff_dir(out_dir / sid)
        for name in ("answers.yaml", "worksheet.pdf"):
            move_into_place(staging / sid / name, target / name, STAFF_FILE_MODE)
    if with_key:
        keys = staff_dir(out_dir / "keys")
        for variant in variants:
            sid = variant.student.student_id
            move_into_place(staging / "keys" / f"{sid}.pdf", keys / f"{sid}.pdf", STAFF_FILE_MODE)
        move_into_place(staging / "key.pdf", out_dir / "key.pdf", STAFF_FILE_MODE)
    shutil.rmtree(staging, ignore_errors=True)


def _clear_stale_builds(out_dir: Path) -> None:
    """Staging folders of a killed run (we hold the generate lock: nobody else builds here)."""
    for stale in out_dir.glob(f"{BUILD_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)


def generate_assignment(
    course: Course,
    name: str,
    out_dir: Path | None,
    workers: int = 2,
    progress: Progress | None = None,
    with_key: bool = True,
    server: str | None = None,
) -> GenerateReport:
    """Seeds, keys (once) and, when out_dir is given, every worksheet.pdf + answers.yaml, key.pdf and one key
    per student (OUT/keys/<id>.pdf). One run of an assignment at a time (a lock file in the course)."""
    with exclusive(course.root / f".generate-{name}.lock", f"`azmoon assignment generate {name}`"):
        return _generate(course, name, out_dir, workers, progress, with_key, server)


def _generate(
    course: Course,
    name: str,
    out_dir: Path | None,
    workers: int,
    progress: Progress | None,
    with_key: bool,
    server: str | None = None,
) -> GenerateReport:
    with course.connect() as conn:
        assignment = get_assignment(conn, name)
    students = list_students(course)
    if not students:
        raise CourseError("the roster is empty; import it first with `azmoon roster import roster.csv`")
    pool = None
    if out_dir is not None:
        from course.render import start_pool  # workers warm up (weasyprint, fonts) while keys are solved

        pool = start_pool(workers)
    try:
        started = time.perf_counter()
        holds = LockHolds()
        variants, computed, reused = compute_variants(course, assignment, students, progress, holds)
        report = GenerateReport(name, out_dir, len(students), computed, reused)
        report.seconds_keys = time.perf_counter() - started
        report.longest_write_lock = holds.longest
        if out_dir is not None:
            report.files = _write_files(
                course, assignment, variants, Path(out_dir), pool, progress, with_key, server
            )
            report.seconds_pdf = time.perf_counter() - started - report.seconds_keys
            _record_build_dir(course, name, Path(out_dir))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return report


def _record_build_dir(course: Course, name: str, out_dir: Path) -> None:
    """Tell the course server where this assignment's worksheets are (it serves each student their own)."""
    from course.store.tokens import record_build_dir

    with course.connect() as conn:
        record_build_dir(conn, name, str(out_dir.resolve()))


def _write_files(
    course: Course,
    assignment: Assignment,
    variants: list[StudentVariant],
    out_dir: Path,
    pool: Any,
    progress: Progress | None,
    with_key: bool,
    server: str | None = None,
) -> dict[str, str]:
    from course.render import write_assignment_files

    out_dir = staff_dir(out_dir)
    _clear_stale_builds(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=BUILD_PREFIX, dir=out_dir))  # 0700, inside OUT: same filesystem
    files = write_assignment_files(
        course,
        assignment,
        variants,
        staging,
        pool,
        progress,
        with_key,
        student_keys_dir=staging / "keys",
        server=server,
    )
    _install_build(staging, out_dir, variants, with_key)
    return {label: value.replace(str(staging), str(out_dir)) for label, value in files.items()}


def stored_variant(course: Course, name: str, student_id: str) -> tuple[Assignment, StudentVariant]:
    """One student's stored variant (no solving): for their key PDF."""
    with course.connect() as conn:
        assignment = get_assignment(conn, name)
        student = store.student_row(conn, student_id)
        variant = store.variant_row(conn, name, student_id)
        rows = store.variant_item_rows(conn, name, student_id)
    if student is None or variant is None or not rows:
        raise CourseError(f"no generated variant of '{name}' for student {student_id}")
    points = {entry["item"]: entry["points"] for entry in assignment.items}
    items = [{**json.loads(r["solved"]), "points": points.get(r["item"], 0.0)} for r in rows]
    return assignment, StudentVariant(
        Student(student["student_id"], student["name"], student["email"]),
        int(variant["seed"]),
        variant["token"],
        items,
    )


def student_key_pdf(course: Course, name: str, student_id: str, out_pdf: Path | str) -> dict[str, Any]:
    """One student's key as its own PDF (mode 0600), rendered beside the target and moved into place."""
    from course.render import quiet_rendering, render_student_key

    quiet_rendering()
    assignment, variant = stored_variant(course, name, student_id)
    out_pdf = Path(out_pdf)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_pdf.name}.", suffix=".pdf", dir=out_pdf.parent)
    os.close(fd)
    try:
        pages = render_student_key(course, assignment, variant, tmp)
        move_into_place(Path(tmp), out_pdf, STAFF_FILE_MODE)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return {"assignment": name, "student_id": student_id, "file": str(out_pdf), "pages": pages}


# --- the TA's key -----------------------------------------------------------------------------------------------


def assignment_key(course: Course, name: str, student_id: str | None = None) -> list[dict[str, Any]]:
    """The contract's key document: per student, per item its seed, params and part answers."""
    with course.connect() as conn:
        assignment = get_assignment(conn, name)
        rows = store.key_rows(conn, name, student_id)
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
