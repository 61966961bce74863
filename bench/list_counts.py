"""The count behind each list's first page at a million steps: the statement's execution time and buffers, before
and after, in the same run (issue #16; load-independent beside lists_million.py's wall times).

For each first page (the admin's and the coordinator's instance lists, the coordinator's "Việc của đơn vị" over
every unit), the app answers once through the Flask test client with the code of a tree on ``PYTHONPATH``; the
count statement it ran (the one with ``count(``) is then run under ``EXPLAIN (ANALYZE, BUFFERS)`` ``--rounds``
times on a connection of its own. The execution time is the database's own (no client, no network, no Python);
the buffers touched do not depend on the machine's load at all.

Usage: ``.venv/bin/python bench/list_counts.py --pg-url URL [--baseline PATH] [--rounds 15]`` (the database
seeded by ``bench/seed_million.py``; ``--baseline``: a checkout of the code before, e.g. ``git worktree add
/tmp/before main``).
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
CASES = [
    ("instance list (admin)", "admin", "/api/v1/process-instances"),
    ("instance list (coordinator)", "cchc.pnv", "/api/v1/process-instances"),
    ("coordinator: every unit's steps", "cchc.pnv", "/api/v1/tasks?scope=unit"),
]


def measure(url: str, rounds: int) -> dict[str, Any]:
    """In this process (the code on ``sys.path``): each first page's count statement, explained ``rounds`` times."""
    import psycopg
    from sqlalchemy import Engine, event

    from api import create_app

    counts: list[tuple[str, Any]] = []

    @event.listens_for(Engine, "before_cursor_execute")
    def _grab(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "count(" in statement.lower():
            counts.append((statement, parameters))

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    client = app.test_client()
    figures: dict[str, Any] = {}
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for name, user, path in CASES:
            token = client.post("/api/v1/auth/login", json={"username": user, "password": "demo"}).get_json()["token"]
            counts.clear()
            answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
            statement, parameters = counts[-1]
            times, buffers = [], 0
            for _ in range(rounds):
                plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters).fetchone()
                assert plan is not None
                top = plan[0][0]
                times.append(top["Execution Time"])
                buffers = top["Plan"].get("Shared Hit Blocks", 0) + top["Plan"].get("Shared Read Blocks", 0)
            total = answer.headers.get("X-Total-Count") or f">{answer.headers.get('X-Total-Count-More-Than')}"
            figures[name] = {
                "median_ms": statistics.median(times),
                "min_ms": min(times),
                "buffers": buffers,
                "total": total,
            }
    return figures


def _run(code: Path, url: str, rounds: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, str(ROOT / "bench" / "list_counts.py"), "--measure", "--pg-url", url]
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
    print(f"count statement of each first page (EXPLAIN ANALYZE, {args.rounds} runs); load {os.getloadavg()[0]:.1f}")
    print(f"{'list':34}{'before ms':>10}{'buffers':>9}{'total':>9}{'after ms':>10}{'buffers':>9}{'total':>9}{'×':>7}")
    for name, row in after.items():
        old = before.get(name)
        was = f"{old['median_ms']:>10.2f}{old['buffers']:>9}{old['total']:>9}" if old else f"{'—':>10}{'':>18}"
        ratio = f"{old['median_ms'] / row['median_ms']:>7.1f}" if old else ""
        print(f"{name:34}{was}{row['median_ms']:>10.2f}{row['buffers']:>9}{row['total']:>9}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
