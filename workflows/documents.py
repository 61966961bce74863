"""Document numbers (sequential per year, issuing unit and kind: ``12/KH-UBND``), inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import DocumentCounter
from .session_context import current_session

__all__ = ["current_session", "document_helpers", "format_number", "issued_numbers", "next_number"]


def next_number(session: Session, unit_code: str, year: int, kind: str) -> int:
    """Take the next number; the row lock (PostgreSQL) or write lock (SQLite) keeps it gap-free and unique."""
    result = session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.unit_code == unit_code, DocumentCounter.year == year, DocumentCounter.kind == kind)
        .values(last_number=DocumentCounter.last_number + 1)
        .returning(DocumentCounter.last_number)
    ).scalar()
    if result is not None:
        return int(result)
    session.add(DocumentCounter(unit_code=unit_code, year=year, kind=kind, last_number=1))
    session.flush()
    return 1


def format_number(number: int, kind: str, unit_short: str) -> str:
    """``12/KH-UBND``."""
    return f"{number}/{kind}-{unit_short}"


def document_helpers() -> dict[str, Callable[..., Any]]:
    """``next_document_number(issuing_unit, year, kind)`` for diagrams (e.g. the clerk's numbering step)."""

    def next_document_number(issuing_unit: str, year: int, kind: str = "KH") -> str:
        session = current_session.get()
        if session is None:
            raise RuntimeError("Không có giao dịch cơ sở dữ liệu để cấp số văn bản.")
        number = next_number(session, str(issuing_unit), int(year), str(kind))
        return format_number(number, str(kind), str(issuing_unit))

    return {"next_document_number": next_document_number}


def issued_numbers(session: Session, unit_code: str, year: int) -> dict[str, int]:
    """Last number per kind (for administrators)."""
    rows = session.execute(
        select(DocumentCounter.kind, DocumentCounter.last_number).where(
            DocumentCounter.unit_code == unit_code, DocumentCounter.year == year
        )
    )
    return {kind: last for kind, last in rows}
