"""Engine benchmark: raw SpiffWorkflow against persisted completions on SQLite and PostgreSQL.

Runs the 5-user-task approval process (``tests/fixtures/approval5``) and prints, in one run:

1. raw in-memory SpiffWorkflow completions/s (same diagram, same sandboxed script engine and helpers);
2. persisted completions/s through ``Engine.complete`` (own unit of work + commit each), warm (the
   engine's workflow cache) and cold (``engine.cache.clear()`` before every completion);
3. stored bytes per instance after start and after completion;
4. the cost of the 200th completion of one long-running instance relative to the 5th.

Usage: ``.venv/bin/python bench/engine.py [--quick] [--pg-url URL] [--json PATH] [--profile]``.
The PostgreSQL database is reset (schema ``public`` dropped and recreated): it must be a bench database.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called engine.py: keep its folder off sys.path so ``import engine`` finds the package.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import datetime  # noqa: E402
from typing import Any  # noqa: E402

from lxml import etree  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import Engine as SqlEngine  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from engine.calendar import WorkingCalendar  # noqa: E402
from engine.clock import LOCAL_TZ, ManualClock, using_clock  # noqa: E402
from engine.db import Base, UnitOfWork, make_engine, make_session_factory, normalise_url  # noqa: E402
from engine.definitions import deploy, read_bundle  # noqa: E402
from engine.helpers import standard_helpers  # noqa: E402
from engine.models import AuditEvent, HumanTask, InstanceTask, ProcessInstance, Timer  # noqa: E402
from engine.runtime import Engine  # noqa: E402
from engine.sandbox import make_script_engine  # noqa: E402
from engine.state_store import SERIALIZER, WorkflowState  # noqa: E402
from engine.views import Actor  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/cchc_bench"
DEFAULT_BPMN = ROOT / "tests" / "fixtures" / "approval5" / "approval5.bpmn"
PROCESS_KEY = "approval5"
START = datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ)
ROLES = {"admin", "leader", "head", "staff", "clerk", "coordinator", "appraiser"}
PARENTS = {"PNV": "UBND", "PTP": "UBND"}

STARTER = Actor("cv.pnv", frozenset({"staff"}), "PNV")
ACTORS = {
    "Task_draft": STARTER,
    "Task_review": Actor("tp.pnv", frozenset({"head"}), "PNV"),
    "Task_legal": Actor("cv.ptp", frozenset({"staff"}), "PTP"),
    "Task_sign": Actor("ct.ubnd", frozenset({"leader"}), "UBND"),
    "Task_number": Actor("vt.ubnd", frozenset({"clerk"}), "UBND"),
}
STEPS = ("Task_draft", "Task_review", "Task_legal", "Task_sign", "Task_number")
DATA: dict[str, dict[str, Any]] = {"Task_draft": {"title": "Dự thảo"}, "Task_review": {"approved": True}}

# CPU time of this thread per timed completion, appended beside every wall-clock timing. On a loaded
# machine a completion that waits for I/O (a commit) also waits for a CPU again; CPU time shows the work
# done here. It does not include PostgreSQL's own work (another process).
CPU_LOG: list[float] = []
# Under cProfile, reading the thread's CPU clock shows up as ~0.8 ms per call: --profile switches it off.
cpu_clock: Callable[[], float] = time.thread_time

# Completion windows (1-based) compared in the long-running instance.
EARLY = range(3, 8)
LATE = range(198, 203)

# Targets from the brief.
TARGET_SQLITE = 0.30
TARGET_PG = 0.20
TARGET_STATE_BYTES = 5 * 1024
TARGET_GROWTH = 2.0
TARGET_FLOOR = 1.5  # a persisted warm completion against the floor (issue #16)


@dataclass(frozen=True)
class Sizes:
    n_instances: int  # instances walked per persisted column (5 completions each)
    n_raw: int  # instances walked in memory
    n_warmup: int
    rounds: int
    long_repeats: int  # long-running instances per backend and mode (part 4)


FULL = Sizes(n_instances=200, n_raw=600, n_warmup=5, rounds=5, long_repeats=3)
QUICK = Sizes(n_instances=30, n_raw=100, n_warmup=2, rounds=2, long_repeats=1)


class Units:
    """PNV and PTP sit under UBND (the lanes ``parent`` and ``code:PTP`` of approval5)."""

    def parent_of(self, unit_code: str) -> str | None:
        return PARENTS.get(unit_code)

    def within(self, unit_code: str, tenant: str | None) -> str | None:
        return unit_code


def make_helpers() -> dict[str, Callable[..., Any]]:
    calendar = WorkingCalendar()
    return standard_helpers(lambda _tenant: calendar)


# ----------------------------------------------------------------------------------------- raw SpiffWorkflow


@dataclass
class RawRun:
    """The diagram parsed once, run in memory with the engine's sandboxed script engine."""

    spec: Any
    subprocess_specs: Any
    script_engine: Any
    clock: ManualClock

    @classmethod
    def parse(cls, bpmn: bytes) -> RawRun:
        parser = SpiffBpmnParser()
        parser.add_bpmn_xml(etree.fromstring(bpmn), filename="approval5.bpmn")
        return cls(
            parser.get_spec(PROCESS_KEY),
            parser.get_subprocess_specs(PROCESS_KEY),
            make_script_engine(make_helpers()),
            ManualClock(START),
        )

    def new(self) -> BpmnWorkflow:
        wf = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        first = wf.get_next_task(state=TaskState.READY)
        assert first is not None
        first.data.update({"unit_code": "PNV"})
        wf.do_engine_steps()
        return wf

    def walks(self, n: int, serialize: bool = False) -> list[float]:
        """Run ``n`` instances to the end; the time of each completion (data, run, engine steps).

        With ``serialize``, each completion also serializes what changed as the engine would store it
        (``WorkflowState.delta``), without any database: the part of the persisted cost that is not SQL.
        """
        timings: list[float] = []
        with using_clock(self.clock):
            for _ in range(n):
                state = WorkflowState(self.new())
                if serialize:
                    state.delta()
                wf = state.workflow
                for element in STEPS:
                    c0, t0 = cpu_clock(), time.perf_counter()
                    [task] = wf.get_tasks(state=TaskState.READY, manual=True)
                    assert task.task_spec.bpmn_id == element, task.task_spec.bpmn_id
                    task.data.update(DATA.get(element, {}))
                    task.run()
                    wf.do_engine_steps()
                    if serialize:
                        state.delta()
                    timings.append(time.perf_counter() - t0)
                    CPU_LOG.append(cpu_clock() - c0)
                assert wf.is_completed()
        return timings

    def serialized_bytes(self) -> int:
        """Size of a plain ``serialize_json`` of a completed instance (spec included)."""
        with using_clock(self.clock):
            wf = self.new()
            for element in STEPS:
                [task] = wf.get_tasks(state=TaskState.READY, manual=True)
                task.data.update(DATA.get(element, {}))
                task.run()
                wf.do_engine_steps()
        return len(SERIALIZER.serialize_json(wf))


