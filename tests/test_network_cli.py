"""Issue 14, done when: a TA's network pasted as `nn.Sequential(...)` becomes an item, a preview PDF, a
200-seed self-test, an assignment and a graded submission -- through CLI commands only (no Python API)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PASTED = ROOT / "examples" / "mynet_sequential.txt"


def azmoon(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"azmoon {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


def fill(answer_file: Path, key: dict[str, str]) -> None:
    """Write each part's key text after its id, as a student would in the generated file."""
    lines = []
    for line in answer_file.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\s+)([a-z0-9_]+):\s*$", line)
        lines.append(f"{m.group(1)}{m.group(2)}: {key[m.group(2)]}" if m and m.group(2) in key else line)
    answer_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_pasted_sequential_to_graded_submission(tmp_path: Path) -> None:
    course = tmp_path / "course"
    azmoon("course", "init", str(course), cwd=tmp_path)
    azmoon("questions", "new", "mynet", "--from-network", str(PASTED), "--ask", "shape,params,flops:total,rf",
           "--input", "3x32x32", "--course", str(course), cwd=tmp_path)  # fmt: skip
    item = yaml.safe_load((course / "questions" / "mynet.yaml").read_text(encoding="utf-8"))
    assert item["family"] == "network" and item["canonical"]["values"]["c1"] == 16  # seed 0 = as pasted
    azmoon(
        "questions",
        "preview",
        "mynet",
        "--course",
        str(course),
        "-o",
        str(tmp_path / "item.pdf"),
        cwd=tmp_path,
    )
    assert (tmp_path / "item.pdf").read_bytes().startswith(b"%PDF")
    report = json.loads(azmoon("questions", "test", "mynet", "--seeds", "200", "--course", str(course), "--json",
                               cwd=tmp_path))  # fmt: skip
    assert report[0]["ok"] and report[0]["seeds"] == 200 and report[0]["distinct_variants"] > 50

    solved = json.loads(azmoon("solve", "mynet", "--course", str(course), "--json", cwd=tmp_path))
    answers = {p["id"]: p["answer"] for p in solved["parts"]}
    # seed 0 by hand: conv 3->16 k3 p1 on 32x32, pool 2, conv 16->32 k5 on 16x16, pool 2, fc 32*6*6->120->10
    assert answers["layer1_shape"] == [16, 32, 32]
    assert answers["layer1_params"] == 16 * 3 * 3 * 3 + 16
    assert answers["layer4_shape"] == [32, (16 - 5) // 1 + 1, (16 - 5) // 1 + 1]
    assert answers["layer4_params"] == 32 * 16 * 5 * 5 + 32
    assert answers["layer8_params"] == 120 * (32 * 6 * 6) + 120
    assert answers["layer6_rf"] == 1 + (3 - 1) * 1 + (2 - 1) * 1 + (5 - 1) * 2 + (2 - 1) * 2
    macs = 32 * 32 * 16 * 3 * 3 * 3 + 12 * 12 * 32 * 16 * 5 * 5 + 32 * 6 * 6 * 120 + 120 * 10
    assert answers["total_flops"] == 2 * macs

    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\n40101,Sara Ahmadi\n40102,Reza Karimi\n", encoding="utf-8")
    azmoon("roster", "import", str(roster), "--course", str(course), cwd=tmp_path)
    azmoon("assignment", "create", "hw1", "--items", "mynet", "--course", str(course), cwd=tmp_path)
    out = tmp_path / "out"
    azmoon("assignment", "generate", "hw1", "--out", str(out), "--workers", "1", "--course", str(course),
           cwd=tmp_path)  # fmt: skip
    keys = json.loads(azmoon("assignment", "key", "hw1", "--json", "--course", str(course), cwd=tmp_path))
    for student in keys:
        key = {p["id"]: p["answer_text"] for p in student["items"][0]["parts"]}
        answer_file = out / student["student_id"] / "answers.yaml"
        fill(answer_file, key)
        result = json.loads(
            azmoon("submit", str(answer_file), "--json", "--course", str(course), cwd=tmp_path)
        )
        assert result["score"] == result["max_score"] > 0, result
