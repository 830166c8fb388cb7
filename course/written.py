"""Written parts: the TA's queue, scores and comments, and the CSV round trip for grading elsewhere.

A written part is a part whose stored key is `manual: true` (kind `text`): the grader marks it "pending" and a
TA grades it. The queue holds the written answers of each student's counted attempt (the gradebook's choice)
that are not blank; `record_written_grade` stores the TA's score and comment (table `written_grades`, every
grade kept by (submission, item, part)) and folds them into the submission's stored result — the document the
student's feedback and the gradebook read — so the part is no longer pending and the totals include it.
`apply_written_grades` is that folding, also used by a regrade (the TA's grades survive a new key).

CSV (`export_csv` / `import_csv`): `student_id,item,part,answer,rubric,score,comment,submission` — score empty
where not graded; the trailing `submission` lets the import notice a student who submitted again since the
export. An import is checked whole first (unknown ids, scores outside 0..the part's points, duplicate rows,
a newer submission: errors naming the line) and nothing is written while any row is wrong.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.assignments import get_assignment
from course.config import Course, CourseError
from course.store import deadlines as db
from course.store import transaction, utc_now

CSV_COLUMNS = ["student_id", "item", "part", "answer", "rubric", "score", "comment", "submission"]
REQUIRED_COLUMNS = CSV_COLUMNS[:7]
MAX_COMMENT_CHARS = 4000
MAX_CSV_BYTES = 20_000_000
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫", "01234567890123456789.")


@dataclass
class WrittenAnswer:
    """CONTRACTS 5: one written answer of a counted submission, with the TA's grade once given."""

    submission_id: int
    student_id: str
    item: str
    part: str
    answer: str
    rubric: dict[str, str]
    max_points: float
    score: float | None
    comment: str | None
    prompt: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def is_written(part_key: dict[str, Any]) -> bool:
    return bool(part_key.get("manual")) or part_key.get("kind") == "text"


def rubric_of(part_key: dict[str, Any]) -> dict[str, str]:
    """The item's rubric: `grading.rubric` of the part key, else its model answer."""
    rubric = (part_key.get("grading") or {}).get("rubric")
    if isinstance(rubric, dict):
        return {"fa": str(rubric.get("fa", "")), "en": str(rubric.get("en", ""))}
    text = str(rubric or part_key.get("answer_text") or part_key.get("answer") or "")
    return {"fa": text, "en": text}


def _answers(raw: str) -> dict[str, Any]:
    """The nested answers of a stored answer file that was graded (so `read_answer_file` accepted it once)."""
    fast = _stored_answers_fast(raw)
    if fast is not None:
        return fast
    from grader.answerfile import AnswerFileError, read_answer_file

    try:
        return read_answer_file(raw.encode("utf-8")).answers or {}
    except AnswerFileError:
        return {}


_FAST_LOADER: Any = None


def _stored_answers_fast(raw: str) -> dict[str, Any] | None:
    """libyaml's parser with the answer reader's rule (no implicit types: every plain scalar is text), for files
    the full reader already accepted at submit (a regrade reads thousands); None when the shape is not the
    plain nested one, and the full reader decides."""
    global _FAST_LOADER
    import yaml

    if not getattr(yaml, "__with_libyaml__", False):
        return None
    if _FAST_LOADER is None:
        _FAST_LOADER = type("_StoredTextLoader", (yaml.CSafeLoader,), {"yaml_implicit_resolvers": {}})
    try:
        document = yaml.load(raw, Loader=_FAST_LOADER)  # noqa: S506 (a safe loader without implicit types)
    except yaml.YAMLError:
        return None
    answers = document.get("answers") if isinstance(document, dict) else None
    if not isinstance(answers, dict) or not all(isinstance(v, dict) for v in answers.values()):
        return None
    nested: dict[str, Any] = {}
    for item, parts in answers.items():
        if not all(v is None or isinstance(v, str) for v in parts.values()):
            return None
        nested[str(item)] = {str(k): v for k, v in parts.items()}
    return nested


def written_queue(course: Course, assignment: str) -> list[WrittenAnswer]:
    """Every non-blank written answer of each student's counted attempt, by student, in worksheet order."""
    from course.gradebook import counted_attempts

    with course.connect() as conn:
        a = get_assignment(conn, assignment)
        counted = counted_attempts(course, conn, a)
        keys = {
            (r["student_id"], r["item"]): json.loads(r["solved"]) for r in db.variant_keys(conn, assignment)
        }
        grades = db.written_grades_for_assignment(conn, assignment)
        queue: list[WrittenAnswer] = []
        for sid in sorted(counted):
            entry = counted[sid]
            answers = _answers(db.submission_row(conn, entry.submission_id)["raw"])
            given = {(g["item"], g["part"]): g for g in grades.get(entry.submission_id, [])}
            for item_id in a.item_ids:
                typed_item = answers.get(item_id) if isinstance(answers.get(item_id), dict) else {}
                for part in keys.get((sid, item_id), {}).get("parts", []):
                    typed = typed_item.get(part["id"])
                    if not is_written(part) or typed is None or not str(typed).strip():
                        continue
                    grade = given.get((item_id, part["id"]))
                    queue.append(
                        WrittenAnswer(
                            submission_id=entry.submission_id,
                            student_id=sid,
                            item=item_id,
                            part=part["id"],
                            answer=str(typed),
                            rubric=rubric_of(part),
                            max_points=float(part.get("points", 0)),
                            score=None if grade is None else float(grade["score"]),
                            comment=None if grade is None else grade["comment"],
                            prompt=part.get("prompt"),
                        )
                    )
    return queue


