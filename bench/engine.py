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
import pstats  # noqa: E402
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
from sqlalchemy import text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from engine.calendar import WorkingCalendar  # noqa: E402
from engine.clock import LOCAL_TZ, ManualClock, using_clock  # noqa: E402
from engine.db import Base, UnitOfWork, make_engine, make_session_factory  # noqa: E402
from engine.definitions import deploy, read_bundle  # noqa: E402
from engine.helpers import standard_helpers  # noqa: E402
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


def _bench_module(name: str) -> Any:
    """``bench/<name>.py`` (this folder is kept off ``sys.path``, see the top of the file)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FLOOR = _bench_module("bench_floor")
REPORT = _bench_module("bench_engine_report")
STORAGE = _bench_module("bench_storage")


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


def storage(rig: Rig) -> dict[str, Any]:
    instance_id, first_task = start_instance(rig)
    task_id: int | None = first_task
    after_start = STORAGE.stored_bytes(rig.sessions, instance_id)
    element = STEPS[0]
    for expected in STEPS:
        assert element == expected and task_id is not None
        _, task_id, element = complete(rig, task_id, expected, DATA.get(expected, {}), cold=False)
    after_completion = STORAGE.stored_bytes(rig.sessions, instance_id)
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
    sizes = STORAGE.stored_bytes(rig.sessions, instance_id)
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
                STORAGE.reset_pg(args.pg_url)
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
    results["machine"] = REPORT.machine(pg_version)
    REPORT.print_report(results, EARLY, LATE)
    blob = json.dumps(results, indent=2, ensure_ascii=False)
    print("\nJSON:\n" + blob)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(blob + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
