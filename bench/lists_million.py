"""The lists at a million steps: p50/p95 of each list through the API, before and after (issue #16).

On a database seeded by ``bench/seed_million.py``, one process answers one sequential client (the Flask test
client, the whole app: authentication, the use case, the JSON): the staff inbox, the coordinator's "Việc của
đơn vị" over every unit, the done view (``GET /tasks?status=completed``), the instance list, each first page
and a page deep in the list, and a plan's progress. Deep pages go by ``offset`` (half-way and the last page; the
done view at half its rows), and — where the code has it — by the ``cursor`` the page before would have given
(built from the row at that depth).

The baseline is measured in the same run on the same seed: the schema is brought down to revision 0007 (no
indexes of 0010) and ``--baseline PATH`` (a checkout of the code before, e.g. ``git worktree add /tmp/before
main``) answers; then the schema goes back to the newest revision and this checkout answers.

``--baseline-revision head`` keeps the newest schema for the baseline too (a before/after of code alone). The
"rows" column is ``X-Total-Count``, or ">10000" where the list answered ``X-Total-Count-More-Than``.

``--read-only`` leaves the database as it is (no downgrade, upgrade or ANALYZE: the shared seed, read by several
people); ``--pairs N`` alternates before and after N times (ABAB) on a shared machine.

Usage: ``.venv/bin/python bench/lists_million.py --pg-url URL [--baseline PATH] [--baseline-revision 0007]
[--rounds 40] [--read-only] [--pairs 1] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]  # bench/engine.py is no package
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/cchc_million_bench"
GOALS_MS = {"plan progress": 300.0}  # every other row: 20 ms at p95
# Besides wall time, the CPU time of the request's thread (the app: authentication, the use case, the JSON; not
# the database server's): on a shared machine the wall time also holds the waits for a CPU.


def _people(conn: Any) -> dict[str, Any]:
    """Who to read as, and the depths: the busiest staff member, the busiest finisher, the plan."""
    staff = conn.execute(
        "SELECT u.username FROM app_user u JOIN human_task t ON t.unit_code = u.unit_code AND t.status = 'ready' "
        "AND t.role = 'staff' AND t.assignee IS NULL WHERE u.username LIKE 'cv1.%%' "
        "GROUP BY u.username ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    finisher = conn.execute(
        "SELECT completed_by FROM human_task WHERE status = 'completed' AND completed_by LIKE 'cv%%' "
        "GROUP BY completed_by ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    plan = conn.execute(
        "SELECT a.plan_id, count(*) FROM plan_occurrence o JOIN plan_activity a ON a.id = o.activity_id "
        "GROUP BY a.plan_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    done = conn.execute(
        "SELECT count(*) FROM human_task WHERE status = 'completed' AND completed_by = %s", (finisher,)
    ).fetchone()[0]
    open_steps = conn.execute("SELECT count(*) FROM human_task WHERE status = 'ready'").fetchone()[0]
    instances = conn.execute("SELECT count(*) FROM process_instance").fetchone()[0]
    return {
        "staff": staff,
        "finisher": finisher,
        "plan": plan[0],
        "occurrences": plan[1],
        "open": open_steps,
        "done": done,
        "instances": instances,
    }


def _cursor_at(conn: Any, kind: str, depth: int) -> str | None:
    """The cursor the page ending at row ``depth`` would give (None: this code has no cursors)."""
    try:
        from engine.keyset import Cursor
    except ImportError:
        return None
    if kind == "steps":
        due, row_id = conn.execute(
            "SELECT due_at, id FROM human_task WHERE status = 'ready' ORDER BY due_at NULLS LAST, id OFFSET %s LIMIT 1",
            (depth - 1,),
        ).fetchone()
        return Cursor("due_at", due, row_id).encode()
    (row_id,) = conn.execute(
        "SELECT id FROM process_instance ORDER BY id DESC OFFSET %s LIMIT 1", (depth - 1,)
    ).fetchone()
    return Cursor("-id", None, row_id).encode()


def _cold() -> Any:
    """What empties the code's caches of rendered instructions before each request (``--cold``); None: it has none."""
    try:
        from engine.queries import _RENDERED  # type: ignore[attr-defined]
    except ImportError:
        return None
    return lambda: [cache.clear() for cache in list(_RENDERED.values())]


