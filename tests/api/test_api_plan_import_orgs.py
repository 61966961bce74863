"""Importing a plan for an organisation (#15 item 2): preview then confirm, against the organisation's own units.

A second organisation (huyện Đăk Hà) beside the demo's Sa Đéc: names resolve only among the target's units,
names it does not know must each be answered, the caption's issuer must be the target, and importing for one
organisation never touches the other's plan.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import select

from engine.clock import LOCAL_TZ
from engine.views import SYSTEM_ACTOR
from tests.api.conftest import Api, assert_error
from workflows import accounts
from workflows.models import Organisation, Plan, PlanActivityRow, PlanOccurrence, Unit
from workflows.plan.store import SEED_PLAN

SEED = SEED_PLAN.read_text(encoding="utf-8")
SADEC_CAPTION = "của UBND thành phố Sa Đéc)"
DAKHA_SEED = SEED.replace(SADEC_CAPTION, "của UBND huyện Đăk Hà)")
DAKHA_UNITS = (
    ("DH_UBND", "Ủy ban nhân dân huyện Đăk Hà", "UBND huyện", "ubnd", None, ["UBND huyện Đăk Hà"]),
    ("DH_PNV", "Phòng Nội vụ huyện Đăk Hà", "Phòng Nội vụ", "cqcm", "DH_UBND", []),
    ("DH_PTP", "Phòng Tư pháp huyện Đăk Hà", "Phòng Tư pháp", "cqcm", "DH_UBND", []),
    ("DH_VP", "Văn phòng HĐND và UBND huyện Đăk Hà", "Văn phòng HĐND và UBND", "cqcm", "DH_UBND", []),
    ("DH_XDT", "Ủy ban nhân dân xã Đăk Tơ Lung", "UBND xã Đăk Tơ Lung", "ubnd_xa", "DH_UBND", []),
)


def _plan_md(caption_issuer: str, lead: str, coordinating: str = "Phòng Nội vụ") -> str:
    columns = ("STT", "Mục tiêu", "Nhiệm vụ", "Hoạt động", "Kết quả", "Chủ trì", "Phối hợp", "Thời gian", "Kinh phí")
    header = "| " + " | ".join(columns) + " |"
    rows = [
        "| I | CẢI CÁCH THỂ CHẾ | | | | | | | |",
        "| | 1.1. Nâng cao chất lượng văn bản | 2.1. Rà soát văn bản | 3.1. Rà soát VBQPPL. | Báo cáo "
        f"| {lead} | {coordinating} | Quý II/2024 | |",
        "| | | | 3.2. Kiểm tra công tác văn bản. | Báo cáo | Phòng Tư pháp | | Quý III/2024 | |",
    ]
    caption = f"(Ban hành kèm theo Kế hoạch số 12/KH-UBND ngày 10 tháng 01 năm 2024 của {caption_issuer})"
    table = "\n".join([header, "|---|---|---|---|---|---|---|---|---|", *rows])
    return f"KẾ HOẠCH\n\nRà soát văn bản năm 2024\n\nPhụ lục\n\n{caption}\n\n{table}\n"


@pytest.fixture
def dakha(app: Flask) -> str:
    """A second organisation with five units and its own coordinator (cchc.dh)."""
    services = app.extensions["cchc"]
    with services.uow() as uow:
        uow.session.add(
            Organisation(
                code="DAKHA",
                name="Huyện Đăk Hà",
                kind="huyen",
                parent_code=None,
                issuing_body="ỦY BAN NHÂN DÂN HUYỆN ĐĂK HÀ",
                parent_body="ỦY BAN NHÂN DÂN TỈNH KON TUM",
                place_name="Đăk Hà",
                aliases=["Đắk Hà"],
                created_at=datetime(2024, 1, 1, tzinfo=LOCAL_TZ),
            )
        )
        uow.session.flush()
        for code, name, short, kind, parent, aliases in DAKHA_UNITS:
            uow.session.add(
                Unit(
                    code=code,
                    name=name,
                    short_name=short,
                    kind=kind,
                    parent_code=parent,
                    aliases=aliases,
                    organisation_code="DAKHA",
                )
            )
            uow.session.flush()
        accounts.create_user(
            uow.session,
            actor=SYSTEM_ACTOR,
            username="cchc.dh",
            full_name="Đầu mối CCHC huyện Đăk Hà",
            password="demo",
            password_policy=False,
            unit_code="DH_PNV",
            roles=["coordinator"],
            now=services.clock.now(),
        )
        uow.commit()
    return "DAKHA"


def sadec_code(app: Flask) -> str:
    with app.extensions["cchc"].read() as uow:
        return str(uow.session.get(Unit, "UBND").organisation_code)


def post_import(
    api: Api, code: str, text: str, *, user: str = "admin", dry_run: bool = False, mapping: Any = None
) -> Any:
    data: dict[str, Any] = {"file": (io.BytesIO(text.encode()), "ke-hoach.md")}
    if mapping is not None:
        data["mapping"] = json.dumps(mapping, ensure_ascii=False)
    path = f"/api/v1/organisations/{code}/plans/import" + ("?dry_run=1" if dry_run else "")
    return api.post(path, user, content_type="multipart/form-data", data=data)


def snapshot(app: Flask, code: str) -> list[tuple[Any, ...]]:
    """Every plan of the organisation: its activities and their occurrences with their instances."""
    with app.extensions["cchc"].read() as uow:
        rows = uow.session.execute(
            select(Plan.id, PlanActivityRow.id, PlanActivityRow.code, PlanActivityRow.lead_units, PlanOccurrence.id)
            .join(PlanActivityRow, PlanActivityRow.plan_id == Plan.id)
            .outerjoin(PlanOccurrence, PlanOccurrence.activity_id == PlanActivityRow.id)
            .where(Plan.organisation_code == code)
            .order_by(PlanOccurrence.id)
        )
        instances = uow.session.execute(
            select(PlanOccurrence.id, PlanOccurrence.instance_id).order_by(PlanOccurrence.id)
        ).all()
        by_id = dict(instances)
        return [(*row, by_id.get(row[4])) for row in rows]


def plan_count(app: Flask) -> int:
    with app.extensions["cchc"].read() as uow:
        return len(uow.session.scalars(select(Plan.id)).all())


def sadec_plan_id(app: Flask) -> int:
    with app.extensions["cchc"].read() as uow:
        return int(uow.session.scalars(select(Plan.id).where(Plan.organisation_code == sadec_code(app))).one())


# --------------------------------------------------------------------------- the issuer


def test_a_plan_captioned_for_another_locality_is_refused(api: Api, app: Flask) -> None:
    before = snapshot(app, sadec_code(app))
    text = SEED.replace(SADEC_CAPTION, "của UBND huyện Đăk Hà)")
    for dry_run in (True, False):
        error = assert_error(post_import(api, sadec_code(app), text, dry_run=dry_run), 422, "issuer_mismatch")
        assert "UBND huyện Đăk Hà" in error["message"] and "Sa Đéc" in error["message"]
        assert error["details"]["issuer"] == "UBND huyện Đăk Hà"
    # the one-step import of the caller's organisation refuses it too, and the Sa Đéc plan is as it was
    old = api.post("/api/v1/plans/import", "cchc.pnv", data=text.encode(), content_type="text/markdown")
    assert_error(old, 422, "issuer_mismatch")
    assert snapshot(app, sadec_code(app)) == before


# --------------------------------------------------------------------------- unknown lead units


def test_unknown_lead_units_must_each_be_answered(api: Api, app: Flask) -> None:
    code, plans = sadec_code(app), plan_count(app)
    text = _plan_md("UBND thành phố Sa Đéc", "Văn phòng - Thống kê xã, Sở Công Thương", "Phòng Nội vụ")
    preview = post_import(api, code, text, dry_run=True)
    assert preview.status_code == 200, preview.json
    body = preview.json
    assert body["header"] == {
        "title": "Rà soát văn bản năm 2024",
        "year": 2024,
        "number": "12/KH-UBND",
        "issued_on": "2024-01-10",
        "issuer": "UBND thành phố Sa Đéc",
    }
    first = body["activities"][0]
    assert first["lead"] == [
        {"name": "Văn phòng - Thống kê xã", "units": None},
        {"name": "Sở Công Thương", "units": None},
    ]
    assert first["coordinating"] == [{"name": "Phòng Nội vụ", "units": ["PNV"]}]
    assert first["schedule"]["occurrences"][0]["due"] == "2024-06-30"
    unresolved = {u["name"]: u for u in body["unresolved"]}
    assert set(unresolved) == {"Văn phòng - Thống kê xã", "Sở Công Thương"}
    assert unresolved["Sở Công Thương"]["activities"] == ["I/3.1"]
    assert unresolved["Văn phòng - Thống kê xã"]["suggestions"][0]["code"] == "VP"
    assert plan_count(app) == plans  # the preview stored nothing

    missing = assert_error(post_import(api, code, text), 422, "unmapped_units")
    assert missing["details"]["unmapped"] == ["Văn phòng - Thống kê xã", "Sở Công Thương"]
    assert "Sở Công Thương" in missing["message"]
    partial = post_import(api, code, text, mapping={"Sở Công Thương": "none"})
    assert assert_error(partial, 422, "unmapped_units")["details"]["unmapped"] == ["Văn phòng - Thống kê xã"]
    assert plan_count(app) == plans

    done = post_import(api, code, text, mapping={"Văn phòng - Thống kê xã": "VP", "Sở Công Thương": "none"})
    assert done.status_code == 201, done.json
    report = done.json["report"]
    assert report["unresolved_units"] == []
    assert {"name": "Sở Công Thương", "answer": "none", "label": "Không giao"} in report["unit_mapping"]
    assert {"name": "Văn phòng - Thống kê xã", "answer": "unit", "unit": "VP"} in report["unit_mapping"]
    pid = done.json["plan"]["id"]
    items = api.get(f"/api/v1/plans/{pid}/activities", "cv.pnv", query_string={"area": "I"}).json["items"]
    assert [u["code"] for u in next(a for a in items if a["code"] == "3.1")["lead_units"]] == ["VP"]


def test_none_for_every_lead_is_recorded_not_lost(api: Api, app: Flask) -> None:
    text = _plan_md("UBND thành phố Sa Đéc", "Sở Công Thương")
    done = post_import(api, sadec_code(app), text, mapping={"Sở Công Thương": "none"})
    assert done.status_code == 201, done.json
    assert done.json["report"]["activities_without_lead"] == [{"ref": "I/3.1", "lead_text": "Sở Công Thương"}]


def test_a_new_unit_from_the_mapping_is_created_in_the_organisation(api: Api, app: Flask, dakha: str) -> None:
    text = _plan_md("UBND huyện Đăk Hà", "Phòng Kinh tế và Hạ tầng")
    bad = {"Phòng Kinh tế và Hạ tầng": {"new": {"code": "PNV", "name": "Phòng KT-HT", "kind": "cqcm"}}}
    assert_error(post_import(api, dakha, text, mapping=bad), 409, "unit_code_taken")  # Sa Đéc's code
    wrong = {"Phòng Kinh tế và Hạ tầng": {"new": {"code": "DH_KTHT", "name": "Phòng KT-HT", "kind": "sở"}}}
    assert_error(post_import(api, dakha, text, mapping=wrong), 422, "mapping_invalid")
    other = {"Phòng Kinh tế và Hạ tầng": "PKT"}  # a unit of another organisation is not an answer
    assert_error(post_import(api, dakha, text, mapping=other), 422, "mapping_invalid")
    new = {"code": "DH_KTHT", "name": "Phòng Kinh tế và Hạ tầng huyện Đăk Hà", "short_name": "", "kind": "cqcm"}
    done = post_import(api, dakha, text, mapping={"Phòng Kinh tế và Hạ tầng": {"new": new}})
    assert done.status_code == 201, done.json
    with app.extensions["cchc"].read() as uow:
        unit = uow.session.get(Unit, "DH_KTHT")
        assert unit is not None and unit.organisation_code == "DAKHA"
        assert unit.aliases == ["Phòng Kinh tế và Hạ tầng"]
        plan = uow.session.get(Plan, done.json["plan"]["id"])
        assert plan is not None and (plan.organisation_code, plan.issuing_unit_code) == ("DAKHA", "DH_UBND")
        first = next(a for a in plan.activities if a.code == "3.1")
        assert (first.lead_units, first.coordinating_units) == (["DH_KTHT"], ["DH_PNV"])  # its own Phòng Nội vụ


# --------------------------------------------------------------------------- a plan without its appendix


def test_a_real_plan_without_its_appendix_says_so(api: Api, app: Flask) -> None:
    opening, plans = SEED.split("Phụ lục\n")[0], plan_count(app)
    for dry_run in (True, False):
        error = assert_error(post_import(api, sadec_code(app), opening, dry_run=dry_run), 422, "plan_appendix_missing")
        assert error["message"].startswith("Kế hoạch không có phụ lục danh mục hoạt động (bảng)")
    not_a_plan = "Báo cáo tổng kết năm 2024\n\nKhông có bảng nào."
    error = assert_error(post_import(api, sadec_code(app), not_a_plan), 422, "not_a_plan")
    assert error["message"].startswith("Tệp không phải kế hoạch CCHC")
    assert plan_count(app) == plans


def _workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_real_plan_workbook_without_its_appendix_says_so(api: Api, app: Flask) -> None:
    """The .xlsx path answers as the Markdown one: a plan's opening without its activity table is a plan whose
    appendix is missing; any other workbook is not a plan. Nothing is stored either way."""
    opening = _workbook(
        [
            ["ỦY BAN NHÂN DÂN THÀNH PHỐ SA ĐÉC", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
            ["Số: 12/KH-UBND", "", "Sa Đéc, ngày 10 tháng 01 năm 2025"],
            ["KẾ HOẠCH"],
            ["Cải cách hành chính năm 2025"],
            ["I. MỤC ĐÍCH, YÊU CẦU"],
        ]
    )
    other = _workbook([["Danh sách cán bộ"], ["Họ tên", "Chức vụ"], ["Nguyễn Văn A", "Chuyên viên"]])
    plans = plan_count(app)

    def send(data: bytes, path: str, user: str) -> Any:
        files = {"file": (io.BytesIO(data), "ke-hoach-2025.xlsx")}
        return api.post(path, user, content_type="multipart/form-data", data=files)

    org_path = f"/api/v1/organisations/{sadec_code(app)}/plans/import"
    for path, user in ((org_path + "?dry_run=1", "admin"), (org_path, "admin"), ("/api/v1/plans/import", "cchc.pnv")):
        error = assert_error(send(opening, path, user), 422, "plan_appendix_missing")
        assert error["message"].startswith("Kế hoạch không có phụ lục danh mục hoạt động (bảng)")
        error = assert_error(send(other, path, user), 422, "not_a_plan")
        assert error["message"] == (
            "Tệp không phải kế hoạch CCHC: không tìm thấy bảng phụ lục "
            "(các cột STT, Mục tiêu, Nhiệm vụ, Hoạt động, Chủ trì…)."
        )
    assert plan_count(app) == plans


# --------------------------------------------------------------------------- the seed plan for a second organisation


def test_the_seed_plan_for_a_second_organisation_leaves_the_first_untouched(api: Api, app: Flask, dakha: str) -> None:
    sadec, plans = sadec_code(app), plan_count(app)
    launched_sadec = api.post(f"/api/v1/plans/{sadec_plan_id(app)}/launch", "cchc.pnv", json={"until": "2024-01-15"})
    assert launched_sadec.json["created"]
    before = snapshot(app, sadec)
    assert any(row[5] for row in before)  # Sa Đéc's plan runs

    preview = post_import(api, dakha, DAKHA_SEED, dry_run=True)
    assert preview.status_code == 200, preview.json
    body = preview.json
    assert body["organisation"] == {"code": "DAKHA", "name": "Huyện Đăk Hà"} and body["replaces"] is None
    names = {u["name"] for u in body["unresolved"]}
    # generic names bind only inside the target: its own Phòng Nội vụ and Tư pháp, never Sa Đéc's
    assert "Phòng Nội vụ" not in names and "Phòng Tư pháp" not in names
    resolved = {n["name"]: n["units"] for a in body["activities"] for n in (*a["lead"], *a["coordinating"])}
    assert resolved["Phòng Tư pháp"] == ["DH_PTP"]
    assert resolved["UBND cấp xã"] == ["DH_XDT"]
    # "… Thành phố" is Sa Đéc's suffix, not Đăk Hà's: those names are asked, as are the footnote's wards
    assert {"Phòng Văn hóa - Thông tin", "Phòng Nội vụ Thành phố", "UBND Phường 1"} <= names
    ward = next(u for u in body["unresolved"] if u["name"] == "UBND Phường 1")
    assert ward["activities"] == ["NV/NV.3"] and ward["suggestions"][0]["code"] in {"DH_UBND", "DH_XDT"}
    bound = {code for units in resolved.values() for code in units or ()}
    assert bound <= {code for code, *_ in DAKHA_UNITS}
    assert plan_count(app) == plans and snapshot(app, dakha) == []

    mapping: dict[str, Any] = {name: "none" for name in names}
    mapping["Phòng Văn hóa - Thông tin"] = "DH_VP"
    mapping["Phòng Nội vụ Thành phố"] = "DH_PNV"
    created = post_import(api, dakha, DAKHA_SEED, mapping=mapping)
    assert created.status_code == 201, created.json
    plan = created.json["plan"]
    assert plan["year"] == 2024 and plan["number"] is None
    assert plan_count(app) == plans + 1
    launched = api.post(f"/api/v1/plans/{plan['id']}/launch", "cchc.dh", json={"until": "2024-01-15"})
    assert launched.status_code == 200 and launched.json["created"] > 0, launched.json

    assert snapshot(app, sadec) == before  # same plan, activities, occurrences and instances
    with app.extensions["cchc"].read() as uow:
        units = set(
            uow.session.scalars(
                select(PlanOccurrence.unit_code)
                .join(PlanActivityRow, PlanActivityRow.id == PlanOccurrence.activity_id)
                .where(PlanActivityRow.plan_id == plan["id"])
            )
        )
        assert units and units <= {code for code, *_ in DAKHA_UNITS}

    # the same file again for Đăk Hà changes nothing; Sa Đéc's seed for Sa Đéc still 200 unchanged
    again = post_import(api, dakha, DAKHA_SEED, mapping=mapping)
    assert again.status_code == 200 and again.json["plan"]["id"] == plan["id"]
    assert snapshot(app, sadec) == before


# --------------------------------------------------------------------------- who imports for which organisation


def test_a_coordinator_imports_only_for_their_own_organisation(api: Api, app: Flask, dakha: str) -> None:
    text = _plan_md("UBND huyện Đăk Hà", "Phòng Tư pháp")
    assert_error(post_import(api, dakha, text, user="cchc.pnv", dry_run=True), 404, "organisation_not_found")
    assert_error(post_import(api, dakha, text, user="cv.pnv", dry_run=True), 403)
    assert post_import(api, dakha, text, user="cchc.dh", dry_run=True).status_code == 200
    assert post_import(api, dakha, text, user="cchc.dh").status_code == 201
    assert_error(post_import(api, "NOWHERE", text, dry_run=True), 404, "organisation_not_found")
    # the one-step import goes to the caller's own organisation
    own = api.post("/api/v1/plans/import", "cchc.dh", data=text.encode(), content_type="text/markdown")
    assert own.status_code == 200 and own.json["created"] is False


def test_the_old_import_needs_an_organisation(api: Api, app: Flask) -> None:
    services = app.extensions["cchc"]
    with services.uow() as uow:
        accounts.create_user(
            uow.session,
            actor=SYSTEM_ACTOR,
            username="sysadmin",
            full_name="Quản trị hệ thống",
            password="demo",
            password_policy=False,
            unit_code=None,
            roles=["admin"],
            now=services.clock.now(),
        )
        uow.commit()
    response = api.post("/api/v1/plans/import", "sysadmin", data=SEED.encode(), content_type="text/markdown")
    error = assert_error(response, 422, "organisation_required")
    assert "tổ chức" in error["message"]
