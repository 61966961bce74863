"""The floor of a persisted completion, for ``bench/engine.py``: no engine code between SpiffWorkflow and the driver.

One completion here is what any engine storing approval5 the way this one does has to do at least:

1. SpiffWorkflow's run (``task.data.update``, ``task.run()``, ``do_engine_steps()``) with the same sandboxed
   script engine;
2. serializing what changed exactly as the engine stores it (``WorkflowState.delta()``: the header and the
   changed task rows; ``public_data`` for the instance's data column);
3. writing the same rows the engine writes — the step closed (conditional ``UPDATE``), its ``task_completed``
   audit event, the instance (versioned ``UPDATE``), the new steps (``INSERT … RETURNING id``, with every column
   the engine writes: the deadline from the step's ``dueDate`` expression run as the engine runs it, its form
   and ui schema, instructions, tenant), the changed,
   new and dropped task rows, the timer rows that appeared or left, ``instance_completed`` at the end — as
   prepared statements on the bare driver connection (``sqlite3`` / ``psycopg``: the pool's own DBAPI
   connection, so the same PRAGMAs / server settings), ``executemany`` for several rows of one kind;
4. one durable commit (SQLite: ``BEGIN IMMEDIATE`` … ``COMMIT`` in WAL with ``synchronous=NORMAL``, as the
   engine's writers; PostgreSQL: ``synchronous_commit=on``).

The same rows means the same stored values: moments in the column type's own format (SQLite:
``YYYY-MM-DD HH:MM:SS.ffffff`` text), JSON as the engine's dialects write it. ``check_same_rows`` compares
an engine walk's rows with a floor walk's (ids, uuids and SpiffWorkflow's wall-clock stamps aside);
``bench/engine.py`` runs it once per backend before timing, so the floor cannot drift from the engine.

Nothing is read: the workflow stays in memory (as the engine's warm cache keeps it) and the floor knows its
step ids. No permission check, no form validation, no version read, no observers — a lower bound, not an
engine.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.clock import using_clock
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from engine.projection import step_due_at, task_properties, waiting_timers
from engine.spiff_workflow import ready_tasks
from engine.state_store import SERIALIZER_VERSION, WorkflowState, public_data

_dumps = json.dumps  # the JSON text the engine's columns hold (its dialects keep the default serializer)
_FORMAT = "%04d-%02d-%02d %02d:%02d:%02d.%06d"  # SQLAlchemy's SQLite DATETIME storage format


class Floor:
    """Prepared statements of one backend on one DBAPI connection."""

    def __init__(self, dbapi_connection: Any, dialect: str) -> None:
        self.conn = dbapi_connection
        self.pg = dialect == "postgresql"
        p = "%s" if self.pg else "?"
        js = "%s::json" if self.pg else "?"
        self.complete_step = (
            f"UPDATE human_task SET status = 'completed', completed_by = {p}, completed_at = {p} "
            f"WHERE id = {p} AND status = 'ready'"
        )
        self.insert_audit = (
            "INSERT INTO audit_event (kind, instance_id, definition_id, task_guid, element_id, actor, at, payload) "
            f"VALUES ({p}, {p}, NULL, {p}, {p}, {p}, {p}, {js})"
        )
        self.update_instance = (
            f"UPDATE process_instance SET status = {p}, state = {p}, serializer_version = {p}, data = {js}, "
            f"updated_at = {p}, ended_at = {p}, version = {p} WHERE id = {p} AND version = {p}"
        )
        self.insert_step = (
            "INSERT INTO human_task (instance_id, process_key, task_guid, element_id, name, lane, role, unit_code, "
            "tenant, form_schema, ui_schema, instructions, status, created_at, due_at, escalation_level) "
            f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, 'ready', {p}, {p}, 0) RETURNING id"
        )
        self.update_task_row = f"UPDATE instance_task SET payload = {p} WHERE instance_id = {p} AND guid = {p}"
        self.insert_task_row = (
            f"INSERT INTO instance_task (instance_id, guid, owner, payload) VALUES ({p}, {p}, 'top', {p})"
        )
        self.delete_task_row = f"DELETE FROM instance_task WHERE instance_id = {p} AND guid = {p}"
        self.insert_timer = (
            "INSERT INTO timer (instance_id, task_guid, element_id, due_at, status) "
            f"VALUES ({p}, {p}, {p}, {p}, 'waiting')"
        )
        self.close_timer = f"UPDATE timer SET status = {p}, fired_at = {p} WHERE task_guid = {p} AND status = 'waiting'"

    def moment(self, value: datetime | None) -> Any:
        """A UTC moment as the engine's column type stores it (SQLite: ``YYYY-MM-DD HH:MM:SS.ffffff`` text)."""
        if value is None or self.pg:
            return value
        v = value.astimezone(UTC)
        return _FORMAT % (v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond)

    def execute(self, cur: Any, sql: str, params: Any) -> Any:
        if self.pg:
            return cur.execute(sql, params, prepare=True)
        return cur.execute(sql, params)

    def executemany(self, cur: Any, sql: str, rows: list[Any]) -> None:
        if rows:
            cur.executemany(sql, rows)

    def begin(self) -> Any:
        cur = self.conn.cursor()
        if not self.pg:
            cur.execute("BEGIN IMMEDIATE")  # psycopg begins by itself (autocommit off)
        return cur

    def commit(self, cur: Any) -> None:
        if self.pg:
            self.conn.commit()
        else:
            cur.execute("COMMIT")
        cur.close()