def raw_long_instance(raw: RawRun, repeats: int) -> dict[str, Any]:
    """The long-instance loop of part 4 in plain SpiffWorkflow (how much of the growth is the library's)."""
    runs: list[list[float]] = []
    with using_clock(raw.clock):
        for _ in range(repeats):
            timings: list[float] = []
            wf = raw.new()
            while len(timings) < LATE[-1]:
                t0 = time.perf_counter()
                [task] = wf.get_tasks(state=TaskState.READY, manual=True)
                element = task.task_spec.bpmn_id
                task.data.update({"title": "Dự thảo"} if element == "Task_draft" else {"approved": False})
                task.run()
                wf.do_engine_steps()
                timings.append(time.perf_counter() - t0)
            runs.append(timings)
    return _growth(runs, len(wf.tasks), None)


def _growth(runs: list[list[float]], task_rows: int, state_total: int | None) -> dict[str, Any]:
    """Median of the early and of the late window, pooled over the repeated instances."""
    early = statistics.median(t[i - 1] for t in runs for i in EARLY)
    late = statistics.median(t[i - 1] for t in runs for i in LATE)
    return {
        "instances": len(runs),
        "completions": len(runs[0]),
        "early_ms": early * 1000,
        "late_ms": late * 1000,
        "ratio": late / early,
        "task_rows": task_rows,
        "state_total": state_total,
    }


# ----------------------------------------------------------------------------------------- persisted


@dataclass
class Rig:
    name: str
    sql: SqlEngine
    sessions: sessionmaker[Session]
    engine: Engine

    @contextmanager
    def uow(self) -> Iterator[UnitOfWork]:
        with UnitOfWork(self.sessions) as uow:
            yield uow


