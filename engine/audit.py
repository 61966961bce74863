"""Append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .driver import Driver, Sql, driver
from .models import HumanTask

_INSERT = Sql(
    "INSERT INTO audit_event (kind, instance_id, definition_id, task_guid, element_id, actor, at, payload) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    (None, None, None, None, None, None, "timestamptz", "json"),
)

EVENT_KINDS = frozenset(
    {
        "definition_deployed",
        "instance_started",
        "task_claimed",
        "task_unclaimed",
        "task_assigned",
        "task_completed",
        "task_deadline_extended",
        "task_late_explained",
        "timer_fired",
        "instance_failed",
        "instance_retried",
        "instance_cancelled",
        "instance_completed",
        "instance_migrated",
        "document_uploaded",
        "document_downloaded",
        "document_deleted",
        "document_attached",
    }
)


def record(
    session: Session,
    kind: str,
    *,
    at: datetime,
    actor: str | None,
    instance_id: int | None = None,
    definition_id: int | None = None,
    task_guid: str | None = None,
    element_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Append one event (never updated, never deleted)."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    # On the driver cursor, not an ORM object: nothing reads the row back in the same transaction, and this
    # skips the unit-of-work bookkeeping on every completion. Referenced rows must be flushed already.
    drv = driver(session)
    insert(drv, kind, instance_id, definition_id, task_guid, element_id, actor, drv.moment(at), payload or {})


def insert(
    drv: Driver,
    kind: str,
    instance_id: int | None,
    definition_id: int | None,
    task_guid: str | None,
    element_id: str | None,
    actor: str | None,
    at: Any,
    payload: dict[str, Any],
) -> None:
    """The event's INSERT on ``drv`` (``at``: already bound by ``drv.moment``), for a caller holding the driver."""
    values = (kind, instance_id, definition_id, task_guid, element_id, actor, at, drv.json(payload))
    drv.execute(_INSERT.of(drv), values)


def record_task_event(
    session: Session, kind: str, row: HumanTask, *, at: datetime, actor: str | None, **payload: Any
) -> None:
    """Append one event about a step: the instance, the task's guid and element, and ``task_id`` in the payload."""
    record(
        session,
        kind,
        at=at,
        actor=actor,
        instance_id=row.instance_id,
        task_guid=row.task_guid,
        element_id=row.element_id,
        payload={"task_id": row.id, **payload},
    )
