"""`make demo`: the seed sheet's arithmetic, then a TA's whole day on the bundled example course.

Every step runs the real command line (`python cli.py ...`) in a subprocess, so what is printed is what a user
sees. The three students' answer files are filled in from the stored key (`azmoon assignment key --json`):
one all right, one half right (the other half gets the typical wrong answers the solvers predict), one with
answers that cannot be read (format errors: no attempt used). A fourth file, a copy of the right answers with
another student's id in the header, shows a forged submission refused (and kept).

Then the course server: `azmoon serve` on 127.0.0.1, tokens for the class, and two students who have only the
light client (`azmoon login`, `azmoon submit`, `azmoon status`, each with a config folder of their own) submit
from "their laptops": the answers.yaml they download names the server, the key never leaves it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "course"
COURSE = ROOT / "demo-course"
BUILD = COURSE / "build" / "hw4"
SUBMISSIONS = COURSE / "submissions"


def banner(text: str) -> None:
    print(f"\n{'=' * 100}\n$ {text}\n{'=' * 100}", flush=True)


def azmoon(
    *args: str, check: bool = True, capture: bool = False, stdin: str | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    banner("azmoon " + " ".join(args))
    result = subprocess.run(
        [sys.executable, "cli.py", *args],
        cwd=ROOT,
        text=True,
        capture_output=capture,
        check=False,
        input=stdin,
        env={**os.environ, **(env or {})},
    )
    if capture and result.stderr:
        print(result.stderr, end="", file=sys.stderr)
    if check and result.returncode != 0:
        raise SystemExit(f"demo: `azmoon {' '.join(args)}` failed with exit code {result.returncode}")
    return result


def shown(value: Any) -> str:
    """A key value as a student would type it."""
    if isinstance(value, list):
        return "×".join(str(v) for v in value)
    return str(value)


def wrong_answer(part: dict[str, Any], misconceptions: list[Any]) -> str:
    """The typical wrong answer the solver predicts, else a plainly wrong one of the right form."""
    if misconceptions:
        return shown(misconceptions[0])
    answer = part["answer"]
    if part["kind"] == "shape" and isinstance(answer, list):
        return shown([answer[0] * 2, *answer[1:]])
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return "z" if part["kind"] == "choice" else "0"
    return shown(answer * 2 + 1 if isinstance(answer, int) else round(answer * 1.5 + 1, 4))


UNREADABLE = {"shape": "thirty-two by 122", "integer": "about 4.7k?", "real": "1.2.3", "choice": "b or c"}


def fill(template: str, values: dict[tuple[str, str], str]) -> str:
    """Write values after the part ids of a blank answers.yaml, keeping its comments."""
    lines, item = [], None
    for line in template.splitlines():
        if match := re.match(r"^  ([^\s#][^:]*):\s*$", line):
            item = match.group(1)
        elif (match := re.match(r"^    ([^\s#][^:]*):\s*$", line)) and (item, match.group(1)) in values:
            line = f"{line.rstrip()} {json.dumps(values[(item, match.group(1))], ensure_ascii=False)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def student_key(student_id: str) -> dict[str, Any]:
    """One student's stored key, as the TA gets it (`azmoon assignment key --json`)."""
    document = azmoon(
        "assignment", "key", "hw4", "--student", student_id, "--json", "--course", str(COURSE), capture=True
    )
    return json.loads(document.stdout)[0]


def answer_files(student_ids: list[str]) -> dict[str, Path]:
    """Fill three students' answer files from the stored key: right, half right, format errors."""
    SUBMISSIONS.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for kind, student_id in zip(("right", "half-right", "format-errors"), student_ids, strict=True):
        key = student_key(student_id)
        stored = _misconceptions(student_id)
        values: dict[tuple[str, str], str] = {}
        count = 0
        for item in key["items"]:
            for part in item["parts"]:
                count += 1
                right = part["answer_text"]
                if kind == "half-right" and count % 2 == 0:
                    right = wrong_answer(part, stored.get((item["item"], part["id"]), []))
                if kind == "format-errors" and count in (3, 20, 60):
                    right = UNREADABLE.get(part["kind"], "???")
                values[(item["item"], part["id"])] = right
        template = (BUILD / student_id / "answers.yaml").read_text(encoding="utf-8")
        path = SUBMISSIONS / f"{student_id}-{kind}.yaml"
        path.write_text(fill(template, values), encoding="utf-8")
        files[kind] = path
    return files


def _fixed(path: Path, student_id: str) -> str:
    """The format-error file with its unreadable answers replaced by the right ones."""
    key = student_key(student_id)
    values = {(i["item"], p["id"]): p["answer_text"] for i in key["items"] for p in i["parts"]}
    text = path.read_text(encoding="utf-8")
    for unreadable in UNREADABLE.values():
        text = text.replace(json.dumps(unreadable), "null")
    blanked = re.sub(r"^(    [^\s#][^:]*):\s*null$", r"\1:", text, flags=re.M)
    return fill(blanked, values)