def make_rig(name: str, url: str, bpmn: bytes, files: dict[str, bytes]) -> Rig:
    """A fresh schema with approval5 deployed and an engine on a manual clock (timers never fall due)."""
    sql = make_engine(url)
    Base.metadata.create_all(sql)
    clock = ManualClock(START)
    engine = Engine(clock=clock, helpers=make_helpers(), units=Units())
    rig = Rig(name, sql, make_session_factory(sql), engine)
    with rig.uow() as uow:
        deploy(uow.session, bpmn, files, known_roles=ROLES, actor="bench", now=clock.now())
        uow.commit()
    return rig


def reset_pg(url: str) -> None:
    """Create the bench database if missing and give it an empty schema ``public``."""
    parsed = make_url(normalise_url(url))
    database = parsed.database or ""
    if "bench" not in database:
        raise SystemExit(f"refusing to reset database {database!r}: the bench database name must contain 'bench'")
    admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        admin.dispose()
    bench = make_engine(url)
    try:
        with bench.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        bench.dispose()


def start_instance(rig: Rig) -> tuple[int, int]:
    """Start one instance; return its id and the id of its first step."""
    with rig.uow() as uow:
        view = rig.engine.start(uow, PROCESS_KEY, unit_code="PNV", data={"topic": "Kế hoạch CCHC"}, actor=STARTER)
        uow.commit()
    [task] = view.open_tasks
    return view.id, task.id


def complete(rig: Rig, task_id: int, element: str, data: dict[str, Any], cold: bool) -> tuple[float, int | None, str]:
    """One timed completion in its own unit of work; returns (seconds, next task id, next element)."""
    if cold:
        rig.engine.cache.clear()
    c0, t0 = cpu_clock(), time.perf_counter()
    with rig.uow() as uow:
        result = rig.engine.complete(uow, task_id, ACTORS[element], data)
        uow.commit()
    elapsed = time.perf_counter() - t0
    CPU_LOG.append(cpu_clock() - c0)
    if not result.next_tasks:
        return elapsed, None, ""
    nxt = result.next_tasks[0]
    return elapsed, nxt.id, nxt.element_id


def walk(rig: Rig, cold: bool) -> tuple[int, list[float]]:
    """Start an instance and complete its five steps; return the instance id and the five timings."""
    instance_id, first_task = start_instance(rig)
    task_id: int | None = first_task
    timings: list[float] = []
    element: str = STEPS[0]
    for expected in STEPS:
        assert element == expected and task_id is not None, (element, expected)
        elapsed, next_id, next_element = complete(rig, task_id, element, DATA.get(element, {}), cold)
        timings.append(elapsed)
        task_id, element = next_id, next_element
    assert task_id is None
    return instance_id, timings


