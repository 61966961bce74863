"""Append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .models import AuditEvent

EVENT_KINDS = frozenset(
    {
        "definition_deployed",
        "instance_started",
        "task_claimed",
        "task_unclaimed",
        "task_assigned",
        "task_completed",
        "timer_fired",
        "instance_failed",
        "instance_retried",
        "instance_cancelled",
        "instance_completed",
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
    session.add(
        AuditEvent(
            kind=kind,
            at=at,
            actor=actor,
            instance_id=instance_id,
            definition_id=definition_id,
            task_guid=task_guid,
            element_id=element_id,
            payload=payload or {},
        )
    )
