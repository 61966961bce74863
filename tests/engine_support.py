"""Small factories for engine tests: a database, an engine with a manual clock, actors, bundles."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from engine.calendar import WorkingCalendar
from engine.clock import LOCAL_TZ, ManualClock
from engine.db import Base, UnitOfWork, make_engine, make_session_factory
from engine.definitions import DeployResult, deploy, read_bundle
from engine.helpers import standard_helpers
from engine.models import ProcessInstance
from engine.projection import UnitDirectory
from engine.runtime import CompletionResult, Engine
from engine.sandbox import check_source
from engine.script_limits import ScriptLimits
from engine.validation import validate_bundle
from engine.views import Actor, InstanceView, TaskView

FIXTURES = Path(__file__).parent / "fixtures"
PROCESSES = Path(__file__).resolve().parents[1] / "processes"
ROLES = {"admin", "leader", "head", "staff", "clerk", "coordinator", "appraiser"}
PARENTS = {"PNV": "UBND", "PTP": "UBND", "VP": "UBND", "P1": "UBND", "P2": "UBND"}


class DictUnits:
    """Unit hierarchy for tests: ``parents`` maps a unit to its parent (default: PARENTS)."""

    def __init__(self, parents: Mapping[str, str] | None = None) -> None:
        self.parents = PARENTS if parents is None else parents

    def parent_of(self, unit_code: str) -> str | None:
        return self.parents.get(unit_code)

    def within(self, unit_code: str, tenant: str | None) -> str | None:
        return unit_code


def actor(username: str, *roles: str, unit: str | None = "PNV") -> Actor:
    return Actor(username, frozenset(roles), unit)


@dataclass
class EngineRig:
    sql: SqlEngine
    sessions: sessionmaker[Session]
    engine: Engine
    clock: ManualClock

    @contextmanager
    def uow(self) -> Iterator[UnitOfWork]:
        with UnitOfWork(self.sessions) as uow:
            yield uow

    def deploy_fixture(self, name: str, **kwargs: Any) -> DeployResult:
        bpmn, files = read_bundle(FIXTURES / name / f"{name}.bpmn")
        return self.deploy_bytes(bpmn, files, **kwargs)

    def deploy_bytes(self, bpmn: bytes, files: dict[str, bytes] | None = None, **kwargs: Any) -> DeployResult:
        with self.uow() as uow:
            result = deploy(
                uow.session, bpmn, files or {}, known_roles=ROLES, actor="admin", now=self.clock.now(), **kwargs
            )
            uow.commit()
            return result


def make_rig(
    url: str,
    start: datetime | None = None,
    create: bool = True,
    *,
    helpers: Mapping[str, Any] | None = None,
    units: UnitDirectory | None = None,
    limits: ScriptLimits | None = None,
) -> EngineRig:
    """An engine on ``url`` with a manual clock; ``helpers`` extend the standard ones, ``units`` replaces DictUnits,
    ``limits`` replaces the budgets of diagram code read from the environment."""
    sql = make_engine(url)
    if create:
        Base.metadata.create_all(sql)
    clock = ManualClock(start or datetime(2024, 1, 2, 8, 0, tzinfo=LOCAL_TZ))
    calendar = WorkingCalendar()
    all_helpers = {**standard_helpers(lambda _tenant: calendar), **(helpers or {})}
    engine = Engine(clock=clock, helpers=all_helpers, units=DictUnits() if units is None else units, limits=limits)
    return EngineRig(sql, make_session_factory(sql), engine, clock)


# --------------------------------------------------------------------------- processes/<key> on a rig


def process_folder(key: str) -> Path:
    return PROCESSES / key


def sample_start(key: str) -> dict[str, Any]:
    """A fresh copy of processes/<key>/sample-start.json."""
    return json.loads((process_folder(key) / "sample-start.json").read_text(encoding="utf-8"))


CITY_PARENTS = {"PNV": "UBND", "PTP": "UBND", "P1": "UBND", "P2": "UBND", "P3": "UBND"}


@contextmanager
def city_round_rig(tmp_path: Path) -> Iterator[EngineRig]:
    """An engine with the domain helpers and city units under UBND, the clock at Friday 01/03/2024 08:00."""
    from workflows.script_helpers import domain_helpers

    rig = make_rig(
        f"sqlite:///{tmp_path / 'engine.db'}",
        datetime(2024, 3, 1, 8, 0, tzinfo=LOCAL_TZ),
        helpers=domain_helpers(),
        units=DictUnits(CITY_PARENTS),
    )
    try:
        yield rig
    finally:
        rig.sql.dispose()


def validated_lanes(key: str) -> dict[str, dict[str, str]]:
    """Validate processes/<key> (asserting no problem and the process key) and give its lanes."""
    bpmn, files = read_bundle(process_folder(key) / f"{key}.bpmn")
    parsed, problems = validate_bundle(bpmn, files, ROLES, check_source)
    assert problems == []
    assert parsed is not None and parsed.process_key == key
    return parsed.lanes


def deploy_process(rig: EngineRig, key: str, *, validate: bool = True) -> DeployResult:
    """Deploy processes/<key>; with ``validate``, first assert that the bundle validates without problems."""
    bpmn, files = read_bundle(process_folder(key) / f"{key}.bpmn")
    if validate:
        _, problems = validate_bundle(bpmn, files, ROLES, check_source)
        assert problems == []
    result = rig.deploy_bytes(bpmn, files)
    assert result.definition.process_key == key
    return result


def at(day: date | str, hour: int = 8, minute: int = 0) -> datetime:
    """``hour:minute`` Vietnam time on ``day`` (a date or an ISO string)."""
    if isinstance(day, str):
        day = datetime.fromisoformat(day).date()
    return datetime.combine(day, time(hour, minute), LOCAL_TZ)


def due(day: date | str) -> datetime:
    """A step due on ``day``: 17:00 Vietnam time, as the engine stores it (UTC)."""
    return at(day, 17).astimezone(UTC)


def start(rig: EngineRig, key: str, who: Actor, data: dict[str, Any], unit: str = "PNV") -> InstanceView:
    with rig.uow() as uow:
        view = rig.engine.start(uow, key, unit_code=unit, data=data, actor=who)
        uow.commit()
    return view


def complete(
    rig: EngineRig, task: TaskView, who: Actor, data: dict[str, Any] | None = None, *, reload: bool = True
) -> CompletionResult:
    """Complete ``task``; with ``reload``, the instance is first restored from its stored rows."""
    if reload:
        rig.engine.cache.clear()
    with rig.uow() as uow:
        result = rig.engine.complete(uow, task.id, who, data or {})
        uow.commit()
    return result


def advance(rig: EngineRig, task: TaskView, who: Actor, data: dict[str, Any] | None = None) -> list[TaskView]:
    """Complete ``task``, assert that no incident was raised, return the next tasks."""
    result = complete(rig, task, who, data)
    assert result.instance.incident is None, result.instance.incident
    return result.next_tasks


def fire(rig: EngineRig, moment: datetime) -> int:
    """Move the clock to ``moment`` and fire the timers due by then."""
    rig.clock.set(moment)
    rig.engine.cache.clear()
    with rig.uow() as uow:
        fired = rig.engine.fire_due_timers(uow, rig.clock.now())
        uow.commit()
    return fired


def instance(rig: EngineRig, instance_id: int) -> InstanceView:
    with rig.sessions() as session:
        return rig.engine.get_instance(session, instance_id)


def open_tasks(rig: EngineRig, instance_id: int) -> list[TaskView]:
    return instance(rig, instance_id).open_tasks


def instance_data(rig: EngineRig, instance_id: int) -> dict[str, Any]:
    return instance(rig, instance_id).data


def holders(tasks: list[TaskView]) -> list[tuple[str, str | None, str | None]]:
    return sorted((t.element_id, t.role, t.unit_code) for t in tasks)


def only(tasks: list[TaskView], element_id: str) -> TaskView:
    [task] = [t for t in tasks if t.element_id == element_id]
    return task


def escalations(view: InstanceView) -> list[dict[str, Any]]:
    return list(view.data["data_objects"]["escalations"])


def stale_instance(uow: UnitOfWork, instance_id: int) -> ProcessInstance:
    """The instance as this unit of work would hold it had it read it before another writer committed: its version
    one behind the stored one, so that its next versioned write loses the race."""
    inst = uow.session.get(ProcessInstance, instance_id)
    assert inst is not None
    set_committed_value(inst, "version", inst.version - 1)
    return inst
