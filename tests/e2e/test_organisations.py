"""Quản trị › Tổ chức: the administrator adds a commune, previews its units file (a row error shown on the page),
fixes the file, imports it, and edits the commune's document headings."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from workflows.models import Organisation, Unit

from .conftest import Problems, Server, login, screenshot

pytestmark = pytest.mark.e2e

HEADER = "code,name,short_name,kind,parent,aliases,valid_from,valid_to,successor\n"
GOOD = (
    HEADER
    + "TTH_UB,Ủy ban nhân dân xã Tân Thành,UBND xã,ubnd,,UBND xã Tân Thành,2025-07-01,,\n"
    + "TTH_VP,Văn phòng HĐND và UBND xã Tân Thành,Văn phòng,cqcm,TTH_UB,Văn phòng - Thống kê xã,2025-07-01,,\n"
)


def test_admin_adds_an_organisation_and_imports_its_units(
    server: Server, page: tuple[Page, Problems], tmp_path: Path
) -> None:
    pg, problems = page
    login(pg, server, "admin")
    pg.goto(f"{server.url}/admin#organisations")
    table = pg.get_by_test_id("organisations")
    expect(table).to_contain_text("Thành phố Sa Đéc")
    expect(table.locator("tr[data-org='SADEC']")).to_contain_text("Phường Sa Đéc")  # its successor

    create = pg.get_by_test_id("org-create")
    create.get_by_label("Mã tổ chức").fill("TANTHANH")
    create.get_by_label("Tên tổ chức").fill("Xã Tân Thành")
    create.get_by_label("Loại tổ chức").select_option("xa")
    create.get_by_label("Tổ chức cấp trên").select_option("DONGTHAP")
    create.get_by_label("Tên cơ quan ban hành (trên văn bản)").fill("ỦY BAN NHÂN DÂN XÃ TÂN THÀNH")
    create.get_by_role("button", name="Thêm tổ chức").click()
    expect(pg.get_by_text("Đã thêm tổ chức Xã Tân Thành.")).to_be_visible()
    detail = pg.get_by_test_id("org-detail")
    expect(detail).to_contain_text("Sửa thông tin Xã Tân Thành")

    # a file whose second unit names a parent of another organisation: the preview shows the row's error
    bad = tmp_path / "don-vi-loi.csv"
    bad.write_text(GOOD.replace("cqcm,TTH_UB", "cqcm,PNV"), encoding="utf-8")
    detail.get_by_label("Tệp danh sách đơn vị").set_input_files(str(bad))
    detail.get_by_role("button", name="Xem trước").click()
    preview = pg.get_by_test_id("units-preview")
    expect(preview).to_contain_text("1 lỗi cần sửa trước khi nhập")
    expect(preview.locator("tr[data-row='3']")).to_contain_text("thuộc tổ chức khác")
    expect(preview.get_by_role("button", name="Nhập 2 đơn vị")).to_be_disabled()

    good = tmp_path / "don-vi.csv"
    good.write_text(GOOD, encoding="utf-8")
    detail.get_by_label("Tệp danh sách đơn vị").set_input_files(str(good))
    detail.get_by_role("button", name="Xem trước").click()
    expect(preview).to_contain_text("2 đơn vị thêm mới")
    expect(preview.locator("tr[data-row='3']")).to_contain_text("Thêm mới")
    screenshot(pg, "15-quan-tri-to-chuc-xem-truoc")
    preview.get_by_role("button", name="Nhập 2 đơn vị").click()
    expect(pg.get_by_text("Đã nhập đơn vị cho Xã Tân Thành: 2 thêm mới, 0 cập nhật, 0 không đổi.")).to_be_visible()
    expect(table.locator("tr[data-org='TANTHANH']")).to_contain_text("2")

    detail.get_by_label("Địa danh (ghi ngày tháng)").fill("Tân Thành")
    detail.get_by_role("button", name="Lưu thay đổi").click()
    expect(pg.get_by_text("Đã lưu tổ chức Xã Tân Thành.")).to_be_visible()
    screenshot(pg, "16-quan-tri-to-chuc")
    with server.services.read() as uow:
        org = uow.session.get(Organisation, "TANTHANH")
        assert org is not None and org.place_name == "Tân Thành" and org.parent_code == "DONGTHAP"
        assert uow.session.get(Unit, "TTH_VP").organisation_code == "TANTHANH"  # type: ignore[union-attr]
    assert problems.items == []
