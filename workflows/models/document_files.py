"""Uploaded documents: the bytes once per SHA-256 (``document_blob``), one ``document`` row per upload, and the
completed steps that reference a document (``document_ref``). See docs/documents.md."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class DocumentBlob(Base):
    """The bytes of a file, stored once however many uploads carry them."""

    __tablename__ = "document_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # Moved on by every upload of these bytes: the worker removes a blob no document uses only once this is
    # older than the grace period, and an upload that moves it locks the row against a removal under way.
    last_uploaded_at: Mapped[datetime] = mapped_column()


class StoredDocument(Base):
    """One upload: the name the user gave, the type detected from the content, who uploaded it and when."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_uploaded", "uploaded_at"), Index("ix_document_sha256", "sha256"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("document_blob.sha256"))
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column()


class DocumentRef(Base):
    """A completed step that references a document (its data named the document's id)."""

    __tablename__ = "document_ref"
    __table_args__ = (
        UniqueConstraint("document_id", "task_id", name="uq_document_ref"),
        Index("ix_document_ref_instance", "instance_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column()
