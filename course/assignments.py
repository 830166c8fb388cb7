"""Assignments: create, generate (seeds, keys once, PDFs and answer files), and the TA's key.

`generate_assignment` is the only step of the course workflow that imports torch (through the solvers): it
computes each student's keys once, stores them, and later runs reuse what is stored (same seeds, same keys, no
duplicate rows). `submit` grades from the stored keys alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from course.config import Course, CourseError
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
