"""The student install: the wheel (`pip wheel --no-deps`), installed in a fresh venv outside the checkout, brings
no torch, sympy, pandas or WeasyPrint, carries the bank, templates and fonts, and does login → submit → status
against a real `azmoon serve` (~20 s)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from test_server_faults import free_port, start_server

from course.assignments import create_assignment
from course.config import init_course
from course.generate import assignment_key, generate_assignment
from course.roster import import_roster
from server.auth import issue_student_tokens

ROOT = Path(__file__).resolve().parent.parent
STAFF_ONLY = ["torch", "sympy", "pandas", "weasyprint"]


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, **kwargs)
    assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="module")
def student_venv(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(where / "dist"), str(ROOT)])
    (wheel,) = (where / "dist").glob("azmoon-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("questions/conv_output_size.yaml", "templates/", "fonts/"):
        assert any(shipped in name for name in names), f"the wheel carries no {shipped}"
    venv.create(where / "v", with_pip=True)
    run([str(where / "v/bin/pip"), "install", "-q", str(wheel)])
    return where / "v"


def test_student_install_has_no_staff_dependencies(student_venv: Path) -> None:
    found = run([str(student_venv / "bin/python"), "-m", "pip", "list", "--format", "json"]).stdout
    installed = {entry["name"].lower() for entry in json.loads(found)}
    assert installed.isdisjoint(STAFF_ONLY), installed & set(STAFF_ONLY)
    assert "Usage" in run([str(student_venv / "bin/azmoon"), "--help"], cwd=student_venv).stdout


def test_student_login_submit_status_round_trip_without_torch(student_venv: Path, tmp_path: Path) -> None:
    course = init_course(tmp_path / "c")
    (tmp_path / "roster.csv").write_text("student_id,name\ns1,Sara\n", encoding="utf-8")
    import_roster(course, tmp_path / "roster.csv")
    create_assignment(course, "hw1", ["conv_output_size"], attempts=2)
    generate_assignment(course, "hw1", None)
    token = issue_student_tokens(course, None)[0].token
    port = free_port()
    server = start_server(course.root, port)
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AZMOON_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("PYTHONPATH", None)
    azmoon = str(student_venv / "bin/azmoon")
    try:
        run([azmoon, "login", url], input=token, env=env, cwd=tmp_path)
        text = run([azmoon, "status", "--json"], env=env, cwd=tmp_path).stdout
        assert json.loads(text)["student_id"] == "s1" and token not in text
        import urllib.request

        request = urllib.request.Request(
            url + "/api/v1/assignments/hw1/answers.yaml", headers={"Authorization": f"Bearer {token}"}
        )
        answers = urllib.request.urlopen(request, timeout=30).read().decode()
        for part in assignment_key(course, "hw1", "s1")[0]["items"][0]["parts"]:
            answers = answers.replace(f"    {part['id']}:\n", f"    {part['id']}: {part['answer_text']}\n")
        (tmp_path / "answers.yaml").write_text(answers, encoding="utf-8")
        result = json.loads(run([azmoon, "submit", "answers.yaml", "--json"], env=env, cwd=tmp_path).stdout)
        assert result["status"] == "graded" and result["score"] == result["max_score"]
    finally:
        server.terminate()
        server.wait(timeout=30)
