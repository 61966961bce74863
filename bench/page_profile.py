"""Where one page's CPU goes: a list request profiled end to end (issue #16 item 5).

On a database seeded by ``bench/seed_million.py``, the Flask test client asks for one page ``--requests`` times
as one user (the whole app: authentication, the use case, the queries, building the rows, the JSON, the
headers) under ``cProfile``; printed: the CPU time of the thread per request (median, without the profiler),
the Python function calls per request (the profiler's count: load-independent), and the functions with the most
own time. The lists of ``bench/lists_million.py`` by name, or any path.

Usage: ``.venv/bin/python bench/page_profile.py [--pg-url URL] [--list inbox|done|steps|instances|progress|PATH]
[--user NAME] [--requests 50] [--top 30] [--cold]`` (``--cold``: the caches of rendered instructions emptied
before each request).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]  # bench/engine.py is no package
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/cchc_million_bench"


def _target(url: str, name: str, user: str | None) -> tuple[str, str]:
    """The user and path of a named list (as ``bench/lists_million.py`` chooses them), or ``name`` as a path."""
    import psycopg

    sys.path.insert(0, str(ROOT / "bench"))
    from lists_million import _people  # type: ignore[import-not-found]

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        who = _people(conn)
    named = {
        "inbox": (who["staff"], "/api/v1/tasks"),
        "done": (who["finisher"], "/api/v1/tasks?status=completed"),
        "steps": ("cchc.pnv", "/api/v1/tasks?scope=unit"),
        "instances": ("admin", "/api/v1/process-instances"),
        "progress": ("cchc.pnv", f"/api/v1/plans/{who['plan']}/progress"),
    }
    found = named.get(name, (user or "admin", name))
    return user or found[0], found[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_URL)
    parser.add_argument("--list", default="inbox")
    parser.add_argument("--user")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--cold", action="store_true", help="empty the render caches before each request")
    parser.add_argument("--callers", help="also print the callers of the functions matching this")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from api import create_app

    user, path = _target(args.pg_url, args.list, args.user)
    app = create_app({"DATABASE_URL": args.pg_url, "SECRET_KEY": "bench", "TESTING": True})
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"username": user, "password": "demo"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    from lists_million import _cold  # type: ignore[import-not-found]

    empty = _cold() if args.cold else None

    def ask() -> Any:
        if empty is not None:
            empty()  # counted with the request: a few calls
        answer = client.get(path, headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: {answer.status_code} {answer.data[:300]!r}")
        return answer

    for _ in range(5):  # warm: caches, prepared statements
        ask()
    cpu = []
    for _ in range(args.requests):
        used = time.thread_time()
        ask()
        cpu.append((time.thread_time() - used) * 1000)
    profile = cProfile.Profile(time.thread_time)  # CPU of this thread: no waits for the database or a core
    profile.enable()
    for _ in range(args.requests):
        ask()
    profile.disable()
    stats = pstats.Stats(profile)
    calls = stats.total_calls  # type: ignore[attr-defined]
    print(f"{path} as {user}: CPU {statistics.median(cpu):.2f} ms per request (median of {args.requests}, thread)")
    print(f"function calls per request: {calls / args.requests:,.0f}")
    stats.sort_stats(args.sort).print_stats(args.top)
    if args.callers:
        stats.print_callers(args.callers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
