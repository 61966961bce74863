"""The document store through the API: uploads checked by content, downloads, visibility, deletion, clean-up."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.clock import ManualClock
from engine.errors import InvalidInput
from engine.models import AuditEvent, HumanTask
from engine.views import Actor
from tests.document_files import pdf_bytes
from workflows import accounts, document_store
from workflows.models import DocumentBlob, DocumentRef, StoredDocument
from workflows.worker import tick

from .conftest import Api, assert_error

VIETNAMESE_NAME = "Báo cáo kết quả CCHC quý I.pdf"



def png_bytes() -> bytes:
    """A 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpg_bytes() -> bytes:
    """The start of a JFIF file (SOI, APP0) and its end marker: what the signature check reads."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Mã", "Hoạt động"])
    book.active.append(["1.1", "Ban hành kế hoạch CCHC"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    """The parts a Word package needs: content types, relationships, the document."""
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Báo cáo</w:t></w:r></w:p></w:body></w:document>",
        )
    return out.getvalue()


def odf_bytes(mimetype: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        package.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def ole2_bytes(stream_name: str) -> bytes:
    """An OLE2 compound file's signature and header block, with one directory entry naming ``stream_name``."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header = header.ljust(512, b"\x00")
    entry = stream_name.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64
    return header + entry.ljust(512, b"\x00")


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not an office file")
    return out.getvalue()


