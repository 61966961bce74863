"""What the soak's office mix costs PostgreSQL per request, endpoint by endpoint: load-independent figures.

bench/processes.py measures the throughput of 1 and 2 web processes; on 2 cores shared with PostgreSQL its ratio is
capped near 2w / (w + p + c) (docs/benchmarks.md), so the database's share p per request is the lever. This bench
measures p without the wall clock: one thread drives the app in this process (Flask test client, no sockets) through
bench/soak.py's loop — start a generic activity, complete its first step with an attachment, read the inbox, read
plan progress — as the six demo clerks in turn, and for every request reads

- the CPU time of the PostgreSQL backends serving the app's pool (``/proc/<pid>/schedstat``, nanoseconds: on-CPU
  time, whatever else runs on the machine),
- the statements the app sends (SQLAlchemy's ``before_cursor_execute``) and its transactions (each costs a
  ``BEGIN`` and a ``COMMIT``/``ROLLBACK`` round trip besides its statements; psycopg sends nothing for an idle one),
- the web thread's own CPU time (``time.thread_time``).

``--baseline PATH`` runs the same from another checkout (its own database, ``<name>_base``), alternated with this
tree round by round, and prints both and their ratio. ``--explain N`` prints, for this tree, the N statements that
cost the backends the most in total (their text and count), with ``EXPLAIN (ANALYZE, BUFFERS)`` of the last
parameters seen.

``--grow N`` first runs the mix N times per clerk in a child of its own (not measured: the database then holds N × 6
instances more, and the measured child's connections are new); ``--maintained`` then runs ``VACUUM ANALYZE``, as
autovacuum keeps a maintained server (this machine's PostgreSQL runs with ``autovacuum = off``, and the fresh database
is analysed while its instance and step tables are empty: plans made on those statistics cost more as the tables
grow, docs/benchmarks.md, "PostgreSQL's share per request, fifth pass").

Usage: ``.venv/bin/python bench/pg_cost.py [--pg-url URL] [--loops 60] [--rounds 3] [--baseline /tmp/base]
[--explain 8] [--grow 150] [--maintained]``. The databases are dropped and created again: their names must contain
"bench".
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]  # bench/engine.py is not engine/
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/cchc_pg_cost_bench"
ENDPOINTS = ["POST /process-instances", "POST /tasks/{id}/complete", "GET /tasks", "GET /plans/1/progress"]


def schedstat_ns(pids: set[int]) -> int:
    """On-CPU nanoseconds of these processes so far (first field of /proc/<pid>/schedstat)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):  # a connection the pool has closed
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    return total


