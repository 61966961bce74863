"""Organisations through the API: list, create, change; importing their units (CSV, XLSX, YAML), hostile files."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from tests import plan_bombs
from tests.api.conftest import Api, assert_error

HEADER = "code,name,short_name,kind,parent,aliases,valid_from,valid_to,successor\n"
COMMUNE = {
    "code": "TANKHANHDONG",
    "name": "Xã Tân Khánh Đông",
    "kind": "xa",
    "parent_code": "DONGTHAP",
    "issuing_body": "ỦY BAN NHÂN DÂN XÃ TÂN KHÁNH ĐÔNG",
    "parent_body": "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP",
    "place_name": "Tân Khánh Đông",
    "aliases": ["xã Tân Khánh Đông"],
}
UNITS_CSV = (
    HEADER
    + "TKD_UB,Ủy ban nhân dân xã Tân Khánh Đông,UBND xã,ubnd,,UBND xã Tân Khánh Đông,2025-07-01,,\n"
    + "TKD_VP,Văn phòng HĐND và UBND xã,Văn phòng,cqcm,TKD_UB,Văn phòng - Thống kê xã;VP xã,01/07/2025,,\n"
    + "TKD_VHXH,Phòng Văn hóa - Xã hội,Phòng VH-XH,cqcm,TKD_UB,,2025-07-01,,\n"
)


def create(api: Api, **fields: Any) -> Any:
    return api.post("/api/v1/organisations", "admin", json={**COMMUNE, **fields})


def import_units(api: Api, code: str, data: bytes, name: str, dry_run: bool = False, user: str = "admin") -> Any:
    return api.post(
        f"/api/v1/organisations/{code}/units/import",
        user,
        query_string={"dry_run": "1"} if dry_run else {},
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def units_of(api: Api, code: str) -> dict[str, dict[str, Any]]:
    return {u["code"]: u for u in api.get("/api/v1/units", "admin").json if u["organisation_code"] == code}


def test_the_demo_organisations_are_listed_for_the_administrator(api: Api) -> None:
    listed = {o["code"]: o for o in api.get("/api/v1/organisations", "admin").json}
    assert {"DONGTHAP", "SADEC", "PHUONG_SADEC"} <= set(listed)
    sadec = listed["SADEC"]
    assert (sadec["kind_label"], sadec["parent_code"]) == ("Thành phố", "DONGTHAP")
    assert sadec["successor_code"] == "PHUONG_SADEC"
    assert sadec["valid_to"] == "2025-06-30" and sadec["unit_count"] > 20 and sadec["plan_count"] == 1
    assert api.get("/api/v1/organisations/SADEC", "admin").json["issuing_body"] == "ỦY BAN NHÂN DÂN THÀNH PHỐ SA ĐÉC"


@pytest.mark.parametrize("user", ["cchc.pnv", "cv.pnv", "chutich"])
def test_other_roles_may_not_read_or_manage_organisations(api: Api, user: str) -> None:
    assert_error(api.get("/api/v1/organisations", user), 403)
    assert_error(api.get("/api/v1/organisations/SADEC", user), 403)
    assert_error(create(api) if user == "admin" else api.post("/api/v1/organisations", user, json=COMMUNE), 403)
    assert_error(api.patch("/api/v1/organisations/SADEC", user, json={"name": "X"}), 403)
    assert_error(import_units(api, "SADEC", UNITS_CSV.encode(), "u.csv", user=user), 403)


def test_create_change_and_refuse_bad_organisations(api: Api) -> None:
    created = create(api)
    assert created.status_code == 201, created.json
    assert created.json["kind_label"] == "Xã" and created.json["unit_count"] == 0
    assert_error(create(api), 409, "organisation_exists")
    assert_error(create(api, code="tkd"), 422)
    assert_error(create(api, code="TKD2", kind="lang"), 422)
    assert_error(create(api, code="TKD3", parent_code="NOWHERE"), 422, "organisation_invalid")
    assert_error(create(api, code="TKD4", valid_from="2025-07-01", valid_to="2025-01-01"), 422, "organisation_invalid")
    assert_error(create(api, code="TKD5", name="Xã\u202eabc"), 422)
    changed = api.patch("/api/v1/organisations/TANKHANHDONG", "admin", json={"place_name": "Tân Khánh Đông, Đồng Tháp"})
    assert changed.status_code == 200 and changed.json["place_name"] == "Tân Khánh Đông, Đồng Tháp"
    # the province may not become a child of its own commune
    assert_error(api.patch("/api/v1/organisations/DONGTHAP", "admin", json={"parent_code": "TANKHANHDONG"}), 422)
    assert_error(api.get("/api/v1/organisations/NOWHERE", "admin"), 404, "organisation_not_found")
    assert_error(api.patch("/api/v1/organisations/NOWHERE", "admin", json={"name": "X"}), 404)


def test_csv_preview_stores_nothing_then_the_import_stores_every_unit(api: Api) -> None:
    assert create(api).status_code == 201
    preview = import_units(api, "TANKHANHDONG", UNITS_CSV.encode(), "don-vi.csv", dry_run=True)
    assert preview.status_code == 200, preview.json
    assert (preview.json["created"], preview.json["errors"]) == (3, [])
    assert [r["action"] for r in preview.json["rows"]] == ["create"] * 3
    assert units_of(api, "TANKHANHDONG") == {}
    done = import_units(api, "TANKHANHDONG", UNITS_CSV.encode(), "don-vi.csv")
    assert done.status_code == 200 and done.json["created"] == 3
    stored = units_of(api, "TANKHANHDONG")
    assert stored["TKD_VP"]["parent_code"] == "TKD_UB" and stored["TKD_VP"]["valid_from"] == "2025-07-01"
    again = import_units(api, "TANKHANHDONG", UNITS_CSV.replace("Phòng VH-XH", "VH-XH").encode(), "u.csv")
    assert (again.json["created"], again.json["updated"], again.json["unchanged"]) == (0, 1, 2)
    assert units_of(api, "TANKHANHDONG")["TKD_VHXH"]["short_name"] == "VH-XH"
    assert api.get("/api/v1/organisations/TANKHANHDONG", "admin").json["unit_count"] == 3


def test_xlsx_and_yaml_files_import_the_same_units(api: Api) -> None:
    assert create(api).status_code == 201
    book = Workbook()
    sheet = book.active
    for line in UNITS_CSV.splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = import_units(api, "TANKHANHDONG", buffer.getvalue(), "don-vi.xlsx", dry_run=True)
    assert xlsx.status_code == 200, xlsx.json
    assert [r["code"] for r in xlsx.json["rows"]] == ["TKD_UB", "TKD_VP", "TKD_VHXH"] and not xlsx.json["errors"]
    assert xlsx.json["rows"][1]["aliases"] == ["Văn phòng - Thống kê xã", "VP xã"]
    yaml_file = (
        "units:\n"
        "  - {code: TKD_UB, name: Ủy ban nhân dân xã Tân Khánh Đông, kind: ubnd}\n"
        "  - {code: TKD_VP, name: Văn phòng, kind: Cơ quan chuyên môn, parent: TKD_UB, aliases: [VP xã],"
        " valid_from: 2025-07-01}\n"
    )
    done = import_units(api, "TANKHANHDONG", yaml_file.encode(), "don-vi.yaml")
    assert done.status_code == 200, done.json
    stored = units_of(api, "TANKHANHDONG")
    assert stored["TKD_VP"]["kind"] == "cqcm" and stored["TKD_VP"]["valid_from"] == "2025-07-01"


def test_row_errors_are_reported_in_vietnamese_and_nothing_is_stored(api: Api) -> None:
    assert create(api).status_code == 201
    bad = (
        HEADER
        + "TKD_UB,Ủy ban,,ubnd,,,,,\n"
        + "tkd-x,,,,,,,,\n"  # bad code, no name, no kind
        + "TKD_A,Phòng A,,cqcm,PNV,,,,\n"  # parent of another organisation
        + "TKD_B,=HYPERLINK(\"http://x\"),,cqcm,TKD_UB,,,,\n"  # a formula
        + "TKD_C,Phòng C,,cqcm,TKD_D,,31/02/2025,,\n"  # unknown parent, impossible date
        + "TKD_UB,Ủy ban lần hai,,ubnd,,,,,\n"  # duplicate
        + "TKD_E,Phòng E,,cqcm,TKD_F,,,,\nTKD_F,Phòng F,,cqcm,TKD_E,,,,\n"  # a cycle
    )
    preview = import_units(api, "TANKHANHDONG", bad.encode(), "u.csv", dry_run=True)
    assert preview.status_code == 200
    by_row: dict[int, list[str]] = {}
    for error in preview.json["errors"]:
        by_row.setdefault(error["row"], []).append(error["field"])
        assert error["message"].startswith(f"Dòng {error['row']}:")
    assert set(by_row[3]) == {"code", "name", "kind"}
    assert by_row[4] == ["parent"] and by_row[5] == ["name"] and set(by_row[6]) == {"parent", "valid_from"}
    assert "code" in by_row[7] and by_row[8] == ["parent"] and by_row[9] == ["parent"]
    refused = import_units(api, "TANKHANHDONG", bad.encode(), "u.csv")
    body = assert_error(refused, 422, "units_import_invalid")
    assert "chưa có đơn vị nào được nhập" in body["message"]
    assert units_of(api, "TANKHANHDONG") == {}


def test_a_unit_code_of_another_organisation_is_refused_with_409(api: Api) -> None:
    assert create(api).status_code == 201
    taken = HEADER + "PNV,Phòng Nội vụ xã,,cqcm,,,,,\n"
    preview = import_units(api, "TANKHANHDONG", taken.encode(), "u.csv", dry_run=True)
    assert [e["code"] for e in preview.json["errors"]] == ["unit_code_taken"]
    body = assert_error(import_units(api, "TANKHANHDONG", taken.encode(), "u.csv"), 409, "unit_code_taken")
    assert body["details"][0]["code_value"] == "PNV"
    assert units_of(api, "SADEC")["PNV"]["name"] == "Phòng Nội vụ thành phố Sa Đéc"


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("u.csv", b"", 422, "units_file_invalid"),
        ("u.txt", HEADER.encode(), 415, "units_file_type"),
        ("u.csv", HEADER.encode() + b"A,B\x00,,ubnd\n", 422, "units_file_invalid"),
        ("u.csv", "code;name\nA;Tên\n".encode("utf-16"), 422, "units_file_invalid"),
        ("u.csv", b"ma,ten\n" + b"X,Y\n" * 2_001, 422, "file_too_large"),
        ("u.csv", b"code,name\nA," + b"x" * 25_000 + b"\n", 422, "file_too_large"),
        ("u.csv", b"name,kind\nA,ubnd\n", 422, "units_file_invalid"),
        ("u.yaml", b"a: &a [1,2]\nunits: [*a, *a]\n", 422, "units_file_invalid"),
        ("u.yaml", b"units: [[1, 2]]\n", 422, "units_file_invalid"),
        ("u.yaml", b"units: {code: A\n", 422, "units_file_invalid"),
        ("u.yaml", b"!!python/object:os.system {}\n", 422, "units_file_invalid"),
        ("u.yaml", b"units: " + b"[" * 50_000, 422, "units_file_invalid"),
        ("u.yaml", b"units:\n- {code: A, name: " + b"9" * 5_000 + b"}\n", 422, "units_file_invalid"),
        ("u.xlsx", b"PK\x03\x04 not a zip", 422, "units_file_invalid"),
        ("u.xlsx", plan_bombs.classic_zip_bomb(30), 422, None),
        ("u.xlsx", plan_bombs.billion_laughs_workbook(), 422, None),
        ("u.xlsx", plan_bombs.many_entries(400), 422, None),
    ],
)
def test_hostile_files_get_a_vietnamese_4xx(api: Api, name: str, data: bytes, status: int, code: str | None) -> None:
    assert create(api).status_code == 201
    body = assert_error(import_units(api, "TANKHANHDONG", data, name, dry_run=True), status, code)
    assert "đơn vị" in body["message"].lower() or "Excel" in body["message"]
    assert units_of(api, "TANKHANHDONG") == {}


def test_an_oversized_upload_is_refused_before_reading(api: Api) -> None:
    assert create(api).status_code == 201
    response = import_units(api, "TANKHANHDONG", b"code,name\n" + b"A,B\n" * 1_500_000, "u.csv")
    assert response.status_code in {413, 422}
    assert response.json["error"]["code"] in {"payload_too_large", "file_too_large"}


def test_the_import_needs_a_multipart_file(api: Api) -> None:
    assert create(api).status_code == 201
    assert_error(api.post("/api/v1/organisations/TANKHANHDONG/units/import", "admin", json={}), 415)
    missing = api.post(
        "/api/v1/organisations/TANKHANHDONG/units/import", "admin", data={"x": "1"}, content_type="multipart/form-data"
    )
    assert_error(missing, 422, "file_missing")
    assert_error(import_units(api, "NOWHERE", UNITS_CSV.encode(), "u.csv"), 404, "organisation_not_found")
