"""Gradebook: export one assignment's grades (wide | canvas | moodle) and item statistics, with pandas.

Which graded attempt counts is the course's `policies.attempt_policy`: `best` (highest total, earliest on ties)
or `last`. A student with no graded attempt has empty cells, not zeros: the TA decides what a missing
submission is worth.

- wide:   student_id, name, email, one column per item (its points in the counted attempt), total, attempts
- canvas: Canvas's gradebook import: `Student, ID, SIS User ID, SIS Login ID, Section, <title> (<canvas id>)`,
          a second row `Points Possible` with the assignment's points; `ID` (Canvas's own user id) is left empty,
          Canvas matches the rows by SIS User ID (the student id).
- moodle: Moodle's grade import: `ID number, Email address, <assignment>`; map `ID number` (or email) as the
          identifier when importing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from course.assignments import Assignment, get_assignment
from course.config import Course, CourseError

FORMATS = ("wide", "canvas", "moodle")


def _counted_attempts(conn: Any, assignment: str, policy: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        "SELECT student_id, attempt, score, result FROM submissions "
        "WHERE assignment = ? AND status = 'graded' ORDER BY student_id, attempt",
        (assignment,),
    ).fetchall()
    counted: dict[str, dict[str, Any]] = {}
    attempts: dict[str, int] = {}
    for row in rows:
        sid = row["student_id"]
        attempts[sid] = attempts.get(sid, 0) + 1
        current = counted.get(sid)
        if current is None or policy == "last" or (policy == "best" and row["score"] > current["score"]):
            counted[sid] = {
                "score": row["score"],
                "result": json.loads(row["result"]),
                "attempt": row["attempt"],
            }
    for sid, entry in counted.items():
        entry["attempts"] = attempts[sid]
    return counted


def grade_table(course: Course, name: str) -> tuple[Assignment, Any]:
    """One row per roster student: item scores of the counted attempt, total, attempts (pandas DataFrame)."""
    import pandas as pd

    conn = course.connect()
    try:
        assignment = get_assignment(conn, name)
        students = conn.execute("SELECT student_id, name, email FROM students ORDER BY student_id").fetchall()
        counted = _counted_attempts(conn, name, course.attempt_policy)
    finally:
        conn.close()
    records = []
    for student in students:
        record: dict[str, Any] = {
            "student_id": student["student_id"],
            "name": student["name"],
            "email": student["email"] or "",
        }
        entry = counted.get(student["student_id"])
        item_scores = {r["item"]: r["score"] for r in entry["result"]["items"]} if entry else {}
        for item_id in assignment.item_ids:
            record[item_id] = item_scores.get(item_id, math.nan)
        record["total"] = entry["score"] if entry else math.nan
        record["attempts"] = entry["attempts"] if entry else 0
        records.append(record)
    columns = ["student_id", "name", "email", *assignment.item_ids, "total", "attempts"]
    return assignment, pd.DataFrame.from_records(records, columns=columns)


def export_gradebook(
    course: Course, name: str, fmt: str, out: Path | str, canvas_id: str | None = None
) -> dict[str, Any]:
    """Write the CSV; returns {"file", "format", "students", "graded"}."""
    import pandas as pd

    if fmt not in FORMATS:
        raise CourseError(f"format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    assignment, table = grade_table(course, name)
    points = assignment.max_points
    if fmt == "wide":
        frame = table.round(3)
    elif fmt == "canvas":
        column = f"{assignment.title['en']} ({canvas_id})" if canvas_id else assignment.title["en"]
        frame = pd.DataFrame(
            {
                "Student": table["name"],
                "ID": "",
                "SIS User ID": table["student_id"],
                "SIS Login ID": table["email"].where(table["email"] != "", table["student_id"]),
                "Section": course.settings.get("section", ""),
                column: table["total"].round(3),
            }
        )
        possible = pd.DataFrame([{"Student": "Points Possible", column: points}], columns=frame.columns)
        frame = pd.concat([possible.astype(object), frame.astype(object)], ignore_index=True)
        frame = frame.where(frame.notna(), "")
    else:
        frame = pd.DataFrame(
            {
                "ID number": table["student_id"],
                "Email address": table["email"],
                assignment.name: table["total"].round(3),
            }
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False, encoding="utf-8")
    return {
        "file": str(out),
        "format": fmt,
        "students": int(len(table)),
        "graded": int(table["total"].notna().sum()),
        "max_points": points,
    }


# --- statistics -------------------------------------------------------------------------------------------------


def _correlation(x: Any, y: Any) -> float | None:
    if len(x) < 3 or x.std(ddof=0) == 0 or y.std(ddof=0) == 0:
        return None
    return float(x.corr(y))


def gradebook_stats(
    course: Course, name: str, png: Path | str | None = None, bins: int = 10
) -> dict[str, Any]:
    """Per item difficulty (mean score / points) and discrimination (correlation of the item's score with the
    rest of the total, so an item is not correlated with itself), the totals' summary and histogram."""
    assignment, table = grade_table(course, name)
    graded = table[table["total"].notna()]
    items = []
    for entry in assignment.items:
        item_id, points = entry["item"], entry["points"]
        scores = graded[item_id]
        rest = graded["total"] - scores
        items.append(
            {
                "item": item_id,
                "points": points,
                "mean": round(float(scores.mean()), 3) if len(scores) else None,
                "difficulty": round(float(scores.mean() / points), 3) if len(scores) and points else None,
                "discrimination": (None if (r := _correlation(scores, rest)) is None else round(r, 3)),
            }
        )
    totals = graded["total"].astype(float)
    maximum = assignment.max_points
    edges = [maximum * k / bins for k in range(bins + 1)]
    counts = [0] * bins
    for value in totals:
        k = min(int(value / maximum * bins), bins - 1) if maximum else 0
        counts[k] += 1
    summary = {
        "assignment": assignment.name,
        "students": int(len(table)),
        "graded": int(len(graded)),
        "max_points": maximum,
        "mean": round(float(totals.mean()), 3) if len(totals) else None,
        "median": round(float(totals.median()), 3) if len(totals) else None,
        "std": round(float(totals.std(ddof=0)), 3) if len(totals) else None,
        "items": items,
        "histogram": {"edges": [round(e, 3) for e in edges], "counts": counts},
    }
    if png is not None and len(totals):
        summary["png"] = str(_histogram_png(totals, edges, assignment, Path(png)))
    return summary


