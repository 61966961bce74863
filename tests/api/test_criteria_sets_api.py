"""Criteria sets of an organisation through the API: who manages them, uploads with their errors, delete."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

from tests.api.conftest import Api, assert_error

ROOT = Path(__file__).resolve().parents[2]
BT_FILE = ROOT / "processes" / "criteria" / "organisations" / "binh-thanh-2024-cqcm.yaml"
BASE = "/api/v1/organisations"


def own_set(code: str, unit_kind: str = "xa", **changes: Any) -> bytes:
    """The demo commune's set under another code and unit kind (a small valid set), as YAML."""
    document = yaml.safe_load(BT_FILE.read_text(encoding="utf-8"))
    document.update(code=code, unit_kind=unit_kind, name=f"Bộ tiêu chí {code}", **changes)
    return yaml.safe_dump(document, allow_unicode=True).encode("utf-8")


def upload(api: Api, user: str, organisation: str, data: bytes, filename: str = "bo.yaml", **form: Any) -> Any:
    query = "?dry_run=1" if form.pop("dry_run", False) else ""
    return api.post(
        f"{BASE}/{organisation}/criteria-sets{query}",
        user,
        data={"file": (io.BytesIO(data), filename), **form},
        content_type="multipart/form-data",
    )


def delete(api: Api, user: str, organisation: str, set_id: int) -> Any:
    return api.call("DELETE", f"{BASE}/{organisation}/criteria-sets/{set_id}", user)


def test_the_commune_lists_its_own_set_before_the_shared_ones(api: Api) -> None:
    response = api.get(f"{BASE}/BINHTHANH/criteria-sets", "cchc.bt")
    assert response.status_code == 200, response.json
    rows = response.json
    own = [r for r in rows if not r["shared"]]
    assert [(r["code"], r["year"], r["unit_kind"], r["sub_criteria"], r["max_points"]) for r in own] == [
        ("BT-2024-CQCM", 2024, "cqcm", 9, 100.0)
    ]
    assert rows[0]["ref"] == f"set:{own[0]['id']}" and rows[0]["organisation_code"] == "BINHTHANH"
    shared = {r["ref"] for r in rows if r["shared"]}
    assert shared == {"par-index-2024-xa", "par-index-2024-cqcm"}
    city = api.get(f"{BASE}/SADEC/criteria-sets", "admin").json
    assert all(r["shared"] for r in city)  # the city has none of its own: the commune's is not in its list


def test_reading_a_set_gives_its_tree(api: Api) -> None:
    [own] = [r for r in api.get(f"{BASE}/BINHTHANH/criteria-sets", "cchc.bt").json if not r["shared"]]
    response = api.get(f"{BASE}/BINHTHANH/criteria-sets/{own['id']}", "cchc.bt")
    assert response.status_code == 200
    tree = response.json["tree"]
    assert [a["code"] for a in tree["areas"]] == ["1", "2", "3"]
    assert tree["survey"] == {"name": "Lấy ý kiến người dân tại Bộ phận Một cửa xã", "max_points": 20.0}


def test_another_organisation_and_other_roles_cannot_reach_the_sets(api: Api) -> None:
    [own] = [r for r in api.get(f"{BASE}/BINHTHANH/criteria-sets", "admin").json if not r["shared"]]
    # the city's coordinator: the commune and its set do not exist for it
    assert_error(api.get(f"{BASE}/BINHTHANH/criteria-sets", "cchc.pnv"), 404, "organisation_not_found")
    assert_error(api.get(f"{BASE}/BINHTHANH/criteria-sets/{own['id']}", "cchc.pnv"), 404, "organisation_not_found")
    assert_error(delete(api, "cchc.pnv", "BINHTHANH", own["id"]), 404, "organisation_not_found")
    assert_error(upload(api, "cchc.pnv", "BINHTHANH", own_set("X-1")), 404, "organisation_not_found")
    # the set's id under the city's own address is a missing set, not the commune's
    assert_error(api.get(f"{BASE}/SADEC/criteria-sets/{own['id']}", "cchc.pnv"), 404, "criteria_set_not_found")
    assert_error(delete(api, "cchc.pnv", "SADEC", own["id"]), 404, "criteria_set_not_found")
    # staff, heads, leaders and the province: not their job
    for user in ("cv.bt", "vp.bt", "ct.bt", "sonv"):
        assert_error(api.get(f"{BASE}/BINHTHANH/criteria-sets", user), 403, "role_required")
    assert_error(upload(api, "cv.bt", "BINHTHANH", own_set("X-2")), 403, "role_required")
    assert api.get(f"{BASE}/BINHTHANH/criteria-sets/{own['id']}", "cchc.bt").status_code == 200
    assert_error(api.get(f"{BASE}/NOWHERE/criteria-sets", "admin"), 404, "organisation_not_found")