class FloorInstance:
    """One started instance, walked by the floor: its live workflow and what the floor knows is stored."""

    def __init__(
        self, instance_id: int, version: int, tenant: str | None, state: WorkflowState, steps: dict[str, int]
    ) -> None:
        self.id = instance_id
        self.tenant = tenant
        self.version = version
        self.state = state
        self.steps = steps  # task guid -> human_task id of the open steps
        self.timers = set(waiting_timers(state.workflow))


def complete(
    floor: Floor,
    inst: FloorInstance,
    element: str,
    data: dict[str, Any],
    username: str,
    lanes: dict[str, dict[str, Any]],
    units: Callable[[str], str | None],
    now: datetime,
) -> None:
    """One completion at the floor: run, serialize, write, commit."""
    wf = inst.state.workflow
    [task] = ready_tasks(wf, manual=True)
    assert task.task_spec.bpmn_id == element, task.task_spec.bpmn_id
    guid = str(task.id)
    task.data.update(data)
    task.run()
    wf.do_engine_steps()
    delta = inst.state.delta()
    ready = {str(t.id): t for t in ready_tasks(wf, manual=True)}
    timers = waiting_timers(wf)
    completed = wf.is_completed()
    at = floor.moment(now)
    instance_data = _dumps(public_data(wf))
    cur = floor.begin()
    step_id = inst.steps.pop(guid)
    if floor.execute(cur, floor.complete_step, (username, at, step_id)).rowcount != 1:
        raise RuntimeError("the step was not open")
    event = _dumps({"task_id": step_id, "name": task.task_spec.bpmn_name, "data": data})
    floor.execute(cur, floor.insert_audit, ("task_completed", inst.id, guid, element, username, at, event))
    for new_guid, new_task in ready.items():
        if new_guid in inst.steps:
            continue
        spec = new_task.task_spec
        rule = lanes.get(spec.lane or "", {})
        unit = rule.get("unit", "instance")
        unit_code = "PNV" if unit == "instance" else units(unit)
        props = task_properties(new_task)
        params = (
            inst.id,
            "approval5",
            new_guid,
            spec.bpmn_id,
            spec.bpmn_name,
            spec.lane,
            rule.get("role"),
            unit_code,
            inst.tenant,
            props.get("formJsonSchemaFilename"),
            props.get("formUiSchemaFilename"),
            spec.extensions.get("instructionsForEndUser"),
            at,
            floor.moment(step_due_at(new_task, wf)),  # the step's ``dueDate`` expression, run as the engine runs it
        )
        inst.steps[new_guid] = floor.execute(cur, floor.insert_step, params).fetchone()[0]
    status = "completed" if completed else "running"
    values = (status, delta.header, SERIALIZER_VERSION, instance_data, at, at if completed else None)
    floor.execute(
        cur,
        floor.update_instance,
        (*values, inst.version + 1, inst.id, inst.version),
    )
    inst.version += 1
    floor.executemany(cur, floor.update_task_row, [(p, inst.id, g) for g, p in delta.updates])
    floor.executemany(cur, floor.insert_task_row, [(inst.id, g, p) for g, p in delta.inserts])
    floor.executemany(cur, floor.delete_task_row, [(inst.id, g) for g in delta.deletes])
    new_timers = [
        (inst.id, g, t.task_spec.bpmn_id, floor.moment(due)) for g, (t, due) in timers.items() if g not in inst.timers
    ]
    floor.executemany(cur, floor.insert_timer, new_timers)
    gone = []
    for timer_guid in inst.timers - set(timers):
        fired = wf.get_task_from_id(_uuid(timer_guid)).has_state(TaskState.COMPLETED)
        gone.append(("fired" if fired else "cancelled", at if fired else None, timer_guid))
    floor.executemany(cur, floor.close_timer, gone)
    inst.timers = set(timers)
    if completed:
        floor.execute(cur, floor.insert_audit, ("instance_completed", inst.id, None, None, username, at, "{}"))
    floor.commit(cur)


def _uuid(guid: str) -> UUID:
    return UUID(guid)


