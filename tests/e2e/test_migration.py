"""Chuyển phiên bản from the admin page: a dry run beside the diff, a mapping for the renamed step, the run
confirmed, the result and the history; the cases really moved (their own server: a process of their own)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from engine.views import Actor
from tests import migration_support as ms
from tests.api.test_migrations_api import start_at_steps, versions
from workflows.definitions import deploy_definition

from .conftest import demo_server, login, new_page, screenshot

pytestmark = pytest.mark.e2e

ADMIN = Actor("admin", frozenset({"admin"}), None)


def test_bulk_migration_from_the_admin_page(browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.environ.get("CCHC_E2E_PORT"):  # the shared server may hold that port: the next one
        monkeypatch.setenv("CCHC_E2E_PORT", str(int(os.environ["CCHC_E2E_PORT"]) + 1))
    with demo_server(tmp_path) as server:
        services = server.services
        with services.uow() as uow:
            deploy_definition(services, uow, ms.diagram(1), ms.files(), ADMIN)
            uow.commit()
        at = start_at_steps(services, 2)
        with services.uow() as uow:
            deploy_definition(services, uow, ms.diagram(2), ms.files(), ADMIN)
            uow.commit()
        page, problems = new_page(browser, {"width": 1600, "height": 1000})
        try:
            login(page, server, "admin")
            page.goto(f"{server.url}/admin/processes?key={ms.KEY}")
            section = page.get_by_test_id("migration")
            expect(section.get_by_role("heading", name="Chuyển phiên bản")).to_be_visible()
            expect(section.get_by_label("Từ phiên bản")).to_have_value("1")
            expect(section.get_by_label("Sang phiên bản")).to_have_value("2")
            diff = section.get_by_test_id("migration-diff")
            expect(diff.get_by_test_id("migration-diff-changes")).to_contain_text("Xóa")
            expect(diff.get_by_test_id("migration-diff-changes")).to_contain_text("Trình ký")

            section.get_by_role("button", name="Chạy thử").click()
            expect(section.get_by_test_id("migration-preview-counts")).to_have_text(
                "Chuyển được: 2 · Không chuyển được: 6"
            )
            preview = section.get_by_test_id("migration-preview")
            expect(preview.locator("tr[data-outcome=not_movable]").first).to_contain_text("không còn trong phiên bản 2")
            section.get_by_label("Thẩm định (Task_review)").select_option("Task_review2")
            section.get_by_role("button", name="Chạy thử").click()
            expect(section.get_by_test_id("migration-preview-counts")).to_have_text(
                "Chuyển được: 6 · Không chuyển được: 2"
            )
            expect(preview.locator("tr[data-outcome=movable]").filter(has_text="Thẩm định hồ sơ")).to_have_count(2)
            screenshot(page, "migration-dry-run")

            section.get_by_role("button", name="Chạy chuyển đổi").click()
            confirm = section.get_by_role("alertdialog")
            expect(confirm).to_contain_text("Chuyển 6 hồ sơ từ phiên bản 1 sang phiên bản 2?")
            confirm.get_by_role("button", name="Xác nhận chuyển").click()
            expect(section.get_by_test_id("migration-result-counts")).to_have_text("Đã chuyển: 6 · Không chuyển: 2")
            section.get_by_text("Các lần chuyển phiên bản trước (1)").click()
            expect(section.get_by_test_id("migration-history")).to_contain_text("1 → 2")
            counts = page.get_by_test_id("versions")
            expect(counts.locator("tr[data-version='2']")).to_contain_text("6 đang chạy / 6 hồ sơ")
            expect(counts.locator("tr[data-version='1']")).to_contain_text("2 đang chạy / 2 hồ sơ")
            screenshot(page, "migration-result")
            assert problems.items == []
        finally:
            page.context.close()
        moved = at["Task_receive"] + at["Task_review"] + at["Task_issue"]
        assert set(versions(services, moved).values()) == {2}
        assert set(versions(services, at["Task_sign"]).values()) == {1}
