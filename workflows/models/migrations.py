"""Bulk migrations of running instances to another version: each run and what happened to each instance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class MigrationRun(Base):
    """One "Chạy chuyển đổi": which versions, the mapping and filter used, who, when, how it ended."""

    __tablename__ = "migration_run"
    __table_args__ = (Index("ix_migration_run_key", "process_key", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200))
    from_version: Mapped[int] = mapped_column(Integer)
    to_version: Mapped[int] = mapped_column(Integer)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    filter: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    batch_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # running, finished
    started_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    migrated: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class MigrationResult(Base):
    """What one run did to one instance: migrated, refused (with the reason) or failed (left as it was)."""

    __tablename__ = "migration_result"
    __table_args__ = (Index("ix_migration_result_run", "run_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("migration_run.id", ondelete="CASCADE"))
    instance_id: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))  # migrated, refused, failed
    code: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str | None] = mapped_column(Text)
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
