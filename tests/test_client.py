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


FULL_CLI = "from commands import app; app()"  # the Typer command tree, without the fast start


def modules_imported(stderr: str) -> set[str]:
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time")}


def test_student_commands_start_light_and_say_what_the_full_cli_says(served, tmp_path):
    course, url = served
    token = issue_student_tokens(course, ["s1"])[0].token
    config = tmp_path / "cfg"
    assert azmoon(config, "login", url, stdin=token + "\n").returncode == 0
    request = urllib.request.Request(
        url + "/api/v1/assignments/hw1/answers.yaml", headers={"Authorization": f"Bearer {token}"}
    )
    (tmp_path / "wrong.yaml").write_text(
        urllib.request.urlopen(request).read().decode().replace("out:\n", "out: 1\n")
    )
    (tmp_path / "dead.yaml").write_text(
        f'server: "http://127.0.0.1:{free_port()}"\nassignment: hw1\nanswers: {{}}\n'
    )
    env = {**os.environ, "AZMOON_CONFIG_DIR": str(config)}
    for args in (
        ["submit", str(tmp_path / "wrong.yaml")],  # graded, then the same again: the stored original
        ["submit", str(tmp_path / "wrong.yaml"), "--json", "-v"],
        ["status"],
        ["status", "--server", url, "--json"],
        ["submit", str(tmp_path / "dead.yaml")],  # cannot reach: one line, the file kept
        ["submit", str(tmp_path / "missing.yaml")],  # falls back to the full command line: same words
        ["status", "--server", "http://127.0.0.1:1"],  # not logged in there
    ):
        light = subprocess.run([sys.executable, "-X", "importtime", "cli.py", *args], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=60)  # fmt: skip
        full = subprocess.run([sys.executable, "-c", FULL_CLI, *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60)  # fmt: skip
        said = "\n".join(line for line in light.stderr.splitlines() if not line.startswith("import time"))
        stdout = light.stdout
        if "--json" in args and args[0] == "status":  # the server's clock moved on between the two
            stdout, full.stdout = (json.loads(text) | {"server_time": None} for text in (stdout, full.stdout))
        assert (light.returncode, stdout, said.strip()) == (
            full.returncode,
            full.stdout,
            full.stderr.strip(),
        ), args
        if str(tmp_path / "missing.yaml") not in args:
            heavy = {
                m for m in modules_imported(light.stderr) if m.split(".")[0] in ("typer", "click", "commands")
            }
            assert not heavy and "course.submit" not in modules_imported(light.stderr), (args, heavy)
