"""Quản trị → Người dùng (issue #17): the app's own Vietnamese checks (never the browser's English), the server's
password rules on the field, edit, reset a password, lock an account after a confirmation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import Problems, Server, login, screenshot

pytestmark = pytest.mark.e2e


def test_users_create_edit_reset_and_lock(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    login(pg, server, "admin")
    pg.goto(f"{server.url}/admin#users")
    expect(pg.get_by_test_id("users")).to_contain_text("cv.pnv")
    form = pg.get_by_test_id("user-create")

    # nothing typed: the app's messages under the fields, in Vietnamese
    form.get_by_role("button", name="Thêm tài khoản").click()
    expect(pg.get_by_test_id("u-username-error")).to_have_text("Hãy nhập tên đăng nhập.")
    expect(pg.get_by_test_id("u-full_name-error")).to_have_text("Hãy nhập họ tên.")
    expect(pg.get_by_test_id("u-password-error")).to_have_text("Hãy nhập mật khẩu.")
    expect(form.get_by_label("Tên đăng nhập", exact=True)).to_have_attribute("aria-invalid", "true")
    form.get_by_label("Tên đăng nhập", exact=True).fill("Cán Bộ")
    form.get_by_label("Mật khẩu (ít nhất 8 ký tự)", exact=True).fill("1234")
    form.get_by_role("button", name="Thêm tài khoản").click()
    expect(pg.get_by_test_id("u-username-error")).to_contain_text("chữ thường không dấu")
    expect(pg.get_by_test_id("u-password-error")).to_have_text("Mật khẩu phải có ít nhất 8 ký tự.")

    # long enough, but common: the server's rule, on the field
    form.get_by_label("Tên đăng nhập", exact=True).fill("cv.moi")
    form.get_by_label("Họ tên", exact=True).fill("Trần Văn Mới")
    form.get_by_label("Mật khẩu (ít nhất 8 ký tự)", exact=True).fill("12345678")
    form.locator("#u-unit_code").select_option("PNV")
    form.get_by_role("button", name="Thêm tài khoản").click()
    expect(pg.get_by_test_id("u-password-error")).to_have_text(
        "Mật khẩu này quá phổ biến nên dễ bị đoán; hãy chọn mật khẩu khác."
    )
    screenshot(pg, "17-nguoi-dung-mat-khau-pho-bien")
    form.get_by_label("Mật khẩu (ít nhất 8 ký tự)", exact=True).fill("Sen hồng 2024")
    form.get_by_role("button", name="Thêm tài khoản").click()
    row = pg.locator("tr[data-username='cv.moi']")
    expect(row).to_contain_text("Trần Văn Mới")
    expect(row).to_contain_text("Đang hoạt động")

    # edit
    row.get_by_role("button", name="Sửa").click()
    dialog = pg.get_by_test_id("user-edit")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Họ tên", exact=True).fill("")
    dialog.get_by_role("button", name="Lưu thay đổi").click()
    expect(pg.get_by_test_id("e-full_name-error")).to_have_text("Hãy nhập họ tên.")
    dialog.get_by_label("Họ tên", exact=True).fill("Trần Văn Mới Sửa")
    dialog.get_by_label("Trưởng / Phó Trưởng phòng").check()
    screenshot(pg, "18-nguoi-dung-sua")
    dialog.get_by_role("button", name="Lưu thay đổi").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("Trần Văn Mới Sửa")
    expect(row).to_contain_text("Trưởng / Phó Trưởng phòng")

    # reset the password
    row.get_by_role("button", name="Đặt lại mật khẩu").click()
    dialog = pg.get_by_test_id("user-password")
    dialog.get_by_label("Mật khẩu mới (ít nhất 8 ký tự)").fill("Mai vàng 2025")
    dialog.get_by_label("Nhập lại mật khẩu mới").fill("Mai vang 2025")
    dialog.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(pg.get_by_test_id("p-again-error")).to_have_text("Hai lần nhập mật khẩu không khớp.")
    dialog.get_by_label("Nhập lại mật khẩu mới").fill("Mai vàng 2025")
    dialog.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(pg.get_by_role("status").filter(has_text="Đã đặt lại mật khẩu của cv.moi.")).to_be_visible()

    # lock: a confirmation first; "Hủy" changes nothing
    row.get_by_role("button", name="Khóa").click()
    confirm = pg.get_by_test_id("confirm-dialog")
    expect(confirm).to_contain_text("Khóa tài khoản cv.moi?")
    expect(confirm).to_contain_text("sẽ không đăng nhập được nữa")
    screenshot(pg, "19-nguoi-dung-xac-nhan-khoa")
    confirm.get_by_role("button", name="Hủy").click()
    expect(confirm).to_be_hidden()
    expect(row).to_contain_text("Đang hoạt động")
    row.get_by_role("button", name="Khóa").click()
    pg.get_by_test_id("confirm-dialog").get_by_role("button", name="Khóa tài khoản").click()
    expect(row).to_contain_text("Đã khóa")
    expect(row.get_by_role("button", name="Mở khóa")).to_be_visible()
    expect(pg.locator("tr[data-username='admin']").get_by_role("button", name="Khóa")).to_be_disabled()
    # the only console error: the 422 of the common password, which the page showed on its field
    assert [p for p in problems.items if "status of 422" not in p] == [], problems.items
    assert len(problems.items) == 1, problems.items

    # the locked account cannot log in, even with its new password
    client = pg.context.request
    answer = client.post(f"{server.url}/api/v1/auth/login", data={"username": "cv.moi", "password": "Mai vàng 2025"})
    assert answer.status == 401