def test_upload_previews_then_stores_then_refuses_the_same_code_and_year(api: Api) -> None:
    preview = upload(api, "cchc.pnv", "SADEC", own_set("SD-2024-XA"), dry_run=True)
    assert preview.status_code == 200, preview.json
    assert preview.json["id"] is None and preview.json["tree"]["code"] == "SD-2024-XA"
    assert all(r["shared"] for r in api.get(f"{BASE}/SADEC/criteria-sets", "cchc.pnv").json)  # nothing stored
    created = upload(api, "cchc.pnv", "SADEC", own_set("SD-2024-XA"))
    assert created.status_code == 201, created.json
    assert (created.json["organisation_code"], created.json["created_by"]) == ("SADEC", "cchc.pnv")
    assert_error(upload(api, "admin", "SADEC", own_set("SD-2024-XA")), 409, "criteria_set_exists")
    # the same code for another year, or in another organisation, is another set
    assert upload(api, "admin", "SADEC", own_set("SD-2024-XA", year=2025)).status_code == 201
    assert upload(api, "cchc.bt", "BINHTHANH", own_set("SD-2024-XA")).status_code == 201


def test_a_bad_file_gets_every_problem_with_its_row(api: Api) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã tiêu chí", "Tên", "Điểm tối đa", "Cha"])
    sheet.append(["1", "Chỉ đạo, điều hành", 3, None])
    sheet.append(["1.1", "Kế hoạch", 1, "1"])
    sheet.append(["1.1", "Trùng mã", 1, "1"])
    sheet.append(["2", "Vòng A", 1, "3"])
    sheet.append(["3", "Vòng B", 1, "2"])
    sheet.append(["4", "Điểm âm", -2, None])
    buffer = io.BytesIO()
    book.save(buffer)
    form = {"code": "SD-X", "name": "Bộ lỗi", "year": "2024", "unit_kind": "xa"}
    error = assert_error(upload(api, "cchc.pnv", "SADEC", buffer.getvalue(), "bo.xlsx", **form), 422)
    assert error["code"] == "criteria_set_invalid"
    found = {(p["error"], p.get("row")) for p in error["details"]["problems"]}
    assert {("code_duplicate", 4), ("parent_cycle", 5), ("parent_cycle", 6), ("points_not_positive", 7)} <= found
    assert ("points_sum", 2) in found  # 3 declared, 1 under it
    assert all(p["message"] for p in error["details"]["problems"])
    bomb = b"a: &a [x, x, x]\nb: &b [*a, *a, *a]\n"
    assert assert_error(upload(api, "cchc.pnv", "SADEC", bomb), 422)["details"]["problems"][0]["error"] == "yaml_alias"
    assert_error(upload(api, "cchc.pnv", "SADEC", b"code: x", "bo.csv"), 415)
    missing = api.post(f"{BASE}/SADEC/criteria-sets", "cchc.pnv", data={}, content_type="multipart/form-data")
    assert_error(missing, 422, "file_missing")


def test_an_unused_set_is_deleted(api: Api) -> None:
    created = upload(api, "cchc.bt", "BINHTHANH", own_set("BT-TAM", unit_kind="xa")).json
    assert delete(api, "cchc.bt", "BINHTHANH", created["id"]).status_code == 204
    assert_error(api.get(f"{BASE}/BINHTHANH/criteria-sets/{created['id']}", "cchc.bt"), 404, "criteria_set_not_found")
