"""The course workflow: init, roster, HMAC seeds, assignments, generation (idempotent), submit, gradebook.

One small course (4 students, 2 items) is generated once per backend through the real command line, PDFs
included: on SQLite, and on PostgreSQL (`course init --database postgresql://...` on the suite's throwaway
cluster). Each test works on its own copy of that course directory — on PostgreSQL with its own database, a
copy of the generated one (`CREATE DATABASE ... TEMPLATE ...`).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import shutil
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from course import seeds, store
from course.assignments import create_assignment
from course.config import CourseError, init_course, open_course
from course.generate import assignment_key, generate_assignment
from course.gradebook import export_gradebook, gradebook_stats
from course.roster import import_roster, parse_roster
from course.submit import SubmissionRefused, submit

ROOT = Path(__file__).resolve().parent.parent
ITEMS = ["conv_output_size", "stacked_kernels"]
ROSTER = (
    "\ufeffstudent_id,name,email\n"
    "40110001,علی رضایی,ali@example.edu\n"
    "40110002,سارا محمدی,\n"
    "40110003,Reza Karimi,reza@example.edu\n"
    "40110004,نگار افتخاری,negar@example.edu\n"
)


def azmoon(*args: str, cwd: Path = ROOT, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *extra, str(ROOT / "cli.py"), *args], cwd=cwd, capture_output=True, text=True
    )


def _pg_admin(request: pytest.FixtureRequest, sql: str) -> None:
    import psycopg

    server = request.getfixturevalue("postgres_server")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A course generated through the CLI: init, roster import, assignment create, generate (2 workers)."""
    base = tmp_path_factory.mktemp("course")
    course_dir = base / "c"
    roster = base / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    database: tuple[str, ...] = ()
    if request.param == "postgresql":
        name = f"gen_{uuid.uuid4().hex[:12]}"
        _pg_admin(request, f'CREATE DATABASE "{name}"')
        database = ("--database", f"{request.getfixturevalue('postgres_server')}/{name}")
    steps = [
        ("course", "init", str(course_dir), "--attempts", "2", *database),
        ("roster", "import", str(roster), "--course", str(course_dir)),
        (
            "assignment",
            "create",
            "hw1",
            "--items",
            ",".join(ITEMS),
            "--points",
            "2,3",
            "--course",
            str(course_dir),
        ),
        ("assignment", "generate", "hw1", "--out", str(course_dir / "build"), "--course", str(course_dir)),
    ]
    for step in steps:
        result = azmoon(*step)
        assert result.returncode == 0, (step, result.stderr)
    yield course_dir
    if database:
        _pg_admin(request, f'DROP DATABASE IF EXISTS "{database[1].rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture
def course_dir(generated: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    copy = tmp_path / "course"
    shutil.copytree(generated, copy)
    url = open_course(generated).database
    if not store.is_postgres_url(url):
        yield copy
        return
    server, template = url.rsplit("/", 1)
    name = f"t_{uuid.uuid4().hex[:12]}"
    _pg_admin(request, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    settings = copy / "course.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(url, f"{server}/{name}"), encoding="utf-8"
    )
    yield copy
    _pg_admin(request, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def key_of(course_dir: Path, student: str) -> dict[str, Any]:
    return assignment_key(open_course(course_dir), "hw1", student)[0]


def answer_file(
    course_dir: Path, student: str, answers: dict[str, dict[str, Any]], name: str = "a.yaml"
) -> Path:
    """An answers.yaml as a student fills it: the generated template's header and the given answers."""
    header = yaml.safe_load((course_dir / "build" / student / "answers.yaml").read_text(encoding="utf-8"))
    path = course_dir / name
    path.write_text(
        yaml.safe_dump({**{k: header[k] for k in ("assignment", "student", "variant")}, "answers": answers}),
        encoding="utf-8",
    )
    return path


def right_answers(course_dir: Path, student: str) -> dict[str, dict[str, Any]]:
    key = key_of(course_dir, student)
    return {item["item"]: {p["id"]: p["answer_text"] for p in item["parts"]} for item in key["items"]}


def rows(course_dir: Path, query: str, *args: Any) -> list[tuple]:
    """Rows of a query on the course's own store (SQLite or PostgreSQL), as plain tuples."""
    conn = open_course(course_dir).connect()
    try:
        return [tuple(row) for row in conn.execute(query, args).fetchall()]
    finally:
        conn.close()


# --- HMAC seeds and tokens --------------------------------------------------------------------------------------


def test_seed_is_the_documented_hmac_truncation() -> None:
    secret = bytes(range(32))
    digest = hmac.new(secret, b"hw4\x0040110001", hashlib.sha256).digest()
    assert seeds.variant_seed(secret, "hw4", "40110001") == int.from_bytes(digest[:6], "big")


def test_seeds_differ_by_student_assignment_and_secret() -> None:
    secret = b"s" * 32
    values = {
        seeds.variant_seed(secret, "hw4", "40110001"),
        seeds.variant_seed(secret, "hw4", "40110002"),
        seeds.variant_seed(secret, "hw5", "40110001"),
        seeds.variant_seed(b"t" * 32, "hw4", "40110001"),
    }
    assert len(values) == 4
    assert all(0 < v < 2**48 for v in values)


def test_seed_is_never_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seeds, "_mac", lambda secret, *fields: bytes(32))
    assert seeds.variant_seed(b"x" * 32, "hw4", "1") == 1


@pytest.mark.parametrize(
    ("student", "seed", "token_from", "ok"),
    [
        ("40110001", 7, ("40110001", 7), True),
        ("40110001", 7, ("40110002", 7), False),  # another student's token
        ("40110001", 7, ("40110001", 8), False),  # another variant's token
    ],
)
def test_variant_token(student: str, seed: int, token_from: tuple[str, int], ok: bool) -> None:
    secret = b"k" * 32
    token = seeds.variant_token(secret, "hw4", *token_from)
    assert seeds.token_matches(secret, "hw4", student, seed, token) is ok
    assert seeds.token_matches(secret, "hw4", student, seed, int(token)) is ok


@pytest.mark.parametrize("bad", [None, True, "12a", "-5", 1.5, "", "٣٤"])
def test_variant_token_rejects_junk(bad: object) -> None:
    assert not seeds.token_matches(b"k" * 32, "hw4", "1", 7, bad)


# --- course init ------------------------------------------------------------------------------------------------


def test_init_creates_settings_secret_and_migrated_wal_database(tmp_path: Path) -> None:
    course = init_course(tmp_path / "c", term="1404-1")
    assert stat.S_IMODE(os.stat(tmp_path / "c" / "secret").st_mode) == 0o600
    assert len(course.secret()) == 32
    settings = yaml.safe_load((tmp_path / "c" / "course.yaml").read_text(encoding="utf-8"))
    assert settings["policies"] == {"attempts": 3, "attempt_policy": "best"}
    conn = course.connect()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.applied_migrations(conn) == {n for n, _ in store.all_migrations()}
    conn.close()
    with pytest.raises(CourseError, match="already a course"):
        init_course(tmp_path / "c")


def test_not_a_course_is_a_clean_cli_error(tmp_path: Path) -> None:
    result = azmoon("roster", "list", "--course", str(tmp_path))
    assert result.returncode == 1
    assert "not a course directory" in result.stderr and "Traceback" not in result.stderr


# --- roster -----------------------------------------------------------------------------------------------------


def test_roster_reports_bad_rows_by_line_and_imports_nothing(tmp_path: Path) -> None:
    course = init_course(tmp_path / "c")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "student_id,name,email\n401,Ali,\n402,,\n401,Sara,\nx y,Reza,\n403,Negar,not-an-email\n404,A,b,c\n",
        encoding="utf-8",
    )
    with pytest.raises(CourseError) as error:
        import_roster(course, bad)
    message = str(error.value)
    for line in ("line 3", "line 4", "line 5", "line 6", "line 7"):
        assert line in message
    assert "duplicate student id 401 (first on line 2)" in message
    assert rows(tmp_path / "c", "SELECT count(*) FROM students") == [(0,)]


def test_roster_reimport_updates_and_never_duplicates(tmp_path: Path) -> None:
    course = init_course(tmp_path / "c")
    roster = tmp_path / "r.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert import_roster(course, roster).to_json() == {"added": 4, "updated": 0, "unchanged": 0}
    roster.write_text(
        ROSTER.replace("Reza Karimi", "Reza Karimi-Nia") + "40110005,رها نوری,\n", encoding="utf-8"
    )
    assert import_roster(course, roster).to_json() == {"added": 1, "updated": 1, "unchanged": 3}
    assert rows(tmp_path / "c", "SELECT count(*) FROM students") == [(5,)]
    assert rows(tmp_path / "c", "SELECT name FROM students WHERE student_id='40110003'") == [
        ("Reza Karimi-Nia",)
    ]


def test_roster_reads_persian_digits_in_ids() -> None:
    students = parse_roster("student_id,name\n۴۰۱۱۰۰۰۹,مریم کاظمی\n")
    assert students[0].student_id == "40110009" and students[0].name == "مریم کاظمی"


# --- assignments and generation ---------------------------------------------------------------------------------


def test_create_refuses_unknown_items_and_bad_points(course_dir: Path) -> None:
    course = open_course(course_dir)
    with pytest.raises(CourseError, match="no item no_such_item"):
        create_assignment(course, "hw2", ["no_such_item"])
    with pytest.raises(CourseError, match="2 values for 1 items"):
        create_assignment(course, "hw2", ["conv_output_size"], points=[1, 2])
    with pytest.raises(CourseError, match="already has 4 generated variants"):
        create_assignment(course, "hw1", ["conv_output_size"])
    same = create_assignment(course, "hw1", ITEMS, points=[2, 3], attempts=2)  # same definition: fine
    assert same.max_points == 5


def test_generate_writes_every_file(generated: Path) -> None:
    build = generated / "build"
    assert (build / "key.pdf").read_bytes()[:5] == b"%PDF-"
    assert not list(build.glob(".key-*.pdf"))  # the key's chunks were merged and removed
    for student in ("40110001", "40110002", "40110003", "40110004"):
        assert (build / student / "worksheet.pdf").read_bytes()[:5] == b"%PDF-"
        assert (build / student / "answers.yaml").is_file()


def test_seeds_and_keys_are_stored_as_solved(course_dir: Path) -> None:
    from bank.item import load_items
    from bank.pipeline import solve_item

    course = open_course(course_dir)
    secret = course.secret()
    bank = load_items()
    for student, item, seed, solved in rows(
        course_dir, "SELECT student_id, item, seed, solved FROM variant_items WHERE student_id='40110002'"
    ):
        assert seed == seeds.variant_seed(secret, "hw1", student)
        assert json.loads(solved) == json.loads(json.dumps(solve_item(bank[item], seed).to_json()))


def test_regenerate_is_idempotent(course_dir: Path) -> None:
    before = rows(course_dir, "SELECT * FROM variant_items ORDER BY student_id, item")
    report = generate_assignment(open_course(course_dir), "hw1", None)
    assert (report.keys_computed, report.keys_reused) == (0, 8)
    assert rows(course_dir, "SELECT * FROM variant_items ORDER BY student_id, item") == before
    assert rows(course_dir, "SELECT count(*) FROM variants") == [(4,)]


def test_new_students_get_variants_on_regenerate(course_dir: Path) -> None:
    course = open_course(course_dir)
    extra = course_dir / "more.csv"
    extra.write_text(ROSTER + "40110005,رها نوری,\n", encoding="utf-8")
    import_roster(course, extra)
    report = generate_assignment(course, "hw1", None)
    assert (report.keys_computed, report.keys_reused) == (2, 8)


def test_answer_template_is_a_valid_blank_answer_file(generated: Path) -> None:
    from grader.answerfile import read_answer_file

    secret = open_course(generated).secret()
    parsed = read_answer_file(generated / "build" / "40110001" / "answers.yaml")
    assert (parsed.assignment, parsed.student) == ("hw1", "40110001")
    seed = seeds.variant_seed(secret, "hw1", "40110001")
    assert seeds.token_matches(secret, "hw1", "40110001", seed, parsed.variant)
    assert sorted(parsed.answers) == sorted(ITEMS)
    assert set(parsed.answers["stacked_kernels"]) == {"rf", "stack_params", "single_params"}
    assert all(v in (None, "") for item in parsed.answers.values() for v in item.values())


def test_key_json_follows_the_contract(generated: Path) -> None:
    result = azmoon("assignment", "key", "hw1", "--student", "40110003", "--json", "--course", str(generated))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [entry["student_id"] for entry in document] == ["40110003"]
    item = document[0]["items"][0]
    assert {"item", "seed", "params", "parts"} <= set(item)
    assert {"id", "answer", "answer_text", "points"} <= set(item["parts"][0])


# --- submit -----------------------------------------------------------------------------------------------------


def test_right_answers_score_full_marks(course_dir: Path) -> None:
    path = answer_file(course_dir, "40110001", right_answers(course_dir, "40110001"))
    outcome = submit(open_course(course_dir), path)
    document = outcome.document
    assert (document["status"], document["score"], document["max_score"]) == ("graded", 5, 5)
    assert (document["attempt"], document["attempts_left"]) == (1, 1)
    assert all(part["status"] == "correct" for part in document["parts"])


def test_half_right_scores_the_right_half(course_dir: Path) -> None:
    answers = right_answers(course_dir, "40110002")
    answers["stacked_kernels"] = {}  # blank: 0 of 3
    document = submit(open_course(course_dir), answer_file(course_dir, "40110002", answers)).document
    assert document["score"] == 2
    statuses = {(p["item"], p["id"]): p["status"] for p in document["parts"]}
    assert statuses[("stacked_kernels", "rf")] == "blank"


def test_format_errors_do_not_use_an_attempt(course_dir: Path) -> None:
    answers = right_answers(course_dir, "40110001")
    answers["stacked_kernels"]["rf"] = "eleven-ish"
    course = open_course(course_dir)
    document = submit(course, answer_file(course_dir, "40110001", answers)).document
    assert document["status"] == "format_error"
    assert document["attempt"] is None and document["attempts_left"] == 2
    assert rows(course_dir, "SELECT status, attempt FROM submissions") == [("format_error", None)]


def test_attempt_limit_refuses_and_keeps_the_submission(course_dir: Path) -> None:
    course = open_course(course_dir)
    path = answer_file(course_dir, "40110003", right_answers(course_dir, "40110003"))
    assert [submit(course, path).document["attempts_left"] for _ in range(2)] == [1, 0]
    with pytest.raises(SubmissionRefused, match="used all 2 attempts"):
        submit(course, path)
    statuses = rows(course_dir, "SELECT status, attempt, reason IS NOT NULL FROM submissions ORDER BY id")
    assert statuses == [("graded", 1, 0), ("graded", 2, 0), ("refused", None, 1)]


def test_racing_submits_cannot_exceed_the_attempt_limit(course_dir: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = answer_file(course_dir, "40110002", right_answers(course_dir, "40110002"))

    def attempt(_: int) -> str:
        try:
            return submit(open_course(course_dir), path).status
        except SubmissionRefused:
            return "refused"

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(attempt, range(4)))
    assert outcomes == ["graded", "graded", "refused", "refused"]
    graded = rows(course_dir, "SELECT attempt FROM submissions WHERE status = 'graded' ORDER BY attempt")
    assert graded == [(1,), (2,)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"student": "49999999"}, "not on the roster"),
        ({"student": "40110002"}, "does not match your worksheet"),  # another student's header, my token
        ({"variant": 123456}, "does not match your worksheet"),
        ({"assignment": "hw9"}, "no assignment 'hw9'"),
    ],
)
def test_refusals_are_stored(course_dir: Path, change: dict[str, Any], message: str) -> None:
    path = answer_file(course_dir, "40110001", right_answers(course_dir, "40110001"))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**document, **change}), encoding="utf-8")
    with pytest.raises(SubmissionRefused, match=message):
        submit(open_course(course_dir), path)
    stored = rows(course_dir, "SELECT status, raw FROM submissions")
    assert len(stored) == 1 and stored[0][0] == "refused" and "answers" in stored[0][1]