# --- folding the grades into the stored result ------------------------------------------------------------------


def _graded_status(score: float, maximum: float) -> str:
    if maximum and score >= maximum:
        return "correct"
    return "wrong" if score <= 0 else "partial"


def apply_written_grades(document: dict[str, Any], grades: list[Any]) -> dict[str, Any]:
    """The submission's result with the TA's grades in its written parts, item scores and total recomputed
    (an item's points scale its parts' raw points, as at submit). Idempotent."""
    by_part = {(g["item"], g["part"]): g for g in grades}
    parts = []
    for part in document.get("parts", []):
        grade = by_part.get((part["item"], part["id"]))
        if grade is not None:
            score, maximum = float(grade["score"]), float(part.get("max_score") or 0)
            comment = grade["comment"] or ""
            part = {
                **part,
                "score": score,
                "status": _graded_status(score, maximum),
                "correct": bool(maximum) and score >= maximum,
                "feedback": {
                    "fa": f"تصحیح دستیار آموزشی: {score:g} از {maximum:g}"
                    + (f" — {comment}" if comment else ""),
                    "en": f"graded by a TA: {score:g} of {maximum:g}" + (f" — {comment}" if comment else ""),
                },
                "written": {
                    "score": score,
                    "comment": grade["comment"],
                    "grader": grade["grader"],
                    "graded_at": grade["graded_at"],
                },
            }
        parts.append(part)
    items = []
    for item in document.get("items", []):
        own = [p for p in parts if p["item"] == item["item"]]
        raw_max = sum(float(p.get("max_score") or 0) for p in own)
        raw = sum(float(p.get("score") or 0) for p in own)
        points = float(item["max_score"])
        score = raw / raw_max * points if raw_max else float(item.get("score") or 0)
        items.append({**item, "score": round(score, 4)})
    out = {**document, "parts": parts, "items": items}
    out["score"] = round(sum(i["score"] for i in items), 4)
    out["pending"] = any(p.get("status") == "pending" for p in parts)
    return out


def _record(
    conn: Any, submission_id: int, item: str, part: str, score: float, comment: str | None, grader: str
):
    row = db.submission_row(conn, submission_id)
    if row is None or row["status"] != "graded":
        raise CourseError(f"submission #{submission_id} is not a graded submission")
    key = db.variant_key(conn, row["assignment"], row["student_id"], item)
    solved = json.loads(key["solved"]) if key is not None else {}
    part_key = next((p for p in solved.get("parts", []) if p["id"] == part), None)
    if part_key is None or not is_written(part_key):
        raise CourseError(f"submission #{submission_id} has no written part {item}/{part}")
    maximum = float(part_key.get("points", 0))
    if not 0 <= score <= maximum:
        raise CourseError(
            f"score {score:g} of {item}/{part} must be between 0 and the part's {maximum:g} points"
        )
    if comment is not None and len(comment) > MAX_COMMENT_CHARS:
        raise CourseError(f"a comment is at most {MAX_COMMENT_CHARS} characters")
    db.save_written_grade(conn, submission_id, item, part, float(score), comment or None, grader, utc_now())
    document = apply_written_grades(
        json.loads(row["result"]), db.written_grades_for_submission(conn, submission_id)
    )
    db.update_submission_result(
        conn, submission_id, document["score"], json.dumps(document, ensure_ascii=False)
    )
    return document


def record_written_grade(
    course: Course,
    submission_id: int,
    item: str,
    part: str,
    score: float,
    comment: str | None,
    grader: str,
) -> dict[str, Any]:
    """CONTRACTS 5: store a TA's score and comment of one written part; returns the updated result document."""
    with course.connect() as conn:
        with transaction(conn):
            return _record(conn, int(submission_id), item, part, float(score), comment, grader)


# --- CSV round trip ---------------------------------------------------------------------------------------------


def export_csv(course: Course, assignment: str, out: Path | str, excel: bool = False) -> dict[str, Any]:
    from course.gradebook import write_csv

    queue = written_queue(course, assignment)
    rows = [
        [
            w.student_id,
            w.item,
            w.part,
            w.answer,
            f"{w.rubric['en']}\n{w.rubric['fa']}" if w.rubric["en"] != w.rubric["fa"] else w.rubric["en"],
            "" if w.score is None else w.score,
            w.comment or "",
            w.submission_id,
        ]
        for w in queue
    ]
    path = write_csv(out, CSV_COLUMNS, rows, excel)
    graded = sum(1 for w in queue if w.score is not None)
    return {"file": str(path), "answers": len(queue), "graded": graded, "pending": len(queue) - graded}


def _unsafe(text: str) -> str:
    """Undo the apostrophe write_csv puts before a formula-like cell."""
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


