"""Uploaded documents: upload (multipart field ``file``), metadata, content, delete. See docs/documents.md."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Response, current_app, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from engine.errors import InvalidInput
from workflows import document_store

from ..auth import current_user, user_in_transaction
from ..docs import file_upload_doc
from ..services import services

bp = Blueprint("documents", __name__, url_prefix="/api/v1", description="Tài liệu tải lên")

MULTIPART_OVERHEAD = 64 * 1024  # the part headers and boundaries around the file
UPLOAD_DOC = file_upload_doc()


class DocumentSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_by = fields.String(required=True)
    uploaded_at = fields.DateTime(required=True)


def document_max_bytes() -> int:
    """The configured limit of one file (``DOCUMENT_MAX_BYTES``, from ``CCHC_DOCUMENT_MAX_BYTES``)."""
    return int(current_app.config["DOCUMENT_MAX_BYTES"])


def allow_upload_body() -> None:
    """Before the body is read: an upload may be as large as the file limit (other bodies keep theirs)."""
    request.max_content_length = document_max_bytes() + MULTIPART_OVERHEAD


@bp.route("/documents")
class Documents(MethodView):
    @bp.doc(**UPLOAD_DOC)
    @bp.response(201, DocumentSchema)
    @bp.alt_response(413, description="Tệp quá lớn")
    @bp.alt_response(415, description="Loại tệp không được chấp nhận (nhận biết theo nội dung)")
    @bp.alt_response(422, description="Thiếu tệp, tệp rỗng hoặc tên tệp không hợp lệ")
    def post(self) -> tuple[Any, int]:
        """Upload one file (multipart field ``file``); its type is detected from its content."""
        upload = request.files.get("file")
        if upload is None:
            message = "Hãy chọn một tệp để tải lên (trường file)."
            raise InvalidInput(message, code="file_missing", details={"file": [message]})
        limit = document_max_bytes()
        data = upload.stream.read(limit + 1)
        with services().uow() as uow:
            view = document_store.upload(
                uow, current_user().actor, upload.filename or "", data, services().clock.now(), limit=limit
            )
            uow.commit()
        return view, 201


@bp.route("/documents/<int(max=2147483647):document_id>")
class Document(MethodView):
    @bp.response(200, DocumentSchema)
    @user_in_transaction  # the caller's account is read first thing in the read's own transaction
    def get(self, document_id: int) -> Any:
        """A document's metadata (404 unless the caller may see it)."""
        with services().read() as uow:
            return document_store.get(uow, current_user().actor, document_id)

    @bp.response(204)
    @bp.alt_response(409, description="Một bước đã hoàn thành dùng tài liệu này")
    def delete(self, document_id: int) -> None:
        """Delete an upload of the caller's that no completed step references."""
        with services().uow() as uow:
            document_store.delete_document(uow, current_user().actor, document_id, services().clock.now())
            uow.commit()


@bp.route("/documents/<int(max=2147483647):document_id>/content")
class DocumentContent(MethodView):
    @bp.doc(responses={"200": {"description": "Nội dung tệp", "content": {"application/octet-stream": {}}}})
    def get(self, document_id: int) -> Response:
        """The file itself, as an attachment under its (Vietnamese-safe) name; the download is audited."""
        with services().uow() as uow:  # a writer: the download is recorded in the audit trail
            view, data = document_store.content(uow, current_user().actor, document_id, services().clock.now())
            uow.commit()
        response = send_file(
            BytesIO(data),
            mimetype=view.content_type,
            as_attachment=True,
            download_name=view.name,
            etag=view.sha256,
            max_age=0,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        # opened on its own (not through the page's viewer) an upload runs nothing: no script, no plugin, no origin
        response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
        response.headers["Cache-Control"] = "private, no-cache"
        return response