def measure(url: str, rounds: int, cold: bool = False) -> dict[str, Any]:
    """In this process (the code on ``sys.path``): time each list ``rounds`` times; figures in ms. ``cold``: the
    caches of rendered instructions emptied before each request (outside the timed part)."""
    empty = _cold() if cold else None
    import psycopg

    from api import create_app

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        who = _people(conn)
        deep_steps = who["open"] // 2
        deep_instances = min(100_000, who["instances"] // 2)
        last_steps, last_instances = max(0, who["open"] - 50), max(0, who["instances"] - 50)
        cursors = {
            "steps": _cursor_at(conn, "steps", deep_steps),
            "instances": _cursor_at(conn, "inst", deep_instances),
        }
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    client = app.test_client()
    tokens: dict[str, str] = {}
    for user in (who["staff"], who["finisher"], "cchc.pnv", "admin"):
        answer = client.post("/api/v1/auth/login", json={"username": user, "password": "demo"})
        tokens[user] = answer.get_json()["token"]
    steps, inst, done = "/api/v1/tasks?scope=unit", "/api/v1/process-instances", "/api/v1/tasks?status=completed"
    by_cursor = {  # the deep page by the cursor the page before would give, where the code has cursors
        kind: [(f"  … cursor at {depth:,}", user, f"{path}{'&' if '?' in path else '?'}cursor={cursors[kind]}")]
        if cursors[kind]
        else []
        for kind, depth, user, path in (
            ("steps", deep_steps, "cchc.pnv", steps),
            ("instances", deep_instances, "admin", inst),
        )
    }
    cases: list[tuple[str, str, str]] = [
        ("staff inbox", who["staff"], "/api/v1/tasks"),
        ("staff inbox, 500 rows", who["staff"], "/api/v1/tasks?limit=200"),
        ("done view", who["finisher"], done),
        (f"  … offset {who['done'] // 2:,} (of {who['done']:,})", who["finisher"], f"{done}&offset={who['done'] // 2}"),
        ("coordinator: every unit's steps", "cchc.pnv", steps),
        (f"  … offset {deep_steps:,}", "cchc.pnv", f"{steps}&offset={deep_steps}"),
        *by_cursor["steps"],
        (f"  … offset {last_steps:,} (the last page)", "cchc.pnv", f"{steps}&offset={last_steps}"),
        ("instance list (admin)", "admin", inst),
        (f"  … offset {deep_instances:,}", "admin", f"{inst}?offset={deep_instances}"),
        *by_cursor["instances"],
        (f"  … offset {last_instances:,} (the last page)", "admin", f"{inst}?offset={last_instances}"),
        ("instance list (coordinator)", "cchc.pnv", inst),
        (f"  … offset {deep_instances:,} (coordinator)", "cchc.pnv", f"{inst}?offset={deep_instances}"),
        ("plan progress", "cchc.pnv", f"/api/v1/plans/{who['plan']}/progress"),
    ]
    figures: dict[str, Any] = {"who": who, "rows": {}}
    for name, user, path in cases:
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        times, cpu, size, total, status = [], [], 0, None, 0
        for i in range(rounds + 3):
            if empty is not None:
                empty()
            started, used = time.perf_counter(), time.thread_time()
            answer = client.get(path, headers=headers)
            elapsed, spent = (time.perf_counter() - started) * 1000, (time.thread_time() - used) * 1000
            status, size = answer.status_code, len(answer.data)
            total = answer.headers.get("X-Total-Count")
            if total is None and answer.headers.get("X-Total-Count-More-Than"):  # counted up to a bound
                total = f">{answer.headers['X-Total-Count-More-Than']}"
            if i >= 3:
                times.append(elapsed)
                cpu.append(spent)
        q = statistics.quantiles(times, n=20, method="inclusive")
        figures["rows"][name] = {
            "p50": statistics.median(times),
            "p95": q[18],
            "cpu_p50": statistics.median(cpu),
            "status": status,
            "bytes": size,
            "total": total,
        }
    return figures


def _run(code: Path, url: str, rounds: int, cold: bool = False) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "lists_million.py"),
            "--measure",
            "--pg-url",
            url,
            "--rounds",
            str(rounds),
            *(["--cold"] if cold else []),
        ],
        cwd=code,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"measuring {code} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _schema(url: str, revision: str) -> None:
    import psycopg
    from alembic import command

    sys.path.insert(0, str(ROOT))
    from workflows.schema import alembic_config

    config = alembic_config(url)
    command.downgrade(config, revision) if revision != "head" else command.upgrade(config, "head")
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("ANALYZE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_URL)
    parser.add_argument("--baseline", type=Path, help="a checkout of the code before (measured on revision 0007)")
    parser.add_argument(
        "--baseline-revision",
        default="0007",
        help="the schema the baseline runs on (0007: before the list indexes; head: the same schema as after)",
    )
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="measure the database as it stands (no schema change, no ANALYZE): a shared seed; both at its revision",
    )
    parser.add_argument("--cold", action="store_true", help="empty the render caches before each request")
    parser.add_argument("--pairs", type=int, default=1, help="before and after alternated this many times (ABAB)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.pg_url, args.rounds, args.cold), default=str))
        return 0
    pairs: list[dict[str, Any]] = []
    for _ in range(args.pairs):
        runs: dict[str, Any] = {}
        if args.baseline:
            if not args.read_only:
                _schema(args.pg_url, args.baseline_revision)
            runs["before"] = _run(args.baseline.resolve(), args.pg_url, args.rounds, args.cold)
        if not args.read_only:
            _schema(args.pg_url, "head")
        runs["after"] = _run(ROOT, args.pg_url, args.rounds, args.cold)
        report(runs)
        pairs.append(runs)
    if args.json:
        found = pairs[0] if len(pairs) == 1 else pairs
        args.json.write_text(json.dumps(found, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


def report(runs: dict[str, Any]) -> None:
    after = runs["after"]
    before = runs.get("before", {"rows": {}})
    who = after["who"]
    print(
        f"{who['open']:,} open steps, {who['instances']:,} instances; staff {who['staff']}, done view "
        f"{who['finisher']}, plan {who['plan']} with {who['occurrences']:,} occurrences; load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'list (one page of 50 unless said)':38}{'before p50':>11}{'p95':>8}{'cpu':>6}{'after p50':>11}{'p95':>8}"
        f"{'cpu':>6}{'p95 ×':>7}{'rows':>9}{'KB':>7}  goal (wall p95)"
    )
    for name, row in after["rows"].items():
        old = before["rows"].get(name)
        if old is None and "cursor" in name:  # the code before had no cursor: its deep page went by offset
            old = next(
                (v for k, v in before["rows"].items() if "offset" in k and k.split()[-1] == name.split()[-1]), None
            )
        goal = GOALS_MS.get(name, 20.0 if "500 rows" not in name else None)
        met = "" if goal is None else ("ok" if row["p95"] < goal else f"MISSED (< {goal:g} ms)")
        was = f"{old['p50']:>11.1f}{old['p95']:>8.1f}{old['cpu_p50']:>6.1f}" if old else f"{'—':>11}{'—':>8}{'':>6}"
        ratio = f"{old['p95'] / row['p95']:>7.1f}" if old else f"{'':>7}"
        print(
            f"{name:38}{was}{row['p50']:>11.1f}{row['p95']:>8.1f}{row['cpu_p50']:>6.1f}{ratio}{row['total'] or '':>9}"
            f"{row['bytes'] / 1024:>7.0f}  {met}"
        )


if __name__ == "__main__":
    sys.exit(main())
