"""Roster import: a CSV with `student_id,name[,email]` (UTF-8, a BOM tolerated, Persian names welcome).

Every problem is reported with its line number and nothing is imported while any row is bad, so a roster is
never half-imported. Re-importing updates names and emails of known ids and adds new ones; never a duplicate.
Persian or Arabic digits in ids are read as ASCII digits (a student id names a directory of the build).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from course import store
from course.config import Course, CourseError
from course.store import transaction

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ROSTER_BYTES = 5_000_000
MAX_NAME_CHARS = 200
# C0 and C1 controls, DEL, and the bidi overrides/isolates that reorder a terminal line or a PDF
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


@dataclass
class Student:
    student_id: str
    name: str
    email: str | None = None


@dataclass
class ImportReport:
    added: int
    updated: int
    unchanged: int

    def to_json(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}


def normalize_id(raw: str) -> str:
    return raw.strip().translate(_DIGITS)


def parse_roster(text: str, source: str = "roster") -> list[Student]:
    """Rows of the CSV as students; raises CourseError listing every bad line."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader]  # line_num: the line a row ends on
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise CourseError(f"{source}: empty roster")
    header_line, header_row = rows[0]
    header = [cell.strip().lower() for cell in header_row]
    if header[:2] != ["student_id", "name"] or any(h not in ("student_id", "name", "email") for h in header):
        raise CourseError(
            f"{source}: line {header_line}: the header must be `student_id,name` or `student_id,name,email`, "
            f"not `{','.join(header_row)}`"
        )
    has_email = "email" in header
    problems: list[str] = []
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        if len(row) != len(header):
            problems.append(f"line {line}: expected {len(header)} columns, found {len(row)}")
            continue
        cells = dict(zip(header, row, strict=True))
        bad = [column for column, cell in cells.items() if CONTROL.search(cell)]
        if bad:
            problems.append(
                f"line {line}: a control character (NUL, ESC, DEL, ...) in {', '.join(bad)} — "
                f"سطر {line}: نویسهٔ کنترلی در {', '.join(bad)}"
            )
            continue
        student_id = normalize_id(cells["student_id"])
        name = " ".join(cells["name"].split())
        email = cells.get("email", "").strip() if has_email else ""
        if not STUDENT_ID.match(student_id):
            problems.append(
                f"line {line}: student id '{cells['student_id'].strip()}' is not valid "
                "(letters, digits, '.', '_' or '-', at most 40)"
            )
            continue
        if not name or len(name) > MAX_NAME_CHARS:
            problems.append(f"line {line}: student {student_id} has an empty or too long name")
            continue
        if email and not EMAIL.match(email):
            problems.append(f"line {line}: student {student_id} has a malformed email '{email}'")
            continue
        if student_id in seen:
            problems.append(
                f"line {line}: duplicate student id {student_id} (first on line {seen[student_id]})"
            )
            continue
        seen[student_id] = line
        students.append(Student(student_id, name, email or None))
    if problems:
        shown = "; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise CourseError(f"{source}: {len(problems)} bad row(s), nothing imported: {shown}")
    if not students:
        raise CourseError(f"{source}: the roster has a header but no students")
    return students


def import_roster(course: Course, path: Path) -> ImportReport:
    from course.files import read_bounded

    path = Path(path)
    try:
        text = read_bounded(path, MAX_ROSTER_BYTES, "roster").decode("utf-8")
    except UnicodeDecodeError:
        raise CourseError(f"{path}: not UTF-8 text; save the roster as CSV UTF-8") from None
    students = parse_roster(text, str(path))
    added = updated = unchanged = 0
    with course.connect() as conn:
        with transaction(conn):
            for student in students:
                row = store.student_row(conn, student.student_id)
                if row is None:
                    store.insert_student(conn, student.student_id, student.name, student.email)
                    added += 1
                elif (row["name"], row["email"]) != (student.name, student.email):
                    store.update_student(conn, student.student_id, student.name, student.email)
                    updated += 1
                else:
                    unchanged += 1
    return ImportReport(added, updated, unchanged)


def list_students(course: Course) -> list[Student]:
    with course.connect() as conn:
        rows = store.student_rows(conn)
    return [Student(r["student_id"], r["name"], r["email"]) for r in rows]
