"""kill -9 under load: web processes (gunicorn) and a deadline worker on PostgreSQL are killed with SIGKILL while
clients start instances and complete steps; after a restart every action the server acknowledged (a 2xx answer) must
be in the database, and every instance must load with its open steps equal to the projection.

Used by ``bench/kill9.py`` (figures) and ``tests/pg/test_kill9_pg.py`` (a short run)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from engine.models import AuditEvent, HumanTask, InstanceTask, ProcessDefinition, ProcessInstance
from engine.projection import ready_human_tasks
from engine.state_store import WorkflowState
from tests.engine_support import make_rig
from tests.server_support import Client, Proc, start_web, start_worker

WHO = {"Task_draft": "cv.pnv", "Task_review": "tp.pnv", "Task_legal": "cv.ptp", "Task_sign": "chutich"}
WHO["Task_number"] = "vanthu"
DATA: dict[str, dict[str, Any]] = {"Task_draft": {"title": "Dự thảo"}, "Task_review": {"approved": True}}
COMPLETED = 64  # SpiffWorkflow's TaskState.COMPLETED


@dataclass
class Ledger:
    """Every action the server acknowledged with a 2xx answer, and what the clients saw otherwise."""

    starts: dict[int, list[int]] = field(default_factory=dict)  # instance id → the open steps in the answer
    completions: dict[int, str] = field(default_factory=dict)  # step id → who completed it
    announced: set[int] = field(default_factory=set)  # steps that a completion's answer opened
    requests: int = 0
    down: int = 0  # calls refused while the server was down (connection refused)
    broken: int = 0  # calls cut off: in flight at a kill (reset, closed, timed out)
    refused: Counter[str] = field(default_factory=Counter)  # "status code" of other answers
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def acked(self) -> int:
        return len(self.starts) + len(self.completions)


class Driver(threading.Thread):
    """One client: starts an approval5 instance for PNV and walks it to its end, each step as its lane's user."""

    def __init__(self, port: int, ledger: Ledger, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.ledger, self.stop = port, ledger, stop
        self.clients: dict[str, Client] = {}

    def client(self, user: str) -> Client | None:
        """A logged-in client for ``user`` (tokens outlive restarts: every process shares the secret key)."""
        if user not in self.clients:
            client = Client(self.port, timeout=30)
            status, data = client.call("POST", "/api/v1/auth/login", {"username": user, "password": "demo"})
            if status != 200:
                client.close()
                return None
            client.token = data["token"]
            self.clients[user] = client
        return self.clients[user]

    def call(self, user: str, method: str, path: str, body: Any) -> tuple[int, Any]:
        client = self.client(user)
        if client is None:  # the server is down: try again a little later
            time.sleep(0.05)
            return 0, None
        status, data = client.call(method, path, body)
        with self.ledger.lock:
            self.ledger.requests += 1
            if status == 0 and client.last_error == "ConnectionRefusedError":
                self.ledger.down += 1
            elif status == 0:
                self.ledger.broken += 1
            elif not 200 <= status < 300:
                code = data.get("error", {}).get("code") if isinstance(data, dict) else None
                self.ledger.refused[f"{status} {code}"] += 1
        if status == 0:
            time.sleep(0.05)
        return status, data

    def run(self) -> None:
        body = {"process_key": "approval5", "unit_code": "PNV", "data": {}}
        while not self.stop.is_set():
            status, started = self.call("cv.pnv", "POST", "/api/v1/process-instances", body)
            if status != 201:
                continue
            steps = list(started["open_tasks"])
            with self.ledger.lock:
                self.ledger.starts[int(started["id"])] = [int(s["id"]) for s in steps]
            while steps and not self.stop.is_set():
                step = steps.pop(0)
                user = WHO[step["element_id"]]
                path = f"/api/v1/tasks/{step['id']}/complete"
                status, done = self.call(user, "POST", path, {"data": DATA.get(step["element_id"], {})})
                if status != 200:
                    break  # unknown outcome (no answer) or refused: leave this instance, start another
                with self.ledger.lock:
                    self.ledger.completions[int(step["id"])] = user
                    self.ledger.announced.update(int(s["id"]) for s in done["next_tasks"])
                steps = list(done["next_tasks"])
        for client in self.clients.values():
            client.close()


@dataclass
class Cluster:
    """A gunicorn master with its web processes and one ``cchc worker``, restartable after SIGKILL."""

    url: str
    port: int
    logs: Path
    workers: int = 2
    threads: int = 4
    web: Proc | None = None
    worker: Proc | None = None
    kills: int = 0

    def start(self) -> None:
        self.web = start_web(self.url, self.port, self.logs / "web.log", workers=self.workers, threads=self.threads)
        self.worker = start_worker(self.url, self.logs / "worker.log")

    def kill9(self) -> int:
        """SIGKILL every web process, the master and the worker at once; how many processes were killed."""
        assert self.web is not None and self.worker is not None
        killed = len(self.web.children()) + 2
        self.web.kill_all()
        self.worker.kill_all()
        self.kills += 1
        return killed

    def stop(self) -> None:
        for proc in (self.web, self.worker):
            if proc is not None:
                proc.stop()


@dataclass
class Figures:
    acked_starts: int
    acked_completions: int
    found_starts: int
    found_completions: int
    announced: int
    found_announced: int
    instances: int
    half_written: list[str]
    kills: int
    processes_killed: int
    requests: int
    down: int
    broken: int
    refused: dict[str, int]
    seconds: float
    restart_seconds: list[float] = field(default_factory=list)  # from the kill to every process answering again

    @property
    def acked(self) -> int:
        return self.acked_starts + self.acked_completions

    @property
    def lost(self) -> int:
        return (
            self.acked_starts
            - self.found_starts
            + self.acked_completions
            - self.found_completions
            + self.announced
            - self.found_announced
        )

    def report(self) -> str:
        return "\n".join(
            [
                f"kill -9: {self.kills} round(s), {self.processes_killed} processes killed, {self.seconds:.1f} s; "
                f"back up after {', '.join(f'{r:.1f}' for r in self.restart_seconds) or '-'} s",
                f"  requests {self.requests}: cut off by a kill (in flight, or on a connection it closed) "
                f"{self.broken}, refused while down {self.down}, answered 4xx/5xx {self.refused or 0}",
                f"  acknowledged: {self.acked} ({self.acked_starts} starts, {self.acked_completions} completions); "
                f"found {self.found_starts + self.found_completions}; lost {self.lost}; "
                f"{self.acked / max(self.seconds - sum(self.restart_seconds), 1e-9):.1f} acknowledged/s while up",
                f"  steps announced by an answer: {self.announced}, found {self.found_announced}",
                f"  instances in the database: {self.instances}, half-written: {len(self.half_written)}",
            ]
        )


def run(
    url: str, port: int, logs: Path, *, clients: int, rounds: int, load_seconds: float, workers: int = 2
) -> Figures:
    """``rounds`` × (``load_seconds`` of load, kill -9 everything mid-load, restart), then load once more, stop and
    check the database against the acknowledgements."""
    cluster = Cluster(url, port, logs, workers=workers)
    ledger = Ledger()
    stop = threading.Event()
    cluster.start()
    drivers = [Driver(port, ledger, stop) for _ in range(clients)]
    began = time.monotonic()
    killed = 0
    restarts: list[float] = []
    try:
        for driver in drivers:
            driver.start()
        for _ in range(rounds):
            time.sleep(load_seconds)
            killed += cluster.kill9()
            down = time.monotonic()
            cluster.start()  # the clients keep calling meanwhile: refused connections, then answers again
            restarts.append(time.monotonic() - down)
        time.sleep(load_seconds)
        stop.set()
        for driver in drivers:
            driver.join(timeout=120)
        seconds = time.monotonic() - began
    finally:
        stop.set()
        cluster.stop()
    figures = check(url, ledger, cluster.kills, killed, seconds)
    figures.restart_seconds = restarts
    return figures


def check(url: str, ledger: Ledger, kills: int, killed: int, seconds: float) -> Figures:
    """Compare the database with the acknowledgements; load every instance and compare it with the projection."""
    rig = make_rig(url, create=False)
    half: list[str] = []
    try:
        with rig.sessions() as s:
            found_starts = set(
                s.scalars(select(ProcessInstance.id).where(ProcessInstance.id.in_(list(ledger.starts))))
            )
            done = {
                row.id: row.completed_by
                for row in s.execute(
                    select(HumanTask.id, HumanTask.completed_by).where(
                        HumanTask.id.in_(list(ledger.completions)), HumanTask.status == "completed"
                    )
                )
            }
            found_completions = sum(1 for task_id, user in ledger.completions.items() if done.get(task_id) == user)
            opened = {*ledger.announced, *(t for ids in ledger.starts.values() for t in ids)}
            found_announced = s.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.id.in_(opened)))
            instances = s.scalars(select(ProcessInstance)).all()
            for inst in instances:
                problem = _half_written(rig, s, inst)
                if problem:
                    half.append(f"{inst.id}: {problem}")
    finally:
        rig.sql.dispose()
    return Figures(
        acked_starts=len(ledger.starts),
        acked_completions=len(ledger.completions),
        found_starts=len(found_starts),
        found_completions=found_completions,
        announced=len(opened),
        found_announced=int(found_announced or 0),
        instances=len(instances),
        half_written=half,
        kills=kills,
        processes_killed=killed,
        requests=ledger.requests,
        down=ledger.down,
        broken=ledger.broken,
        refused=dict(ledger.refused),
        seconds=seconds,
    )