def test_unreadable_file_is_kept_and_uses_no_attempt(course_dir: Path) -> None:
    path = course_dir / "broken.yaml"
    path.write_text("answers: [unclosed\n", encoding="utf-8")
    with pytest.raises(CourseError, match="cannot be read"):
        submit(open_course(course_dir), path)
    assert rows(course_dir, "SELECT status FROM submissions") == [("format_error",)]


def test_cli_submit_json_and_no_torch_or_sympy(course_dir: Path) -> None:
    path = answer_file(course_dir, "40110004", right_answers(course_dir, "40110004"))
    result = azmoon("submit", str(path), "--json", "--course", str(course_dir), extra=("-X", "importtime"))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert {"score", "max_score", "parts", "attempt", "attempts_left"} <= set(document)
    imported = {
        line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time")
    }
    assert "course.submit" in imported
    assert not {name for name in imported if name.split(".")[0] in ("torch", "sympy", "weasyprint", "pandas")}


# --- gradebook --------------------------------------------------------------------------------------------------


def graded_course(course_dir: Path) -> None:
    """Student 1: 5/5 then 2/5; student 2: 2/5; students 3 and 4 do not submit."""
    course = open_course(course_dir)
    submit(course, answer_file(course_dir, "40110001", right_answers(course_dir, "40110001")))
    half = right_answers(course_dir, "40110001")
    half["stacked_kernels"] = {}
    submit(course, answer_file(course_dir, "40110001", half))
    other = right_answers(course_dir, "40110002")
    other["stacked_kernels"] = {}
    submit(course, answer_file(course_dir, "40110002", other))


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_wide_export_counts_the_best_attempt(course_dir: Path) -> None:
    graded_course(course_dir)
    out = course_dir / "wide.csv"
    report = export_gradebook(open_course(course_dir), "hw1", "wide", out)
    assert (report["students"], report["graded"]) == (4, 2)
    table = read_csv(out)
    # issue 12 added submitted_at, late, penalty_percent, status after these columns (on purpose)
    assert table[0][:6] == ["student_id", "name", "email", *ITEMS, "total", "attempts"][:6]
    assert table[0][6] == "attempts"
    assert table[1][:3] == ["40110001", "علی رضایی", "ali@example.edu"]
    assert table[1][3:7] == ["2.0", "3.0", "5.0", "2"]
    assert table[3][5:7] == ["", "0"]  # no submission: empty, not zero


