"""Longest write-lock hold during `generate` (issue 17.3), and how long a submit waits behind it.

    .venv/bin/python bench/store_locks.py [--students 40] [--database postgresql://...]

A fresh course (SQLite in a temp dir unless --database names an empty PostgreSQL database), `--students`
students, two items; `generate_assignment` (keys only) runs in one thread while another submits every 50 ms.
Prints the longest and total write-lock hold of generate and the submits' p50/max latency.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402

from course import store  # noqa: E402
from course.assignments import create_assignment  # noqa: E402
from course.config import init_course  # noqa: E402
from course.generate import generate_assignment  # noqa: E402
from course.roster import import_roster  # noqa: E402
from course.submit import SubmissionRefused, submit_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--database", default="course.db")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="azmoon-bench-")) / "c"
    course = init_course(root, database=args.database, attempts=100000)
    roster = root / "roster.csv"
    roster.write_text(
        "student_id,name\n" + "".join(f"5{i:07d},S {i}\n" for i in range(args.students)), encoding="utf-8"
    )
    first = root / "one.csv"
    first.write_text("student_id,name\n50000000,S 0\n", encoding="utf-8")
    import_roster(course, first)
    for name in ("warm", "hw1"):
        create_assignment(course, name, ["conv_output_size", "stacked_kernels"], None, None, None, None, None)
        generate_assignment(course, name, None)  # torch and the bank imported before the measured run
    import_roster(course, roster)  # the others' keys are solved in the measured run
    conn = course.connect()
    token = store.variant_row(conn, "hw1", "50000000")["token"]
    conn.close()
    data = yaml.safe_dump(
        {
            "assignment": "hw1",
            "student": "50000000",
            "variant": token,
            "answers": {"conv_output_size": {"out": "3"}},
        }
    ).encode()
    latencies: list[float] = []
    done = threading.Event()

    def submitter() -> None:
        while not done.is_set():
            started = time.perf_counter()
            try:
                submit_text(course, data)
            except SubmissionRefused:
                pass
            latencies.append(time.perf_counter() - started)
            time.sleep(0.05)

    thread = threading.Thread(target=submitter)
    thread.start()
    started = time.perf_counter()
    report = generate_assignment(course, "hw1", None)
    elapsed = time.perf_counter() - started
    done.set()
    thread.join()
    backend = "postgresql" if store.is_postgres_url(args.database) else "sqlite"
    print(f"backend {backend}; generate of {args.students} students x 2 items: {elapsed:.2f} s, "
          f"{report.keys_computed} keys solved")  # fmt: skip
    print(f"longest write-lock hold: {report.longest_write_lock * 1000:.2f} ms")
    print(f"submits during generate: {len(latencies)}, p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
