"""The document store: uploads kept once by SHA-256 in the database, read back, referenced by steps, cleaned up.

One transaction per upload (the blob and the ``document`` row are written together or not at all); every
server process reads the same rows, so a PostgreSQL deployment needs no shared disk. See docs/documents.md.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError

from engine import audit
from engine.db import UnitOfWork
from engine.errors import Conflict, InvalidInput, NotFound, TooLarge, UnsupportedType
from engine.models import HumanTask
from engine.views import Actor

from . import access, file_types
from .document_fields import MAX_ITEMS, DocumentField
from .models import DocumentBlob, DocumentRef, StoredDocument
from .text_rules import normalise_text, text_problem

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MB
DEFAULT_GRACE_HOURS = 24
MAX_NAME_CHARS = 255
_CLEANUP_BATCH = 500
MAX_ID = 2**31 - 1  # the id column is a 32-bit integer: a larger number is no document (and no query)


@dataclass(frozen=True)
class DocumentView:
    """What the API shows of an upload."""

    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


def max_bytes() -> int:
    """``CCHC_DOCUMENT_MAX_BYTES``: the largest file accepted (default 20 MB)."""
    return int(os.environ.get("CCHC_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def grace_period() -> timedelta:
    """``CCHC_DOCUMENT_GRACE_HOURS``: how long an upload no step references is kept (default 24 hours)."""
    return timedelta(hours=float(os.environ.get("CCHC_DOCUMENT_GRACE_HOURS", DEFAULT_GRACE_HOURS)))


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}".replace(".", ",").replace(",0", "") + " MB"


def clean_name(raw: str) -> str:
    """The file name to keep: NFC, its folder parts dropped, no hidden characters, at most 255 characters."""
    name = normalise_text(raw or "").replace("\\", "/")
    name = posixpath.basename(name).strip()
    if name in {"", ".", ".."}:
        raise InvalidInput("Tệp tải lên phải có tên.", code="filename_invalid", details={"file": ["Thiếu tên tệp."]})
    problem = text_problem(name)
    if problem is not None:
        raise InvalidInput(f"Tên tệp không hợp lệ: {problem}", code="filename_invalid", details={"file": [problem]})
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:MAX_NAME_CHARS]
    return name


def check_content(data: bytes, limit: int) -> str:
    """The detected content type; refuses an empty file (422), one over ``limit`` (413) or of another type (415)."""
    if not data:
        raise InvalidInput("Tệp tải lên rỗng (0 byte).", code="file_empty", details={"file": ["Tệp rỗng."]})
    if len(data) > limit:
        raise TooLarge(f"Tệp quá lớn: tối đa {_megabytes(limit)}.", code="file_too_large", details={"max_bytes": limit})
    detected = file_types.detect(data)
    if detected is None:
        raise UnsupportedType(
            f"Loại tệp không được chấp nhận (nhận biết theo nội dung tệp, không theo tên). "
            f"Chỉ nhận: {file_types.ALLOWED_LABEL}.",
            code="file_type_not_allowed",
            details={"allowed": list(file_types.ALLOWED)},
        )
    return detected


def _view(row: StoredDocument) -> DocumentView:
    return DocumentView(row.id, row.name, row.content_type, row.size, row.sha256, row.uploaded_by, row.uploaded_at)


def _store_blob(uow: UnitOfWork, digest: str, data: bytes, now: datetime) -> None:
    """Keep the bytes once: move an existing blob's time on (locking it), or insert it in a savepoint."""
    touched = uow.session.execute(
        update(DocumentBlob).where(DocumentBlob.sha256 == digest).values(last_uploaded_at=now)
    )
    if touched.rowcount:  # type: ignore[attr-defined]
        return
    try:
        with uow.session.begin_nested():
            uow.session.add(DocumentBlob(sha256=digest, size=len(data), content=data, last_uploaded_at=now))
    except IntegrityError:  # another process stored the same bytes meanwhile: theirs is kept
        uow.session.execute(update(DocumentBlob).where(DocumentBlob.sha256 == digest).values(last_uploaded_at=now))