def import_csv(course: Course, assignment: str, path: Path | str, grader: str) -> dict[str, Any]:
    """Read the TA's scores and comments back; every problem names its line and nothing is written on error."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise CourseError(f"{path}: larger than {MAX_CSV_BYTES} bytes")
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise CourseError(f"{path}: not UTF-8 text; save it as CSV UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CourseError(
            f"{path}: line 1: the header lacks {', '.join(missing)} (needs {','.join(CSV_COLUMNS)})"
        )
    reader.fieldnames = header
    queue = {(w.student_id, w.item, w.part): w for w in written_queue(course, assignment)}
    problems: list[str] = []
    seen: dict[tuple[str, str, str], str] = {}
    updates: list[tuple[WrittenAnswer, float, str | None]] = []
    ended = 1  # the line the previous row ended on: a quoted cell (a rubric, an answer) may span lines
    for number, row in enumerate(reader, start=2):
        first, ended = ended + 1, reader.line_num
        line = f"{first}" if first == number else f"{first} (row {number})"  # a spreadsheet counts rows
        key = tuple((row.get(c) or "").strip() for c in ("student_id", "item", "part"))
        if key in seen:
            problems.append(f"line {line}: duplicate row for {'/'.join(key)} (first on line {seen[key]})")
            continue
        seen[key] = line
        entry = queue.get(key)
        if entry is None:
            problems.append(
                f"line {line}: no written answer of student '{key[0]}' to {key[1]}/{key[2]} in '{assignment}'"
            )
            continue
        submission = (row.get("submission") or "").strip()
        if submission and submission != str(entry.submission_id):
            problems.append(
                f"line {line}: student {key[0]} submitted again since the export (submission #{submission} is "
                f"no longer the counted one, #{entry.submission_id} is); export again"
            )
            continue
        raw_score = (row.get("score") or "").strip().translate(_DIGITS)
        if not raw_score:
            continue  # not graded yet
        try:
            score = float(raw_score)
        except ValueError:
            problems.append(f"line {line}: score '{raw_score}' is not a number")
            continue
        if not 0 <= score <= entry.max_points:
            problems.append(
                f"line {line}: score {score:g} of {key[1]}/{key[2]} is outside 0..{entry.max_points:g} "
                "(the part's points)"
            )
            continue
        comment = _unsafe((row.get("comment") or "").strip()) or None
        if comment is not None and len(comment) > MAX_COMMENT_CHARS:
            problems.append(f"line {line}: the comment is longer than {MAX_COMMENT_CHARS} characters")
            continue
        if (entry.score, entry.comment) != (score, comment):
            updates.append((entry, score, comment))
    if problems:
        shown = "; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise CourseError(f"{path}: {len(problems)} bad row(s), nothing imported: {shown}")
    with course.connect() as conn:
        with transaction(conn):
            for entry, score, comment in updates:
                _record(conn, entry.submission_id, entry.item, entry.part, score, comment, grader)
    return {"file": str(path), "rows": len(seen), "recorded": len(updates)}


# --- the terminal queue -----------------------------------------------------------------------------------------


def run_queue(
    course: Course,
    assignment: str,
    ask: Callable[[str], str | None],
    say: Callable[[str], None],
    grader: str,
) -> dict[str, int]:
    """Grade the ungraded written answers one by one: `ask(prompt)` returns the typed line (None at the end of
    input). A score records at once (so a queue left half-way resumes where it stopped); `s` skips, `q` quits."""
    from lang import localize

    todo = [w for w in written_queue(course, assignment) if w.score is None]
    recorded = skipped = 0
    say(f"{assignment}: {len(todo)} written answer(s) to grade")
    for number, w in enumerate(todo, start=1):
        say(
            f"\n[{number}/{len(todo)}] student {w.student_id} — {w.item}/{w.part} (0..{w.max_points:g} points)"
        )
        if w.prompt:
            say(f"question: {w.prompt.get('en', '')}\n          {localize(w.prompt.get('fa', ''), 'fa')}")
        say(f"rubric:   {w.rubric['en']}")
        if w.rubric["fa"] != w.rubric["en"]:
            say(f"          {localize(w.rubric['fa'], 'fa')}")
        say("answer:\n  " + w.answer.replace("\n", "\n  "))
        while True:
            typed = ask(f"score 0..{w.max_points:g} (s: skip, q: quit)")
            if typed is None or typed.strip().lower() == "q":
                return {"recorded": recorded, "skipped": skipped, "left": len(todo) - recorded}
            typed = typed.strip().translate(_DIGITS)
            if typed.lower() == "s":
                skipped += 1
                break
            try:
                score = float(typed)
            except ValueError:
                say(f"'{typed}' is not a number")
                continue
            if not 0 <= score <= w.max_points:
                say(f"the score must be between 0 and {w.max_points:g}")
                continue
            comment = ask("comment (empty for none)") or ""
            record_written_grade(
                course, w.submission_id, w.item, w.part, score, comment.strip() or None, grader
            )
            recorded += 1
            break
    return {"recorded": recorded, "skipped": skipped, "left": len(todo) - recorded}
