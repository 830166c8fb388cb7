"""course/store/web.py on SQLite and PostgreSQL: sessions found by their hash while open, unexpired and their
token live; drafts kept one per (assignment, student), the newest winning."""

from __future__ import annotations

from pathlib import Path

from course.config import init_course
from course.store import tokens as token_db
from course.store import web as db

FUTURE, PAST = "2999-01-01T00:00:00.000000Z", "2000-01-01T00:00:00.000000Z"


def test_sessions_live_while_open_unexpired_and_their_token_live(
    course_database: str, tmp_path: Path
) -> None:
    course = init_course(tmp_path / "course", database=course_database)
    with course.connect() as conn:
        token_db.insert_token(conn, "bearer-1", "staff", None, "ta-sara")
        db.open_session(
            conn, "cookie-open", token_db.token_hash("bearer-1"), "staff", None, "ta-sara", FUTURE
        )
        db.open_session(conn, "cookie-old", token_db.token_hash("bearer-1"), "staff", None, "ta-sara", PAST)
        assert db.live_session(conn, "cookie-open")["name"] == "ta-sara"
        assert db.live_session(conn, "cookie-old") is None and db.live_session(conn, "cookie-unknown") is None
        stored = [
            r["session_hash"] for r in conn.execute("SELECT session_hash FROM web_sessions ORDER BY id")
        ]
        assert stored == [db.sha256_hex("cookie-open"), db.sha256_hex("cookie-old")]
        token_db.revoke_tokens(conn, staff="ta-sara")
        assert db.live_session(conn, "cookie-open") is None  # revoking the token ends its sessions
        token_db.insert_token(conn, "bearer-2", "staff", None, "ta-sara")
        db.open_session(conn, "cookie-2", token_db.token_hash("bearer-2"), "staff", None, "ta-sara", FUTURE)
        db.end_session(conn, "cookie-2")
        assert db.live_session(conn, "cookie-2") is None


def test_a_draft_is_one_row_per_assignment_and_student(course_database: str, tmp_path: Path) -> None:
    course = init_course(tmp_path / "course", database=course_database)
    with course.connect() as conn:
        assert db.draft(conn, "hw1", "40110001") is None
        db.save_draft(conn, "hw1", "40110001", {"conv_output_size.out": "۱۲"})
        db.save_draft(conn, "hw1", "40110001", {"conv_output_size.out": "۱۲۳", "a.b": "متن"})
        fields, saved_at = db.draft(conn, "hw1", "40110001")
        assert fields == {"conv_output_size.out": "۱۲۳", "a.b": "متن"} and saved_at.endswith("Z")
        assert conn.execute("SELECT count(*) FROM web_drafts").fetchone()[0] == 1