def upload(uow: UnitOfWork, actor: Actor, raw_name: str, data: bytes, now: datetime, *, limit: int) -> DocumentView:
    """Check and keep one uploaded file; audited. Nothing is written when it is refused."""
    name = clean_name(raw_name)
    content_type = check_content(data, limit)
    digest = hashlib.sha256(data).hexdigest()
    _store_blob(uow, digest, data, now)
    row = StoredDocument(
        sha256=digest, name=name, content_type=content_type, size=len(data), uploaded_by=actor.username, uploaded_at=now
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow.session,
        "document_uploaded",
        at=now,
        actor=actor.username,
        payload={"document_id": row.id, "name": name, "sha256": digest, "size": len(data), "type": content_type},
    )
    return _view(row)


def get(uow: UnitOfWork, actor: Actor, document_id: int) -> DocumentView:
    """The metadata of a document the actor may see (404 otherwise)."""
    return _view(access.visible_document(uow, actor, document_id))


def content(uow: UnitOfWork, actor: Actor, document_id: int, now: datetime) -> tuple[DocumentView, bytes]:
    """The metadata and the bytes of a document the actor may see; the download is audited."""
    row = access.visible_document(uow, actor, document_id)
    blob = uow.session.get(DocumentBlob, row.sha256)
    if blob is None:  # cannot happen while the foreign key holds
        raise NotFound(access.DOCUMENT_NOT_FOUND, code="document_not_found")
    audit.record(uow.session, "document_downloaded", at=now, actor=actor.username, payload={"document_id": row.id})
    return _view(row), bytes(blob.content)


def references(uow: UnitOfWork, document_id: int) -> list[tuple[int, int]]:
    """The (instance id, task id) of every completed step referencing the document, oldest first."""
    rows = uow.session.execute(
        select(DocumentRef.instance_id, DocumentRef.task_id)
        .where(DocumentRef.document_id == document_id)
        .order_by(DocumentRef.id)
    ).all()
    return [(int(instance_id), int(task_id)) for instance_id, task_id in rows]


def delete_document(uow: UnitOfWork, actor: Actor, document_id: int, now: datetime) -> None:
    """The uploader deletes an upload no completed step references (409 once one does); audited."""
    row = access.visible_document(uow, actor, document_id)
    access.check_may_delete_document(actor, row)
    if references(uow, row.id):
        raise Conflict(
            "Tài liệu đã là sản phẩm của một bước đã hoàn thành nên không thể xóa.", code="document_referenced"
        )
    uow.session.delete(row)
    uow.session.flush()  # its bytes go with the worker's next clean-up once no upload has used them for the grace
    audit.record(uow.session, "document_deleted", at=now, actor=actor.username, payload={"document_id": document_id})


def attach_to_step(
    uow: UnitOfWork, actor: Actor, task_row: HumanTask, ids: Iterable[int], now: datetime, *, checked: bool = False
) -> None:
    """Record that the completed step ``task_row`` references documents ``ids`` (call it after the completion,
    in the same unit of work). Each must exist and be visible to ``actor``: a 422 naming the ids otherwise.

    ``checked``: ``check_form_documents`` found each one usable by ``actor`` earlier in this unit of work, so they
    are not read again (three statements per document; a document its uploader deletes meanwhile fails the
    reference's foreign key, as it would between a second check and the insert), nor are the step's references
    read (none exists: the step was completed by this unit of work).
    """
    if task_row.status != "completed":
        raise ValueError("attach_to_step is for a completed step")
    wanted = sorted(set(ids))
    missing: list[int] = []
    for document_id in [] if checked else wanted:
        document = uow.session.get(StoredDocument, document_id)
        if document is None or not access.can_view_document(uow, actor, document):
            missing.append(document_id)
    if missing:
        raise InvalidInput(
            "Tài liệu đính kèm không tồn tại hoặc bạn không có quyền dùng.",
            code="document_not_usable",
            details={"documents": missing},
        )
    # Checked by the completion that completed the step in this unit of work: no reference to the step can exist yet
    # (they are recorded here only, after its one completion; uq_document_ref refuses a second one anyway).
    known: set[int] = set()
    if not checked:
        query = select(DocumentRef.document_id).where(
            DocumentRef.task_id == task_row.id, DocumentRef.document_id.in_(wanted)
        )
        known = set(uow.session.scalars(query))
    for document_id in wanted:
        if document_id in known:
            continue
        uow.session.add(
            DocumentRef(document_id=document_id, instance_id=task_row.instance_id, task_id=task_row.id, created_at=now)
        )
        uow.session.flush()
        audit.record_task_event(
            uow.session, "document_attached", task_row, at=now, actor=actor.username, document_id=document_id
        )


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:39] + "…"


