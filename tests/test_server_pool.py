"""The server's reused connections (store.ConnectionPool via server.app.ServedCourse), on SQLite and PostgreSQL:
a connection is lent again instead of reopened; what another process writes — keys solved again, a revoked
token — counts at the next request; a replaced SQLite file or an ended PostgreSQL session is never used again;
a connection given back inside a transaction is closed; threads racing for the last attempt get it once."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from course import store
from course.assignments import create_assignment
from course.config import init_course, open_course
from course.generate import assignment_key, generate_assignment
from course.roster import import_roster
from course.submit import SubmissionRefused, submit_text
from server.app import create_app, served_course
from server.auth import issue_student_tokens, revoke
from server.limits import RateSettings

STUDENTS = ["s1", "s2"]


@pytest.fixture
def course(tmp_path, course_database):
    course = init_course(tmp_path / "c", database=course_database)
    (tmp_path / "r.csv").write_text("student_id,name\n" + "".join(f"{s},N {s}\n" for s in STUDENTS))
    import_roster(course, tmp_path / "r.csv")
    create_assignment(course, "hw1", ["conv_output_size"], attempts=3)
    generate_assignment(course, "hw1", None)
    return course


def right_file(api: TestClient, course, student: str, token: str) -> bytes:
    text = api.get("/api/v1/assignments/hw1/answers.yaml", headers={"Authorization": f"Bearer {token}"}).text
    part = assignment_key(course, "hw1", student)[0]["items"][0]["parts"][0]
    return text.replace(f"    {part['id']}:\n", f"    {part['id']}: {part['answer_text']}\n").encode()


def test_connections_are_lent_again_not_reopened(course) -> None:
    served = served_course(course.root)
    first = served.connect()
    raw = first.raw
    first.close()
    with served.connect() as again:
        assert again.raw is raw and again.execute("SELECT count(*) FROM students").fetchone()[0] == 2
    with served.connect() as one, served.connect() as two:  # two at once: two connections
        assert one.raw is not two.raw
    assert served.pool.opened == 2


def test_keys_solved_again_and_a_revoked_token_count_at_the_next_request(course) -> None:
    tokens = {t.student_id: t.token for t in issue_student_tokens(course, None)}
    api = TestClient(create_app(course.root, RateSettings(per_minute=6000, burst=500)))
    auth = {"Authorization": f"Bearer {tokens['s1']}"}
    data = right_file(api, course, "s1", tokens["s1"])
    first = api.post("/api/v1/submissions", content=data, headers={**auth, "Idempotency-Key": "a"})
    assert first.status_code == 200 and first.json()["score"] == first.json()["max_score"] == 1.0
    with open_course(course.root).connect() as conn:  # another process solves the keys again: a new answer
        (row,) = store.variant_item_rows(conn, "hw1", "s1")
        solved = json.loads(row["solved"])
        for part in solved["parts"]:
            part["answer"] = int(part["answer"]) + 1
            part["answer_text"] = str(part["answer"])
        conn.execute(
            "UPDATE variant_items SET solved = ? WHERE assignment = ? AND student_id = ?",
            (json.dumps(solved), "hw1", "s1"),
        )
    again = api.post("/api/v1/submissions", content=data, headers={**auth, "Idempotency-Key": "b"})
    assert again.status_code == 200 and again.json()["score"] == 0.0  # graded against the new key
    revoke(open_course(course.root), student_id="s1")
    assert api.get("/api/v1/me", headers=auth).status_code == 401


def test_a_replaced_sqlite_file_is_not_used_through_an_old_connection(tmp_path) -> None:
    course = init_course(tmp_path / "c")
    served = served_course(course.root)
    with served.connect() as conn:  # one idle connection, on the original file (its WAL emptied)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = tmp_path / "copy.db"
    shutil.copy(course.db_path, copy)
    with store.connect(copy) as conn:
        conn.execute("INSERT INTO students (student_id, name) VALUES ('new', 'New')")
    copy.replace(course.db_path)  # restored from a backup, say: another file at the same path
    with served.connect() as conn:
        assert conn.execute("SELECT count(*) FROM students").fetchone()[0] == 1
    course.db_path.unlink()
    course.db_path.mkdir()  # no database any more: a clear error, not the old file
    with pytest.raises(store.StoreError):
        served.connect()


def test_an_ended_postgresql_session_is_replaced(tmp_path, pg_database) -> None:
    import psycopg

    course = init_course(tmp_path / "c", database=pg_database)
    served = served_course(course.root)
    with served.connect() as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    base = pg_database.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with served.connect() as conn:  # the ended session is not used: a new one answers, no error
        assert conn.execute("SELECT pg_backend_pid()").fetchone()[0] != pid


def test_a_connection_given_back_inside_a_transaction_is_closed(course) -> None:
    served = served_course(course.root)
    conn = served.connect()
    conn.execute("BEGIN")
    conn.close()
    with served.connect() as fresh:
        assert fresh is not conn
        with store.transaction(fresh, key="probe"):  # the write lock is free: nothing was left holding it
            fresh.execute("UPDATE students SET name = name")


def test_threads_racing_for_the_attempts_get_each_once(course) -> None:
    served = served_course(course.root)
    tokens = {t.student_id: t.token for t in issue_student_tokens(course, None)}
    data = right_file(TestClient(create_app(course.root)), course, "s2", tokens["s2"])

    def send(n: int) -> str:
        try:
            submit_text(served, data, as_student="s2", idempotency_key=f"k{n}", at=datetime.now(UTC))
            return "graded"
        except SubmissionRefused:
            return "refused"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(send, range(12)))
    assert outcomes.count("graded") == 3 and outcomes.count("refused") == 9
    with open_course(course.root).connect() as conn:
        assert store.graded_count(conn, "hw1", "s2") == 3
