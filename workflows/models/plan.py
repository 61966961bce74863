"""Plan tables: a yearly plan → areas → objectives → tasks → activities → occurrences (one per unit and period).

An *occurrence* is one deadline one unit must meet: "Phường 1, Quý I/2024". Occurrences are computed at
import from the activity's schedule and lead units; ``launch`` attaches a process instance to each.
The main text's duties (unit plans by 15/01, periodic reports, the news rotation) are activities of
section ``duty`` without an area.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine import models as _engine_models  # noqa: F401 - process_instance, the target of a foreign key
from engine.db import Base

JsonDict = dict[str, Any]


class Plan(Base):
    """A unit's yearly CCHC plan as imported from its document."""

    __tablename__ = "plan"
    __table_args__ = (
        UniqueConstraint("organisation_code", "year", "number", name="uq_plan_organisation_year_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    number: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[date | None] = mapped_column(Date)
    issuing_unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    organisation_code: Mapped[str] = mapped_column(ForeignKey("organisation.code"), index=True)
    source_name: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    report: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    imported_by: Mapped[str | None] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column()

    areas: Mapped[list[PlanArea]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanArea.position"
    )
    activities: Mapped[list[PlanActivityRow]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanActivityRow.position"
    )


class PlanArea(Base):
    """Lĩnh vực I–VII."""

    __tablename__ = "plan_area"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    plan: Mapped[Plan] = relationship(back_populates="areas")
    objectives: Mapped[list[PlanObjectiveRow]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="PlanObjectiveRow.position"
    )


class PlanObjectiveRow(Base):
    """Mục tiêu 1.x."""

    __tablename__ = "plan_objective"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("plan_area.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    lead_units: Mapped[list[str]] = mapped_column(JSON, default=list)
    coordinating_units: Mapped[list[str]] = mapped_column(JSON, default=list)

    area: Mapped[PlanArea] = relationship(back_populates="objectives")
    tasks: Mapped[list[PlanTaskRow]] = relationship(
        back_populates="objective", cascade="all, delete-orphan", order_by="PlanTaskRow.position"
    )


class PlanTaskRow(Base):
    """Nhiệm vụ 2.x; sub-items (2.4.1) point at their parent task."""

    __tablename__ = "plan_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objective.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    lead_units: Mapped[list[str]] = mapped_column(JSON, default=list)
    coordinating_units: Mapped[list[str]] = mapped_column(JSON, default=list)

    objective: Mapped[PlanObjectiveRow] = relationship(back_populates="tasks")
    parent: Mapped[PlanTaskRow | None] = relationship(remote_side="PlanTaskRow.id")


class PlanActivityRow(Base):
    """Hoạt động 3.x of the appendix, or a duty of the main text (section ``duty``)."""

    __tablename__ = "plan_activity"
    __table_args__ = (Index("ix_plan_activity_plan_area", "plan_id", "area_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("plan_area.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(20))  # "appendix" | "duty"
    code: Mapped[str] = mapped_column(String(30))  # "3.1"; duties "NV.1"…
    position: Mapped[int] = mapped_column(Integer)  # order within the plan
    text: Mapped[str] = mapped_column(Text)
    output_text: Mapped[str] = mapped_column(Text, default="")
    output_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_text: Mapped[str] = mapped_column(Text, default="")
    lead_units: Mapped[list[str]] = mapped_column(JSON, default=list)
    coordinating_text: Mapped[str] = mapped_column(Text, default="")
    coordinating_units: Mapped[list[str]] = mapped_column(JSON, default=list)
    time_text: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    budget_text: Mapped[str] = mapped_column(Text, default="")
    activity_type: Mapped[str] = mapped_column(String(40))
    activity_type_source: Mapped[str] = mapped_column(String(20))  # "rule" | "admin"
    type_rule: Mapped[str | None] = mapped_column(String(200))
    manual_due: Mapped[date | None] = mapped_column(Date)  # set by hand for "relative"/"manual" schedules

    plan: Mapped[Plan] = relationship(back_populates="activities")
    area: Mapped[PlanArea | None] = relationship()
    task: Mapped[PlanTaskRow | None] = relationship()
    occurrences: Mapped[list[PlanOccurrence]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="PlanOccurrence.position"
    )


class PlanOccurrence(Base):
    """One unit's deadline for one period of an activity, and the process instance that carries it out."""

    __tablename__ = "plan_occurrence"
    __table_args__ = (
        UniqueConstraint("activity_id", "unit_code", "period", name="uq_occurrence"),
        Index("ix_occurrence_due", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("plan_activity.id", ondelete="CASCADE"), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)
    period: Mapped[str] = mapped_column(String(30))  # "2024-Q1", "2024", "2024-01-a", "manual"
    label: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    planned_due: Mapped[date | None] = mapped_column(Date)  # the date the document gives
    due_date: Mapped[date | None] = mapped_column(Date)  # moved to a working day
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    launched_at: Mapped[datetime | None] = mapped_column()

    activity: Mapped[PlanActivityRow] = relationship(back_populates="occurrences")
