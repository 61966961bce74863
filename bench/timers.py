"""Timer benchmark: due timers fired per second by 1 and 2 real worker processes on PostgreSQL, and the lag
between a timer's due time and its firing.

1. Throughput: ``--timers`` instances of ``tests/fixtures/timer_wait`` wait on a timer due long ago; W worker
   processes (``cchc worker``) are started and the backlog is drained. Rate = timers / (last seen fired −
   first seen fired), so process start-up is not counted.
2. Lag: W workers run idle; instances are created whose timers fall due at ``--rate`` per second over
   ``--seconds``; the bench polls the timer table every 50 ms and records (seen fired − due). Median and p99.

Usage: ``.venv/bin/python bench/timers.py [--pg-url URL] [--timers 2000] [--rate 50] [--seconds 20] [--poll 1]``.
The database is reset (schema ``public`` dropped): its name must contain "bench" (default cchc_timers_bench).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine.clock import LOCAL_TZ, ManualClock  # noqa: E402
from engine.db import Base, make_engine  # noqa: E402
from engine.models import Timer  # noqa: E402
from tests.engine_support import EngineRig, actor, make_rig  # noqa: E402
from workflows import models as _domain  # noqa: E402,F401 - every table, as in production

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/cchc_timers_bench"
STARTER = actor("bench", "staff", unit="PNV")


def reset(url: str) -> None:
    name = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1)).database or ""
    if "bench" not in name:
        raise SystemExit(f'Từ chối: "{name}" không phải cơ sở dữ liệu đo hiệu năng (tên phải chứa "bench").')
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    engine.dispose()


def create_timers(rig: EngineRig, due_times: list[datetime]) -> float:
    """Start one timer_wait instance per due time; returns seconds spent."""
    started = time.perf_counter()
    for first in range(0, len(due_times), 250):
        with rig.uow() as uow:
            for due in due_times[first : first + 250]:
                rig.engine.start(uow, "timer_wait", unit_code="PNV", actor=STARTER, data={"fire_at": due.isoformat()})
            uow.commit()
    return time.perf_counter() - started


def spawn(url: str, n: int, poll: float) -> list[subprocess.Popen[str]]:
    env = {**os.environ, "CCHC_DATABASE_URL": url, "CCHC_WORKER_POLL": str(poll)}
    env.pop("CCHC_SMTP_HOST", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    for p in procs:  # wait until each has started (its first line)
        assert p.stdout is not None
        p.stdout.readline()
    return procs


def stop(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        p.communicate(timeout=120)


def fired_count(rig: EngineRig) -> int:
    with rig.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Timer).where(Timer.status == "fired")) or 0)


def throughput(url: str, workers: int, n: int, poll: float) -> float:
    reset(url)
    rig = make_rig(url, create=False, start=datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ))
    rig.deploy_fixture("timer_wait")
    create_timers(rig, [datetime(2024, 1, 3, 8, 0, tzinfo=LOCAL_TZ)] * n)
    pause = threading.Event()
    procs = spawn(url, workers, poll)
    try:
        first_seen = first_count = None
        while True:
            count = fired_count(rig)
            now = time.perf_counter()
            if first_seen is None and count > 0:
                first_seen, first_count = now, count
            if count >= n:
                break
            pause.wait(0.05)
    finally:
        stop(procs)
        rig.sql.dispose()
    assert first_seen is not None and first_count is not None
    return (n - first_count) / max(1e-9, now - first_seen)


def lag(url: str, workers: int, rate: float, seconds: float, poll: float) -> list[float]:
    reset(url)
    clock = ManualClock(datetime.now(UTC))
    rig = make_rig(url, create=False)
    rig.clock = clock
    rig.engine.clock = clock
    rig.deploy_fixture("timer_wait")
    procs = spawn(url, workers, poll)
    pause = threading.Event()
    try:
        count = int(rate * seconds)
        lead = 5.0 + count * 0.012  # room to create every instance before the first falls due
        t0 = datetime.now(UTC) + timedelta(seconds=lead)
        dues = [t0 + timedelta(seconds=i / rate) for i in range(count)]
        clock.set(datetime.now(UTC))
        spent = create_timers(rig, dues)
        if spent > lead:
            print(f"  (cảnh báo: tạo hẹn giờ mất {spent:.1f} s > {lead:.1f} s; độ trễ đầu bị tính dư)")
        seen: dict[int, float] = {}
        deadline = time.monotonic() + lead + seconds + 120
        while len(seen) < count and time.monotonic() < deadline:
            with rig.sessions() as s:
                rows = s.execute(select(Timer.id, Timer.due_at).where(Timer.status == "fired")).all()
            now = datetime.now(UTC)
            for timer_id, due in rows:
                if timer_id not in seen:
                    seen[timer_id] = (now - due).total_seconds()
            pause.wait(0.05)
    finally:
        stop(procs)
        rig.sql.dispose()
    return sorted(seen.values())


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return sorted(values)[k]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get("CCHC_BENCH_PG_URL", DEFAULT_URL))
    parser.add_argument("--timers", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=50.0, help="timers falling due per second (lag phase)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--poll", type=float, default=1.0, help="CCHC_WORKER_POLL of the workers")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    print(f"# Timers — {platform.node()} ({os.cpu_count()} CPU), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"# load average: {os.getloadavg()[0]:.1f}; poll {args.poll:g} s")
    print()
    print("| workers | due timers fired/s | lag median (s) | lag p99 (s) | lag max (s) |")
    print("|---:|---:|---:|---:|---:|")
    for workers in (int(w) for w in args.workers.split(",")):
        rate = throughput(args.pg_url, workers, args.timers, args.poll)
        lags = lag(args.pg_url, workers, args.rate, args.seconds, args.poll)
        print(
            f"| {workers} | {rate:,.0f} | {statistics.median(lags):.2f} | {percentile(lags, 99):.2f} | "
            f"{max(lags):.2f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
