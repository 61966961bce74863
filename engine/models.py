"""Tables of the engine: definitions, instances (state split into task rows), human tasks, timers, audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base

JsonDict = dict[str, Any]


class ProcessDefinition(Base):
    """One deployed version of a process key; the spec is stored once, here."""

    __tablename__ = "process_definition"
    __table_args__ = (
        UniqueConstraint("process_key", "version", name="uq_definition_key_version"),
        UniqueConstraint("process_key", "content_hash", name="uq_definition_key_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    files: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    spec: Mapped[str] = mapped_column(Text)
    lanes: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    tasks: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    serializer_version: Mapped[str] = mapped_column(String(20))
    deployed_by: Mapped[str | None] = mapped_column(String(100))
    deployed_at: Mapped[datetime] = mapped_column()


class ProcessInstance(Base):
    """A running or finished instance; ``version`` stops concurrent writers (→ Conflict)."""

    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_instance_status_key", "status", "process_key"),
        Index("ix_instance_updated", "updated_at", "id"),
        Index("ix_instance_due", "due_at", "id"),
        Index("ix_instance_tenant_updated", "tenant", "updated_at", "id"),
        Index("ix_instance_tenant_id", "tenant", "id"),  # an organisation's instances, newest first
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(500))
    unit_code: Mapped[str | None] = mapped_column(String(50), index=True)
    # Whose instance it is (the caller's word for it; an Actor with ``tenants`` sees only its tenants' rows).
    tenant: Mapped[str | None] = mapped_column(String(50), index=True)
    status: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(20))
    data: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    incident: Mapped[JsonDict | None] = mapped_column(JSON)
    started_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Set at start from the caller (the engine only stores them): when the whole instance is due, and the
    # folded words lists search (``engine.search``: title, process, unit and the caller's extra words).
    due_at: Mapped[datetime | None] = mapped_column()
    search_text: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it; not a mutable default


class InstanceTask(Base):
    """One serialized SpiffWorkflow task of an instance; only changed tasks are rewritten."""

    __tablename__ = "instance_task"

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner: Mapped[str] = mapped_column(String(36))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class HumanTask(Base):
    """Projection of every READY user/manual task: the inbox is answered from here alone."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_candidates", "status", "role", "unit_code"),
        Index("ix_human_task_assignee", "assignee", "status"),
        Index("ix_human_task_instance", "instance_id", "status"),
        Index("ix_human_task_due", "status", "due_at", "id"),  # by deadline then id: keyset pages (engine.keyset)
        Index("ix_human_task_deadline_state", "status", "deadline_state"),
        Index("ix_human_task_tenant_candidates", "tenant", "status", "role", "unit_code"),
        Index("ix_human_task_tenant_due", "tenant", "status", "due_at", "id"),  # a tenant's open steps by deadline
        Index("ix_human_task_completed_by", "completed_by", "status"),  # the done view (GET /tasks?status=completed)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    process_key: Mapped[str] = mapped_column(String(200))
    task_guid: Mapped[str] = mapped_column(String(36), unique=True)
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    lane: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(50))
    unit_code: Mapped[str | None] = mapped_column(String(50))
    tenant: Mapped[str | None] = mapped_column(String(50))  # its instance's tenant
    assignee: Mapped[str | None] = mapped_column(String(100))
    form_schema: Mapped[str | None] = mapped_column(String(300))
    ui_schema: Mapped[str | None] = mapped_column(String(300))
    instructions: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()
    completed_by: Mapped[str | None] = mapped_column(String(100))
    completed_at: Mapped[datetime | None] = mapped_column()
    # Deadline bookkeeping, kept by the caller's policy (the engine only stores it):
    # on_track / due_soon / overdue while open, early / on_time / late once completed.
    deadline_state: Mapped[str | None] = mapped_column(String(20))
    classified_at: Mapped[datetime | None] = mapped_column()
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    late_reason: Mapped[str | None] = mapped_column(Text)


class Timer(Base):
    """A waiting timer event of an instance, read from the workflow after every run."""

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    task_guid: Mapped[str] = mapped_column(String(36), unique=True)
    element_id: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20))
    fired_at: Mapped[datetime | None] = mapped_column()


class AuditEvent(Base):
    """Append-only log of everything that happened, with actor and time."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))
    task_guid: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column()
    payload: Mapped[JsonDict] = mapped_column(JSON, default=dict)


class CalendarOverride(Base):
    """An administrator's correction of the working-day calendar (extra day off / extra working day)."""

    __tablename__ = "calendar_override"
    __table_args__ = (
        # One override per tenant and day, and one per day for every tenant (NULLs are distinct in a UNIQUE).
        UniqueConstraint("organisation_code", "day", name="uq_calendar_override_organisation_day"),
        Index(
            "ix_calendar_override_shared_day",
            "day",
            unique=True,
            sqlite_where=text("organisation_code IS NULL"),
            postgresql_where=text("organisation_code IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    working: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(500))
    # The tenant (organisation) the correction is for; NULL = every tenant. Its own override wins over a shared one.
    organisation_code: Mapped[str | None] = mapped_column(String(50))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column()
