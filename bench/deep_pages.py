"""Pages deep by ``offset`` at a million steps: the page statement's execution time, buffers and plan, before and
after, in the same run, and the same rows in the same order (issue #16 item 5; load-independent beside
lists_million.py's wall times).

For each page (the coordinator's "Việc của đơn vị" over every unit and the instance lists, at a depth of half the
list and at the last page; the done view at half its rows), the app answers once through the Flask test client
with the code of a tree on ``PYTHONPATH``; the statement that read the page's rows (the one with ``OFFSET``) is
then run under ``EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)`` ``--rounds`` times on a connection of its own: the
database's own time (no client, no Python) and the buffers it touched (which no load changes). The ids of the
page's rows must be the same before and after.

Usage: ``.venv/bin/python bench/deep_pages.py --pg-url URL [--baseline PATH] [--rounds 15]`` (the database seeded
by ``bench/seed_million.py``; ``--baseline``: a checkout of the code before, e.g. ``git worktree add /tmp/before
main``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]  # bench/engine.py is no package
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/cchc_million_bench"


def _cases(conn: Any) -> list[tuple[str, str, str]]:
    steps = conn.execute("SELECT count(*) FROM human_task WHERE status = 'ready'").fetchone()[0]
    instances = conn.execute("SELECT count(*) FROM process_instance").fetchone()[0]
    finisher, done = conn.execute(
        "SELECT completed_by, count(*) FROM human_task WHERE status = 'completed' AND completed_by LIKE 'cv%%' "
        "GROUP BY completed_by ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    unit, inst = "/api/v1/tasks?scope=unit", "/api/v1/process-instances"
    return [
        (f"every unit's steps, offset {steps // 2:,}", "cchc.pnv", f"{unit}&offset={steps // 2}"),
        (f"every unit's steps, offset {steps - 50:,} (last)", "cchc.pnv", f"{unit}&offset={steps - 50}"),
        (f"instances (admin), offset {instances // 2:,}", "admin", f"{inst}?offset={instances // 2}"),
        (f"instances (admin), offset {instances - 50:,} (last)", "admin", f"{inst}?offset={instances - 50}"),
        (f"instances (coordinator), offset {instances // 2:,}", "cchc.pnv", f"{inst}?offset={instances // 2}"),
        (f"done view, offset {done // 2} of {done}", finisher, f"/api/v1/tasks?status=completed&offset={done // 2}"),
    ]


def _walk(node: dict[str, Any]) -> list[str]:
    """The node types and relations of a JSON plan, depth first."""
    here = [f"{node['Node Type']} {node.get('Index Name') or node.get('Relation Name') or ''}".strip()]
    return here + [kind for child in node.get("Plans", []) for kind in _walk(child)]


def measure(url: str, rounds: int) -> dict[str, Any]:
    """In this process (the code on ``sys.path``): each page's statement, explained ``rounds`` times."""
    import psycopg
    from sqlalchemy import Engine, event

    from api import create_app

    pages: list[tuple[str, Any]] = []

    @event.listens_for(Engine, "before_cursor_execute")
    def _grab(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "OFFSET" in statement and "count(" not in statement.lower():
            pages.append((statement, parameters))

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    client = app.test_client()
    figures: dict[str, Any] = {}
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for name, user, path in _cases(conn):
            token = client.post("/api/v1/auth/login", json={"username": user, "password": "demo"}).get_json()["token"]
            pages.clear()
            answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200, answer.get_json()
            statement, parameters = pages[-1]
            times, buffers, nodes = [], 0, []
            explain = "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) "
            for _ in range(rounds):
                plan = conn.execute(explain + statement, parameters).fetchone()
                assert plan is not None
                top = plan[0][0]
                times.append(top["Execution Time"])
                buffers = top["Plan"].get("Shared Hit Blocks", 0) + top["Plan"].get("Shared Read Blocks", 0)
                nodes = _walk(top["Plan"])
            figures[name] = {
                "median_ms": statistics.median(times),
                "min_ms": min(times),
                "buffers": buffers,
                "ids": [r["id"] for r in answer.get_json()],
                "scans": [n for n in nodes if "Scan" in n],
            }
    return figures


def _run(code: Path, url: str, rounds: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, str(ROOT / "bench" / "deep_pages.py"), "--measure", "--pg-url", url]
    out = subprocess.run([*command, "--rounds", str(rounds)], cwd=code, env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"measuring {code} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_URL)
    parser.add_argument("--baseline", type=Path, help="a checkout of the code before")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.pg_url, args.rounds)))
        return 0
    before = _run(args.baseline.resolve(), args.pg_url, args.rounds) if args.baseline else {}
    after = _run(ROOT, args.pg_url, args.rounds)
    print(f"the statement of each deep page (EXPLAIN ANALYZE, {args.rounds} runs); load {os.getloadavg()[0]:.1f}")
    print(f"{'page of 50':48}{'before ms':>10}{'buffers':>9}{'after ms':>10}{'buffers':>9}{'×':>7}  same rows")
    for name, row in after.items():
        old = before.get(name)
        was = f"{old['median_ms']:>10.2f}{old['buffers']:>9}" if old else f"{'—':>10}{'':>9}"
        ratio = f"{old['median_ms'] / row['median_ms']:>7.1f}" if old else f"{'':>7}"
        same = "" if old is None else ("yes" if old["ids"] == row["ids"] else "NO")
        print(f"{name:48}{was}{row['median_ms']:>10.2f}{row['buffers']:>9}{ratio}  {same} ({len(row['ids'])} rows)")
    for name, row in after.items():
        print(f"  {name}: {', '.join(row['scans'])}")
        if any("Seq Scan human_task" in n for n in row["scans"]):
            print("    SEQUENTIAL SCAN OF human_task")
    return 0


if __name__ == "__main__":
    sys.exit(main())
