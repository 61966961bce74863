"""Real small files for tests that attach documents to forms: a PDF, a Word, an Excel file… by extension.

The builders live in ``workflows.scenarios.files`` (the scenario runner uploads them too); ``upload_file`` sends
one to ``POST /api/v1/documents`` through a Flask test client and ``store_file`` keeps it through the document
store directly (a test without HTTP).
"""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from engine.db import UnitOfWork
from engine.views import Actor
from workflows import document_store
from workflows.scenarios.files import (  # noqa: F401 - re-exported for the tests
    BUILDERS,
    EXE_BYTES,
    docx_bytes,
    file_bytes,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    xlsx_bytes,
)


def upload_file(client: FlaskClient, headers: dict[str, str], name: str, data: bytes | None = None) -> Any:
    """``POST /api/v1/documents`` with one file (``data``, else a real file of ``name``'s type); the response."""
    content = file_bytes(name) if data is None else data
    return client.post(
        "/api/v1/documents",
        headers=headers,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def store_file(uow: UnitOfWork, actor: Actor, name: str, now: Any, data: bytes | None = None) -> int:
    """Keep a real file of ``name``'s type through the document store (no HTTP); its id."""
    content = file_bytes(name) if data is None else data
    return document_store.upload(uow, actor, name, content, now, limit=document_store.max_bytes()).id
