"""Organisation tables: organisations (tenants), their units and user accounts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class Organisation(Base):
    """A locality or body that owns its units, users, plans and calendar overrides (the engine's tenant)."""

    __tablename__ = "organisation"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("organisation.code"))
    # As written on its documents: "ỦY BAN NHÂN DÂN THÀNH PHỐ SA ĐÉC" under "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP",
    # "Sa Đéc, ngày … tháng … năm …".
    issuing_body: Mapped[str | None] = mapped_column(String(300))
    parent_body: Mapped[str | None] = mapped_column(String(300))
    place_name: Mapped[str | None] = mapped_column(String(100))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successor_code: Mapped[str | None] = mapped_column(ForeignKey("organisation.code"))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column()


class Unit(Base):
    """An organisation unit with validity dates (the organisation changes; old plans must still open)."""

    __tablename__ = "unit"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    organisation_code: Mapped[str] = mapped_column(ForeignKey("organisation.code"), index=True)


class User(Base):
    """A staff account: one unit, one or more roles, an argon2 password hash."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column()
