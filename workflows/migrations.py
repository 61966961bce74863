"""Chuyển phiên bản: moving running instances of a process to another of its versions, in bulk.

A dry run answers, per instance, whether it can move and why not (``engine.migration``); a real run moves the
movable ones batch by batch, each instance in its own transaction (its row locked, its open steps re-projected,
an ``instance_migrated`` audit event), records the run and every instance's result (``migration_run``,
``migration_result``) and leaves an instance that fails untouched on its old version. Administrators only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.db import UnitOfWork
from engine.errors import AppError, InvalidInput, NotFound
from engine.migration import MigrationOutcome, MigrationPlan, MigrationRefused, StepChange, elements, unaligned
from engine.models import HumanTask, ProcessInstance
from engine.views import Actor

from . import access
from .deadline_rules import classify_open
from .models import MigrationResult, MigrationRun
from .services import Services

log = logging.getLogger(__name__)

OPEN_STATUSES = ("running", "waiting", "error")
MAX_BATCH = 500


@dataclass(frozen=True)
class MigrationFilter:
    """Which instances of the source version to consider (empty: every open one)."""

    instance_ids: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    organisation_code: str | None = None
    unit_code: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        """The filter as the run records it."""
        out = asdict(self)
        out["instance_ids"] = list(self.instance_ids)
        out["statuses"] = list(self.statuses)
        for key in ("started_after", "started_before"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


@dataclass(frozen=True)
class MigrationRequest:
    """What the administrator asked for."""

    from_version: int
    to_version: int
    mapping: dict[str, str | None] = field(default_factory=dict)
    filter: MigrationFilter = field(default_factory=MigrationFilter)
    dry_run: bool = True
    batch_size: int = 50


@dataclass(frozen=True)
class InstanceResult:
    """One instance in a dry run (``movable`` / ``not_movable``) or a run (``migrated`` / ``refused`` / ``failed``)."""

    instance_id: int
    title: str | None
    unit_code: str | None
    status: str
    outcome: str
    code: str | None
    reason: str | None
    steps: list[dict[str, Any]]


@dataclass(frozen=True)
class MigrationReport:
    """The answer of a dry run or a run, and the elements a mapping may name."""

    process_key: str
    from_version: int
    to_version: int
    dry_run: bool
    run_id: int | None
    counts: dict[str, int]
    results: list[InstanceResult]
    removed: list[dict[str, str | None]]
    added: list[dict[str, str | None]]
    targets: list[dict[str, str | None]]  # every element of the target version


def _steps(changes: Sequence[StepChange]) -> list[dict[str, Any]]:
    return [
        {
            "element_id": c.element_id or None,
            "name": c.name or None,
            "new_element_id": c.after_element_id,
            "new_name": c.after_name,
            "due_at": c.due_at.isoformat() if c.due_at else None,
            "assignee_kept": c.assignee_kept,
        }
        for c in changes
    ]


def _plan(services: Services, uow: UnitOfWork, key: str, request: MigrationRequest) -> MigrationPlan:
    if request.from_version == request.to_version and not request.dry_run:
        raise InvalidInput(
            "Phiên bản đích phải khác phiên bản nguồn.",
            code="migration_same_version",
            details={"to_version": ["Chọn một phiên bản khác phiên bản nguồn."]},
        )
    if not 1 <= request.batch_size <= MAX_BATCH:
        raise InvalidInput(
            f"Cỡ lô phải từ 1 đến {MAX_BATCH}.",
            code="migration_batch_invalid",
            details={"batch_size": [f"Nhập số từ 1 đến {MAX_BATCH}."]},
        )
    return services.engine.migration_plan(uow.session, key, request.from_version, request.to_version, request.mapping)


def _candidates(uow: UnitOfWork, plan: MigrationPlan, flt: MigrationFilter) -> list[ProcessInstance]:
    """The instances a request names, oldest first: the listed ids (of this process, any version) or else every
    instance of the source version in an open status; then the other conditions."""
    query = select(ProcessInstance).where(ProcessInstance.process_key == plan.source.process_key)
    if flt.instance_ids:
        query = query.where(ProcessInstance.id.in_(flt.instance_ids))
    else:
        query = query.where(ProcessInstance.definition_id == plan.source.id)
        query = query.where(ProcessInstance.status.in_(flt.statuses or OPEN_STATUSES))
    if flt.instance_ids and flt.statuses:
        query = query.where(ProcessInstance.status.in_(flt.statuses))
    if flt.organisation_code:
        query = query.where(ProcessInstance.tenant == flt.organisation_code)
    if flt.unit_code:
        query = query.where(ProcessInstance.unit_code == flt.unit_code)
    if flt.started_after:
        query = query.where(ProcessInstance.created_at >= flt.started_after)
    if flt.started_before:
        query = query.where(ProcessInstance.created_at < flt.started_before)
    return list(uow.session.scalars(query.order_by(ProcessInstance.id)))


def _result(
    instance: ProcessInstance,
    outcome: str,
    found: MigrationOutcome | None = None,
    *,
    code: str | None = None,
    reason: str | None = None,
) -> InstanceResult:
    return InstanceResult(
        instance.id,
        instance.title,
        instance.unit_code,
        instance.status,
        outcome,
        found.code if found else code,
        found.reason if found else reason,
        _steps(found.steps) if found else [],
    )


def _report(plan: MigrationPlan, dry_run: bool, run_id: int | None, results: list[InstanceResult]) -> MigrationReport:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    removed, added = unaligned(plan)
    return MigrationReport(
        plan.source.process_key,
        plan.source.version,
        plan.target.version,
        dry_run,
        run_id,
        counts,
        results,
        removed,
        added,
        elements(plan.target),
    )


def preview_migration(services: Services, actor: Actor, key: str, request: MigrationRequest) -> MigrationReport:
    """The dry run: every candidate instance, movable or not with the reason (writes nothing)."""
    access.MIGRATE_INSTANCES.check(actor)
    with services.read() as uow:
        plan = _plan(services, uow, key, request)
        results = []
        for instance in _candidates(uow, plan, request.filter):
            found = services.engine.preview_migration(uow.session, plan, instance.id)
            results.append(_result(instance, "movable" if found.movable else "not_movable", found))
    return _report(plan, True, None, results)


def _batches(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_migration(services: Services, actor: Actor, key: str, request: MigrationRequest) -> MigrationReport:
    """Move every movable candidate, batch by batch, each instance in its own transaction; record the run."""
    access.MIGRATE_INSTANCES.check(actor)
    now = services.clock.now()
    with services.uow() as uow:
        plan = _plan(services, uow, key, request)
        ids = [i.id for i in _candidates(uow, plan, request.filter)]
        run = MigrationRun(
            process_key=plan.source.process_key,
            from_version=plan.source.version,
            to_version=plan.target.version,
            mapping=dict(request.mapping),
            filter=request.filter.as_json(),
            batch_size=request.batch_size,
            status="running",
            started_by=actor.username,
            started_at=now,
            migrated=0,
            refused=0,
            failed=0,
        )
        uow.session.add(run)
        uow.flush()
        run_id = run.id
        uow.commit()
    results: list[InstanceResult] = []
    for batch in _batches(ids, request.batch_size):
        done = [_migrate_one(services, plan, run_id, instance_id, actor) for instance_id in batch]
        results.extend(done)
        _count(services, run_id, done, finished=False)
    _count(services, run_id, [], finished=True)
    return _report(plan, False, run_id, results)


def _migrate_one(
    services: Services, plan: MigrationPlan, run_id: int, instance_id: int, actor: Actor
) -> InstanceResult:
    """One instance in its own transaction: migrated, refused, or failed and left on its version."""
    try:
        with services.uow() as uow:
            found = services.engine.migrate_instance(uow, plan, instance_id, actor, {"run_id": run_id})
            _reclassify(services, uow, instance_id)
            instance = uow.session.get(ProcessInstance, instance_id)
            assert instance is not None
            result = _result(instance, "migrated", found)
            _store(uow, run_id, result)
            uow.commit()
            return result
    except MigrationRefused as refused:
        return _store_apart(services, run_id, instance_id, "refused", refused.code, refused.reason)
    except AppError as exc:
        return _store_apart(services, run_id, instance_id, "failed", exc.code, exc.message)
    except Exception as exc:  # a batch entry point (like the worker): one instance fails alone, the run goes on
        log.exception("migration of instance %s failed", instance_id)
        return _store_apart(
            services,
            run_id,
            instance_id,
            "failed",
            "migration_failed",
            f"Lỗi khi chuyển hồ sơ; hồ sơ được giữ nguyên ở phiên bản cũ ({type(exc).__name__}).",
        )


def _reclassify(services: Services, uow: UnitOfWork, instance_id: int) -> None:
    """Deadline states of the open steps whose deadline the migration changed (the engine cleared them)."""
    now = services.clock.now()
    calendar = services.calendar.get()
    rows = uow.session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.status == "ready", HumanTask.deadline_state.is_(None)
        )
    )
    for row in rows:
        row.deadline_state = classify_open(row.due_at, now, calendar, services.deadlines.due_soon_days)
        row.classified_at = now


def _store(uow: UnitOfWork, run_id: int, result: InstanceResult) -> None:
    uow.session.add(
        MigrationResult(
            run_id=run_id,
            instance_id=result.instance_id,
            outcome=result.outcome,
            code=result.code,
            reason=result.reason,
            steps=result.steps,
        )
    )


def _store_apart(
    services: Services, run_id: int, instance_id: int, outcome: str, code: str | None, reason: str | None
) -> InstanceResult:
    with services.uow() as uow:
        instance = uow.session.get(ProcessInstance, instance_id)
        result = (
            _result(instance, outcome, code=code, reason=reason)
            if instance is not None
            else InstanceResult(instance_id, None, None, "", outcome, code, reason, [])
        )
        _store(uow, run_id, result)
        uow.commit()
    return result


def _count(services: Services, run_id: int, done: Sequence[InstanceResult], *, finished: bool) -> None:
    with services.uow() as uow:
        run = uow.session.get(MigrationRun, run_id)
        assert run is not None
        for result in done:
            if result.outcome == "migrated":
                run.migrated += 1
            elif result.outcome == "refused":
                run.refused += 1
            else:
                run.failed += 1
        if finished:
            run.status = "finished"
            run.finished_at = services.clock.now()
        uow.commit()


@dataclass(frozen=True)
class RunView:
    """One recorded run with its results (``results`` empty in the list of runs)."""

    id: int
    process_key: str
    from_version: int
    to_version: int
    mapping: Mapping[str, Any]
    filter: Mapping[str, Any]
    batch_size: int
    status: str
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    migrated: int
    refused: int
    failed: int
    results: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, run: MigrationRun, results: list[MigrationResult] | None = None) -> RunView:
        return cls(
            run.id,
            run.process_key,
            run.from_version,
            run.to_version,
            run.mapping,
            run.filter,
            run.batch_size,
            run.status,
            run.started_by,
            run.started_at,
            run.finished_at,
            run.migrated,
            run.refused,
            run.failed,
            [
                {
                    "instance_id": r.instance_id,
                    "outcome": r.outcome,
                    "code": r.code,
                    "reason": r.reason,
                    "steps": r.steps,
                }
                for r in results or []
            ],
        )


def list_runs(services: Services, actor: Actor, key: str, limit: int = 20) -> list[RunView]:
    """The latest runs of a process, newest first."""
    access.MIGRATE_INSTANCES.check(actor)
    with services.read() as uow:
        runs = uow.session.scalars(
            select(MigrationRun).where(MigrationRun.process_key == key).order_by(MigrationRun.id.desc()).limit(limit)
        )
        return [RunView.of(r) for r in runs]


def get_run(services: Services, actor: Actor, key: str, run_id: int) -> RunView:
    """One run with every instance's result."""
    access.MIGRATE_INSTANCES.check(actor)
    with services.read() as uow:
        run = uow.session.get(MigrationRun, run_id)
        if run is None or run.process_key != key:
            raise NotFound("Không tìm thấy lần chuyển phiên bản.", code="migration_run_not_found")
        results = list(
            uow.session.scalars(
                select(MigrationResult).where(MigrationResult.run_id == run_id).order_by(MigrationResult.id)
            )
        )
        return RunView.of(run, results)
