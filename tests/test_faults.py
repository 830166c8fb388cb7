"""Issue 17, as the probe did it: modes under a zero umask, a lock held by a second connection, a read-only bind
mount, a corrupt / missing / empty / foreign database, `database: 5`, a full disk (a small tmpfs), `/dev/zero`
and a FIFO, a replaced secret, control characters, bounded format errors, a 5000-digit variant, graded whole or
not at all (13.5), two generate runs, and no write transaction open while keys are solved.

Mounts (read-only bind, tmpfs) need root; those tests skip elsewhere."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from course import store
from course.assignments import create_assignment
from course.config import CourseError, init_course, open_course
from course.generate import assignment_key, generate_assignment
from course.roster import import_roster, parse_roster
from course.submit import StaffProblem, submit, submit_text

ROOT = Path(__file__).resolve().parent.parent
ROSTER = "student_id,name,email\n40110001,علی رضایی,ali@example.edu\n40110002,Sara M,\n"


def azmoon(*args: str, umask: int | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


def clean_error(result: subprocess.CompletedProcess, *words: str) -> None:
    """A non-zero exit with one `error:` line, English and Persian, no traceback."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr and "|" in lines[0] or "—" in lines[0]
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course with 2 students and one generated assignment (keys only, no PDFs)."""
    root = tmp_path_factory.mktemp("faults") / "c"
    course = init_course(root, attempts=2)
    roster = root.parent / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    import_roster(course, roster)
    create_assignment(course, "hw1", ["conv_output_size"], [2.0], None, None, None, None)
    generate_assignment(course, "hw1", None)
    return root


@pytest.fixture
def course_dir(keyed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "c"
    shutil.copytree(keyed, copy)
    return copy


def answers(course_dir: Path, student: str, parts: dict[str, Any] | None = None, **header: Any) -> bytes:
    course = open_course(course_dir)
    with course.connect() as conn:
        token = store.variant_row(conn, "hw1", student)["token"]
    if parts is None:
        key = assignment_key(course, "hw1", student)[0]
        parts = {i["item"]: {p["id"]: p["answer_text"] for p in i["parts"]} for i in key["items"]}
    document = {"assignment": "hw1", "student": student, "variant": token, "answers": parts, **header}
    return yaml.safe_dump(document, allow_unicode=True).encode("utf-8")


def submissions(course_dir: Path) -> list[tuple]:
    conn = sqlite3.connect(course_dir / "course.db")
    try:
        return conn.execute("SELECT id, status, attempt FROM submissions ORDER BY id").fetchall()
    finally:
        conn.close()


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


# --- 17.1 files are staff-only ----------------------------------------------------------------------------------


def modes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)) or ".": oct(stat.S_IMODE(p.stat().st_mode))
        for p in [root, *sorted(root.rglob("*"))]
    }


def test_files_and_modes_after_init_and_generate_with_a_zero_umask(tmp_path: Path) -> None:
    course, out = tmp_path / "c", tmp_path / "c" / "build"
    roster = tmp_path / "r.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    steps = [
        ("course", "init", str(course)),
        ("roster", "import", str(roster), "--course", str(course)),
        ("assignment", "create", "hw1", "--items", "conv_output_size", "--course", str(course)),
        ("assignment", "generate", "hw1", "--out", str(out), "--workers", "1", "--course", str(course)),
    ]
    for step in steps:
        result = azmoon(*step, umask=0)
        assert result.returncode == 0, (step, result.stderr)
    found = modes(course)
    print(json.dumps(found, indent=1))  # the closing note's figure
    assert found["."] == "0o700" and found["secret"] == "0o600" and found["course.db"] == "0o600"
    assert found["course.yaml"] == "0o600"  # it may hold a postgresql:// URL with a password
    assert {found[k] for k in found if k.startswith("course.db")} == {"0o600"}
    assert found["build"] == "0o700" and found["build/key.pdf"] == "0o600" and found["build/keys"] == "0o700"
    for sid in ("40110001", "40110002"):
        assert found[f"build/keys/{sid}.pdf"] == "0o600"
        assert sorted(p.name for p in (out / sid).iterdir()) == ["answers.yaml", "worksheet.pdf"]
        assert found[f"build/{sid}"] == "0o700"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging, no hidden key chunks
    key = azmoon("assignment", "key", "hw1", "--student", "40110002", "--pdf", "-o", str(tmp_path / "k.pdf"),
                 "--course", str(course), umask=0)  # fmt: skip
    assert key.returncode == 0, key.stderr
    assert (tmp_path / "k.pdf").read_bytes()[:4] == b"%PDF"
    assert stat.S_IMODE((tmp_path / "k.pdf").stat().st_mode) == 0o600


# --- 17.2 every database error is one clear line ----------------------------------------------------------------


def test_a_lock_held_by_a_second_connection_is_one_clear_line(course_dir: Path) -> None:
    settings = course_dir / "course.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "lock_timeout_seconds: 1\n", encoding="utf-8")
    (course_dir / "r.csv").write_text(ROSTER + "40110003,New One,\n", encoding="utf-8")
    holder = sqlite3.connect(course_dir / "course.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = azmoon("roster", "import", str(course_dir / "r.csv"), "--course", str(course_dir))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    clean_error(result, "busy", "1 s")


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        ("corrupt", ["damaged"]),
        ("missing", ["is missing", "only `azmoon course init` creates one"]),
        ("empty", ["is empty"]),
        ("foreign", ["no Azmoon course"]),
        ("database: 5", ["`database:` must be"]),
    ],
)
def test_a_damaged_or_missing_database_is_named_and_never_recreated(
    course_dir: Path, damage: str, words: list[str]
) -> None:
    db = course_dir / "course.db"
    for extra in ("course.db-wal", "course.db-shm"):
        (course_dir / extra).unlink(missing_ok=True)
    if damage == "corrupt":
        db.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    elif damage == "missing":
        db.unlink()
    elif damage == "empty":
        db.write_bytes(b"")
    elif damage == "foreign":
        db.unlink()
        sqlite3.connect(db).execute("CREATE TABLE photos (id INTEGER)").connection.commit()
    else:
        settings = course_dir / "course.yaml"
        settings.write_text(
            settings.read_text(encoding="utf-8").replace("database: course.db", damage), "utf-8"
        )
    result = azmoon("roster", "list", "--course", str(course_dir))
    clean_error(result, *words)
    if damage == "missing":
        assert not db.exists()  # not silently recreated empty


def test_acknowledged_means_durable(course_dir: Path) -> None:
    conn = open_course(course_dir).connect()
    try:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


@pytest.fixture
def read_only_course(course_dir: Path, tmp_path: Path):
    if not can_mount():
        pytest.skip("needs root to bind-mount read-only")
    target = tmp_path / "ro"
    target.mkdir()
    subprocess.run(["mount", "--bind", str(course_dir), str(target)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], check=True)
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=False)


def test_read_commands_work_on_a_read_only_course(read_only_course: Path, tmp_path: Path) -> None:
    assert azmoon("roster", "list", "--course", str(read_only_course)).returncode == 0
    key = azmoon("assignment", "key", "hw1", "--json", "--course", str(read_only_course))
    assert key.returncode == 0 and json.loads(key.stdout)[0]["student_id"] == "40110001"
    export = azmoon(
        "gradebook", "export", "hw1", "-o", str(tmp_path / "g.csv"), "--course", str(read_only_course)
    )
    assert export.returncode == 0, export.stderr
    (tmp_path / "a.yaml").write_bytes(answers(read_only_course, "40110001"))
    clean_error(azmoon("submit", str(tmp_path / "a.yaml"), "--course", str(read_only_course)), "read-only")


def test_a_full_disk_is_said_and_nothing_half_stored(course_dir: Path, tmp_path: Path) -> None:
    if not can_mount():
        pytest.skip("needs root to mount a small tmpfs")
    small = tmp_path / "small"
    small.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(small)], check=True)
    try:
        shutil.copytree(course_dir, small / "c")
        (tmp_path / "a.yaml").write_bytes(
            answers(small / "c", "40110001", {"conv_output_size": {}}, pad="x" * 200_000)
        )
        filler = small / "filler"
        with open(filler, "wb", buffering=0) as handle:  # fill the disk to the last block
            try:
                while True:
                    handle.write(b"\0" * 4096)
                    handle.flush()
            except OSError:
                pass
        result = azmoon("submit", str(tmp_path / "a.yaml"), "--course", str(small / "c"))
        clean_error(result, "full")
        filler.unlink()
        conn = sqlite3.connect(small / "c" / "course.db")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
        conn.close()
    finally:
        subprocess.run(["umount", str(small)], check=False)


# --- 17.4 bounded reads -----------------------------------------------------------------------------------------


def test_dev_zero_and_a_fifo_are_refused_at_once(course_dir: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "answers.fifo"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        started = time.monotonic()
        result = azmoon("submit", path, "--course", str(course_dir), timeout=30)
        clean_error(result, "not a regular file")
        assert time.monotonic() - started < 30  # the timeout above would have fired on a hang


def test_a_large_file_is_refused_before_it_is_read(course_dir: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (256 * 1024 + 1))
    with pytest.raises(CourseError, match="too large"):
        submit(open_course(course_dir), big)


# --- 17.5 state that lies ---------------------------------------------------------------------------------------


def test_a_replaced_secret_is_a_staff_problem(course_dir: Path) -> None:
    data = answers(course_dir, "40110001")
    (course_dir / "secret").write_text(os.urandom(32).hex() + "\n", encoding="ascii")
    with pytest.raises(StaffProblem, match="course problem, not the student's"):
        submit_text(open_course(course_dir), data)
    assert submissions(course_dir) == []  # nothing charged to the student


def test_a_5000_digit_variant_is_refused_cleanly(course_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(answers(course_dir, "40110001", variant="9" * 5000))
    result = azmoon("submit", str(tmp_path / "a.yaml"), "--course", str(course_dir))
    clean_error(result, "malformed or too long", "variant")
    assert "4300" not in result.stderr or "digits" not in result.stderr.split("|")[0][:60]
    assert [s[1] for s in submissions(course_dir)] == ["format_error"]  # stored, no attempt


# --- 17.6 control characters and terminals ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\x7f", "\u202e"])
def test_roster_control_characters_are_refused_with_the_line(bad: str) -> None:
    text = f"student_id,name\n40110001,Ali\n40110002,Sa{bad}ra\n"
    with pytest.raises(CourseError, match="line 3: a control character"):
        parse_roster(text)


def test_terminal_escapes_in_a_header_are_shown_escaped(course_dir: Path, tmp_path: Path) -> None:
    header = yaml.safe_load(answers(course_dir, "40110001"))
    header["student"] = "\x1b]0;owned\x07\x1b[2J"
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(header), encoding="utf-8")
    result = azmoon("submit", str(tmp_path / "a.yaml"), "--course", str(course_dir))
    assert result.returncode == 1 and "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_roster_list_escapes_stored_control_characters(course_dir: Path) -> None:
    conn = sqlite3.connect(course_dir / "course.db")
    conn.execute("UPDATE students SET name = 'Ali\x1b[2J' WHERE student_id = '40110001'")
    conn.commit()
    conn.close()
    result = azmoon("roster", "list", "--course", str(course_dir))
    assert result.returncode == 0 and "\x1b" not in result.stdout and "Ali\\x1b[2J" in result.stdout


# --- 17.7 bounded format errors, 13.5 graded whole or not at all ------------------------------------------------


def test_identical_unreadable_files_are_stored_once_and_the_rate_is_bounded(course_dir: Path) -> None:
    from course.submit import FORMAT_ERRORS_PER_HOUR

    course = open_course(course_dir)
    first = submit_text(course, answers(course_dir, "40110001", {"conv_output_size": {"out": "lots"}}))
    again = submit_text(course, answers(course_dir, "40110001", {"conv_output_size": {"out": "lots"}}))
    assert first.status == again.status == "format_error"
    assert first.document["submission"] == again.document["submission"] and len(submissions(course_dir)) == 1
    for n in range(FORMAT_ERRORS_PER_HOUR - 1):
        submit_text(course, answers(course_dir, "40110001", {"conv_output_size": {"out": f"lots {n}"}}))
    with pytest.raises(CourseError, match="too many unreadable files"):
        submit_text(course, answers(course_dir, "40110001", {"conv_output_size": {"out": "one more"}}))
    assert len(submissions(course_dir)) == FORMAT_ERRORS_PER_HOUR


@pytest.mark.parametrize(
    ("parts", "code", "named"),
    [
        ({"conv_output_size": {"out": "eleven-ish"}}, "unreadable", "out"),
        ({"conv_output": {"out": "7"}}, "unknown_item", "conv_output_size"),  # the nearest id is suggested
        ({}, "nothing_answered", None),
        ({"conv_output_size": {}}, "nothing_answered", None),
    ],
)
def test_a_file_that_does_not_read_whole_shows_only_its_problems(
    course_dir: Path, tmp_path: Path, parts: dict, code: str, named: str | None
) -> None:
    data = answers(course_dir, "40110001", parts)
    outcome = submit_text(open_course(course_dir), data)
    document = outcome.document
    assert outcome.status == "format_error" and document["attempt"] is None and document["attempts_left"] == 2
    assert [p["code"] for p in document["problems"]][:1] == [code]
    assert document["parts"] == [] and document["score"] is None  # nothing graded, nothing revealed
    assert set(document["message"]) == {"fa", "en"} and all(
        set(p["message"]) == {"fa", "en"} for p in document["problems"]
    )
    if named:
        assert named in json.dumps(document["problems"])
    (tmp_path / "a.yaml").write_bytes(data)
    text = azmoon("submit", str(tmp_path / "a.yaml"), "--course", str(course_dir)).stdout
    assert "✓" not in text and "✗" not in text
    assert [s[1] for s in submissions(course_dir)] == [
        "format_error"
    ]  # the CLI's run: the same file, stored once


# --- 17.3 generate: solving outside write transactions, one run at a time -----------------------------------------


def test_no_write_transaction_is_open_while_keys_are_solved(
    course_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bank.pipeline

    real = bank.pipeline.solve_item
    probes: list[bool] = []

    def solve_and_probe(item: Any, seed: int) -> Any:
        other = sqlite3.connect(course_dir / "course.db", timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if generate holds the write lock while solving
            other.execute("ROLLBACK")
            probes.append(True)
        except sqlite3.OperationalError:
            probes.append(False)
        finally:
            other.close()
        return real(item, seed)

    monkeypatch.setattr(bank.pipeline, "solve_item", solve_and_probe)
    course = open_course(course_dir)
    (course_dir / "r.csv").write_text(ROSTER + "40110003,New One,\n40110004,Another,\n", encoding="utf-8")
    import_roster(course, course_dir / "r.csv")
    report = generate_assignment(course, "hw1", None)
    print(f"longest write-lock hold: {report.longest_write_lock * 1000:.2f} ms")
    assert report.keys_computed == 2 and probes == [True, True]


def test_two_generate_runs_exclude_each_other(course_dir: Path) -> None:
    lock = course_dir / ".generate-hw1.lock"
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a running generate holds it
    try:
        result = azmoon(
            "assignment", "generate", "hw1", "--out", str(course_dir / "b"), "--course", str(course_dir)
        )
    finally:
        os.close(fd)
    clean_error(result, "already running")
    assert not (course_dir / "b").exists()
