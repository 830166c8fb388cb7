"""The course server's API on a real generated course: tokens, 401/403, submit round trip, idempotency, bounds."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from course.assignments import create_assignment
from course.config import init_course
from course.generate import assignment_key, generate_assignment
from course.roster import import_roster
from server.app import create_app
from server.auth import issue_staff_token, issue_student_tokens, revoke
from server.limits import RateSettings


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("srv") / "c"
    course = init_course(root)
    roster = root / "roster.csv"
    roster.write_text("student_id,name\ns1,Sara\ns2,Reza\n", encoding="utf-8")
    import_roster(course, roster)
    create_assignment(course, "hw1", ["conv_output_size"], attempts=2)
    generate_assignment(course, "hw1", None)
    return course


@pytest.fixture(scope="module")
def tokens(course):
    issued = {t.student_id: t.token for t in issue_student_tokens(course, None)}
    issued["staff"] = issue_staff_token(course, "ta").token
    return issued


def client(course, burst=50):
    return TestClient(create_app(course.root, RateSettings(per_minute=600, burst=burst)))


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def filled(course, text, student):
    key = assignment_key(course, "hw1", student)[0]["items"][0]["parts"][0]
    return text.replace(f"    {key['id']}:\n", f"    {key['id']}: {key['answer_text']}\n")


@pytest.mark.parametrize("token", ["", "wrong-token", "x" * 500])
def test_wrong_token_is_401_json(course, token):
    response = client(course).get("/api/v1/me", headers=auth(token))
    assert response.status_code == 401
    assert set(response.json()["error"]["message"]) == {"fa", "en"}


def test_round_trip_idempotent_and_private(course, tokens):
    api = client(course)
    me = api.get("/api/v1/me", headers=auth(tokens["s1"])).json()
    assert me["student_id"] == "s1" and me["assignments"][0]["attempts_left"] == 2
    text = api.get("/api/v1/assignments/hw1/answers.yaml", headers=auth(tokens["s1"])).text
    assert "server:" in text and tokens["s1"] not in text
    body = filled(course, text, "s1").encode()
    headers = {**auth(tokens["s1"]), "Idempotency-Key": "k1"}
    first = api.post("/api/v1/submissions", content=body, headers=headers)
    again = api.post("/api/v1/submissions", content=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json() == again.json() and first.json()["attempt"] == 1
    assert first.json()["score"] == first.json()["max_score"]
    mine = api.get("/api/v1/submissions", headers=auth(tokens["s1"])).json()
    assert [s["attempt"] for s in mine] == [1]
    assert api.get("/api/v1/submissions", headers=auth(tokens["s2"])).json() == []
    forged = api.post("/api/v1/submissions", content=body, headers=auth(tokens["s2"]))
    assert forged.status_code == 409
    assert course.secret().hex() not in first.text + forged.text


def test_staff_routes(course, tokens):
    api = client(course)
    assert api.get("/api/v1/staff/assignments/hw1/submissions", headers=auth(tokens["s1"])).status_code == 403
    rows = api.get("/api/v1/staff/assignments/hw1/submissions", headers=auth(tokens["staff"]))
    assert rows.status_code == 200 and isinstance(rows.json(), list)
    csv_text = api.get("/api/v1/staff/assignments/hw1/gradebook", headers=auth(tokens["staff"])).text
    assert csv_text.startswith("student_id")


def test_body_bound_and_rate_limit(course, tokens):
    api = client(course, burst=3)
    big = api.post("/api/v1/submissions", content=b"a" * (256 * 1024 + 1), headers=auth(tokens["s2"]))
    assert big.status_code == 413 and json.loads(big.text)["error"]["code"] == "too_large"
    codes = [api.get("/api/v1/me", headers=auth(tokens["s2"])).status_code for _ in range(5)]
    assert 429 in codes
    limited = api.get("/api/v1/me", headers=auth(tokens["s2"]))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_revoked_token_is_401(course):
    token = issue_student_tokens(course, ["s2"])[0].token
    api = client(course)
    assert api.get("/api/v1/me", headers=auth(token)).status_code == 200
    revoke(course, student_id="s2")
    assert api.get("/api/v1/me", headers=auth(token)).status_code == 401


def test_a_retried_unreadable_file_gets_the_original_answer(course, tokens):
    api = client(course)
    headers = {**auth(tokens["s1"]), "Idempotency-Key": "broken-1"}
    first = api.post("/api/v1/submissions", content=b"answers: [unclosed\n", headers=headers)
    again = api.post("/api/v1/submissions", content=b"answers: [unclosed\n", headers=headers)
    assert first.status_code == again.status_code == 422
    assert first.json() == again.json() and "no attempt" in first.json()["error"]["message"]["en"]
