"""Importing a plan for another organisation on the plan page (#15 item 2): the administrator chooses the
organisation, previews the file, answers each unit name the organisation does not know (a unit, a new unit,
"Không giao"), then confirms."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.clock import LOCAL_TZ
from workflows.models import Organisation, Plan, Unit

from .conftest import Problems, Server, login, screenshot

pytestmark = pytest.mark.e2e

ROWS = (
    ("I", "CẢI CÁCH THỂ CHẾ", "", "", "", "", "", "", ""),
    ("", "1.1. Văn bản đúng luật", "2.1. Rà soát văn bản", "3.1. Rà soát văn bản của xã.", "Báo cáo",
     "Văn phòng - Thống kê", "Công an xã", "Quý II/2023", ""),
    ("", "", "", "3.2. Hỗ trợ hộ kinh doanh.", "Báo cáo", "Sở Công Thương", "", "Quý III/2023", ""),
    ("", "", "", "3.3. Tuyên truyền CCHC.", "Tin bài", "Ban Văn hóa - Xã hội", "Văn phòng - Thống kê",
     "Tháng 10/2023", ""),
)  # fmt: skip
HEADER = ("STT", "Mục tiêu", "Nhiệm vụ", "Hoạt động", "Kết quả", "Chủ trì", "Phối hợp", "Thời gian", "Kinh phí")
PLAN = "\n".join(
    [
        "KẾ HOẠCH",
        "",
        "Cải cách hành chính năm 2023 của xã Tân Phước",
        "",
        "Phụ lục",
        "",
        "(Ban hành kèm theo Kế hoạch số 05/KH-UBND ngày 05 tháng 01 năm 2023 của UBND xã Tân Phước)",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|---" * len(HEADER) + "|",
        *("| " + " | ".join(row) + " |" for row in ROWS),
        "",
    ]
)


def _organisation(server: Server) -> None:
    with server.services.uow() as uow:
        if uow.session.get(Organisation, "E2E_TANPHUOC") is None:
            uow.session.add(
                Organisation(
                    code="E2E_TANPHUOC",
                    name="Xã Tân Phước",
                    kind="xa",
                    issuing_body="ỦY BAN NHÂN DÂN XÃ TÂN PHƯỚC",
                    place_name="Tân Phước",
                    aliases=[],
                    created_at=datetime(2023, 1, 1, tzinfo=LOCAL_TZ),
                )
            )
            uow.session.flush()
            for code, name, short, kind, parent in (
                ("E2E_TP_UBND", "Ủy ban nhân dân xã Tân Phước", "UBND xã", "ubnd", None),
                ("E2E_TP_VPTK", "Văn phòng - Thống kê xã Tân Phước", "Văn phòng - Thống kê", "cqcm", "E2E_TP_UBND"),
                ("E2E_TP_KT", "Phòng Kinh tế xã Tân Phước", "Phòng Kinh tế", "cqcm", "E2E_TP_UBND"),
            ):
                uow.session.add(
                    Unit(
                        code=code,
                        name=name,
                        short_name=short,
                        kind=kind,
                        parent_code=parent,
                        aliases=[],
                        organisation_code="E2E_TANPHUOC",
                    )
                )
                uow.session.flush()
        uow.commit()


def test_import_a_plan_for_another_organisation(server: Server, page: tuple[Page, Problems], tmp_path: Path) -> None:
    pg, problems = page
    _organisation(server)
    plan_file = tmp_path / "ke-hoach-tan-phuoc-2023.md"
    plan_file.write_text(PLAN, encoding="utf-8")

    login(pg, server, "admin")
    pg.get_by_role("link", name="Kế hoạch").click()
    pg.get_by_label("Tổ chức", exact=True).select_option(label="Xã Tân Phước")
    pg.get_by_label("Tệp kế hoạch (Markdown hoặc Excel)").set_input_files(str(plan_file))
    pg.get_by_role("button", name="Xem trước").click()

    preview = pg.get_by_test_id("import-preview")
    expect(preview).to_contain_text("Xem trước: Xã Tân Phước")
    expect(preview).to_contain_text("05/KH-UBND")
    expect(preview).to_contain_text("UBND xã Tân Phước")
    rows = pg.get_by_test_id("unresolved-row")
    expect(rows).to_have_count(3)
    confirm = pg.get_by_role("button", name="Xác nhận nhập kế hoạch")
    expect(confirm).to_be_disabled()  # every unknown name needs an answer first

    pg.get_by_label("Đơn vị cho «Sở Công Thương»").select_option("E2E_TP_KT")
    pg.get_by_label("Đơn vị cho «Công an xã»").select_option("none")
    pg.get_by_label("Đơn vị cho «Ban Văn hóa - Xã hội»").select_option("__new__")
    new_unit = rows.filter(has_text="Ban Văn hóa - Xã hội")
    new_unit.get_by_label("Mã").fill("E2E_TP_VHXH")
    expect(confirm).to_be_enabled()
    screenshot(pg, "orgs-import-preview")
    with server.services.read() as uow:  # the preview stored nothing
        assert uow.session.scalars(select(Plan).where(Plan.organisation_code == "E2E_TANPHUOC")).first() is None

    confirm.click()
    report = pg.get_by_test_id("import-report")
    expect(report).to_contain_text("Đã nhập kế hoạch «Cải cách hành chính năm 2023 của xã Tân Phước» (3 hoạt động)")
    expect(report).to_contain_text("Lĩnh vực I: 3")
    screenshot(pg, "orgs-import-done")

    with server.services.read() as uow:
        plan = uow.session.scalars(select(Plan).where(Plan.organisation_code == "E2E_TANPHUOC")).one()
        leads = {a.code: a.lead_units for a in plan.activities}
        coordinating = {a.code: a.coordinating_units for a in plan.activities}
        assert leads == {"3.1": ["E2E_TP_VPTK"], "3.2": ["E2E_TP_KT"], "3.3": ["E2E_TP_VHXH"]}
        assert coordinating["3.1"] == []  # "Công an xã": không giao, recorded in the report
        assert {"name": "Công an xã", "answer": "none", "label": "Không giao"} in plan.report["unit_mapping"]
        created = uow.session.get(Unit, "E2E_TP_VHXH")
        assert created is not None and created.organisation_code == "E2E_TANPHUOC"
    assert not problems.items, problems.items
