"""Bench of the course server: S concurrent students × K submits over HTTP on 127.0.0.1 against `azmoon serve
--workers W` (a subprocess) on a generated throwaway course, on SQLite and PostgreSQL; then the student's
`azmoon submit` round trip (a subprocess) against `python -c "import torch"`, medians measured in the same run.

    .venv/bin/python bench/serve.py [--students 100] [--submits 5] [--backend sqlite --backend postgresql]
                                    [--workers 1 --workers 2] [--think 1.0] [--mode burst --mode paced]
                                    [--database postgresql://...]   # else a throwaway cluster (Debian's initdb)

Two modes, each on an assignment of its own:
- burst: a closed loop with no think time — every student fires K submits back to back, all S at once: S
  requests are always in flight (the worst case; latency is then mostly queueing).
- paced: the S students are all active at once, but each waits a random 0..2×think seconds (uniform, seeded)
  before each submit, as a person does between two tries.
- sequential (only when asked): one request at a time, for the server's CPU per submit without contention.

Each assignment allows K-1 attempts, so the last submit of every student must be refused: the table checks rows
stored = submissions acknowledged, zero duplicates and the attempt limit never exceeded. "server CPU" is the CPU
time of the server's processes (all workers, /proc) over the run, divided by the requests. The load generator
(threads in this process) runs on the same machine's cores as the server: it competes with it for CPU.
Bounded: at most S*K requests a run (S ≤ 500, K ≤ 10), each with a 30 s timeout. Prints figures; asserts
nothing about speed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_BIN = Path(os.environ.get("AZMOON_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """A PostgreSQL cluster of the bench's own on 127.0.0.1 (as tests/conftest.py does; fsync left on)."""
    owner = (lambda c: ["runuser", "-u", "postgres", "--", *c]) if os.geteuid() == 0 else (lambda c: c)
    base = Path(tempfile.mkdtemp(prefix="azmoon-bench-pg-"))
    (base / "sock").mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(base / "sock", "postgres")
    port, data = free_port(), base / "data"
    run = dict(check=True, capture_output=True, timeout=120)
    subprocess.run(owner([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]), **run)
    options = f"-k {base / 'sock'} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=200"
    start = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"]
    subprocess.run(owner(start), **run)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        stop = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
        subprocess.run(owner(stop), capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def fresh_database(server: str) -> str:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def make_course(folder: Path, database: str, students: int, attempts: int, assignments: list[str]):
    from course.assignments import create_assignment
    from course.config import init_course
    from course.generate import generate_assignment
    from course.roster import import_roster
    from server.auth import issue_student_tokens

    course = init_course(folder, database=database)
    roster = folder / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"b{n:03d},B {n}\n" for n in range(students + 1)))
    import_roster(course, roster)
    for name in assignments:
        create_assignment(course, name, ["conv_output_size"], attempts=attempts)
        generate_assignment(course, name, None)
    return course, {t.student_id: t.token for t in issue_student_tokens(course, None)}


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        used[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(used.get(p, 0.0) for p in tree)


@contextmanager
def serving(course_dir: Path, workers: int = 1) -> Iterator[tuple[int, int]]:
    """`azmoon serve --workers W` on a free port: (port, pid) once /api/v1/health answers 200."""
    port = free_port()
    env = {**os.environ, "AZMOON_RATE_PER_MINUTE": "1000000", "AZMOON_RATE_BURST": "1000000"}
    command = [sys.executable, "cli.py", "serve", "--course", str(course_dir), "--port", str(port)]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(port, "GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not become healthy within 60 s")
            time.sleep(0.1)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def filled_answers(course, port: int, student: str, token: str, assignment: str = "hw1") -> bytes:
    from course.generate import assignment_key

    status, text = call(
        port,
        "GET",
        f"/api/v1/assignments/{assignment}/answers.yaml",
        None,
        {"Authorization": f"Bearer {token}"},
    )
    assert status == 200, text
    text = text.decode()
    for item in assignment_key(course, assignment, student):
        for entry in item["items"]:
            for part in entry["parts"]:
                text = text.replace(f"    {part['id']}:\n", f"    {part['id']}: {part['answer_text']}\n")
    return text.encode()


def load(
    port: int,
    files: dict[str, bytes],
    tokens: dict[str, str],
    submits: int,
    think: float,
    tag: str,
    seed: int = 0,
    sequential: bool = False,
):
    """Every student at once, K submits each; `think` > 0: a random 0..2*think s wait before each submit;
    `sequential`: one request at a time (student after student), for the server's CPU per submit alone."""
    latencies: list[float] = []
    outcomes: dict[int, int] = {}
    lock, go = threading.Lock(), threading.Event()

    def student(sid: str) -> None:
        rng = random.Random(f"{seed}-{sid}")
        go.wait()
        for n in range(submits):
            if think > 0:
                time.sleep(rng.uniform(0.0, 2.0 * think))
            headers = {"Authorization": f"Bearer {tokens[sid]}", "Idempotency-Key": f"bench-{tag}-{sid}-{n}"}
            started = time.perf_counter()
            try:
                status = call(port, "POST", "/api/v1/submissions", files[sid], headers)[0]
            except OSError:
                status = 0
            with lock:
                latencies.append(time.perf_counter() - started)
                outcomes[status] = outcomes.get(status, 0) + 1

    if sequential:
        go.set()
        started = time.perf_counter()
        for sid in files:
            student(sid)
        return time.perf_counter() - started, latencies, outcomes
    threads = [threading.Thread(target=student, args=(sid,)) for sid in files]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, outcomes


def store_checks(course, attempts: int, assignment: str) -> dict[str, int]:
    with course.connect() as conn:
        rows = conn.execute(
            "SELECT student_id, status, idempotency_key FROM submissions WHERE assignment = ?", (assignment,)
        ).fetchall()
    keys = [(r["student_id"], r["idempotency_key"]) for r in rows if r["status"] == "graded"]
    per_student: dict[str, int] = {}
    for sid, _ in keys:
        per_student[sid] = per_student.get(sid, 0) + 1
    return {
        "graded_rows": len(keys),
        "duplicates": len(keys) - len(set(keys)),
        "over_limit": sum(count > attempts for count in per_student.values()),
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def median_seconds(command: list[str], runs: int, env: dict | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def client_round_trip(
    course, port: int, tokens: dict[str, str], folder: Path, runs: int, assignment: str
) -> float:
    """`azmoon submit answers.yaml --json` as a student does (login once, then submit; a retry replays)."""
    sid = sorted(tokens)[-1]  # the student outside the load
    folder.mkdir(parents=True)
    answers = folder / "answers.yaml"
    text = filled_answers(course, port, sid, tokens[sid], assignment)  # the server writes its own `server:`
    if b"server:" not in text:
        text = f"server: http://127.0.0.1:{port}\n".encode() + text
    answers.write_bytes(text)
    env = {**os.environ, "AZMOON_CONFIG_DIR": str(folder / "config")}
    login = [sys.executable, "cli.py", "login", f"http://127.0.0.1:{port}"]
    subprocess.run(login, cwd=ROOT, env=env, input=tokens[sid], text=True, check=True, capture_output=True)
    return median_seconds([sys.executable, "cli.py", "submit", str(answers), "--json"], runs, env)


def run_backend(name: str, database: str, args, folder: Path) -> list[dict]:
    attempts = args.submits - 1
    runs = [(workers, mode) for workers in args.workers for mode in args.mode]
    assignments = [f"hw-{mode}-{workers}" for workers, mode in runs]
    course, tokens = make_course(folder / name, database, args.students, attempts, [*assignments, "warm-up"])
    students = sorted(tokens)[: args.students]
    outside = sorted(tokens)[-1]  # the student outside the load: warms each server up, then times the client
    results = []
    for workers in args.workers:
        with serving(course.root, workers) as (port, pid):
            warm = filled_answers(course, port, outside, tokens[outside], "warm-up")
            for n in range(
                2 * workers
            ):  # each worker's first submit pays its lazy imports, outside the figures
                headers = {
                    "Authorization": f"Bearer {tokens[outside]}",
                    "Idempotency-Key": f"warm-{workers}-{n}",
                }
                call(port, "POST", "/api/v1/submissions", warm, headers)
            for mode in args.mode:
                assignment = f"hw-{mode}-{workers}"
                files = {sid: filled_answers(course, port, sid, tokens[sid], assignment) for sid in students}
                think = args.think if mode == "paced" else 0.0
                cpu_before, bench_before = process_tree_cpu(pid), time.process_time()
                seconds, latencies, outcomes = load(
                    port, files, tokens, args.submits, think, assignment, sequential=mode == "sequential"
                )
                server_cpu = process_tree_cpu(pid) - cpu_before
                bench_cpu = time.process_time() - bench_before
                results.append(
                    {
                        "backend": name,
                        "workers": workers,
                        "mode": mode if not think else f"paced {args.think:g} s",
                        "seconds": seconds,
                        "latencies": latencies,
                        "outcomes": outcomes,
                        "server_cpu": server_cpu,
                        "bench_cpu": bench_cpu,
                        "submit_s": None,
                        **store_checks(course, attempts, assignment),
                    }
                )
            if name == "sqlite" and not any(r["submit_s"] for r in results) and args.runs:
                results[-1]["submit_s"] = client_round_trip(
                    course, port, tokens, folder / f"{name}-client", args.runs, assignments[0]
                )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--submits", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5, help="runs of each subprocess timed (median; 0: none)")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--workers", action="append", type=int, help="server processes (repeatable; default 1)"
    )
    parser.add_argument(
        "--mode",
        action="append",
        choices=["burst", "paced", "sequential"],
        help="default: burst and paced; sequential: one request at a time (the server's CPU per submit)",
    )
    parser.add_argument("--think", type=float, default=1.0, help="paced mode: mean seconds between submits")
    parser.add_argument("--database", help="a PostgreSQL server URL (else a throwaway cluster)")
    args = parser.parse_args()
    args.students, args.submits = min(args.students, 500), max(2, min(args.submits, 10))
    args.workers = sorted({max(1, min(w, 8)) for w in args.workers or [1]})
    args.mode = args.mode or ["burst", "paced"]
    args.think = max(0.0, min(args.think, 10.0))
    backends = args.backend or ["sqlite", "postgresql"]
    results = []
    with tempfile.TemporaryDirectory(prefix="azmoon-bench-serve-") as tmp:
        folder = Path(tmp)
        if "sqlite" in backends:
            results += run_backend("sqlite", "course.db", args, folder)
        if "postgresql" in backends:
            if args.database:
                results += run_backend("postgresql", fresh_database(args.database), args, folder)
            elif (PG_BIN / "initdb").exists():
                with throwaway_cluster() as server:
                    results += run_backend("postgresql", fresh_database(server), args, folder)
            else:
                print(f"postgresql: skipped (no --database and no {PG_BIN}/initdb)")
    torch_s = median_seconds([sys.executable, "-c", "import torch"], args.runs) if args.runs else None
    print(
        f"{args.students} concurrent students x {args.submits} submits (attempt limit {args.submits - 1}), "
        f"127.0.0.1, {os.cpu_count()} cores shared by the server and this load generator"
    )
    print(
        "| backend | workers | mode | requests | seconds | req/s | p50 ms | p95 ms | p99 ms | 200 | 409 | other "
        "| graded rows | duplicates | over limit | server CPU ms/req | bench CPU ms/req |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        lat, out = r["latencies"], r["outcomes"]
        other = sum(v for k, v in out.items() if k not in (200, 409))
        print(
            f"| {r['backend']} | {r['workers']} | {r['mode']} | {len(lat)} | {r['seconds']:.2f} "
            f"| {len(lat) / r['seconds']:.0f} | {pct(lat, 0.50):.0f} | {pct(lat, 0.95):.0f} | {pct(lat, 0.99):.0f} "
            f"| {out.get(200, 0)} | {out.get(409, 0)} | {other} | {r['graded_rows']} | {r['duplicates']} "
            f"| {r['over_limit']} | {1000 * r['server_cpu'] / len(lat):.2f} | {1000 * r['bench_cpu'] / len(lat):.2f} |"
        )
    for r in results:
        out = r["outcomes"]
        ok = r["graded_rows"] == out.get(200, 0) and not r["duplicates"] and not r["over_limit"]
        print(
            f"  {r['backend']}, {r['workers']} worker(s), {r['mode']}: rows stored = acknowledged, no duplicates, "
            f"limit kept: {'yes' if ok else 'NO'}"
        )
    submit_s = next((r["submit_s"] for r in results if r["submit_s"] is not None), None)
    if torch_s is not None:
        print(f'python -c "import torch": median {torch_s * 1000:.0f} ms ({args.runs} runs)')
    if submit_s is not None and torch_s is not None:
        print(
            f"azmoon submit round trip (subprocess): median {submit_s * 1000:.0f} ms = "
            f"{submit_s / torch_s:.2f} x import torch (target <= 0.15)"
        )


if __name__ == "__main__":
    main()