def _floor_module() -> Any:
    """``bench/bench_floor.py`` (this folder is kept off ``sys.path``, see the top of the file)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_floor", ROOT / "bench" / "bench_floor.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FLOOR = _floor_module()


def floor_walks(rig: Rig, n: int, walked: list[int] | None = None) -> list[float]:
    """``n`` instances started by the engine (not timed), then walked at the floor (``bench/bench_floor.py``)."""
    users = {k: a.username for k, a in ACTORS.items()}
    return FLOOR.walks(rig, n, start_instance, STEPS, DATA, users, CPU_LOG, cpu_clock, walked)


def check_floor(rig: Rig) -> None:
    """Before timing: one walk by the engine and one by the floor must leave the same rows (ids aside)."""
    engine_instance, _ = walk(rig, cold=False)
    walked: list[int] = []
    floor_walks(rig, 1, walked)
    FLOOR.check_same_rows(rig, engine_instance, walked[0])


def walks(rig: Rig, cold: bool, n: int) -> list[float]:
    timings: list[float] = []
    for _ in range(n):
        timings.extend(walk(rig, cold)[1])
    return timings


def summary(timings: list[float], cpu: list[float]) -> dict[str, Any]:
    assert len(cpu) == len(timings)
    return {
        "completions": len(timings),
        "seconds": sum(timings),
        "per_s": len(timings) / sum(timings),
        "median_ms": statistics.median(timings) * 1000,
        "cpu_per_s": len(cpu) / sum(cpu),
        "cpu_median_ms": statistics.median(cpu) * 1000,
    }


def stored_bytes(rig: Rig, instance_id: int) -> dict[str, Any]:
    """What one instance occupies: state header + task payloads, and the projection/audit rows beside it."""
    with rig.sessions() as s:
        inst = s.get(ProcessInstance, instance_id)
        assert inst is not None
        payloads = list(s.scalars(select(InstanceTask.payload).where(InstanceTask.instance_id == instance_id)))
        audit_payloads = list(s.scalars(select(AuditEvent.payload).where(AuditEvent.instance_id == instance_id)))
        header = len(inst.state.encode())
        tasks = sum(len(bytes(p)) for p in payloads)
        out: dict[str, Any] = {
            "status": inst.status,
            "header": header,
            "task_rows": len(payloads),
            "task_payloads": tasks,
            "state_total": header + tasks,
            "instance_data": len(json.dumps(inst.data, ensure_ascii=False).encode()),
            "human_task_rows": _count(s, HumanTask, instance_id),
            "timer_rows": _count(s, Timer, instance_id),
            "audit_rows": len(audit_payloads),
            "audit_payloads": sum(len(json.dumps(p, ensure_ascii=False).encode()) for p in audit_payloads),
        }
        if s.get_bind().dialect.name == "postgresql":
            out["pg_row_bytes"] = {
                table: s.scalar(
                    text(f"SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM {table} t WHERE {column} = :i"),
                    {"i": instance_id},
                )
                for table, column in (
                    ("process_instance", "id"),
                    ("instance_task", "instance_id"),
                    ("human_task", "instance_id"),
                    ("timer", "instance_id"),
                    ("audit_event", "instance_id"),
                )
            }
    return out


def _count(session: Session, model: Any, instance_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(model.instance_id == instance_id)) or 0)


def storage(rig: Rig) -> dict[str, Any]:
    instance_id, first_task = start_instance(rig)
    task_id: int | None = first_task
    after_start = stored_bytes(rig, instance_id)
    element = STEPS[0]
    for expected in STEPS:
        assert element == expected and task_id is not None
        _, task_id, element = complete(rig, task_id, expected, DATA.get(expected, {}), cold=False)
    after_completion = stored_bytes(rig, instance_id)
    return {"after_start": after_start, "after_completion": after_completion}


def long_instance(rig: Rig, cold: bool, repeats: int) -> dict[str, Any]:
    """Instances looping draft → review (returned) until each has had ``LATE[-1]`` completions."""
    runs: list[list[float]] = []
    for _ in range(repeats):
        instance_id, first_task = start_instance(rig)
        task_id: int | None = first_task
        timings: list[float] = []
        element = "Task_draft"
        while len(timings) < LATE[-1]:
            assert task_id is not None and element in ("Task_draft", "Task_review"), element
            data = {"title": f"Dự thảo lần {len(timings)}"} if element == "Task_draft" else {"approved": False}
            elapsed, task_id, element = complete(rig, task_id, element, data, cold)
            timings.append(elapsed)
        runs.append(timings)
    sizes = stored_bytes(rig, instance_id)
    return _growth(runs, sizes["task_rows"], sizes["state_total"])


def throughput(raw: RawRun, rigs: list[Rig], sizes: Sizes) -> dict[str, dict[str, Any]]:
    """Parts 1-2, in interleaved rounds so that load from elsewhere on the machine hits every column alike."""
    raw.walks(sizes.n_warmup)
    for rig in rigs:
        check_floor(rig)
        walks(rig, False, sizes.n_warmup)
        walks(rig, True, sizes.n_warmup)
        floor_walks(rig, sizes.n_warmup)
    timings: dict[str, list[float]] = {"raw": [], "raw+delta": []}
    cpu: dict[str, list[float]] = {}

    def timed(key: str, run: Callable[[], list[float]]) -> None:
        mark = len(CPU_LOG)
        timings[key] = timings.get(key, []) + run()
        cpu[key] = cpu.get(key, []) + CPU_LOG[mark:]

    for r in range(sizes.rounds):
        print(f"  round {r + 1}/{sizes.rounds}", file=sys.stderr)
        timed("raw", lambda: raw.walks(sizes.n_raw // sizes.rounds))
        timed("raw+delta", lambda: raw.walks(sizes.n_raw // sizes.rounds, serialize=True))
        for rig in rigs:
            timed(f"{rig.name} floor", lambda: floor_walks(rig, sizes.n_instances // sizes.rounds))  # noqa: B023
            for mode in ("warm", "cold"):
                timed(f"{rig.name} {mode}", lambda: walks(rig, mode == "cold", sizes.n_instances // sizes.rounds))  # noqa: B023
    return {key: summary(values, cpu[key]) for key, values in timings.items()}


def per_backend(rig: Rig, sizes: Sizes) -> dict[str, Any]:
    """Parts 3-4 on one backend."""
    return {
        "storage": storage(rig),
        "long_warm": long_instance(rig, cold=False, repeats=sizes.long_repeats),
        "long_cold": long_instance(rig, cold=True, repeats=sizes.long_repeats),
    }


def _no_clock() -> float:
    return 0.0


def profile(rig: Rig, cold: bool, instances: int, top: int) -> str:
    """cProfile of ``instances`` walks; the top functions by own time and by cumulative time."""
    global cpu_clock
    profiler = cProfile.Profile()
    clock, cpu_clock = cpu_clock, _no_clock
    profiler.enable()
    for _ in range(instances):
        walk(rig, cold)
    profiler.disable()
    cpu_clock = clock
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# ----------------------------------------------------------------------------------------- report


def machine(pg_version: str | None) -> dict[str, Any]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
    }


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def print_report(results: dict[str, Any]) -> None:
    tp = results["throughput"]
    raw = tp["raw"]
    backends = [b for b in ("sqlite", "postgresql") if b in results]
    m = results["machine"]
    print(f"\nMachine: {m['nproc']} CPU ({m['cpu']}), Python {m['python']}, SQLite {m['sqlite']}, ", end="")
    print(f"PostgreSQL {m['postgresql'] or 'n/a'}")

    print(f"\n1-2. Completions/s on approval5, {results['sizes']['rounds']} interleaved rounds")
    print("     wall clock (the target), then this thread's CPU time (PostgreSQL: the client's share only)")
    print(
        f"{'':30}{'completions':>12}{'per s':>9}{'median ms':>11}{'% of raw':>10}{'target':>8}{'met':>5}"
        f"{'CPU/s':>9}{'CPU ms':>9}{'CPU %':>7}"
    )

    def cpu_columns(r: dict[str, Any]) -> str:
        return f"{r['cpu_per_s']:>9,.0f}{r['cpu_median_ms']:>9.3f}{_pct(r['cpu_per_s'] / raw['cpu_per_s']):>7}"

    print(
        f"{'raw SpiffWorkflow, in memory':30}{raw['completions']:>12}{raw['per_s']:>9,.0f}{raw['median_ms']:>11.3f}"
        f"{'':>23}{cpu_columns(raw)}"
    )
    rd = tp["raw+delta"]
    print(
        f"{'  + delta serialization, no DB':30}{rd['completions']:>12}{rd['per_s']:>9,.0f}{rd['median_ms']:>11.3f}"
        f"{_pct(rd['per_s'] / raw['per_s']):>10}{'':>13}{cpu_columns(rd)}"
    )
    for b in backends:
        target = TARGET_SQLITE if b == "sqlite" else TARGET_PG
        r = tp[f"{b} floor"]
        print(
            f"{'floor ' + b + ' (bare driver)':30}{r['completions']:>12}{r['per_s']:>9,.0f}{r['median_ms']:>11.3f}"
            f"{_pct(r['per_s'] / raw['per_s']):>10}{'':>13}{cpu_columns(r)}"
        )
        for mode in ("warm", "cold"):
            r = tp[f"{b} {mode}"]
            ratio = r["per_s"] / raw["per_s"]
            print(
                f"{'Engine.complete ' + b + ' ' + mode:30}{r['completions']:>12}{r['per_s']:>9,.0f}"
                f"{r['median_ms']:>11.3f}{_pct(ratio):>10}{_pct(target):>8}{_yes(ratio >= target):>5}{cpu_columns(r)}"
            )

    print(f"\n   Against the floor (time per completion ÷ the floor's, mean; target warm ≤ {TARGET_FLOOR}×)")
    print(f"{'':30}{'wall':>8}{'median':>8}{'CPU':>8}{'met':>5}")
    for b in backends:
        floor = tp[f"{b} floor"]
        for mode in ("warm", "cold"):
            r = tp[f"{b} {mode}"]
            ratio = floor["per_s"] / r["per_s"]
            r["floor_ratio"] = ratio
            met = _yes(ratio <= TARGET_FLOOR) if mode == "warm" else ""
            print(
                f"{'Engine.complete ' + b + ' ' + mode:30}{ratio:>7.2f}×{r['median_ms'] / floor['median_ms']:>7.2f}×"
                f"{floor['cpu_per_s'] / r['cpu_per_s']:>7.2f}×{met:>5}"
            )

    print(f"\n3. Stored bytes per instance (state = header + task payloads; target ≤ {TARGET_STATE_BYTES} B)")
    first = results[backends[0]]["storage"]
    print(f"{'':18}{'header':>7}{'tasks':>6}{'payloads':>9}{'state':>7}{'met':>5}  human/timer/audit rows, audit B")
    for moment in ("after_start", "after_completion"):
        r = first[moment]
        print(
            f"{moment.replace('_', ' '):18}{r['header']:>7}{r['task_rows']:>6}{r['task_payloads']:>9}"
            f"{r['state_total']:>7}{_yes(r['state_total'] <= TARGET_STATE_BYTES):>5}"
            f"  {r['human_task_rows']}/{r['timer_rows']}/{r['audit_rows']}, {r['audit_payloads']}"
        )
    if "postgresql" in backends:
        for moment in ("after_start", "after_completion"):
            rows = results["postgresql"]["storage"][moment]["pg_row_bytes"]
            print(
                f"  PostgreSQL row bytes {moment.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in rows.items())
            )
    print(f"  plain serialize_json of a completed instance, spec included: {results['raw_serialize_json_bytes']} B")

    repeats = results["sizes"]["long_repeats"]
    print(
        f"\n4. Long-running instance ({repeats} per row): median of completions {EARLY[0]}-{EARLY[-1]} "
        f"vs {LATE[0]}-{LATE[-1]} (target ≤ 2×)"
    )
    print(f"{'':22}{'early ms':>10}{'late ms':>10}{'ratio':>8}{'met':>5}{'tasks':>7}{'state B':>9}")
    rows = [("raw SpiffWorkflow", results["raw_long"])]
    rows += [(f"{b} {mode}", results[b][f"long_{mode}"]) for b in backends for mode in ("warm", "cold")]
    for label, r in rows:
        state = "" if r["state_total"] is None else r["state_total"]
        print(
            f"{label:22}{r['early_ms']:>10.2f}{r['late_ms']:>10.2f}{r['ratio']:>7.1f}×"
            f"{_yes(r['ratio'] <= TARGET_GROWTH):>5}{r['task_rows']:>7}{state:>9}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="few instances (a smoke run, noisy figures)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="bench database (its schema is reset)")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--bpmn", type=Path, default=DEFAULT_BPMN, help="the approval5 diagram (files beside it)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--profile", action="store_true", help="print cProfile top functions (warm and cold)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    bpmn, files = read_bundle(args.bpmn)

    results: dict[str, Any] = {"sizes": sizes.__dict__}
    raw = RawRun.parse(bpmn)
    pg_version: str | None = None
    with tempfile.TemporaryDirectory(prefix="cchc-bench-") as tmp:
        rigs = [make_rig("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", bpmn, files)]
        if not args.no_pg:
            try:
                reset_pg(args.pg_url)
            except OperationalError as exc:
                raise SystemExit(f"PostgreSQL at {args.pg_url} is not reachable ({exc.orig}); use --no-pg") from exc
            rigs.append(make_rig("postgresql", args.pg_url, bpmn, files))
            with rigs[-1].sql.connect() as conn:
                pg_version = str(conn.scalar(text("SHOW server_version")))
        try:
            print("throughput …", file=sys.stderr)
            results["throughput"] = throughput(raw, rigs, sizes)
            results["raw_serialize_json_bytes"] = raw.serialized_bytes()
            results["raw_long"] = raw_long_instance(raw, sizes.long_repeats)
            for rig in rigs:
                print(f"{rig.name}: storage, long instance …", file=sys.stderr)
                results[rig.name] = per_backend(rig, sizes)
                if args.profile:
                    for mode in ("warm", "cold"):
                        print(f"\n===== cProfile {rig.name} {mode} =====\n{profile(rig, mode == 'cold', 40, 25)}")
        finally:
            for rig in rigs:
                rig.sql.dispose()
    results["machine"] = machine(pg_version)
    print_report(results)
    blob = json.dumps(results, indent=2, ensure_ascii=False)
    print("\nJSON:\n" + blob)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(blob + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
