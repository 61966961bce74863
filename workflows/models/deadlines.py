"""Deadline tables: the record of every gia hạn (extension) of a step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models import HumanTask  # noqa: F401 - human_task, the target of a foreign key


class DeadlineExtension(Base):
    """One gia hạn of a step: who, when, why, the old and the new due time."""

    __tablename__ = "deadline_extension"
    __table_args__ = (Index("ix_deadline_extension_task", "task_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"))
    instance_id: Mapped[int] = mapped_column(Integer)
    old_due_at: Mapped[datetime | None] = mapped_column()
    new_due_at: Mapped[datetime] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    extended_by: Mapped[str] = mapped_column(String(100))
    extended_at: Mapped[datetime] = mapped_column()
