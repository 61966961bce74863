"""kill -9 under load on PostgreSQL: every acknowledged action is in the database after the restart.

A gunicorn master with ``--workers`` web processes (``cchc serve --workers N``) and one ``cchc worker`` run on a fresh
database (migrations, the demo data, the approval5 test diagram). ``--clients`` threads start approval5 instances for
PNV and walk them step by step, each step as its lane's user, recording every action answered 2xx. Every
``--seconds`` the master, its web processes and the worker are killed with SIGKILL at once, mid-load, and started
again while the clients keep calling; ``--rounds`` times. Then the clients stop, the processes stop, and the database
is checked: each acknowledged start is an instance, each acknowledged completion a completed step by that user,
each step an answer announced exists, and every instance loads with its open steps equal to the projection, each
completed step completed in the workflow and audited once. Exit code 1 when anything is lost or half-written.

Usage: ``.venv/bin/python bench/kill9.py [--rounds 3] [--seconds 10] [--clients 8] [--port 5124]
[--pg-url postgresql://postgres@127.0.0.1:5432/cchc_kill9_bench]`` (the database is dropped and created again: its
name must contain "bench").
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

from tests.kill9_support import run  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/cchc_kill9_bench"


def fresh_database(url: str) -> None:
    """Drop and create the bench database (its name must contain "bench"), migrate it, load the demo and approval5."""
    import psycopg

    from api import create_app
    from engine.definitions import read_bundle
    from engine.views import SYSTEM_ACTOR
    from tests.engine_support import FIXTURES
    from workflows.definitions import deploy_definition
    from workflows.demo import load_demo
    from workflows.schema import upgrade

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f'Từ chối: "{name}" không phải cơ sở dữ liệu đo hiệu năng (tên phải chứa "bench").')
    admin = parts._replace(path="/postgres").geturl().replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    services = app.extensions["cchc"]
    load_demo(services)
    with services.uow() as uow:
        bpmn, files = read_bundle(FIXTURES / "approval5" / "approval5.bpmn")
        deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()
    services.close()
    # Statistics, as autovacuum keeps them on a maintained server (this machine's PostgreSQL runs with autovacuum
    # off): without any, the planner took a completion's UPDATE by id through an index of every open step.
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("ANALYZE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--port", type=int, default=5124)
    parser.add_argument("--workers", type=int, default=2, help="web processes")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="how many times everything is killed")
    parser.add_argument("--seconds", type=float, default=10.0, help="load before each kill, and after the last")
    args = parser.parse_args(argv)
    fresh_database(args.pg_url)
    with tempfile.TemporaryDirectory(prefix="cchc-kill9-") as tmp:
        figures = run(
            args.pg_url,
            args.port,
            Path(tmp),
            clients=args.clients,
            rounds=args.rounds,
            load_seconds=args.seconds,
            workers=args.workers,
        )
        tracebacks = sum((Path(tmp) / log).read_text(errors="replace").count("Traceback") for log in os.listdir(tmp))
    print(figures.report())
    print(f"  tracebacks in the server logs: {tracebacks}")
    for problem in figures.half_written[:20]:
        print(f"  half-written: {problem}")
    failed = figures.lost or figures.half_written or any(key.startswith("5") for key in figures.refused)
    print("FAILED" if failed else "OK: every acknowledged action is in the database")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
