"""Keys never leave the staff: every student-facing response of a full run (who am I, answer files, submits
right, wrong, malformed and forged, retries, my submissions, errors) is scanned for the other students' stored
key values (`answer_text`) and the course secret."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from course.assignments import create_assignment
from course.config import init_course
from course.generate import assignment_key, generate_assignment
from course.roster import import_roster
from server.app import create_app
from server.auth import issue_student_tokens
from server.limits import RateSettings

STUDENTS = ["s1", "s2", "s3", "s4", "s5", "s6"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("leak") / "c"
    course = init_course(root)
    roster = root / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"{s},N {s}\n" for s in STUDENTS), encoding="utf-8")
    import_roster(course, roster)
    create_assignment(course, "hw1", ["conv_output_size", "dilated_conv"], attempts=3)
    generate_assignment(course, "hw1", None)
    return course


def key_values(course, student: str) -> set[str]:
    return {
        str(part["answer_text"]).strip()
        for item in assignment_key(course, "hw1", student)
        for entry in item["items"]
        for part in entry["parts"]
    }


def filled(text: str, course, student: str, wrong: bool = False) -> str:
    for item in assignment_key(course, "hw1", student):
        for entry in item["items"]:
            for part in entry["parts"]:
                value = "-12345" if wrong else part["answer_text"]
                text = text.replace(f"    {part['id']}:\n", f"    {part['id']}: {value}\n", 1)
    return text


def student_run(api: TestClient, course, student: str, token: str, other_file: str) -> list[str]:
    """Every response body a student sees in a full run, in order."""
    auth = {"Authorization": f"Bearer {token}"}
    seen = [api.get("/api/v1/me", headers=auth).text]
    answer_file = api.get("/api/v1/assignments/hw1/answers.yaml", headers=auth).text
    seen.append(answer_file)
    bodies = {
        "wrong": filled(answer_file, course, student, wrong=True),
        "malformed": answer_file + "\n  : [unclosed\n",
        "right": filled(answer_file, course, student),
        "forged": other_file,
    }
    for name, body in bodies.items():
        headers = {**auth, "Idempotency-Key": f"{student}-{name}"}
        for _ in range(2):  # the retry returns the stored original
            seen.append(api.post("/api/v1/submissions", content=body.encode(), headers=headers).text)
    seen.append(api.get("/api/v1/submissions", headers=auth).text)
    seen.append(api.get("/api/v1/submissions?assignment=hw1", headers=auth).text)
    seen.append(api.get("/api/v1/assignments/nope/answers.yaml", headers=auth).text)
    seen.append(api.get("/api/v1/staff/assignments/hw1/submissions", headers=auth).text)
    seen.append(api.get("/api/v1/staff/assignments/hw1/gradebook", headers=auth).text)
    return seen


def test_no_student_response_carries_another_students_key_or_the_secret(course) -> None:
    tokens = {t.student_id: t.token for t in issue_student_tokens(course, None)}
    api = TestClient(create_app(course.root, RateSettings(per_minute=6000, burst=500)))
    keys = {s: key_values(course, s) for s in STUDENTS}
    secret = course.secret()
    files = {
        s: api.get(
            "/api/v1/assignments/hw1/answers.yaml", headers={"Authorization": f"Bearer {tokens[s]}"}
        ).text
        for s in STUDENTS
    }
    scanned = 0
    for n, student in enumerate(STUDENTS):
        other = STUDENTS[(n + 1) % len(STUDENTS)]
        # the forged file is the neighbour's own file, filled: it must be refused without grading or echoing it
        responses = student_run(api, course, student, tokens[student], filled(files[other], course, other))
        foreign = set().union(*(keys[s] for s in STUDENTS if s != student)) - keys[student]
        # values of 3+ characters: a line number or a count in a message is not a key
        foreign = {v for v in foreign if len(v) >= 3 and v not in files[student] + files[other]}
        assert foreign, "the scan needs values only other students have"
        for body in responses:
            scanned += 1
            assert secret.hex() not in body and tokens[other] not in body
            for value in foreign:
                assert not re.search(rf"(?<![\w.]){re.escape(value)}(?![\w.])", body), (
                    student,
                    value,
                    body[:300],
                )
    assert scanned == len(STUDENTS) * 15