class Meter:
    """Counts the statements and transactions of the app's engine and knows its backends' pids."""

    def __init__(self, sql: Any) -> None:
        from sqlalchemy import event

        self.pids: set[int] = set()
        self.statements = 0
        self.transactions = 0
        self.texts: dict[str, list[Any]] = {}  # statement → [count, backend ns, last parameters]
        self.current: str | None = None
        self._in_tx: set[int] = set()

        @event.listens_for(sql, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                self.pids.add(cur.fetchone()[0])
            dbapi_connection.commit()

        @event.listens_for(sql, "before_cursor_execute")
        def _before(conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            self.statements += 1
            key = id(conn.connection.dbapi_connection)
            if key not in self._in_tx:
                self._in_tx.add(key)
                self.transactions += 1
            entry = self.texts.setdefault(statement, [0, 0, None])
            entry[0] += 1
            entry[2] = parameters
            self.current = statement
            self._started = schedstat_ns(self.pids)

        @event.listens_for(sql, "after_cursor_execute")
        def _after(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            # the fetch happens later, outside this window: a statement's figure is its execution, not its rows
            self.texts[statement][1] += schedstat_ns(self.pids) - self._started

        @event.listens_for(sql, "commit")
        def _commit(conn: Any) -> None:
            self._in_tx.discard(id(conn.connection.dbapi_connection))

        @event.listens_for(sql, "rollback")
        def _rollback(conn: Any) -> None:
            self._in_tx.discard(id(conn.connection.dbapi_connection))


def child(url: str, loops: int, explain: int) -> dict[str, Any]:
    """In the tree on sys.path: ``loops`` rounds of the office mix per clerk; the figures per endpoint, as JSON."""
    from api import create_app
    from bench.soak import PERFORM, REPORT_PDF, STAFF, UNIT_OF, start_body

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATE_LIMITER": False})
    services = app.extensions["cchc"]
    meter = Meter(services.sql)
    client = app.test_client()
    clerks = []
    for username in STAFF:
        token = client.post("/api/v1/auth/login", json={"username": username, "password": "demo"}).json["token"]
        headers = {"Authorization": f"Bearer {token}"}
        upload = client.post(
            "/api/v1/documents",
            headers=headers,
            data={"file": (io.BytesIO(REPORT_PDF), "bao-cao-kiem-tra.pdf")},
            content_type="multipart/form-data",
        )
        clerks.append((username, headers, {**PERFORM, "attachments": [upload.json["id"]]}))
    figures: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def call(endpoint: str, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        statements, transactions = meter.statements, meter.transactions
        pg, web = schedstat_ns(meter.pids), time.thread_time_ns()
        response = client.open(path, method=method, headers=headers, json=body)
        web_ns, pg_ns = time.thread_time_ns() - web, schedstat_ns(meter.pids) - pg
        meter._in_tx.clear()  # every request ends its transactions
        if response.status_code >= 300:
            raise SystemExit(f"{endpoint}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        row = figures[endpoint]
        row["requests"] += 1
        row["statements"] += meter.statements - statements
        row["transactions"] += meter.transactions - transactions
        row["pg_ns"] += pg_ns
        row["web_ns"] += web_ns
        return response

    n = 0
    for warm in (True, False):
        if not warm:
            figures.clear()
            for entry in meter.texts.values():
                entry[0] = entry[1] = 0
        for _ in range(5 if warm else loops):
            for index, (username, headers, perform) in enumerate(clerks):
                n += 1
                body = start_body(UNIT_OF[username], index * 100000 + n)
                started = call("POST /process-instances", "POST", "/api/v1/process-instances", headers, body)
                step = started.json["open_tasks"][0]["id"]
                call("POST /tasks/{id}/complete", "POST", f"/api/v1/tasks/{step}/complete", headers, {"data": perform})
                call("GET /tasks", "GET", "/api/v1/tasks", headers)
                call("GET /plans/1/progress", "GET", "/api/v1/plans/1/progress", headers)
    result: dict[str, Any] = {"endpoints": figures, "explain": []}
    costly = sorted(meter.texts.items(), key=lambda kv: -kv[1][1])[:explain]
    with services.sql.connect() as conn:
        for statement, (count, ns, parameters) in costly:
            plan = ""
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                cursor = conn.connection.dbapi_connection.cursor()
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                plan = "\n".join(r[0] for r in cursor.fetchall())
                cursor.close()
            result["explain"].append({"statement": statement, "count": count, "ns": ns, "plan": plan})
        conn.rollback()
    services.close()
    return result


def fresh(url: str, code: Path) -> None:
    """Drop, create, migrate and seed ``url`` with the tree ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    script = "import sys; from bench.kill9 import fresh_database; fresh_database(sys.argv[1])"
    subprocess.run([sys.executable, "-c", script, url], cwd=code, env=env, check=True)


def vacuum_analyze(url: str) -> None:
    """What autovacuum does on a maintained server: the visibility map and the statistics brought up to date."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def run_child(code: Path, url: str, loops: int, explain: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", "--pg-url", url, "--loops", str(loops)]
    out = subprocess.run([*argv, "--explain", str(explain)], cwd=code, env=env, check=True, capture_output=True)
    return json.loads(out.stdout)


def per_request(endpoints: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per endpoint and for the mix: statements, transactions, backend CPU µs and web CPU ms per request."""
    rows: dict[str, dict[str, float]] = {}
    total: dict[str, float] = defaultdict(float)
    for name in ENDPOINTS:
        row = endpoints[name]
        n = row["requests"]
        rows[name] = {
            "statements": row["statements"] / n,
            "round_trips": (row["statements"] + 2 * row["transactions"]) / n,
            "pg_us": row["pg_ns"] / n / 1000,
            "web_ms": row["web_ns"] / n / 1e6,
        }
        for key in ("requests", "statements", "transactions", "pg_ns", "web_ns"):
            total[key] += row[key]
    n = total["requests"]
    rows["the mix"] = {
        "statements": total["statements"] / n,
        "round_trips": (total["statements"] + 2 * total["transactions"]) / n,
        "pg_us": total["pg_ns"] / n / 1000,
        "web_ms": total["web_ns"] / n / 1e6,
    }
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--loops", type=int, default=60, help="rounds of the mix per clerk (6 clerks, 4 requests)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout, measured alternately on its own database")
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN the N statements costing the most")
    parser.add_argument("--grow", type=int, default=0, help="unmeasured rounds of the mix per clerk first")
    parser.add_argument("--maintained", action="store_true", help="VACUUM ANALYZE before the measured child")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        sys.path.insert(0, os.getcwd())
        print(json.dumps(child(args.pg_url, args.loops, args.explain)))
        return 0
    trees = {"this tree": (ROOT, args.pg_url)}
    if args.baseline:
        trees = {"baseline": (args.baseline.resolve(), args.pg_url + "_base"), **trees}
    results: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in trees}
    explained: list[Any] = []
    for r in range(args.rounds):
        for name, (code, url) in trees.items():
            fresh(url, code)
            if args.grow:
                run_child(code, url, args.grow, 0)
            if args.maintained:
                vacuum_analyze(url)
            got = run_child(code, url, args.loops, args.explain if name == "this tree" and r == 0 else 0)
            explained = explained or got["explain"]
            results[name].append(per_request(got["endpoints"]))
            mix = results[name][-1]["the mix"]
            print(
                f"round {r + 1} {name}: PostgreSQL {mix['pg_us']:.0f} µs, web {mix['web_ms']:.2f} ms, "
                f"{mix['statements']:.2f} statements, {mix['round_trips']:.2f} round trips per request "
                f"(load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())})",
                flush=True,
            )
    print(f"\nmedians of {args.rounds} rounds, {args.loops} × 6 clerks × 4 requests each:")
    print(f"  {'endpoint':28}" + "".join(f"{n:>44}" for n in trees) + ("   ratio PG µs" if len(trees) > 1 else ""))
    print(f"  {'':28}" + f"{'PG µs  web ms  statements  round trips':>44}" * len(trees))
    for endpoint in [*ENDPOINTS, "the mix"]:
        cells = []
        medians = {}
        for name in trees:
            m = {k: statistics.median(run[endpoint][k] for run in results[name]) for k in results[name][0][endpoint]}
            medians[name] = m
            cells.append(f"{m['pg_us']:>14.0f}{m['web_ms']:>8.2f}{m['statements']:>12.2f}{m['round_trips']:>13.2f}")
        ratio = ""
        if len(trees) > 1:
            ratio = f"{medians['this tree']['pg_us'] / medians['baseline']['pg_us']:>14.2f}"
        print(f"  {endpoint:28}" + "".join(f"{c:>44}" for c in cells) + ratio)
    for item in explained:
        print(f"\n-- {item['count']} ×, {item['ns'] / 1e6:.1f} ms of backend CPU in all:\n{item['statement']}")
        if item["plan"]:
            print(item["plan"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
