"""Load: the people of a seeded organisation working at once against 1 and 2 web processes on PostgreSQL.

Each client (a thread with its own keep-alive connection) is one person of a database seeded by
``bench/seed_million.py`` (password ``demo``), in a loop:

- staff (``cvK.dvNNNN`` of a unit with open steps): inbox (``GET /tasks``) → the first step they may do
  (``GET /tasks/{id}``) → complete it (the product with its file, or a coordinating unit's comment);
- heads (``tp.dvNNNN``): inbox → a confirmation step → confirm it; now and then their unit's steps
  (``GET /tasks?scope=unit``);
- the coordinator (``cchc.pnv``): the plan's progress, every unit's steps;
- the administrator: the instance list, one instance, the done view of a staff member.

16 clients by default: 10 staff, 3 heads, 2 coordinators, 1 administrator, each of its own unit. A run is
bounded by ``--seconds`` and ``--max-requests``. It prints requests/s and p50/p95/p99 per endpoint, for each
``--processes`` count and each ``--think`` pace, and the throughput of each process count against the first.

Two kinds of figure, not to be mixed up:

- ``--think 0`` (the default): a closed loop without think time, each client sends its next request the moment
  the last one answers. A stress test: it finds the **saturation throughput** (what the 1 vs 2 processes ratio
  compares); its latencies are those of a saturated server (queueing included), not what a person sees.
- ``--think MS``: before each request (each click) a client waits a think time drawn from an exponential
  distribution of mean MS milliseconds (a seeded RNG per client: ``--seed``), as people read a page before the
  next click. The **latency at a realistic pace** (the goals: inbox ``GET /tasks`` p95 < 100 ms, completion
  p95 < 150 ms with 16 clients and 2 web processes on PostgreSQL). The pace is then about clients / (MS +
  latency) requests/s, far below saturation. Time moves by the real clock (a benchmark, not a test).

``--think 0 1000`` measures both for each process count.

Servers (started here on ``--port`` and up, on ``--pg-url``, the deadline worker off): one process is
``cchc serve`` (waitress, 8 threads); N processes are ``gunicorn -c python:api.gunicorn_conf -w N --threads 8
--keep-alive 30 'api:create_app()'`` (the production settings, a keep-alive longer than the think times) when
gunicorn is installed, else N ``cchc serve`` processes on consecutive ports with the clients spread over them.
``--server-cmd 'CMD … {port} … {workers}'`` runs another server command (one port). ``--url`` measures a
running server instead.

Usage: ``.venv/bin/python bench/load.py --pg-url URL [--processes 1 2] [--clients 16] [--seconds 60]
[--think 0 1000] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import secrets
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from soak import (  # bench/soak.py: the same client and figures
    REPORT_PDF,
    Client,
    Results,
    report,
    summarise,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/cchc_million_bench"
PERFORM = {
    "output_title": "Báo cáo kết quả thực hiện hoạt động",
    "result_summary": "Đã hoàn thành các nội dung theo kế hoạch.",
    "ask_coordinating_units": False,
}
COMMENT = {"coord_opinion": "agree", "coord_content": "Thống nhất với sản phẩm."}
CONFIRM = {"decision": "confirm", "extend": False}
# the goals at a realistic pace (issue #16 item 4): p95 per endpoint, 16 clients, 2 web processes, PostgreSQL
PACED_GOALS_MS = {"GET /tasks (inbox)": 100.0, "POST /tasks/{id}/complete": 150.0}


def cast(pg_url: str, clients: int, used: set[str]) -> list[tuple[str, str]]:
    """(role, username) of each client: staff and heads of the units with the most open steps of their kind,
    other than the ``used`` units of earlier runs (whose steps those runs completed); adds this run's units."""
    import psycopg

    staff_n = max(1, round(clients * 10 / 16))
    heads_n = max(1, round(clients * 3 / 16))
    coord_n = max(1, clients - staff_n - heads_n - 1) if clients >= 4 else 0
    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        busy = "SELECT unit_code FROM human_task WHERE status = 'ready' AND unit_code LIKE 'DV%%' AND element_id {} "
        busy += "AND NOT unit_code = ANY(%s) GROUP BY unit_code ORDER BY count(*) DESC LIMIT %s"
        staff_units = [r[0] for r in conn.execute(busy.format("<> 'Task_confirm'"), (sorted(used), staff_n))]
        used.update(staff_units)
        head_units = [r[0] for r in conn.execute(busy.format("= 'Task_confirm'"), (sorted(used), heads_n))]
        used.update(head_units)
    cast_list = [("staff", f"cv{1 + i % 8}.{u.lower()}") for i, u in enumerate(staff_units)]
    cast_list += [("head", f"tp.{u.lower()}") for u in head_units]
    cast_list += [("coordinator", "cchc.pnv")] * coord_n
    cast_list += [("admin", "admin")] * (clients - len(cast_list))
    return cast_list[:clients]