def upload(api: Api, user: str, name: str, data: bytes) -> Any:
    return api.post(
        "/api/v1/documents", user, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def counts(app: Flask) -> tuple[int, int]:
    with app.extensions["cchc"].read() as uow:
        documents = uow.session.scalar(select(func.count()).select_from(StoredDocument))
        blobs = uow.session.scalar(select(func.count()).select_from(DocumentBlob))
    return int(documents or 0), int(blobs or 0)


ALLOWED = [
    ("ke-hoach.pdf", pdf_bytes, "application/pdf"),
    ("anh.png", png_bytes, "image/png"),
    ("anh.jpg", jpg_bytes, "image/jpeg"),
    ("bang.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("bao-cao.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (
        "van-ban.odt",
        lambda: odf_bytes("application/vnd.oasis.opendocument.text"),
        "application/vnd.oasis.opendocument.text",
    ),
    (
        "bang.ods",
        lambda: odf_bytes("application/vnd.oasis.opendocument.spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    ("cu.doc", lambda: ole2_bytes("WordDocument"), "application/msword"),
    ("cu.xls", lambda: ole2_bytes("Workbook"), "application/vnd.ms-excel"),
]


@pytest.mark.parametrize(("name", "make", "expected"), ALLOWED, ids=[row[0] for row in ALLOWED])
def test_each_allowed_type_is_stored_with_the_type_read_from_its_content(
    api: Api, app: Flask, name: str, make: Any, expected: str
) -> None:
    data = make()
    # the name lies about the type: the stored type is the detected one
    response = upload(api, "cv.pnv", name.rsplit(".", 1)[0] + ".bin", data)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["content_type"] == expected
    assert body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["uploaded_by"] == "cv.pnv"
    assert set(body) == {"id", "name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"}
    content = api.get(f"/api/v1/documents/{body['id']}/content", "cv.pnv")
    assert content.status_code == 200
    assert content.data == data
    assert content.mimetype == expected


def test_the_download_names_the_file_in_vietnamese_safely_and_is_audited(api: Api, app: Flask) -> None:
    data = pdf_bytes()
    created = upload(api, "cv.pnv", "../../tai-lieu/" + VIETNAMESE_NAME, data).json
    assert created["name"] == VIETNAMESE_NAME  # folder parts dropped
    response = api.get(f"/api/v1/documents/{created['id']}/content", "cv.pnv")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(VIETNAMESE_NAME)}" in disposition
    assert 'filename="Bao cao ket qua CCHC quy I.pdf"' in disposition  # the ASCII fallback
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Type"] == "application/pdf"
    meta = api.get(f"/api/v1/documents/{created['id']}", "cv.pnv").json
    assert meta == created
    with app.extensions["cchc"].read() as uow:
        kinds = uow.session.scalars(
            select(AuditEvent.kind).where(AuditEvent.kind.like("document_%")).order_by(AuditEvent.id)
        ).all()
    assert kinds == ["document_uploaded", "document_downloaded"]


def test_a_decomposed_name_is_kept_in_nfc(api: Api) -> None:
    decomposed = "Ke\u0302\u0301 hoa\u0323ch.pdf"  # "Kế hoạch" typed with combining marks
    body = upload(api, "cv.pnv", decomposed, pdf_bytes()).json
    assert body["name"] == "Kế hoạch.pdf"


def test_the_same_bytes_are_stored_once(api: Api, app: Flask) -> None:
    data = pdf_bytes("once")
    first = upload(api, "cv.pnv", "a.pdf", data).json
    second = upload(api, "cv.p1", "b.pdf", data).json
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    assert counts(app) == (2, 1)


REFUSED = [
    ("chuong-trinh.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, 415, "file_type_not_allowed"),
    ("bao-cao.docx", plain_zip(), 415, "file_type_not_allowed"),
    ("trang.pdf", b"<!DOCTYPE html><html><body>x</body></html>", 415, "file_type_not_allowed"),
    ("rong.pdf", b"", 422, "file_empty"),
    ("ten\u202egpj.pdf", pdf_bytes(), 422, "filename_invalid"),
    ("an\u200bten.pdf", pdf_bytes(), 422, "filename_invalid"),
    ("ten\x00.pdf", pdf_bytes(), 422, "filename_invalid"),
]


@pytest.mark.parametrize(
    ("name", "data", "status", "code"), REFUSED, ids=[r[3] + "-" + str(i) for i, r in enumerate(REFUSED)]
)
def test_a_refused_upload_stores_nothing(api: Api, app: Flask, name: str, data: bytes, status: int, code: str) -> None:
    error = assert_error(upload(api, "cv.pnv", name, data), status, code)
    assert any(ch in error["message"] for ch in "ệạảố")  # Vietnamese
    assert counts(app) == (0, 0)


def test_an_upload_over_the_limit_is_413_and_stores_nothing(api: Api, app: Flask) -> None:
    app.config["DOCUMENT_MAX_BYTES"] = 1000
    big = pdf_bytes("x" * 1200)
    error = assert_error(upload(api, "cv.pnv", "lon.pdf", big), 413, "file_too_large")
    assert "MB" in error["message"] and error["details"] == {"max_bytes": 1000}
    # a body far over the limit is cut off before it is read
    assert_error(upload(api, "cv.pnv", "lon.pdf", pdf_bytes() + b"0" * 200_000), 413)
    assert counts(app) == (0, 0)
    assert upload(api, "cv.pnv", "nho.pdf", pdf_bytes()).status_code == 201


def test_uploads_may_be_larger_than_json_bodies(api: Api, app: Flask) -> None:
    """Up to the document limit (20 MB by default), past the 5 MB every other body keeps."""
    data = pdf_bytes() + b"%" + b"0" * (6 * 1024 * 1024)
    response = upload(api, "cv.pnv", "lon.pdf", data)
    assert response.status_code == 201, response.json
    too_big_json = api.post(
        "/api/v1/process-instances",
        "cv.pnv",
        data=b"{" + b" " * (6 * 1024 * 1024) + b"}",
        content_type="application/json",
    )
    assert too_big_json.status_code == 413


def test_an_upload_needs_a_file_and_multipart(api: Api) -> None:
    assert_error(
        api.post("/api/v1/documents", "cv.pnv", data={"other": "x"}, content_type="multipart/form-data"),
        422,
        "file_missing",
    )
    assert_error(api.post("/api/v1/documents", "cv.pnv", json={"file": "x"}), 415, "multipart_required")
    assert_error(api.post("/api/v1/documents", None, data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")}), 401)


def completed_draft(api: Api, app: Flask, user: str = "cv.pnv", unit: str = "PNV") -> HumanTask:
    instance = api.start(user, unit, topic="Tài liệu")
    [draft] = instance["open_tasks"]
    done = api.post(f"/api/v1/tasks/{draft['id']}/complete", user, json={"data": {"title": "Dự thảo"}})
    assert done.status_code == 200, done.json
    with app.extensions["cchc"].read() as uow:
        row = uow.session.get(HumanTask, draft["id"])
        assert row is not None and row.status == "completed"
        uow.session.expunge(row)
    return row


def actor_of(app: Flask, username: str) -> Actor:
    with app.extensions["cchc"].read() as uow:
        return accounts.get_user(uow.session, username).actor


def attach(app: Flask, user: str, task_id: int, ids: list[int], clock: ManualClock) -> None:
    """What completing a step with documents in its data does (issue #14 item 3 calls it from the completion)."""
    services = app.extensions["cchc"]
    actor = actor_of(app, user)
    with services.uow() as uow:
        task = uow.session.get(HumanTask, task_id)
        assert task is not None
        document_store.attach_to_step(uow, actor, task, ids, clock.now())
        uow.commit()


def test_only_the_uploader_sees_an_unreferenced_upload(api: Api) -> None:
    created = upload(api, "cv.pnv", "a.pdf", pdf_bytes()).json
    for user in ("tp.pnv", "cv.p1", "admin", "chutich"):
        assert_error(api.get(f"/api/v1/documents/{created['id']}", user), 404, "document_not_found")
        assert_error(api.get(f"/api/v1/documents/{created['id']}/content", user), 404, "document_not_found")
    assert api.get(f"/api/v1/documents/{created['id']}", "cv.pnv").status_code == 200
    assert_error(api.get("/api/v1/documents/999999", "cv.pnv"), 404, "document_not_found")


def test_once_a_completed_step_references_it_the_instance_rules_apply(api: Api, app: Flask, clock: ManualClock) -> None:
    created = upload(api, "cv.pnv", VIETNAMESE_NAME, pdf_bytes()).json
    row = completed_draft(api, app)
    attach(app, "cv.pnv", row.id, [created["id"], created["id"]], clock)
    attach(app, "cv.pnv", row.id, [created["id"]], clock)  # twice: one reference
    with app.extensions["cchc"].read() as uow:
        assert document_store.references(uow, created["id"]) == [(row.instance_id, row.id)]
    events = api.get(f"/api/v1/process-instances/{row.instance_id}/events", "tp.pnv").json
    attached = [(e["label"], e["payload"]["document_id"]) for e in events if e["kind"] == "document_attached"]
    assert attached == [(f"Đính kèm tài liệu vào bước «{row.name}»", created["id"])]
    for user in ("cv.pnv", "tp.pnv", "admin", "chutich", "cchc.pnv"):  # the unit and the overseers
        assert api.get(f"/api/v1/documents/{created['id']}", user).status_code == 200, user
    assert api.get(f"/api/v1/documents/{created['id']}/content", "tp.pnv").data == pdf_bytes()
    for user in ("cv.p1", "ct.p2", "cv.ptp"):  # another unit's users, no step of theirs in the instance
        assert_error(api.get(f"/api/v1/documents/{created['id']}", user), 404, "document_not_found")
        assert_error(api.get(f"/api/v1/documents/{created['id']}/content", user), 404, "document_not_found")


def test_a_step_cannot_reference_a_document_its_user_may_not_see(api: Api, app: Flask, clock: ManualClock) -> None:
    theirs = upload(api, "cv.p1", "cua-phuong.pdf", pdf_bytes("p1")).json
    row = completed_draft(api, app)
    with pytest.raises(InvalidInput) as refused:
        attach(app, "cv.pnv", row.id, [theirs["id"], 424242], clock)
    assert refused.value.code == "document_not_usable"
    assert refused.value.details == {"documents": [theirs["id"], 424242]}
    with app.extensions["cchc"].read() as uow:
        assert uow.session.scalar(select(func.count()).select_from(DocumentRef)) == 0


def test_attach_to_step_is_for_a_completed_step(api: Api, app: Flask, clock: ManualClock) -> None:
    created = upload(api, "cv.pnv", "a.pdf", pdf_bytes()).json
    [draft] = api.start("cv.pnv", "PNV")["open_tasks"]
    with pytest.raises(ValueError, match="completed"):
        attach(app, "cv.pnv", draft["id"], [created["id"]], clock)


def test_only_the_uploader_deletes_and_never_a_referenced_document(api: Api, app: Flask, clock: ManualClock) -> None:
    loose = upload(api, "cv.pnv", "nhap.pdf", pdf_bytes("loose")).json
    used = upload(api, "cv.pnv", "san-pham.pdf", pdf_bytes("used")).json
    assert_error(api.call("DELETE", f"/api/v1/documents/{loose['id']}", "cv.p1"), 404, "document_not_found")
    response = api.call("DELETE", f"/api/v1/documents/{loose['id']}", "cv.pnv")
    assert response.status_code == 204
    assert_error(api.get(f"/api/v1/documents/{loose['id']}", "cv.pnv"), 404)

    row = completed_draft(api, app)
    attach(app, "cv.pnv", row.id, [used["id"]], clock)
    assert_error(api.call("DELETE", f"/api/v1/documents/{used['id']}", "tp.pnv"), 403, "document_not_yours")
    error = assert_error(api.call("DELETE", f"/api/v1/documents/{used['id']}", "cv.pnv"), 409, "document_referenced")
    assert "không thể xóa" in error["message"]
    assert api.get(f"/api/v1/documents/{used['id']}/content", "cv.pnv").status_code == 200


def test_the_worker_removes_uploads_never_referenced_after_the_grace_period(
    api: Api, app: Flask, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCHC_DOCUMENT_GRACE_HOURS", "24")
    services = app.extensions["cchc"]
    loose = upload(api, "cv.pnv", "nhap.pdf", pdf_bytes("loose")).json
    shared = pdf_bytes("shared")
    used = upload(api, "cv.pnv", "san-pham.pdf", shared).json
    row = completed_draft(api, app)
    attach(app, "cv.pnv", row.id, [used["id"]], clock)
    clock.advance(timedelta(hours=23))
    fresh = upload(api, "cv.p1", "moi.pdf", pdf_bytes("fresh")).json
    assert tick(services, clock.now()).documents_removed == 0
    clock.advance(timedelta(hours=2))  # 25 h after the first uploads, 2 h after the fresh one
    report = tick(services, clock.now())
    assert report.documents_removed == 1
    assert "tài liệu đã xóa: 1" in report.summary()
    assert_error(api.get(f"/api/v1/documents/{loose['id']}", "cv.pnv"), 404)
    assert api.get(f"/api/v1/documents/{used['id']}/content", "cv.pnv").data == shared
    assert api.get(f"/api/v1/documents/{fresh['id']}", "cv.p1").status_code == 200
    assert counts(app) == (2, 2)  # the loose upload's bytes went with it
    clock.advance(timedelta(hours=30))
    assert tick(services, clock.now()).documents_removed == 1  # the fresh one, never referenced
    assert counts(app) == (1, 1)


def test_a_blob_uploaded_again_within_the_grace_is_kept(api: Api, app: Flask, clock: ManualClock) -> None:
    data = pdf_bytes("again")
    first = upload(api, "cv.pnv", "a.pdf", data).json
    assert api.call("DELETE", f"/api/v1/documents/{first['id']}", "cv.pnv").status_code == 204
    clock.advance(timedelta(hours=20))
    second = upload(api, "cv.pnv", "b.pdf", data).json
    clock.advance(timedelta(hours=10))  # the first upload's time is past the grace, the second's not
    with app.extensions["cchc"].uow() as uow:
        assert document_store.remove_unreferenced(uow, clock.now(), timedelta(hours=24)) == 0
        uow.commit()
    assert api.get(f"/api/v1/documents/{second['id']}/content", "cv.pnv").data == data


def test_a_name_is_bounded_to_255_characters(api: Api, app: Flask) -> None:
    longest = "Báo cáo " * 29 + "kết quả CCHC quý II.pdf"
    assert len(longest) == 255
    assert upload(api, "cv.pnv", longest, pdf_bytes()).json["name"] == longest
    assert_error(upload(api, "cv.pnv", "x" + longest, pdf_bytes("other")), 422, "filename_invalid")
    assert counts(app) == (1, 1)


def test_a_package_whose_marker_unpacks_past_its_bound_is_refused_unread(api: Api, app: Flask) -> None:
    """A [Content_Types].xml of 50 MB of zeros (a 50 KB deflate stream) is not unpacked: refused as not a type."""
    out = io.BytesIO()
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", f'<Types><Override ContentType="{main}"/>' + " " * (50 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 200_000
    assert_error(upload(api, "cv.pnv", "bom.docx", data), 415, "file_type_not_allowed")
    assert counts(app) == (0, 0)