def _half_written(rig: Any, s: Any, inst: ProcessInstance) -> str | None:
    """Why the stored instance is inconsistent (None: it loads, its open steps are the projection's, each completed
    step is completed in the workflow and has its audit event)."""
    definition = s.get(ProcessDefinition, inst.definition_id)
    rows = s.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id)).all()
    task_rows = s.execute(select(InstanceTask.guid, InstanceTask.payload).where(InstanceTask.instance_id == inst.id))
    try:
        payloads = [(g, bytes(p)) for g, p in task_rows]
        state = WorkflowState.restore(rig.engine.specs.get(definition), inst.state, payloads, rig.engine.script_engine)
    except Exception as exc:  # noqa: BLE001 - any failure to load is the finding
        return f"does not load: {exc!r}"
    ready = {str(t.id) for t in ready_human_tasks(state.workflow)}
    if ready != {r.task_guid for r in rows if r.status == "ready"}:
        return "open steps differ from the projection"
    completed = [r for r in rows if r.status == "completed"]
    if any(not state.workflow.get_task_from_id(UUID(r.task_guid)).has_state(COMPLETED) for r in completed):
        return "a completed step is not completed in the workflow"
    audits = s.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.instance_id == inst.id, AuditEvent.kind == "task_completed")
    )
    if audits != len(completed):
        return f"{len(completed)} completed steps, {audits} task_completed events"
    if (inst.status == "completed") != state.workflow.is_completed():
        return f"status {inst.status} but the workflow is {'' if state.workflow.is_completed() else 'not '}completed"
    return None
