"""A small course for the web page tests, made with the CLI: Tehran time, Jalali calendar, four students, `hw1` =
conv_output_size (1 point, an integer) + concept_equivariance (3 drawn choice parts of 1 point and a written part
of 2: 3 * 1 + 2 = 5 points), 1 + 5 = 6 points in all, three attempts, due in a month; worksheets generated
(PDFs, no key); a token for every student and one staff token.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from typer.testing import CliRunner

from commands import app as cli

ITEMS = "conv_output_size,concept_equivariance"
WRITTEN = ("concept_equivariance", "explain_equivariance")
STUDENTS = ["40110001", "40110002", "40110003", "40110004"]
ROSTER = (
    "student_id,name,email\n"
    f"{STUDENTS[0]},سارا محمدی,sara@example.edu\n"
    f"{STUDENTS[1]},Reza Karimi,\n"
    f"{STUDENTS[2]},نگار احمدی,\n"
    f"{STUDENTS[3]},علی رضایی,ali@example.edu\n"
)
runner = CliRunner()


def run_cli(*args: str) -> str:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def due_in_a_month() -> str:
    """'YYYY-MM-DD 23:59' in the Jalali calendar, 30 days from now in Tehran."""
    import jdatetime

    local = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tehran")) + timedelta(days=30)
    return jdatetime.datetime.fromgregorian(datetime=local.replace(tzinfo=None)).strftime("%Y-%m-%d 23:59")


def make_course(base: Path) -> Path:
    root = base / "course"
    run_cli("course", "init", str(root))
    settings = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
    settings.update({"timezone": "Asia/Tehran", "calendar": "jalali"})
    (root / "course.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    (base / "roster.csv").write_text(ROSTER, encoding="utf-8")
    run_cli("roster", "import", str(base / "roster.csv"), "--course", str(root))
    run_cli("assignment", "create", "hw1", "--items", ITEMS, "--attempts", "3", "--due", due_in_a_month(),
            "--course", str(root))  # fmt: skip
    run_cli("assignment", "generate", "hw1", "--out", str(root / "build" / "hw1"), "--course", str(root),
            "--workers", "1", "--no-key")  # fmt: skip
    return root


def issue_tokens(course_dir: Path) -> tuple[dict[str, str], str]:
    """Every student's token (`azmoon tokens issue --all -o tokens.csv`) and a staff token (`--staff`)."""
    out = course_dir.parent / "tokens.csv"
    run_cli("tokens", "issue", "--all", "--course", str(course_dir), "-o", str(out))
    with open(out, encoding="utf-8", newline="") as handle:
        students = {row["student_id"]: row["token"] for row in csv.DictReader(handle)}
    staff = run_cli("tokens", "issue", "--staff", "ta-sara", "--course", str(course_dir))
    return students, re.findall(r"(?<![\w-])[A-Za-z0-9_-]{43}(?![\w-])", staff)[-1]  # token_urlsafe(32)


def make_app(course_dir: Path) -> Any:
    """`server.app.create_app(course_dir)`: the JSON API and these pages."""
    from server.app import create_app

    return create_app(course_dir)


def key_of(course_dir: Path, student: str) -> dict[str, dict[str, Any]]:
    """The stored key of a student's variant (staff CLI `assignment key --json`): {item: {part: key part}}."""
    document = json.loads(run_cli("assignment", "key", "hw1", "--student", student, "--json", "--course",
                                  str(course_dir)))  # fmt: skip
    return {item["item"]: {p["id"]: p for p in item["parts"]} for item in document[0]["items"]}
