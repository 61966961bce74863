"""Document-number tables: the last number issued per issuing unit, year and kind."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class DocumentCounter(Base):
    """The last number issued for (issuing unit, year, document kind)."""

    __tablename__ = "document_counter"

    unit_code: Mapped[str] = mapped_column(String(50), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
