"""The student client against a real `azmoon serve` (uvicorn on 127.0.0.1): login from stdin, submit, status."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from course.assignments import create_assignment
from course.config import init_course
from course.generate import assignment_key, generate_assignment
from course.roster import import_roster
from server.auth import issue_student_tokens

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "c"
    course = init_course(root)
    (root / "r.csv").write_text("student_id,name\ns1,Sara\n", encoding="utf-8")
    import_roster(course, root / "r.csv")
    create_assignment(course, "hw1", ["conv_output_size"], attempts=2)
    generate_assignment(course, "hw1", None)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "cli.py", "serve", "--course", str(root), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/api/v1/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield course, url
    proc.terminate()
    proc.wait(timeout=10)


def azmoon(config, *args, stdin=""):
    env = {**os.environ, "AZMOON_CONFIG_DIR": str(config)}
    return subprocess.run(
        [sys.executable, "cli.py", *args],
        cwd=ROOT,
        input=stdin,
        text=True,
        capture_output=True,
        env=env,
        timeout=60,
    )


def test_login_submit_status(served, tmp_path):
    course, url = served
    token = issue_student_tokens(course, ["s1"])[0].token
    config = tmp_path / "cfg"
    assert azmoon(config, "login", url, stdin=token + "\n").returncode == 0
    assert oct((config / "credentials.json").stat().st_mode & 0o777) == "0o600"
    request = urllib.request.Request(
        url + "/api/v1/assignments/hw1/answers.yaml", headers={"Authorization": f"Bearer {token}"}
    )
    text = urllib.request.urlopen(request).read().decode()
    part = assignment_key(course, "hw1", "s1")[0]["items"][0]["parts"][0]
    answers = tmp_path / "answers.yaml"
    answers.write_text(text.replace(f"    {part['id']}:\n", f"    {part['id']}: {part['answer_text']}\n"))
    first = azmoon(config, "submit", str(answers), "--json")
    again = azmoon(config, "submit", str(answers), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == json.loads(again.stdout)  # the retry counts no second attempt
    status = json.loads(azmoon(config, "status", "--json").stdout)
    assert status["assignments"][0]["attempts_used"] == 1


def test_network_failure_is_one_line_and_keeps_file(tmp_path):
    config = tmp_path / "cfg"
    url = f"http://127.0.0.1:{free_port()}"
    answers = tmp_path / "answers.yaml"
    answers.write_text(f'server: "{url}"\nassignment: hw1\nstudent: s1\nanswers: {{}}\n')
    config.mkdir()
    (config / "credentials.json").write_text(json.dumps({"servers": {url: {"token": "t"}}, "default": url}))
    result = azmoon(config, "submit", str(answers))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot reach" in result.stderr and answers.is_file()
