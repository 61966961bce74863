"""Inbox benchmark: how long one read of a user's inbox takes over many open steps (SQLite, the engine's tables).

Starts ``--steps`` instances of approval5 (each leaves one open step in the starter's lane) and times
``engine.queries.inbox`` — the read behind ``GET /tasks`` — for the first 50 rows (the API's default page) and
the first 500 (the old fixed limit), each in a fresh read-only session: the median CPU time of the reading
thread over ``--rounds`` (wall-clock medians alongside, under ``wall_ms``). Where the code
has them, it also times a search (``q``) and a page deep in the list (``inbox_page``).

``--code PATH`` measures another checkout (e.g. ``git worktree add /tmp/before main``) with this same script.

Usage: ``.venv/bin/python bench/inbox.py [--steps 1000] [--rounds 30] [--code PATH] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _code_path(argv: list[str]) -> Path:
    if "--code" in argv:
        return Path(argv[argv.index("--code") + 1]).resolve()
    return ROOT


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    code = _code_path(argv)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
    sys.path.insert(0, str(code))

    from engine import queries
    from engine.calendar import WorkingCalendar
    from engine.clock import LOCAL_TZ, ManualClock
    from engine.db import Base, UnitOfWork, make_engine, make_session_factory
    from engine.definitions import deploy, read_bundle
    from engine.helpers import standard_helpers
    from engine.runtime import Engine
    from engine.views import Actor

    if not Path(queries.__file__).resolve().is_relative_to(code):
        raise SystemExit(f"engine imported from {queries.__file__}, not from {code}")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--steps", type=int, default=1000, help="open steps in the inbox")
    parser.add_argument("--rounds", type=int, default=30, help="timed reads per figure")
    parser.add_argument("--code", type=Path, help="the checkout to measure (default: this one)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    starter = Actor("cv.pnv", frozenset({"staff"}), "PNV")
    bpmn, files = read_bundle(ROOT / "tests" / "fixtures" / "approval5" / "approval5.bpmn")
    results: dict[str, Any] = {"code": str(code), "steps": args.steps, "rounds": args.rounds}
    with tempfile.TemporaryDirectory(prefix="cchc-inbox-") as tmp:
        sql = make_engine(f"sqlite:///{Path(tmp) / 'inbox.db'}")
        Base.metadata.create_all(sql)
        sessions = make_session_factory(sql)
        clock = ManualClock(datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ))
        calendar = WorkingCalendar()
        engine = Engine(clock=clock, helpers=standard_helpers(lambda _tenant: calendar))
        with UnitOfWork(sessions) as uow:
            roles = {"staff", "head", "leader", "clerk"}
            deploy(uow.session, bpmn, files, known_roles=roles, actor="bench", now=clock.now())
            uow.commit()
        for n in range(args.steps):
            with UnitOfWork(sessions) as uow:
                title = f"VII.3.{n % 40} · Báo cáo kết quả thực hiện CCHC số {n} · Quý {'I' * (1 + n % 3)}/2024"
                engine.start(uow, "approval5", unit_code="PNV", actor=starter, title=title)
                uow.commit()

        def timed(read: Callable[[Any], Any]) -> float:
            """Median CPU milliseconds of this thread per read (the machine is shared: wall time swings)."""
            with UnitOfWork(sessions, write=False) as uow:
                read(uow.session)  # warm: statement cache, pages in memory
            samples, walls = [], []
            for _ in range(args.rounds):
                c0, t0 = time.thread_time(), time.perf_counter()
                with UnitOfWork(sessions, write=False) as uow:
                    read(uow.session)
                samples.append(time.thread_time() - c0)
                walls.append(time.perf_counter() - t0)
            results.setdefault("wall_ms", []).append(round(statistics.median(walls) * 1000, 2))
            return statistics.median(samples) * 1000

        flt = queries.InboxFilter()
        with UnitOfWork(sessions, write=False) as uow:
            listed = len(queries.inbox(uow.session, starter, flt, limit=args.steps))
        if listed != args.steps:
            raise SystemExit(f"the inbox lists {listed} steps, not {args.steps}")
        results["first_50_ms"] = timed(lambda s: queries.inbox(s, starter, flt, limit=50))
        results["first_500_ms"] = timed(lambda s: queries.inbox(s, starter, flt, limit=500))
        if hasattr(queries, "inbox_page"):
            found = queries.InboxFilter(q="bao cao quy II")
            results["search_50_ms"] = timed(
                lambda s: queries.inbox_page(s, starter, found, queries.PageRequest(limit=50))
            )
            deep = queries.PageRequest(limit=50, offset=max(0, args.steps - 50), sort="-updated_at")
            results["last_page_50_ms"] = timed(lambda s: queries.inbox_page(s, starter, flt, deep))
        sql.dispose()
    for key, value in results.items():
        print(f"{key:>18}: {value:.2f}" if isinstance(value, float) else f"{key:>18}: {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