def _first(rows: Any, elements: tuple[str, ...]) -> int | None:
    if not isinstance(rows, list):
        return None
    return next((r["id"] for r in rows if r.get("element_id") in elements), None)


_BUDGET = threading.Lock()


def run_client(
    role: str,
    user: str,
    port: int,
    window: list[float],
    budget: list[int],
    results: Results,
    ready: threading.Barrier,
    think: tuple[float, random.Random] = (0.0, random.Random(0)),
) -> None:
    """Log in (and upload the product's file) before the clock starts, then one person's loop until the end of
    the window or the shared request budget is spent; ``think``: the mean think time (ms) before each request,
    exponential, drawn from this client's RNG (0: none, a closed loop)."""
    client = Client("127.0.0.1", port, 60.0)
    mean_ms, rng = think

    def more() -> bool:  # called before every request: the person thinks, then clicks if the run is not over
        if mean_ms > 0:
            time.sleep(min(rng.expovariate(1000.0 / mean_ms), max(0.0, window[1] - time.monotonic())))
        with _BUDGET:
            budget[0] -= 1
            return budget[0] >= 0 and time.monotonic() < window[1]

    try:
        status, data = client.call(
            "POST", "/api/v1/auth/login", "POST /auth/login", {"username": user, "password": "demo"}
        )
        document = None
        if status == 200 and isinstance(data, dict):
            client.token = data["token"]
            if role == "staff":
                _, doc = client.call("POST", "/api/v1/documents", "POST /documents", file=("bao-cao.pdf", REPORT_PDF))
                document = doc["id"] if isinstance(doc, dict) else None
        client.samples.clear()  # logins (argon2) and uploads are not the office's steady work
        ready.wait()
        if client.token is None:
            return
        n = 0
        while more():
            n += 1
            if role in ("staff", "head"):
                _, rows = client.call("GET", "/api/v1/tasks", "GET /tasks (inbox)")
                wanted = ("Task_confirm",) if role == "head" else ("Task_perform", "Task_comment")
                task_id = _first(rows, wanted)
                if task_id is None or not more():
                    continue
                _, task = client.call("GET", f"/api/v1/tasks/{task_id}", "GET /tasks/{id}")
                if not more():
                    break
                element = task.get("element_id") if isinstance(task, dict) else None
                body = (
                    CONFIRM
                    if role == "head"
                    else COMMENT
                    if element == "Task_comment"
                    else {**PERFORM, "attachments": [document]}
                )
                client.call("POST", f"/api/v1/tasks/{task_id}/complete", "POST /tasks/{id}/complete", {"data": body})
                if role == "head" and n % 3 == 0 and more():
                    client.call("GET", "/api/v1/tasks?scope=unit", "GET /tasks?scope=unit")
            elif role == "coordinator":
                client.call("GET", "/api/v1/plans/1/progress", "GET /plans/1/progress")
                if more():
                    client.call("GET", "/api/v1/tasks?scope=unit", "GET /tasks?scope=unit")
            else:
                _, rows = client.call("GET", "/api/v1/process-instances", "GET /process-instances")
                if isinstance(rows, list) and rows and more():
                    client.call(
                        "GET", f"/api/v1/process-instances/{rows[n % len(rows)]['id']}", "GET /process-instances/{id}"
                    )
                if more():
                    client.call("GET", "/api/v1/tasks?status=completed", "GET /tasks?status=completed")
    finally:
        client.conn.close()
        results.add(client.samples)


def load(
    ports: list[int],
    people: list[tuple[str, str]],
    seconds: float,
    max_requests: int,
    think_ms: float = 0.0,
    seed: int = 1,
) -> dict[str, Any]:
    """The clients of ``people`` against ``ports`` for ``seconds``; ``think_ms`` > 0: a mean think time per click."""
    results = Results()
    budget = [max_requests]
    window = [0.0, 0.0]

    def start_clock() -> None:  # run by the barrier once every client has logged in
        window[0] = time.monotonic()
        window[1] = window[0] + seconds

    ready = threading.Barrier(len(people), action=start_clock)
    threads = [
        threading.Thread(
            target=run_client,
            args=(role, user, ports[i % len(ports)], window, budget, results, ready),
            kwargs={"think": (think_ms, random.Random(f"{seed}:{i}"))},
            daemon=True,
        )
        for i, (role, user) in enumerate(people)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 300)
    figures = summarise(results.samples, time.monotonic() - window[0], len(people), seconds)
    figures["think_ms"] = think_ms
    return figures


def server_commands(processes: int, port: int, server_cmd: str | None) -> list[tuple[list[str], int]]:
    """The commands to start and the port each listens on."""
    if server_cmd:
        return [(shlex.split(server_cmd.format(port=port, workers=processes)), port)]
    cli = [sys.executable, "-m", "api.cli", "serve"]
    if processes > 1 and importlib.util.find_spec("gunicorn") is not None:
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:api.gunicorn_conf", "-w", str(processes)]
        gunicorn += ["--threads", "8", "--keep-alive", "30"]  # keep-alive beyond the think times (conf: 5 s)
        return [([*gunicorn, "-b", f"127.0.0.1:{port}", "api:create_app()"], port)]
    return [([*cli, "--port", str(port + i)], port + i) for i in range(processes)]