def test_last_attempt_policy(course_dir: Path) -> None:
    graded_course(course_dir)
    settings = course_dir / "course.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("best", "last"), encoding="utf-8")
    export_gradebook(open_course(course_dir), "hw1", "wide", course_dir / "w.csv")
    assert read_csv(course_dir / "w.csv")[1][5] == "2.0"


def test_canvas_export_header(course_dir: Path) -> None:
    graded_course(course_dir)
    out = course_dir / "canvas.csv"
    export_gradebook(open_course(course_dir), "hw1", "canvas", out, canvas_id="1234")
    table = read_csv(out)
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "hw1 (1234)"]
    assert table[1][0] == "Points Possible" and float(table[1][5]) == 5
    # issue 12: SIS Login ID is one field for every row, the student id unless canvas.sis_login_id says email
    assert table[2][:4] == ["علی رضایی", "", "40110001", "40110001"] and float(table[2][5]) == 5
    assert table[3][3] == "40110002"


def test_moodle_export_header(course_dir: Path) -> None:
    graded_course(course_dir)
    out = course_dir / "moodle.csv"
    result = azmoon(
        "gradebook", "export", "hw1", "--format", "moodle", "-o", str(out), "--course", str(course_dir)
    )
    assert result.returncode == 0, result.stderr
    table = read_csv(out)
    assert table[0] == ["ID number", "Email address", "hw1"]
    assert table[1] == ["40110001", "ali@example.edu", "5.0"]


def test_stats_difficulty_discrimination_and_histogram(course_dir: Path) -> None:
    graded_course(course_dir)
    course = open_course(course_dir)
    submit(course, answer_file(course_dir, "40110003", right_answers(course_dir, "40110003")))
    stats = gradebook_stats(course, "hw1", png=course_dir / "h.png", bins=5)
    by_item = {row["item"]: row for row in stats["items"]}
    # totals: 5, 2, 5; conv_output_size 2/2 for all, stacked_kernels 3, 0, 3
    assert by_item["conv_output_size"]["difficulty"] == 1.0
    assert by_item["conv_output_size"]["discrimination"] is None  # no variance
    assert by_item["stacked_kernels"]["difficulty"] == pytest.approx(2 / 3, abs=1e-3)
    assert stats["histogram"]["counts"] == [0, 0, 1, 0, 2]  # bins of 1 point: 2 falls in [2, 3)
    assert (course_dir / "h.png").read_bytes()[:4] == b"\x89PNG"
    result = azmoon("gradebook", "stats", "hw1", "--course", str(course_dir))
    assert result.returncode == 0 and "stacked_kernels" in result.stdout and "█" in result.stdout
