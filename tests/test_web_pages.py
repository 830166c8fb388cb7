"""The web pages over HTTP, without a browser (what the browser tests cannot see well): cookie flags behind TLS,
a wrong token told apart from nothing, sessions stored hashed and ended by revoking the token, no key in the
answer form, drafts, uploads, a double click counted once, another student's file refused, roles kept apart,
a TA's score out of range refused. Each test runs on its own copy of one course made with the CLI."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from web_course import STUDENTS, WRITTEN, issue_tokens, key_of, make_app, make_course

from course.config import open_course
from server.auth import revoke

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], str]:
    root = make_course(tmp_path_factory.mktemp("web-pages"))
    students, staff = issue_tokens(root)
    return root, students, staff


@pytest.fixture
def course_dir(made: tuple[Path, dict[str, str], str], tmp_path: Path) -> Path:
    copy = tmp_path / "course"
    shutil.copytree(made[0], copy)
    return copy


@pytest.fixture
def client(course_dir: Path) -> Iterator[TestClient]:
    with TestClient(make_app(course_dir), follow_redirects=False) as client:
        yield client


@pytest.fixture
def tokens(made: tuple[Path, dict[str, str], str]) -> tuple[dict[str, str], str]:
    return made[1], made[2]


def csrf_of(html: str) -> str:
    return CSRF.search(html).group(1)


def sign_in(client: TestClient, token: str, **headers: str) -> Any:
    page = client.get("/")
    return client.post("/signin", data={"token": token, "csrf": csrf_of(page.text)}, headers=headers)


def rows(course_dir: Path, sql: str, *args: Any) -> list[tuple]:
    conn = sqlite3.connect(course_dir / "course.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def graded(course_dir: Path, student: str) -> int:
    return rows(
        course_dir, "SELECT count(*) FROM submissions WHERE student_id = ? AND status = 'graded'", student
    )[0][0]


def answer_form(client: TestClient, **typed: str) -> dict[str, str]:
    page = client.get("/assignments/hw1")
    assert page.status_code == 200
    key = re.search(r'name="attempt_key" value="([^"]+)"', page.text).group(1)
    return {"csrf": csrf_of(page.text), "attempt_key": key, **typed}


# --- sign in --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "secure"),
    [({}, False), ({"X-Forwarded-Proto": "https"}, True)],
    ids=["plain-http", "behind-tls"],
)
def test_the_session_cookie_is_httponly_strict_and_secure_behind_tls(
    client: TestClient, tokens: tuple[dict[str, str], str], headers: dict[str, str], secure: bool
) -> None:
    response = sign_in(client, tokens[0][STUDENTS[0]], **headers)
    assert response.status_code == 303 and response.headers["location"] == "/assignments"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("azmoon_session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "samesite=strict" in flags
    assert ("secure" in flags) is secure


def test_a_wrong_and_a_revoked_token_get_the_same_answer(
    client: TestClient, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    revoke(open_course(course_dir), student_id=STUDENTS[1])
    answers = [sign_in(client, token) for token in ("x" * 43, tokens[0][STUDENTS[1]], "", "é" * 10)]
    assert {a.status_code for a in answers} == {401}
    bodies = {CSRF.sub("", a.text) for a in answers}
    assert len(bodies) == 1  # nothing says whether the student exists
    assert "Reza" not in bodies.pop()
    assert rows(course_dir, "SELECT count(*) FROM web_sessions")[0][0] == 0


def test_sessions_are_stored_hashed_and_end_with_the_token(
    client: TestClient, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(client, tokens[0][STUDENTS[0]])
    session = client.cookies["azmoon_session"]
    stored = rows(course_dir, "SELECT session_hash, token_hash FROM web_sessions")
    assert stored == [
        (
            hashlib.sha256(session.encode()).hexdigest(),
            hashlib.sha256(tokens[0][STUDENTS[0]].encode()).hexdigest(),
        )
    ]
    assert session not in (course_dir / "course.db").read_bytes().decode("latin-1")
    assert client.get("/assignments").status_code == 200
    revoke(open_course(course_dir), student_id=STUDENTS[0])
    assert client.get("/assignments").headers["location"] == "/"


def test_pages_carry_security_headers(client: TestClient, tokens: tuple[dict[str, str], str]) -> None:
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    assert client.get("/static/web.css").status_code == 200
    assert client.get("/static/fonts/Vazirmatn-Regular.ttf").headers["content-type"] == "font/ttf"
    assert client.get("/static/fonts/..%2Fcourse.yaml").status_code == 404


# --- the answer form ------------------------------------------------------------------------------------------


def test_the_answer_form_carries_no_key(
    client: TestClient, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    import json

    sign_in(client, tokens[0][STUDENTS[0]])
    page = client.get("/assignments/hw1").text
    for (solved,) in rows(course_dir, "SELECT solved FROM variant_items WHERE student_id = ?", STUDENTS[0]):
        solved = json.loads(solved)
        assert solved["solution"]["en"].splitlines()[0] not in page
        for part in solved["parts"]:
            assert f'name="{solved["item"]}.{part["id"]}"' in page  # one field per part, named item.part
            for option in part.get("options", []):
                assert option["feedback"]["en"] not in page
            for mistake in part.get("misconceptions", []):
                assert mistake["hint"]["en"] not in page


def test_a_draft_saved_by_the_script_comes_back_and_unknown_fields_are_dropped(
    client: TestClient, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(client, tokens[0][STUDENTS[0]])
    form = answer_form(client, **{"conv_output_size.out": "۱۲۳", "nosuch.part": "x"})
    saved = client.post("/assignments/hw1/draft", data=form, headers={"X-Azmoon-Draft": "1"})
    assert saved.status_code == 204 and saved.headers["x-draft-saved-at"]
    assert 'value="۱۲۳"' in client.get("/assignments/hw1").text
    assert rows(course_dir, "SELECT fields FROM web_drafts") == [('{"conv_output_size.out": "۱۲۳"}',)]
    too_long = answer_form(client, **{"conv_output_size.out": "9" * 3000})
    assert client.post("/assignments/hw1", data={**too_long, "action": "save"}).status_code == 413
    assert graded(course_dir, STUDENTS[0]) == 0


def test_a_double_click_on_submit_counts_one_attempt(
    client: TestClient, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(client, tokens[0][STUDENTS[0]])
    answer = key_of(course_dir, STUDENTS[0])["conv_output_size"]["out"]["answer_text"]
    form = {**answer_form(client, **{"conv_output_size.out": answer}), "action": "submit"}
    first, second = client.post("/assignments/hw1", data=form), client.post("/assignments/hw1", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert graded(course_dir, STUDENTS[0]) == 1
    feedback = client.get(first.headers["location"]).text
    assert re.search(r'id="score"[^>]*>1 / 6<', feedback)  # conv_output_size right (1 point), nothing else


def _filled_answer_file(client: TestClient, course_dir: Path, student: str) -> bytes:
    template = yaml.safe_load(client.get("/assignments/hw1/answers.yaml").text)
    key = key_of(course_dir, student)
    for parts in template["answers"].values():  # the reader takes every scalar as typed text: blanks as ""
        parts.update({part: "" for part, typed in parts.items() if typed is None})
    template["answers"]["conv_output_size"]["out"] = key["conv_output_size"]["out"]["answer_text"]
    return yaml.safe_dump(template, allow_unicode=True).encode()


def test_an_uploaded_answer_file_is_graded_and_another_students_is_refused(
    client: TestClient, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(client, tokens[0][STUDENTS[1]])
    someone_elses = _filled_answer_file(client, course_dir, STUDENTS[1])  # student 1's own file
    client.cookies.clear()
    sign_in(client, tokens[0][STUDENTS[2]])
    csrf = csrf_of(client.get("/assignments/hw1").text)
    refused = client.post(
        "/assignments/hw1/upload", data={"csrf": csrf}, files={"answers": ("a.yaml", someone_elses)}
    )
    assert refused.status_code == 409 and "signed in as" in refused.text
    mine = _filled_answer_file(client, course_dir, STUDENTS[2])
    accepted = client.post(
        "/assignments/hw1/upload", data={"csrf": csrf}, files={"answers": ("a.yaml", mine)}
    )
    assert accepted.status_code == 303
    assert re.search(r'id="score"[^>]*>1 / 6<', client.get(accepted.headers["location"]).text)
    assert graded(course_dir, STUDENTS[2]) == 1 and graded(course_dir, STUDENTS[1]) == 0


# --- roles ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("student", "/staff"),
        ("student", "/staff/assignments/hw1"),
        ("student", "/staff/assignments/hw1/written"),
        ("student", f"/staff/students/{STUDENTS[1]}"),
        ("student", "/staff/assignments/hw1/gradebook.csv"),
        ("staff", "/assignments"),
        ("staff", "/assignments/hw1"),
    ],
)
def test_each_role_sees_only_its_own_pages(
    client: TestClient, tokens: tuple[dict[str, str], str], who: str, path: str
) -> None:
    sign_in(client, tokens[0][STUDENTS[0]] if who == "student" else tokens[1])
    response = client.get(path)
    assert response.status_code == 403
    assert 'lang="fa" dir="rtl"' in response.text and 'lang="en" dir="ltr"' in response.text


def test_a_signed_out_visitor_is_sent_to_sign_in_and_a_post_is_refused(client: TestClient) -> None:
    assert client.get("/assignments/hw1").headers["location"] == "/"
    assert client.post("/assignments/hw1", data={"action": "submit"}).status_code == 401


def test_a_ta_score_outside_the_parts_points_is_refused(
    client: TestClient, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(client, tokens[0][STUDENTS[3]])
    form = {
        **answer_form(client, **{".".join(WRITTEN): "equivariance: f(shift(x)) = shift(f(x))"}),
        "action": "submit",
    }
    assert client.post("/assignments/hw1", data=form).status_code == 303
    client.cookies.clear()
    sign_in(client, tokens[1])
    page = client.get("/staff/assignments/hw1/written").text
    submission = re.search(r'name="submission" value="(\d+)"', page).group(1)
    grade = {
        "csrf": csrf_of(page),
        "submission": submission,
        "item": WRITTEN[0],
        "part": WRITTEN[1],
        "at": "0",
    }
    for score in ("99", "-1", "nan", "two"):
        refused = client.post("/staff/assignments/hw1/written", data={**grade, "score": score})
        assert refused.status_code == 400, score
    assert rows(course_dir, "SELECT count(*) FROM written_grades")[0][0] == 0
    saved = client.post("/staff/assignments/hw1/written", data={**grade, "score": "۱٫۵", "comment": "ok"})
    assert saved.status_code == 303
    assert rows(course_dir, "SELECT score, comment, grader FROM written_grades") == [(1.5, "ok", "ta-sara")]


def test_a_student_downloads_their_worksheet_and_answer_file_and_a_ta_the_gradebook(
    client: TestClient, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(client, tokens[0][STUDENTS[0]])
    pdf = client.get("/assignments/hw1/worksheet.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    header = yaml.safe_load(client.get("/assignments/hw1/answers.yaml").text)
    assert header["student"] == STUDENTS[0] and set(header["answers"]) == {"conv_output_size", WRITTEN[0]}
    client.cookies.clear()
    sign_in(client, tokens[1])
    gradebook = client.get("/staff/assignments/hw1/gradebook.csv")
    assert gradebook.status_code == 200 and STUDENTS[0] in gradebook.content.decode("utf-8-sig")


@pytest.mark.parametrize("path", ["/submissions/abc", "/submissions/999999", "/assignments/nosuch"])
def test_a_page_that_does_not_exist_is_a_bilingual_404(
    client: TestClient, tokens: tuple[dict[str, str], str], path: str
) -> None:
    sign_in(client, tokens[0][STUDENTS[0]])
    response = client.get(path)
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]
    assert "پیدا نشد" in response.text and "Not found" in response.text


def test_an_unreadable_upload_is_said_in_both_languages_and_uses_no_attempt(
    client: TestClient, course_dir: Path, tokens: tuple[dict[str, str], str]
) -> None:
    sign_in(client, tokens[0][STUDENTS[0]])
    csrf = csrf_of(client.get("/assignments/hw1").text)
    garbage = client.post(
        "/assignments/hw1/upload", data={"csrf": csrf}, files={"answers": ("a.yaml", b"\x00[: {")}
    )
    assert garbage.status_code == 422
    assert "no attempt" in garbage.text and "تلاشی کم نشد" in garbage.text
    assert client.post("/assignments/hw1/upload", data={"csrf": csrf}).status_code == 400
    assert graded(course_dir, STUDENTS[0]) == 0