@contextmanager
def serve(processes: int, port: int, pg_url: str, server_cmd: str | None, log_dir: Path) -> Iterator[list[int]]:
    """Start the web process(es) on ``pg_url``; yields the ports to spread the clients over."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CCHC_DATABASE_URL": pg_url,
        "CCHC_SECRET_KEY": secrets.token_hex(16),
        "CCHC_NO_WORKER": "1",
    }
    started: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for i, (cmd, p) in enumerate(server_commands(processes, port, server_cmd)):
            log = log_dir / f"server-{processes}-{i}.log"
            with log.open("wb") as out:
                server = subprocess.Popen(cmd, cwd=ROOT, env={**env, "CCHC_PORT": str(p)}, stdout=out, stderr=out)
            started.append((server, log))
            wait_until_up(p, server, log, seconds=90)
        yield [p for _, p in server_commands(processes, port, server_cmd)]
    finally:
        for server, _ in started:
            server.send_signal(signal.SIGTERM)
        for server, log in started:
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            if "Traceback" in log.read_text(errors="replace"):
                print(f"  {log} has tracebacks")


def _by_processes(runs: dict[str, Any]) -> dict[int, tuple[float, float]]:
    """Mean requests/s and completions/s of the closed-loop runs (saturation) of each process count, in the order
    first run."""
    found: dict[int, list[tuple[float, float]]] = {}
    for figures in runs.values():
        if "processes" in figures and not figures.get("think_ms"):
            pair = (figures["requests_per_second"], figures["completions_per_second"])
            found.setdefault(figures["processes"], []).append(pair)
    return {k: (sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v)) for k, v in found.items()}


def _pace(think: float) -> str:
    return f"think time {think:g} ms (realistic pace)" if think else "closed loop (saturation)"


def _goals(figures: dict[str, Any]) -> None:
    """The paced run against the goals (16 clients, 2 processes: the goals' own setting; others for comparison)."""
    for endpoint, goal in PACED_GOALS_MS.items():
        row = figures["endpoints"].get(endpoint)
        if row:
            met = "met" if row["p95_ms"] < goal else "MISSED"
            print(f"  goal {endpoint} p95 < {goal:g} ms: {row['p95_ms']:.1f} ms, {met}")
    load_avg = "/".join(f"{x:.1f}" for x in figures["load_average"])
    print(f"  offered pace {figures['requests_per_second']:.1f} requests/s; load average {load_avg}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_URL, help="a database seeded by bench/seed_million.py")
    parser.add_argument("--url", help="a running server instead (its database must be --pg-url)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--server-cmd", help="server command with {port} and {workers} (e.g. the procs gunicorn)")
    parser.add_argument("--port", type=int, default=5140)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument(
        "--think",
        type=float,
        nargs="+",
        default=[0.0],
        help="mean think time before each request, ms (exponential; 0: closed loop, saturation); several: each",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' think times")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    used: set[str] = set()
    runs: dict[str, Any] = {}
    log_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"cchc-load-{os.getpid()}"
    log_dir.mkdir(parents=True, exist_ok=True)
    if args.url:
        port = int(args.url.rsplit(":", 1)[1].strip("/"))
        for think in args.think:
            people = cast(args.pg_url, args.clients, used)
            runs[f"server, think {think:g}"] = load([port], people, args.seconds, args.max_requests, think, args.seed)
            report(runs[f"server, think {think:g}"], f"server at {args.url}, {_pace(think)}")
    i = 0
    for processes in [] if args.url else args.processes:
        with serve(processes, args.port, args.pg_url, args.server_cmd, log_dir) as ports:
            cmd = " ".join(server_commands(processes, args.port, args.server_cmd)[0][0][1:4])
            for think in args.think:
                i += 1
                people = cast(args.pg_url, args.clients, used)  # fresh units each run: their steps are still open
                figures = load(ports, people, args.seconds, args.max_requests, think, args.seed)
                figures.update(server=f"{processes} process(es): {cmd}…", processes=processes, people=people)
                runs[f"{i}: {processes}, think {think:g}"] = figures
                report(figures, f"run {i}, {figures['server']}, {_pace(think)}")
                if think:
                    _goals(figures)
    summary = _by_processes(runs)
    if len(summary) > 1:
        (base, first), *rest = summary.items()
        for processes, mean in rest:
            print(
                f"\n{processes} processes against {base}: {mean[0] / first[0]:.2f} × the requests/s, "
                f"{mean[1] / max(first[1], 1e-9):.2f} × the completions/s (means of their runs)"
            )
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    failed = any(f["server_errors"] or f["no_answer"] for f in runs.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