def _misconceptions(student_id: str) -> dict[tuple[str, str], list[Any]]:
    """The solvers' typical wrong answers of one variant (from the stored key in the course database)."""
    import sqlite3

    conn = sqlite3.connect(COURSE / "course.db")
    rows = conn.execute(
        "SELECT item, solved FROM variant_items WHERE assignment = 'hw4' AND student_id = ?", (student_id,)
    ).fetchall()
    conn.close()
    return {
        (item, part["id"]): [m["value"] for m in part.get("misconceptions", [])]
        for item, solved in rows
        for part in json.loads(solved)["parts"]
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_round_trip(course: tuple[str, str], students: list[str]) -> None:
    """Start the course server, and let two students submit with nothing but the client."""
    tokens_csv = COURSE / "tokens.csv"
    azmoon("tokens", "issue", "--all", "-o", str(tokens_csv), *course)
    with tokens_csv.open(encoding="utf-8") as f:
        tokens = {row["student_id"]: row["token"] for row in csv.DictReader(f)}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    banner(f"azmoon serve --course {COURSE} --host 127.0.0.1 --port {port}   (in the background)")
    server = subprocess.Popen(
        [
            sys.executable,
            "cli.py",
            "serve",
            "--course",
            str(COURSE),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
    )
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{url}/api/v1/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("demo: the server did not answer /api/v1/health")
        for student_id in students:
            laptop = COURSE / "laptops" / student_id  # the student's own machine: a config folder of its own
            laptop.mkdir(parents=True, exist_ok=True)
            env = {"AZMOON_CONFIG_DIR": str(laptop / "config")}
            azmoon("login", url, stdin=tokens[student_id] + "\n", env=env)
            request = urllib.request.Request(
                f"{url}/api/v1/assignments/hw4/answers.yaml",
                headers={"Authorization": f"Bearer {tokens[student_id]}"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                template = response.read().decode("utf-8")
            key = student_key(student_id)
            values = {(i["item"], p["id"]): p["answer_text"] for i in key["items"] for p in i["parts"]}
            answers = laptop / "answers.yaml"
            answers.write_text(fill(template, values), encoding="utf-8")
            azmoon("submit", str(answers), env=env)
            azmoon("status", env=env)
    finally:
        server.terminate()
        server.wait(timeout=20)
        banner("the server stopped (SIGTERM)")


def main() -> None:
    sheet = ROOT / "examples" / "sheet002_q1.txt"
    azmoon("trace", str(sheet.relative_to(ROOT)), "--input", "3x128x128")
    azmoon("solve", "cnn_table", "--seed", "0")

    settings = yaml.safe_load((EXAMPLE / "course.yaml").read_text(encoding="utf-8"))
    assignment = yaml.safe_load((EXAMPLE / "hw4.yaml").read_text(encoding="utf-8"))
    if COURSE.exists():
        shutil.rmtree(COURSE)
    course = ("--course", str(COURSE))
    azmoon(
        "course",
        "init",
        str(COURSE),
        "--name-fa",
        settings["name"]["fa"],
        "--name-en",
        settings["name"]["en"],
        "--term",
        settings["term"],
        "--attempts",
        str(settings["attempts"]),
        "--attempt-policy",
        settings["attempt_policy"],
    )
    azmoon("roster", "import", str(EXAMPLE / "roster.csv"), *course)
    azmoon(
        "assignment",
        "create",
        assignment["name"],
        "--items",
        ",".join(e["item"] for e in assignment["items"]),
        "--points",
        ",".join(str(e["points"]) for e in assignment["items"]),
        "--attempts",
        str(assignment["attempts"]),
        "--due",
        str(assignment["due"]),
        "--title-fa",
        assignment["title"]["fa"],
        "--title-en",
        assignment["title"]["en"],
        "--late",
        assignment["late"],
        "--grace",
        str(assignment["grace"]),
        *course,
    )
    azmoon("assignment", "generate", "hw4", "--out", str(BUILD), *course)

    roster = yaml.safe_load(azmoon("roster", "list", "--json", *course, capture=True).stdout)
    ids = [row["student_id"] for row in roster[:3]]
    files = answer_files(ids)
    for kind in ("right", "half-right", "format-errors"):
        azmoon("submit", str(files[kind]), *course)
    # the third student fixes the unreadable answers and submits again: this is still attempt 1
    fixed = SUBMISSIONS / f"{ids[2]}-fixed.yaml"
    fixed.write_text(_fixed(files["format-errors"], ids[2]), encoding="utf-8")
    azmoon("submit", str(fixed), *course)
    forged = SUBMISSIONS / f"{roster[3]['student_id']}-forged.yaml"
    forged.write_text(
        files["right"]
        .read_text(encoding="utf-8")
        .replace(f'student: "{ids[0]}"', f'student: "{roster[3]["student_id"]}"'),
        encoding="utf-8",
    )
    azmoon("submit", str(forged), *course, check=False)

    for fmt in ("wide", "canvas", "moodle"):
        azmoon(
            "gradebook", "export", "hw4", "--format", fmt, "-o", str(COURSE / f"grades-{fmt}.csv"), *course
        )
    azmoon("gradebook", "stats", "hw4", "--png", str(COURSE / "hw4-totals.png"), *course)

    serve_round_trip(course, [roster[4]["student_id"], roster[5]["student_id"]])
    azmoon(
        "gradebook", "export", "--all", "--format", "wide", "-o", str(COURSE / "grades-course.csv"), *course
    )

    banner("what to look at")
    print(
        f"worksheets (one per student): {BUILD}/<student_id>/worksheet.pdf, e.g. {BUILD / ids[0] / 'worksheet.pdf'}"
    )
    print(f"answer files to fill in:      {BUILD}/<student_id>/answers.yaml")
    print(f"the TA's key:                 {BUILD / 'key.pdf'}")
    print(f"filled answer files:          {SUBMISSIONS}/")
    print(
        f"gradebook CSVs:               {', '.join(str(COURSE / f'grades-{f}.csv') for f in ('wide', 'canvas', 'moodle'))}"
    )
    print(f"histogram of totals:          {COURSE / 'hw4-totals.png'}")
    print(f"students' laptops (client):   {COURSE / 'laptops'}/<student_id>/ (credentials, answers.yaml)")
    print(
        f"course database:              {COURSE / 'course.db'} (every submission is kept, refused ones too)"
    )


if __name__ == "__main__":
    main()
