"""What some rows of the authorization matrix need before they run: a calendar override, a criteria set, an upload."""

from __future__ import annotations

import io

from tests.api.conftest import Api
from tests.document_files import pdf_bytes
from workflows.plan.store import SEED_PLAN

CRITERIA = (
    (SEED_PLAN.parents[1] / "criteria" / "organisations" / "binh-thanh-2024-cqcm.yaml")
    .read_bytes()
    .replace(b"BT-2024-CQCM", b"SD-2024-CQCM")
)


def an_override(api: Api) -> None:
    """An extra day off of the demo's organisation (its coordinator may remove it, another's may not see it)."""
    body = {"day": "2024-01-03", "working": False, "organisation_code": "SADEC"}
    response = api.post("/api/v1/calendar/overrides", "admin", json=body)
    assert response.status_code == 201


def a_city_set(api: Api) -> None:
    """The city's own criteria set, id 2 (the demo commune's is 1)."""
    response = api.post(
        "/api/v1/organisations/SADEC/criteria-sets",
        "admin",
        data={"file": (io.BytesIO(CRITERIA), "bo.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201 and response.json["id"] == 2, response.json


def an_upload(api: Api) -> None:
    """cv.pnv's upload, document 1 of the test's database (no step references it: only cv.pnv sees it)."""
    response = api.post(
        "/api/v1/documents",
        "cv.pnv",
        data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201 and response.json["id"] == 1
