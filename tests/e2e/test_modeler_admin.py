"""The modeler as a new administrator finds it (issue #17): leaving with unsaved changes asks first and keeps a
local draft, offered back on return; "Kiểm tra" finds a step deleted from the middle of a process; after
"Triển khai" the heading and the canvas show the new version by its Vietnamese name; the properties panel speaks
Vietnamese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import Problems, Server, api_token, login, screenshot
from .test_modeler import _api, _open_group, _select

IN_MODELER = "[data-testid=modeler] .djs-element"  # the page also shows other diagrams (Chuyển phiên bản)

pytestmark = pytest.mark.e2e

ENGLISH_HEADERS = {"General", "Documentation", "Collaboration", "User Task", "Process", "Participant", "Lane"}


def _open_report(pg: Page, server: Server) -> None:
    pg.goto(f"{server.url}/admin/processes?key=periodic_report")
    expect(pg.locator(IN_MODELER + "[data-element-id='Task_draft']")).to_have_count(1)


def _rename(pg: Page, element_id: str, name: str) -> None:
    _select(pg, element_id)
    _open_group(pg, "Thông tin chung")
    pg.locator("#bio-properties-panel-name").fill(name)
    pg.wait_for_timeout(600)  # the panel debounces its inputs


def _panel_texts(pg: Page) -> list[str]:
    # textContent: the panel upper-cases its headers with CSS only
    selector = ".bio-properties-panel-header-type, .bio-properties-panel-group-header-title"
    return [t.strip() for t in pg.locator(selector).all_text_contents()]


def test_unsaved_changes_ask_before_leaving_and_come_back_as_a_draft(
    server: Server, page: tuple[Page, Problems]
) -> None:
    pg, problems = page
    login(pg, server, "admin")
    _open_report(pg, server)

    # the panel in Vietnamese: the collaboration (nothing selected), a user task and its groups
    header = pg.locator(".bio-properties-panel-header-type")
    expect(header).to_have_text("Sơ đồ cộng tác")
    _select(pg, "Task_draft")
    expect(header).to_have_text("Bước xử lý của người dùng")
    texts = _panel_texts(pg)
    assert "Thông tin chung" in texts and not ENGLISH_HEADERS & set(texts), texts
    _select(pg, "Timer_draft")
    expect(header).to_have_text("Sự kiện biên hẹn giờ (không ngắt)")
    expect(pg.get_by_test_id("modeler-title")).not_to_contain_text("Có thay đổi chưa triển khai")

    _rename(pg, "Task_draft", "Soạn báo cáo (nháp)")
    expect(pg.get_by_test_id("modeler-title")).to_contain_text("Có thay đổi chưa triển khai")

    # another process: asked first; "Ở lại" keeps the edit
    pg.get_by_role("button", name="Ban hành kế hoạch (v").click()
    dialog = pg.get_by_test_id("confirm-dialog")
    expect(dialog).to_contain_text("Sơ đồ có thay đổi chưa triển khai")
    expect(dialog).to_contain_text("Bản nháp vẫn được lưu trên máy này")
    screenshot(pg, "20-trinh-ve-canh-bao-roi-trang")
    dialog.get_by_role("button", name="Ở lại").click()
    expect(dialog).to_be_hidden()
    expect(pg.get_by_test_id("modeler-title")).to_contain_text("Báo cáo định kỳ")
    expect(pg.locator(IN_MODELER + "[data-element-id='Task_draft']")).to_contain_text("Soạn báo cáo (nháp)")

    # a menu link: asked too, the address stays
    pg.get_by_role("link", name="Việc cần làm").click()
    expect(pg.get_by_test_id("confirm-dialog")).to_be_visible()
    pg.get_by_test_id("confirm-dialog").get_by_role("button", name="Ở lại").click()
    assert "/admin/processes" in pg.url
    # a reload or a closed tab: the browser's own question (beforeunload is cancelled)
    cancelled = pg.evaluate(
        "() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); "
        "return e.defaultPrevented; }"
    )
    assert cancelled is True

    # "Rời đi": the other process opens, nothing unsaved there
    pg.get_by_role("button", name="Ban hành kế hoạch (v").click()
    pg.get_by_test_id("confirm-dialog").get_by_role("button", name="Rời đi").click()
    expect(pg.get_by_test_id("modeler-title")).to_contain_text("Ban hành kế hoạch")
    expect(pg.get_by_test_id("modeler-title")).not_to_contain_text("Có thay đổi chưa triển khai")
    expect(pg.get_by_test_id("modeler-draft")).to_have_count(0)
    assert pg.evaluate("() => { const e = new Event('beforeunload', { cancelable: true }); "
                       "window.dispatchEvent(e); return e.defaultPrevented; }") is False  # fmt: skip

    # back to the report: the draft is offered, and opens as it was left
    pg.get_by_role("button", name="Báo cáo định kỳ (v").click()
    offer = pg.get_by_test_id("modeler-draft")
    expect(offer).to_contain_text("Có bản nháp chưa triển khai của quy trình này")
    expect(pg.locator(IN_MODELER + "[data-element-id='Task_draft']")).not_to_contain_text("(nháp)")
    screenshot(pg, "21-trinh-ve-ban-nhap")
    offer.get_by_role("button", name="Mở bản nháp").click()
    expect(pg.locator(IN_MODELER + "[data-element-id='Task_draft']")).to_contain_text("Soạn báo cáo (nháp)")
    expect(pg.get_by_test_id("modeler-title")).to_contain_text("Có thay đổi chưa triển khai")

    # the draft can be dropped: another visit offers nothing
    pg.get_by_role("button", name="Ban hành kế hoạch (v").click()
    pg.get_by_test_id("confirm-dialog").get_by_role("button", name="Rời đi").click()
    pg.get_by_role("button", name="Báo cáo định kỳ (v").click()
    pg.get_by_test_id("modeler-draft").get_by_role("button", name="Bỏ bản nháp").click()
    expect(pg.get_by_test_id("modeler-draft")).to_have_count(0)
    pg.get_by_role("button", name="Ban hành kế hoạch (v").click()  # nothing unsaved: no question
    expect(pg.get_by_test_id("modeler-title")).to_contain_text("Ban hành kế hoạch")
    pg.get_by_role("button", name="Báo cáo định kỳ (v").click()
    expect(pg.locator(IN_MODELER + "[data-element-id='Task_draft']")).to_have_count(1)
    expect(pg.get_by_test_id("modeler-draft")).to_have_count(0)
    assert not problems.items, problems.items


def test_check_finds_a_deleted_step_and_deploy_shows_the_new_version(
    server: Server, page: tuple[Page, Problems]
) -> None:
    pg, problems = page
    admin = api_token(pg, server, "admin")
    version = _api(pg, server, admin, "GET", "process-definitions/periodic_report/versions")[0]["version"]
    login(pg, server, "admin")
    _open_report(pg, server)
    expect(pg.get_by_test_id("modeler-title")).to_contain_text(f'Sơ đồ "Báo cáo định kỳ" — phiên bản {version}')

    # "Duyệt báo cáo" deleted as the modeler deletes it (with its flows and its timer)
    pg.evaluate(
        "() => { const m = window.cchcModeler; "
        "m.get('modeling').removeElements([m.get('elementRegistry').get('Task_review')]); }"
    )
    pg.get_by_role("button", name="Kiểm tra", exact=True).click()
    listed = pg.get_by_test_id("problems")
    # bpmn-js joins the flow before and the flow after into one: what hangs in the air is the step's timer branch
    orphan = '"Ghi nhận quá hạn duyệt" (Script_escalate_review) không đến được từ sự kiện bắt đầu'
    expect(listed).to_contain_text(orphan)
    expect(pg.locator(".problem-badge[data-element-id='Script_escalate_review']")).to_be_visible()
    # and without that joined flow: the step before leads nowhere, the gateway after has no way in
    pg.evaluate(
        "() => { const m = window.cchcModeler; const s = m.get('elementRegistry').get('Script_review_due'); "
        "m.get('modeling').removeElements([...s.outgoing]); }"
    )
    pg.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(listed).to_contain_text("Script_review_due")
    expect(listed).to_contain_text("không dẫn tới sự kiện kết thúc")
    expect(listed).to_contain_text('Cổng rẽ nhánh "Lãnh đạo duyệt?" (Gateway_review) không có luồng vào')
    expect(pg.locator(".problem-badge[data-element-id='Script_review_due']")).to_be_visible()
    expect(pg.locator(".problem-badge[data-element-id='Gateway_review']")).to_be_visible()
    expect(pg.get_by_test_id("modeler-status")).to_contain_text("Sơ đồ có")
    screenshot(pg, "22-kiem-tra-thieu-buoc-duyet")
    pg.get_by_role("button", name="Triển khai", exact=True).click()
    expect(pg.get_by_test_id("modeler-status")).to_contain_text("không dẫn tới sự kiện kết thúc")
    assert _api(pg, server, admin, "GET", "process-definitions/periodic_report/versions")[0]["version"] == version

    # put the step back, rename another, deploy: the new version, by its name, on the heading and the canvas
    pg.evaluate("() => { const s = window.cchcModeler.get('commandStack'); while (s.canUndo()) s.undo(); }")
    _rename(pg, "Task_acceptance", "Tiếp nhận, kiểm tra báo cáo")
    pg.get_by_role("button", name="Triển khai", exact=True).click()
    new = version + 1
    status = pg.get_by_test_id("modeler-status")
    expect(status).to_contain_text(f'Đã triển khai phiên bản {new} của quy trình "Báo cáo định kỳ".')
    expect(status).not_to_contain_text("periodic_report")
    row = pg.get_by_test_id("versions").locator(f"tr[data-version='{new}']")
    expect(row).to_have_count(1)
    expect(row.get_by_role("button", name="Mở trong trình vẽ")).to_have_attribute("aria-pressed", "true")
    title = pg.get_by_test_id("modeler-title")
    expect(title).to_contain_text(f'Sơ đồ "Báo cáo định kỳ" — phiên bản {new}')
    expect(title).not_to_contain_text("Có thay đổi chưa triển khai")
    acceptance = pg.locator(IN_MODELER + "[data-element-id='Task_acceptance']")
    expect(acceptance).to_contain_text("Tiếp nhận, kiểm tra báo cáo")
    # the new version's row is there: the lists have reloaded, and the heading did not slide back
    expect(title).to_contain_text(f"phiên bản {new}")
    assert re.search(rf"key=periodic_report&version={new}", pg.url), pg.url
    screenshot(pg, "23-trien-khai-phien-ban-moi")
    # the one console error: the refused deploy's 422, shown on the page
    assert [p for p in problems.items if "status of 422" not in p] == [], problems.items
