"""Bench: `azmoon assignment generate` on the bundled 60-student course, and `azmoon submit` latency.

Prints, in one run on this machine:
- generate end to end (cold CLI: solving every key with torch, then worksheets + key.pdf on 2 worker processes),
  in seconds and seconds per worksheet;
- a second generate (keys reused from the database: PDFs only), with and without key.pdf: seconds per worksheet
  (target <= 0.2 s) and per student's key pages (the difference, target <= 0.25 s), and the warning lines
  generate wrote to stderr (target: none);
- the same two figures in CPU seconds of every process of the run (the CLI and its workers: user + system),
  which the load of other jobs on the machine changes far less than wall time; the 2-core ideal is half of it;
- one worksheet and one student's key rendered warm in-process (one core): wall and CPU seconds;
- the load average before and after (wall-time figures are only comparable at a similar load);
- `azmoon submit` wall time (cold process, median of several) against cold `python -c "import torch"`; the
  target is submit <= 0.3 x import torch.

Usage: .venv/bin/python bench/generate.py [--students 60] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "course"


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process and its own children (pool workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


LAST_CPU = [0.0]  # CPU seconds of the last run()


def run(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    started, cpu = time.perf_counter(), children_cpu()
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    LAST_CPU[0] = children_cpu() - cpu
    if result.returncode != 0:
        raise SystemExit(f"bench: {' '.join(args)} failed:\n{result.stderr}")
    return elapsed, result


def azmoon(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    return run("cli.py", *args)


def setup(course: Path, students: int) -> None:
    assignment = yaml.safe_load((EXAMPLE / "hw4.yaml").read_text(encoding="utf-8"))
    roster_lines = (EXAMPLE / "roster.csv").read_text(encoding="utf-8").splitlines()
    roster = course.parent / "roster.csv"
    roster.write_text("\n".join(roster_lines[: students + 1]) + "\n", encoding="utf-8")
    azmoon("course", "init", str(course), "--attempts", "1000")
    azmoon("roster", "import", str(roster), "--course", str(course))
    azmoon(
        "assignment", "create", "hw4",
        "--items", ",".join(e["item"] for e in assignment["items"]),
        "--points", ",".join(str(e["points"]) for e in assignment["items"]),
        "--course", str(course),
    )  # fmt: skip


def generate(course: Path, out: Path, *extra: str) -> tuple[float, dict]:
    elapsed, result = azmoon(
        "assignment", "generate", "hw4", "--out", str(out), "--json", *extra, "--course", str(course)
    )
    document = json.loads(result.stdout)
    document["cpu_seconds"] = LAST_CPU[0]
    document["warnings"] = [line for line in result.stderr.splitlines() if "warn" in line.lower()]
    return elapsed, document


def filled_answers(course: Path, out: Path) -> Path:
    _, result = azmoon("roster", "list", "--json", "--course", str(course))
    student = json.loads(result.stdout)[0]["student_id"]
    _, result = azmoon("assignment", "key", "hw4", "--student", student, "--json", "--course", str(course))
    key = json.loads(result.stdout)[0]
    header = yaml.safe_load((out / student / "answers.yaml").read_text(encoding="utf-8"))
    answers = {item["item"]: {p["id"]: p["answer_text"] for p in item["parts"]} for item in key["items"]}
    path = course / "bench-answers.yaml"
    path.write_text(
        yaml.safe_dump({k: header[k] for k in ("assignment", "student", "variant")} | {"answers": answers}),
        encoding="utf-8",
    )
    return path


def warm_render(course_dir: Path, repeat: int) -> dict[str, tuple[float, float, int]]:
    """One worksheet and one student's key rendered again and again in this process (warm WeasyPrint):
    seconds per render (median), CPU seconds per render (median) and pages."""
    from course import render
    from course.assignments import get_assignment
    from course.config import open_course
    from course.generate import compute_variants
    from course.roster import list_students

    course = open_course(course_dir)
    conn = course.connect()
    assignment = get_assignment(conn, "hw4")
    conn.close()
    variants, _, _ = compute_variants(course, assignment, list_students(course)[:1])
    jobs = {
        "worksheet": ("worksheet.html.j2", render._student_context(course, assignment, variants[0])),
        "key": ("key.html.j2", render._key_context(course, assignment, variants[:1])),
    }
    figures: dict[str, tuple[float, float, int]] = {}
    for name, (template, context) in jobs.items():
        job = (template, context, str(course_dir / f"warm-{name}.pdf"))
        render.render_pdf(job)
        times, cpu = [], []
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            _, pages = render.render_pdf(job)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        figures[name] = (statistics.median(times), statistics.median(cpu), pages)
    return figures


def median_time(args: list[str], repeat: int) -> float:
    return statistics.median(run(*args)[0] for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="azmoon-bench-") as tmp:
        course = Path(tmp) / "course"
        out = Path(tmp) / "build"
        setup(course, options.students)
        n = options.students
        load_before = os.getloadavg()

        cold, first = generate(course, out)
        warm, second = generate(course, out)
        sheets_only, third = generate(course, out, "--no-key")
        pages = first["files"]["worksheet_pages"]
        print(f"generate hw4 for {n} students (4 items incl. cnn_table; worksheets of {pages} pages, "
              f"key.pdf {first['files']['key_pages']} pages), 2 worker processes:")  # fmt: skip
        print(f"  cold, keys solved:       {cold:7.1f} s total = {cold / n:.3f} s/worksheet "
              f"(keys {first['seconds_keys']:.1f} s incl. torch import, PDFs {first['seconds_pdf']:.1f} s)")  # fmt: skip
        print(f"  keys reused, with key:   {warm:7.1f} s total = {warm / n:.3f} s/worksheet "
              f"(PDFs {second['seconds_pdf']:.1f} s)")  # fmt: skip
        print(f"  keys reused, no key.pdf: {sheets_only:7.1f} s total = {sheets_only / n:.3f} s/worksheet "
              f"(PDFs {third['seconds_pdf']:.1f} s)")  # fmt: skip
        per_sheet = third["seconds_pdf"] / n
        per_key = (second["seconds_pdf"] - third["seconds_pdf"]) / n
        print(f"  PDFs per worksheet: {per_sheet:.3f} s (target 0.2); per student's key pages: {per_key:.3f} s "
              "(target 0.25)")  # fmt: skip
        cpu_sheet = third["cpu_seconds"] / n
        cpu_key = (second["cpu_seconds"] - third["cpu_seconds"]) / n
        print(f"  CPU seconds (all processes) per worksheet: {cpu_sheet:.3f} s, per student's key pages: "
              f"{cpu_key:.3f} s (2-core ideal: {cpu_sheet / 2:.3f} s and {cpu_key / 2:.3f} s)")  # fmt: skip
        warnings = len(first["warnings"]) + len(second["warnings"]) + len(third["warnings"])
        print(f"  warning lines on stderr over the three runs: {warnings}")

        warm_figures = warm_render(course, options.repeat)
        for name, (seconds, cpu, pages) in warm_figures.items():
            print(f"  one {name} ({pages} pages), warm, one core, in-process: {seconds:.3f} s, CPU {cpu:.3f} s "
                  f"(so {cpu / 2:.3f} s is the 2-core ideal)")  # fmt: skip
        load_after = os.getloadavg()
        print(f"  load average (1, 5, 15 min) before: {', '.join(f'{v:.2f}' for v in load_before)}; after: "
              f"{', '.join(f'{v:.2f}' for v in load_after)} on {os.cpu_count()} cores")  # fmt: skip

        answers = filled_answers(course, out)
        submit = median_time(["cli.py", "submit", str(answers), "--course", str(course)], options.repeat)
        torch_import = median_time(["-c", "import torch"], options.repeat)
        print(f"\nsubmit (cold CLI, median of {options.repeat}): {submit:.3f} s")
        print(f"python -c 'import torch' (cold, median of {options.repeat}): {torch_import:.3f} s")
        verdict = "meets" if submit <= 0.3 * torch_import else "misses"
        print(f"submit / import torch = {submit / torch_import:.2f} ({verdict} the 0.3 target)")


if __name__ == "__main__":
    main()
