"""Requests/s of 1 against 2 gunicorn web processes on PostgreSQL, same clients, same run (a quick figure; the full
load model is bench/load.py).

A fresh database (migrations, demo data; dropped and created again, its name must contain "bench"); for each count
of web processes, ``cchc serve --workers N --threads T`` on ``--port``, a warm-up, then bench/soak.py's office clients
(start, complete, inbox, plan progress) for ``--seconds``. Prints each run and the ratio 2 processes / 1 process.

Beside requests/s, the CPU milliseconds per request of each party on the machine's cores: the web processes, the
clients (this process's threads: they are not the system under test, and on 2 cores every millisecond they spend
is taken from the server — they decode only the answers they need), and the PostgreSQL backends serving this
database (from /proc, by the pids pg_stat_activity lists for it). ``--threads-one`` gives the 1-process run its own
thread count (its best configuration, measured, is the baseline — never a worse one to flatter the ratio).

``--maintained``: ``VACUUM ANALYZE`` the database after each run's warm-up, before its measured part, as autovacuum
keeps a maintained server. This machine's PostgreSQL runs with ``autovacuum = off`` and the fresh database is
analysed while its instance and step tables are empty; as the runs add thousands of instances, plans made on those
statistics stay (the inbox count drives a nested loop from every ready step of the organisation, the facts of plan
progress hash the whole instance table, the foreign-key checks' cached plans scan ``process_instance``), and
PostgreSQL's CPU per request grows from run to run (docs/benchmarks.md, "PostgreSQL's share per request, fifth
pass"). Without it (the default, as in earlier passes) the figures keep that drift.

Usage: ``.venv/bin/python bench/processes.py [--clients 8] [--seconds 20] [--threads 4] [--threads-one 4]
[--rounds 2] [--port 5125] [--maintained]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from bench.kill9 import fresh_database  # noqa: E402
from bench.soak import report, soak  # noqa: E402
from tests.server_support import start_web  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/cchc_processes_bench"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def backends(url: str) -> list[int]:
    """The pids of the PostgreSQL backends connected to ``url``'s database (the pools' connections)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [r[0] for r in rows]


def _alive_cpu(pids: list[int]) -> float:
    return cpu_seconds([p for p in pids if Path(f"/proc/{p}").exists()])


def vacuum_analyze(url: str) -> None:
    """What autovacuum does on a maintained server: the visibility map and statistics brought up to date (the pools'
    cached plans of the tables are made again at their next use)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def measure(
    url: str, port: int, workers: int, threads: int, clients: int, seconds: float, logs: Path, maintained: bool = False
) -> Any:
    """One run: the soak's figures, with the CPU milliseconds per request of the web processes, the clients and
    the database's backends."""
    web = start_web(url, port, logs / f"web-{workers}.log", workers=workers, threads=threads)
    try:
        soak(f"http://127.0.0.1:{port}", clients, min(5.0, seconds), "demo", 60.0)  # warm-up: caches, pools
        if maintained:
            vacuum_analyze(url)
        pids, pg = web.children(), backends(url)
        before, pg_before, client_before = cpu_seconds(pids), _alive_cpu(pg), time.process_time()
        figures = soak(f"http://127.0.0.1:{port}", clients, seconds, "demo", 60.0)
        n = max(figures["requests"], 1)
        figures["cpu_ms_per_request"] = (cpu_seconds(pids) - before) * 1000 / n
        figures["client_cpu_ms_per_request"] = (time.process_time() - client_before) * 1000 / n
        opened = [p for p in backends(url) if p not in pg]  # connections the pools opened during the run
        figures["pg_cpu_ms_per_request"] = (_alive_cpu(pg) - pg_before + _alive_cpu(opened)) * 1000 / n
        figures["threads"] = threads
        return figures
    finally:
        web.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--port", type=int, default=5125)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--threads-one", type=int, help="threads of the 1-process run (default: --threads)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2, help="1 then 2 processes, this many times (interleaved)")
    parser.add_argument("--maintained", action="store_true", help="VACUUM ANALYZE after each run's warm-up")
    args = parser.parse_args(argv)
    fresh_database(args.pg_url)
    runs: dict[int, list[Any]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="cchc-processes-") as tmp:
        for _ in range(args.rounds):
            for workers in (1, 2):
                threads = (args.threads_one or args.threads) if workers == 1 else args.threads
                figures = measure(
                    args.pg_url, args.port, workers, threads, args.clients, args.seconds, Path(tmp), args.maintained
                )
                runs[workers].append(figures)
                report(figures, f"{workers} web process(es) × {threads} threads")
                print(
                    f"  CPU per request: web processes {figures['cpu_ms_per_request']:.1f} ms, clients "
                    f"{figures['client_cpu_ms_per_request']:.1f} ms, PostgreSQL backends "
                    f"{figures['pg_cpu_ms_per_request']:.1f} ms"
                )
    best = {n: max(r["requests_per_second"] for r in rows) for n, rows in runs.items()}
    median = {n: statistics.median(r["requests_per_second"] for r in rows) for n, rows in runs.items()}
    cpu = {n: statistics.median(r["cpu_ms_per_request"] for r in rows) for n, rows in runs.items()}
    pairs = [two["requests_per_second"] / one["requests_per_second"] for one, two in zip(runs[1], runs[2], strict=True)]
    print(
        f"\nbest of {args.rounds}: 1 process {best[1]:.1f} requests/s, 2 processes {best[2]:.1f} requests/s: "
        f"{best[2] / best[1]:.2f}×; medians {median[1]:.1f} / {median[2]:.1f}: {median[2] / median[1]:.2f}×; "
        f"each round {', '.join(f'{r:.2f}×' for r in pairs)}; web CPU per request {cpu[1]:.1f} / {cpu[2]:.1f} ms "
        f"({os.cpu_count()} CPUs, load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())})"
    )
    failed = any(r["server_errors"] or r["no_answer"] for rows in runs.values() for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