def walks(
    rig: Any,
    n: int,
    start: Callable[[Any], tuple[int, int]],
    steps: Sequence[str],
    data: dict[str, dict[str, Any]],
    users: dict[str, str],
    cpu_log: list[float],
    cpu_clock: Callable[[], float],
    walked: list[int] | None = None,
) -> list[float]:
    """``n`` instances of approval5 for PNV started by ``start(rig)`` (not timed), then walked at the floor: the
    wall time of each completion (this thread's CPU time appended to ``cpu_log``, the instance ids to ``walked``)."""
    fairy = rig.sql.raw_connection()
    try:
        conn = fairy.driver_connection
        if rig.sql.dialect.name == "sqlite":
            conn.execute("PRAGMA query_only=0")
        floor = Floor(conn, rig.sql.dialect.name)
        with rig.sessions() as s:
            lanes = dict(s.scalar(select(ProcessDefinition.lanes).where(ProcessDefinition.process_key == "approval5")))
        timings: list[float] = []
        for _ in range(n):
            instance_id, first_task = start(rig)
            with rig.sessions() as s:
                version, tenant = s.execute(
                    select(ProcessInstance.version, ProcessInstance.tenant).where(ProcessInstance.id == instance_id)
                ).one()
                guid = s.scalar(select(HumanTask.task_guid).where(HumanTask.id == first_task))
            state = rig.engine.cache.take(instance_id, version)
            assert state is not None and version is not None and guid is not None
            inst = FloorInstance(instance_id, version, tenant, state, {guid: first_task})
            if walked is not None:
                walked.append(instance_id)
            with using_clock(rig.engine.clock):
                for element in steps:
                    c0, t0 = cpu_clock(), time.perf_counter()
                    args = (floor, inst, element, data.get(element, {}), users[element], lanes, _unit_of)
                    complete(*args, rig.engine.clock.now())
                    timings.append(time.perf_counter() - t0)
                    cpu_log.append(cpu_clock() - c0)
            assert inst.state.workflow.is_completed()
    finally:
        fairy.close()
    return timings


def _unit_of(rule: str) -> str | None:
    """approval5's lane unit rules for an instance of PNV, under UBND (bench/engine.py's ``Units``)."""
    return "UBND" if rule == "parent" else rule.removeprefix("code:")


# ------------------------------------------------------------------------------- the floor writes what the engine does

_DUMPS = {
    "process_instance": ("SELECT * FROM process_instance WHERE id = {p}", "id"),
    "human_task": ("SELECT * FROM human_task WHERE instance_id = {p} ORDER BY id", "id"),
    "instance_task": ("SELECT * FROM instance_task WHERE instance_id = {p}", "guid"),
    "audit_event": ("SELECT * FROM audit_event WHERE instance_id = {p} ORDER BY id", "id"),
    "timer": ("SELECT * FROM timer WHERE instance_id = {p} ORDER BY id", "id"),
}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TASK_ID = re.compile(r'"task_id": (\d+)')
_STAMP = re.compile(r'(\\*"last_state_change\\*": ?)[0-9.e+-]+')


def stored_rows(rig: Any, instance_id: int) -> dict[str, str]:
    """Every row of one instance as the driver returns it (SQLite: the stored text of moments and JSON), with
    what differs between two walks of the same steps made comparable: the row ids and the instance id dropped,
    a step id in an audit payload replaced by its step's rank, every uuid by its rank of first appearance,
    SpiffWorkflow's ``last_state_change`` (the wall clock of the run) by 0."""
    p = "%s" if rig.sql.dialect.name == "postgresql" else "?"
    fairy = rig.sql.raw_connection()
    try:
        cur = fairy.driver_connection.cursor()
        out: dict[str, list[dict[str, Any]]] = {}
        for table, (sql, _) in _DUMPS.items():
            cur.execute(sql.format(p=p), (instance_id,))
            names = [d[0] for d in cur.description]
            out[table] = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        fairy.driver_connection.rollback()
    finally:
        fairy.close()
    steps = {row["id"]: rank for rank, row in enumerate(out["human_task"])}
    for table, rows in out.items():
        for row in rows:
            row.pop(_DUMPS[table][1])
            row.pop("instance_id", None)
            if table == "audit_event":
                payload = row["payload"]
                if isinstance(payload, str):  # the stored JSON text, compared as it is but for the step's id
                    row["payload"] = _TASK_ID.sub(lambda m: f'"task_id": "step#{steps[int(m.group(1))]}"', payload)
                elif "task_id" in payload:
                    row["payload"] = dict(payload, task_id=f"step#{steps[payload['task_id']]}")
    ranks: dict[str, str] = {}
    result: dict[str, str] = {}
    for table, rows in out.items():
        if table == "instance_task":  # no order of its own: every row with its uuids blanked, sorted
            texts = sorted(
                _UUID.sub("uuid", _STAMP.sub(r"\g<1>0", json.dumps(r, default=repr, sort_keys=True))) for r in rows
            )
            result[table] = "\n".join(texts)
            continue
        text = _STAMP.sub(r"\g<1>0", json.dumps(rows, default=repr, sort_keys=True))
        result[table] = _UUID.sub(lambda m: ranks.setdefault(m.group(0), f"uuid#{len(ranks)}"), text)
    return result


def check_same_rows(rig: Any, engine_instance: int, floor_instance: int) -> None:
    """Raise if the floor's walk left other rows than the engine's walk of the same steps."""
    engine_rows, floor_rows = stored_rows(rig, engine_instance), stored_rows(rig, floor_instance)
    for table in _DUMPS:
        mine, theirs = floor_rows[table], engine_rows[table]
        if mine != theirs:
            raise AssertionError(f"the floor wrote other {table} rows than the engine:\nfloor  {mine}\nengine {theirs}")