def _histogram_png(totals: Any, edges: list[float], assignment: Assignment, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=120)
    ax.hist(totals, bins=edges, color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"total (of {assignment.max_points:g})")
    ax.set_ylabel("students")
    ax.set_title(f"{assignment.name}: totals of {len(totals)} graded students", fontsize=10)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def format_stats(stats: dict[str, Any], width: int = 40) -> str:
    """The stats as terminal text: an item table and a bar chart of the totals."""
    lines = [
        f"{stats['assignment']}: {stats['graded']} of {stats['students']} students graded; "
        f"mean {stats['mean']} median {stats['median']} sd {stats['std']} (of {stats['max_points']:g})",
        "",
        f"{'item':<32} {'points':>6} {'mean':>7} {'difficulty':>10} {'discrimination':>14}",
    ]
    for item in stats["items"]:

        def show(value: Any) -> str:
            return "-" if value is None else f"{value:.3f}"

        lines.append(
            f"{item['item']:<32} {item['points']:>6g} {show(item['mean']):>7} {show(item['difficulty']):>10} "
            f"{show(item['discrimination']):>14}"
        )
    lines.append("")
    edges, counts = stats["histogram"]["edges"], stats["histogram"]["counts"]
    top = max(counts) if counts and max(counts) else 1
    for k, count in enumerate(counts):
        bar = "█" * round(count / top * width)
        lines.append(f"{edges[k]:>6.1f}–{edges[k + 1]:<6.1f} {bar} {count}")
    if "png" in stats:
        lines.append(f"\nhistogram: {stats['png']}")
    return "\n".join(lines)
