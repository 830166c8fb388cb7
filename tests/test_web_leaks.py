"""Keys never leave the staff, on the web pages too: every page (and file) a student gets in a full run — sign-in
pages, the assignment list, the answer form, drafts, submits wrong and right, feedback pages, uploads of another
student's file and of a broken one, another student's submission, 404s, the staff pages refused, the answer file,
sign-out — is scanned for the other students' stored key values (`answer_text`), their tokens and the course
secret, as tests/test_server_leaks.py does for the API."""

from __future__ import annotations

import re

import pytest
import yaml
from fastapi.testclient import TestClient
from web_course import STUDENTS, issue_tokens, key_of, make_app, make_course

from course.config import open_course

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
RANDOM_VALUES = re.compile(r'value="[A-Za-z0-9_-]{16,}"')  # CSRF fields and attempt keys: random, not data


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory: pytest.TempPathFactory):
    root = make_course(tmp_path_factory.mktemp("web-leaks"))
    students, staff = issue_tokens(root)
    return root, students, staff


def signed_in(app, token: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    page = client.get("/")
    client.post("/signin", data={"token": token, "csrf": CSRF.search(page.text).group(1)})
    return client


def form_of(client: TestClient, typed: dict[str, str]) -> dict[str, str]:
    page = client.get("/assignments/hw1").text
    key = re.search(r'name="attempt_key" value="([^"]+)"', page).group(1)
    return {"csrf": CSRF.search(page).group(1), "attempt_key": key, **typed}


def filled_file(text: str, key: dict, right: bool) -> bytes:
    """The student's answers.yaml with every part typed: the key's answer (right) or a wrong one."""
    document = yaml.safe_load(text)
    for item, parts in document["answers"].items():
        for part in parts:
            expected = key[item][part]
            parts[part] = str(expected["answer"] if right else "-12345") if "options" not in expected else ""
    return yaml.safe_dump(document, allow_unicode=True).encode()


def typed_fields(key: dict, right: bool) -> dict[str, str]:
    return {
        f"{item}.{part}": (str(entry["answer_text"]) if right else "-12345")
        for item, parts in key.items()
        for part, entry in parts.items()
    }


def student_pages(app, token: str, key: dict, other: str, others_file: bytes, other_submission: int):
    """Every body a student gets in a full run of the pages, in order."""
    seen = []
    fresh = TestClient(app, follow_redirects=False)
    first = fresh.get("/")
    seen += [
        first.text,
        fresh.post("/signin", data={"token": "x" * 43, "csrf": CSRF.search(first.text).group(1)}).text,
    ]
    client = signed_in(app, token)

    def visit(response) -> None:
        seen.append(response.text)
        if response.status_code == 303 and response.headers["location"].startswith("/"):
            seen.append(client.get(response.headers["location"]).text)

    visit(client.get("/assignments"))
    visit(client.get("/assignments/hw1"))
    visit(client.post("/assignments/hw1/draft", data=form_of(client, typed_fields(key, right=False))))
    visit(
        client.post(
            "/assignments/hw1", data={**form_of(client, typed_fields(key, False)), "action": "submit"}
        )
    )
    visit(
        client.post("/assignments/hw1", data={**form_of(client, typed_fields(key, True)), "action": "submit"})
    )
    answer_file = client.get("/assignments/hw1/answers.yaml")
    visit(answer_file)
    csrf = CSRF.search(client.get("/assignments/hw1").text).group(1)
    for upload in (others_file, filled_file(answer_file.text, key, right=True), b"answers: [unclosed\n"):
        visit(
            client.post("/assignments/hw1/upload", data={"csrf": csrf}, files={"answers": ("a.yaml", upload)})
        )
    for path in (
        f"/submissions/{other_submission}",
        "/submissions/999999",
        "/assignments/nosuch",
        "/staff",
        "/staff/assignments/hw1",
        "/staff/assignments/hw1/written",
        f"/staff/students/{other}",
        "/staff/assignments/hw1/gradebook.csv",
    ):
        visit(client.get(path))
    visit(client.post("/signout", data={"csrf": csrf}))
    return seen


def test_no_student_page_carries_another_students_key_their_token_or_the_secret(course_dir) -> None:
    root, tokens, staff = course_dir
    app = make_app(root)
    secret = open_course(root).secret().hex()
    keys = {s: key_of(root, s) for s in STUDENTS}
    values = {
        s: {str(p["answer_text"]).strip() for parts in keys[s].values() for p in parts.values()}
        for s in STUDENTS
    }
    files = {s: signed_in(app, tokens[s]).get("/assignments/hw1/answers.yaml").text for s in STUDENTS}
    scanned = 0
    for n, student in enumerate(STUDENTS):
        other = STUDENTS[(n + 1) % len(STUDENTS)]
        # the neighbour submits once (their page number is what this student then tries to open)
        neighbour = signed_in(app, tokens[other])
        done = neighbour.post(
            "/assignments/hw1",
            data={**form_of(neighbour, typed_fields(keys[other], True)), "action": "submit"},
        )
        other_submission = int(done.headers["location"].rsplit("/", 1)[1])
        others_file = filled_file(files[other], keys[other], right=True)  # forged: refused, never echoed
        pages = student_pages(app, tokens[student], keys[student], other, others_file, other_submission)
        foreign = set().union(*(values[s] for s in STUDENTS if s != student)) - values[student]
        # values of 3+ characters that this student's own variant does not show (option ids it lists, say)
        foreign = {v for v in foreign if len(v) >= 3 and v not in files[student]}
        assert foreign, "the scan needs values only other students have"
        for body in pages:
            scanned += 1
            body = RANDOM_VALUES.sub("", body)
            assert secret not in body
            assert not any(tokens[s] in body for s in STUDENTS if s != student) and staff not in body
            for value in foreign:
                assert not re.search(rf"(?<![\w.]){re.escape(value)}(?![\w.])", body), (
                    student,
                    value,
                    body[:300],
                )
    assert scanned >= len(STUDENTS) * 25
