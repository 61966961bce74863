"""Criteria sets (bộ tiêu chí Chỉ số CCHC) owned by an organisation; NULL organisation = shared by all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class CriteriaSetRow(Base):
    """One criteria tree for a unit kind and year, as imported (checked) — never changed after, only deleted.

    ``tree`` is the whole set in the shape of ``processes/criteria/*.yaml`` (areas → criteria → children,
    survey, grouping), so the scoring helpers read it exactly as they read a shipped file. Ids are never
    reused (AUTOINCREMENT on SQLite; a sequence on PostgreSQL): a round records the id it used.
    """

    __tablename__ = "criteria_set"
    __table_args__ = (
        UniqueConstraint("organisation_code", "code", "year", name="uq_criteria_set_organisation_code_year"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_code: Mapped[str | None] = mapped_column(ForeignKey("organisation.code"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(500))
    year: Mapped[int] = mapped_column(Integer)
    unit_kind: Mapped[str] = mapped_column(String(30))
    tree: Mapped[dict[str, Any]] = mapped_column(JSON)
    max_points: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False))
    source_name: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column()