def _type_label(content_type: str) -> str:
    """PDF, DOCX, JPG…: the first extension of a content type, as people name the kind of file."""
    extensions = file_types.extensions_of(content_type)
    return extensions[0].upper() if extensions else content_type


def _field_problem(uow: UnitOfWork, actor: Actor, field: DocumentField, item: Any) -> tuple[str, str] | None:
    """Why one value of an attachment field is no usable document: (code, Vietnamese message), or None."""
    if not isinstance(item, int) or isinstance(item, bool):  # 1.0: an integer to JSON Schema, no id to us
        return "document_not_usable", f"«{_shown(item)}» không phải mã của một tệp đã tải lên."
    document = uow.session.get(StoredDocument, item) if 1 <= item <= MAX_ID else None
    if document is None or not access.can_view_document(uow, actor, document):
        return "document_not_usable", f"Tệp số {_shown(item)} không tồn tại, đã bị xóa hoặc bạn không có quyền dùng."
    if document.content_type not in field.accept:
        wanted = ", ".join(dict.fromkeys(_type_label(kind) for kind in field.accept))
        return (
            "document_type_not_accepted",
            f"Tệp «{document.name}» là tệp {_type_label(document.content_type)}; «{field.title}» chỉ nhận {wanted}.",
        )
    return None


def check_form_documents(
    uow: UnitOfWork, actor: Actor, fields: Mapping[str, DocumentField], data: Mapping[str, Any]
) -> dict[str, list[int]]:
    """The document ids of a form's attachment fields in ``data``, each once; a 422 with per-field messages when
    one is no document the actor may use (``document_not_usable``) or of a type its field does not accept
    (``document_type_not_accepted``). Call it on data the form's schema has validated."""
    problems: dict[str, list[str]] = {}
    codes: set[str] = set()
    found: dict[str, list[int]] = {}
    for key, field in fields.items():
        value = data.get(key)
        if not isinstance(value, list) or len(value) > (field.max_items or MAX_ITEMS):
            continue  # too many: the form's maxItems refuses it (form_invalid) before a query per item
        seen: set[int] = set()
        for item in value:
            problem = _field_problem(uow, actor, field, item)
            if problem is None and isinstance(item, int) and item in seen:
                problem = "document_not_usable", f"Tệp số {item} được chọn hai lần."
            if isinstance(item, int):
                seen.add(item)
            if problem is not None:
                codes.add(problem[0])
                problems.setdefault(key, []).append(problem[1])
            elif isinstance(item, int) and item not in found.setdefault(key, []):
                found[key].append(item)
    if "document_not_usable" in codes:
        raise InvalidInput(
            "Có tệp đính kèm không dùng được: không tồn tại, đã bị xóa hoặc bạn không có quyền dùng. "
            "Vui lòng tải tệp lên rồi chọn lại.",
            code="document_not_usable",
            details=problems,
        )
    if codes:
        raise InvalidInput(
            "Có tệp đính kèm không đúng loại tệp mà biểu mẫu yêu cầu.",
            code="document_type_not_accepted",
            details=problems,
        )
    return found


def remove_unreferenced(uow: UnitOfWork, now: datetime, grace: timedelta) -> int:
    """Delete uploads older than ``grace`` that no step references, then the bytes no upload has used for as
    long; audited; the number of uploads deleted."""
    cutoff = now - grace
    stale = select(StoredDocument.id).where(
        StoredDocument.uploaded_at < cutoff, ~exists().where(DocumentRef.document_id == StoredDocument.id)
    )
    ids = [int(i) for i in uow.session.scalars(stale.order_by(StoredDocument.id).limit(_CLEANUP_BATCH))]
    deleted: list[int] = []
    if ids:
        deleted = [
            int(i)
            for i in uow.session.scalars(
                delete(StoredDocument)
                .where(StoredDocument.id.in_(ids), ~exists().where(DocumentRef.document_id == StoredDocument.id))
                .returning(StoredDocument.id)
            )
        ]
    # An upload of the same bytes moves last_uploaded_at on under a row lock, so it never loses its blob here.
    uow.session.execute(
        delete(DocumentBlob).where(
            DocumentBlob.last_uploaded_at < cutoff, ~exists().where(StoredDocument.sha256 == DocumentBlob.sha256)
        )
    )
    for document_id in sorted(deleted):
        audit.record(
            uow.session,
            "document_deleted",
            at=now,
            actor=None,
            payload={"document_id": document_id, "unreferenced": True},
        )
    return len(deleted)
