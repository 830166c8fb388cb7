"""Assignments: define, list, show, edit, archive or delete; the status of who submitted.

An assignment is bank items in worksheet order with their points, an attempt limit, a due time (stored in
UTC, typed in the course's calendar and zone: course/deadlines.py), and optionally its own late policy and
grace. Re-running `create` with the same definition is a no-op and with a different one is refused: changes
are made with `edit`, never silently. Items and points change only while no variant is generated (the
students' keys are built from them); an assignment is deleted only while nothing was submitted to it, and
archived otherwise (every submission kept). The SQL lives in course/store/deadlines.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from course import deadlines
from course.config import Course, CourseError
from course.store import deadlines as db
from course.store import transaction, utc_now

ASSIGNMENT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
CLEAR = ("", "none")  # `--due none` removes the due time


@dataclass
class Assignment:
    name: str
    title: dict[str, str]
    items: list[dict[str, Any]]  # [{"item": id, "points": p}]
    attempts: int
    due: str | None  # ISO 8601 UTC
    late: str | None = None  # the assignment's own late policy; None: the course's
    grace_minutes: int | None = None  # None: the course's
    archived_at: str | None = None

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
            "late": self.late,
            "grace_minutes": self.grace_minutes,
            "archived": self.archived_at is not None,
        }


def _row_to_assignment(row: Any, settings: Any = None) -> Assignment:
    return Assignment(
        name=row["name"],
        title={"fa": row["title_fa"], "en": row["title_en"]},
        items=json.loads(row["items"]),
        attempts=int(row["attempts"]),
        due=row["due"],
        late=settings["late_policy"] if settings is not None else None,
        grace_minutes=settings["grace_minutes"] if settings is not None else None,
        archived_at=settings["archived_at"] if settings is not None else None,
    )


def get_assignment(conn: Any, name: str) -> Assignment:
    row = db.assignment_row(conn, name)
    if row is None:
        known = [r["name"] for r in db.assignment_rows(conn)]
        hint = (
            f"; the course has: {', '.join(known)}"
            if known
            else "; create it with `azmoon assignment create`"
        )
        raise CourseError(f"no assignment '{name}'{hint}")
    return _row_to_assignment(row, db.deadline_settings(conn, name))


def _item_points(item: Any) -> float:
    """An item's default points: the sum of its parts' points as a variant asks them, i.e. after `each:`
    expansion (cnn_table's 0.25-point attributes once per layer row, a concept pool's drawn questions only),
    from the item solved at seed 0 (the sheet's own instance). Summing the YAML's unexpanded parts counted a
    row attribute once and every pool question, so the printed part points did not add up to the item's."""
    from bank.pipeline import solve_item

    try:
        parts = solve_item(item, 0).part_keys
    except Exception as exc:  # a solver bug: name the item, create nothing
        raise CourseError(
            f"item '{item.id}' failed to solve at seed 0 for its default points ({type(exc).__name__}: {exc}); "
            "give the points explicitly with --points"
        ) from exc
    return round(float(sum(part.points for part in parts)), 6)


def _entries(course: Course, items: list[str], points: list[float] | None) -> list[dict[str, Any]]:
    from bank.item import load_items  # pydantic + yaml, no torch

    items = [i.strip() for i in items if i.strip()]
    if not items:
        raise CourseError("an assignment needs at least one item (--items id1,id2,...)")
    if len(set(items)) != len(items):
        raise CourseError("an item appears twice in --items")
    bank = load_items(course.root)
    missing = [i for i in items if i not in bank]
    if missing:
        raise CourseError(f"no item {', '.join(missing)} in the bank; `azmoon questions list` names them")
    if points is not None and len(points) != len(items):
        raise CourseError(f"--points gives {len(points)} values for {len(items)} items")
    if points is not None and any(p <= 0 for p in points):
        raise CourseError("points must be positive")
    return [
        {"item": item_id, "points": float(points[k]) if points else _item_points(bank[item_id])}
        for k, item_id in enumerate(items)
    ]


def _due(course: Course, due: str | None) -> str | None:
    if due is None or due.strip().lower() in CLEAR:
        return None
    return deadlines.to_iso(deadlines.parse_local_time(course, due))


def _late(late: str | None) -> str | None:
    if late is None or late.strip().lower() == "course":
        return None
    return deadlines.parse_late_policy(late).spec


def _save(conn: Any, a: Assignment, exists: bool) -> None:
    columns = (a.name, a.title["fa"], a.title["en"], json.dumps(a.items), a.attempts, a.due)
    (db.update_assignment if exists else db.insert_assignment)(conn, *columns)
    if a.late is not None or a.grace_minutes is not None or a.archived_at is not None or exists:
        db.save_deadline_settings(conn, a.name, a.late, a.grace_minutes, a.archived_at, utc_now())


def create_assignment(
    course: Course,
    name: str,
    items: list[str],
    points: list[float] | None = None,
    attempts: int | None = None,
    due: str | None = None,
    title_fa: str | None = None,
    title_en: str | None = None,
    *,
    late: str | None = None,
    grace: int | None = None,
) -> Assignment:
    """Define an assignment: bank items in worksheet order with their points (default: the sum of the item's
    parts' points as a variant asks them, solved at seed 0), a due time "YYYY-MM-DD HH:MM" in the course's calendar
    and zone, a late policy and grace minutes.

    Re-creating an assignment with the same definition is a no-op; a different one is refused (nothing is
    reset: `edit_assignment` changes an assignment explicitly).
    """
    if not ASSIGNMENT_NAME.match(name):
        raise CourseError(f"assignment name '{name}' must match [a-z0-9][a-z0-9_-]* (at most 40 characters)")
    entries = _entries(course, items, points)
    attempts_given = attempts
    attempts = course.default_attempts if attempts is None else attempts
    if attempts < 1:
        raise CourseError("--attempts must be at least 1")
    wanted = Assignment(
        name=name,
        title={"fa": title_fa or name, "en": title_en or name},
        items=entries,
        attempts=attempts,
        due=_due(course, due),
        late=_late(late),
        grace_minutes=deadlines.parse_grace(grace),
    )
    with course.connect() as conn:
        with transaction(conn):
            row = db.assignment_row(conn, name)
            if row is None:
                _save(conn, wanted, exists=False)
                return wanted
            old = _row_to_assignment(row, db.deadline_settings(conn, name))
            generated = db.count_variants(conn, name)
            if generated and old.items != entries:
                raise CourseError(
                    f"assignment '{name}' already has {generated} generated variants with items "
                    f"{', '.join(old.item_ids)}; create a new assignment instead of changing it"
                )
            given = {
                "items/points": (old.items, entries),
                "attempts": (old.attempts, attempts_given),
                "due": (old.due, wanted.due if due is not None else None),
                "title_fa": (old.title["fa"], title_fa),
                "title_en": (old.title["en"], title_en),
                "late": (old.late, wanted.late),
                "grace": (old.grace_minutes, wanted.grace_minutes),
            }
            differ = [key for key, (stored, new) in given.items() if new is not None and new != stored]
            if differ:
                raise CourseError(
                    f"assignment '{name}' exists and this differs from it in {', '.join(differ)}; nothing was "
                    f"changed. Change it explicitly with `azmoon assignment edit {name} ...`"
                )
            return old


def edit_assignment(
    course: Course,
    name: str,
    *,
    items: list[str] | None = None,
    points: list[float] | None = None,
    attempts: int | None = None,
    due: str | None = None,
    title_fa: str | None = None,
    title_en: str | None = None,
    late: str | None = None,
    grace: int | None = None,
    archived: bool | None = None,
) -> tuple[Assignment, list[str]]:
    """Change what is given (None: unchanged; `due="none"` removes the due time, `late="course"` returns to the
    course's policy). Returns the assignment and the names of the fields that changed."""
    with course.connect() as conn:
        with transaction(conn):
            old = get_assignment(conn, name)
            new = Assignment(**{**old.__dict__, "title": dict(old.title)})
            if items is not None or points is not None:
                entries = _entries(course, items if items is not None else old.item_ids, points)
                generated = db.count_variants(conn, name)
                if generated and entries != old.items:
                    raise CourseError(
                        f"assignment '{name}' has {generated} generated variants: its items and points are "
                        "fixed (the students' keys are built from them); create a new assignment instead"
                    )
                new.items = entries
            if attempts is not None:
                if attempts < 1:
                    raise CourseError("--attempts must be at least 1")
                new.attempts = attempts
            if due is not None:
                new.due = _due(course, due)
            if title_fa is not None:
                new.title["fa"] = title_fa
            if title_en is not None:
                new.title["en"] = title_en
            if late is not None:
                new.late = _late(late)
            if grace is not None:
                new.grace_minutes = deadlines.parse_grace(grace)
            if archived is not None:
                new.archived_at = (old.archived_at or utc_now()) if archived else None
            changed = [key for key in old.__dict__ if getattr(old, key) != getattr(new, key)]
            if changed:
                _save(conn, new, exists=True)
    return new, changed


def delete_assignment(course: Course, name: str, archive: bool = False) -> dict[str, Any]:
    """Delete an assignment nothing was submitted to; with submissions, only archiving (`archive=True`) is
    possible: hidden from lists and the course gradebook, closed to submissions, every row kept."""
    with course.connect() as conn:
        with transaction(conn):
            assignment = get_assignment(conn, name)
            submitted = db.count_submissions(conn, name)
            if archive:
                archived_at = assignment.archived_at or utc_now()
                db.save_deadline_settings(
                    conn, name, assignment.late, assignment.grace_minutes, archived_at, utc_now()
                )
                return {"assignment": name, "action": "archived", "submissions": submitted}
            if submitted:
                raise CourseError(
                    f"assignment '{name}' has {submitted} submissions and cannot be deleted; archive it with "
                    f"`azmoon assignment delete {name} --archive` (every submission is kept)"
                )
            db.delete_assignment(conn, name)
    return {"assignment": name, "action": "deleted", "submissions": 0}


def list_assignments(course: Course, include_archived: bool = False) -> list[Assignment]:
    with course.connect() as conn:
        settings = db.all_deadline_settings(conn)
        found = [_row_to_assignment(r, settings.get(r["name"])) for r in db.assignment_rows(conn)]
    return [a for a in found if include_archived or a.archived_at is None]


def show_assignment(course: Course, name: str) -> dict[str, Any]:
    """The assignment's JSON with its effective late policy, the due time as the course shows it, extensions."""
    with course.connect() as conn:
        assignment = get_assignment(conn, name)
        context = deadlines.deadline_context(course, conn, name)
        variants = db.count_variants(conn, name)
        submitted = db.count_submissions(conn, name)
    document = assignment.to_json()
    document["due_local"] = {
        lang: deadlines.format_time(context.clock, context.due, lang) if context.due else None
        for lang in ("en", "fa")
    }
    document["effective_late"] = context.policy.spec
    document["effective_grace_minutes"] = context.grace_minutes
    document["extensions"] = {
        sid: deadlines.to_iso(until) for sid, until in sorted(context.extensions.items())
    }
    document["variants"] = variants
    document["submissions"] = submitted
    return document
