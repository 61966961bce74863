"""Documents on PostgreSQL: two server processes (two ``create_app`` in separate processes) upload the same file
at once and each downloads what the other stored — the bytes live in the database, no shared disk needed."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
from multiprocessing.synchronize import Barrier
from typing import Any

import pytest
from sqlalchemy import func, select

from api import create_app
from tests.document_files import pdf_bytes
from tests.pg.conftest import pg_url, reset_schema
from workflows.bootstrap import create_services
from workflows.demo import load_demo
from workflows.models import DocumentBlob, StoredDocument

pytestmark = pytest.mark.pg

SPAWN = multiprocessing.get_context("spawn")
NAME = "Quyết định ban hành kế hoạch CCHC.pdf"


def _client(url: str) -> tuple[Any, dict[str, str]]:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"username": "cv.pnv", "password": "demo"})
    assert login.status_code == 200, login.json
    return client, {"Authorization": f"Bearer {login.json['token']}"}


def upload_in_server(url: str, data: bytes, barrier: Barrier, results: Any) -> None:
    """One server process: log in, wait for the other, upload the file."""
    client, headers = _client(url)
    barrier.wait(timeout=60)
    response = client.post(
        "/api/v1/documents",
        headers=headers,
        data={"file": (io.BytesIO(data), NAME)},
        content_type="multipart/form-data",
    )
    results.put((response.status_code, response.json))


def download_in_server(url: str, document_id: int) -> tuple[int, bytes, str, str]:
    """Another server process: the document's bytes, type and file name as served."""
    client, headers = _client(url)
    response = client.get(f"/api/v1/documents/{document_id}/content", headers=headers)
    return response.status_code, response.data, response.mimetype, response.headers.get("Content-Disposition", "")


def test_two_server_processes_store_one_blob_and_serve_each_others_uploads() -> None:
    url = pg_url()
    reset_schema(url)
    services = create_services(url)
    load_demo(services)
    data = pdf_bytes("hai may chu")
    barrier = SPAWN.Barrier(2)
    results = SPAWN.Queue()
    servers = [SPAWN.Process(target=upload_in_server, args=(url, data, barrier, results)) for _ in range(2)]
    for server in servers:
        server.start()
    outcomes = [results.get(timeout=120) for _ in servers]
    for server in servers:
        server.join(timeout=60)
        assert server.exitcode == 0
    assert [status for status, _ in outcomes] == [201, 201], outcomes
    ids = sorted(body["id"] for _, body in outcomes)
    assert len(set(ids)) == 2
    assert {body["sha256"] for _, body in outcomes} == {hashlib.sha256(data).hexdigest()}
    with services.read() as uow:
        assert uow.session.scalar(select(func.count()).select_from(StoredDocument)) == 2
        assert uow.session.scalar(select(func.count()).select_from(DocumentBlob)) == 1  # stored once

    with SPAWN.Pool(2) as pool:
        downloads = pool.starmap(download_in_server, [(url, ids[1]), (url, ids[0])])
    for status, body, mimetype, disposition in downloads:
        assert (status, body, mimetype) == (200, data, "application/pdf")
        assert "filename*=UTF-8''" in disposition
    services.close()
