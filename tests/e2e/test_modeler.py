"""The administrator edits a process in the modeler (rename a step), validates, deploys a new version; a new
instance runs the new version while an old one keeps the old. Every diagram of processes/ and of the BPMN MIWG
suite opens in the modeler without an error."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from engine.definitions import read_bundle

from .conftest import ROOT, Problems, Server, api_token, login, screenshot

IN_MODELER = "[data-testid=modeler] .djs-element"  # the page also shows other diagrams (Chuyển phiên bản)

pytestmark = pytest.mark.e2e

MIWG = ROOT / "tests" / "fixtures" / "miwg"
OPEN = {"running", "waiting", "error"}
START = {
    "activity_code": "VII.3.2",
    "activity_title": "Báo cáo kết quả thực hiện công tác CCHC",
    "deadline": "2030-12-15",
    "period_label": "Năm 2030",
    "period_kind": "year",
}


def _api(page: Page, server: Server, token: str, method: str, path: str, body: Any = None) -> Any:
    response = page.request.fetch(
        f"{server.url}/api/v1/{path}", method=method, headers={"Authorization": f"Bearer {token}"}, data=body
    )
    assert response.ok, response.text()
    return response.json()


def _start(page: Page, server: Server, token: str) -> dict[str, Any]:
    body = {"process_key": "periodic_report", "unit_code": "PNV", "data": START}
    return dict(_api(page, server, token, "POST", "process-instances", body))


def _select(page: Page, element_id: str) -> None:
    page.locator(f".djs-element.djs-shape[data-element-id='{element_id}']").first.click(position={"x": 8, "y": 8})
    expect(page.locator(".bio-properties-panel-header-label").first).to_be_visible()


def _open_group(page: Page, label: str) -> None:
    header = page.locator(".bio-properties-panel-group-header", has_text=label)
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def test_rename_validate_deploy_new_version(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    staff = api_token(pg, server, "cv.pnv")
    versions = _api(pg, server, staff, "GET", "process-definitions/periodic_report/versions")
    old_version = versions[0]["version"]
    old = _start(pg, server, staff)
    assert old["definition_version"] == old_version
    admin_token = api_token(pg, server, "admin")
    instances = _api(pg, server, admin_token, "GET", "process-instances?process_key=periodic_report&limit=200")
    running = sum(1 for i in instances if i["definition_version"] == old_version and i["status"] in OPEN)

    login(pg, server, "admin")
    pg.get_by_role("link", name="Quản trị quy trình").click()
    pg.get_by_role("button", name="Báo cáo định kỳ (v").click()
    expect(pg.locator(IN_MODELER + "[data-element-id='Task_draft']")).to_have_count(1)
    expect(pg.locator("[data-testid=modeler] .bjs-powered-by")).to_be_visible()  # the bpmn.io watermark stays visible
    expect(pg.get_by_test_id("versions").locator(f"tr[data-version='{old_version}']")).to_contain_text(
        f"{running} đang chạy"
    )

    # the spiffworkflow properties of a step are shown and editable
    _select(pg, "Task_draft")
    _open_group(pg, "Bước xử lý (CCHC)")
    expect(pg.locator("#bio-properties-panel-spiff-formJsonSchemaFilename")).to_have_value("report.schema.json")
    expect(pg.locator("#bio-properties-panel-spiff-dueDate")).to_have_value("draft_due")
    _open_group(pg, "Thông tin chung")
    pg.locator("#bio-properties-panel-name").fill("Soạn báo cáo định kỳ")
    pg.wait_for_timeout(600)  # the panel debounces its inputs

    # a lane with an unknown role: Kiểm tra shows the problem on the lane
    _select(pg, "Lane_staff")
    _open_group(pg, "Người thực hiện (CCHC)")
    role = pg.locator("#bio-properties-panel-spiff-role")
    expect(role).to_have_value("staff")
    role.fill("giam_doc")
    pg.wait_for_timeout(600)
    pg.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(pg.get_by_test_id("problems")).to_contain_text("Lane_staff")
    expect(pg.locator(".problem-badge[data-element-id='Lane_staff']")).to_be_visible()
    expect(pg.locator(".djs-element.cchc-error[data-element-id='Lane_staff']")).to_have_count(1)
    screenshot(pg, "06-quan-tri-quy-trinh-loi-kiem-tra")

    role.fill("staff")
    pg.wait_for_timeout(600)
    pg.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(pg.get_by_test_id("modeler-status")).to_contain_text("Sơ đồ hợp lệ")
    expect(pg.locator(".problem-badge")).to_have_count(0)

    pg.get_by_role("button", name="Triển khai", exact=True).click()
    new_version = old_version + 1
    expect(pg.get_by_test_id("modeler-status")).to_contain_text(f"Đã triển khai phiên bản {new_version}")
    expect(pg.get_by_test_id("versions").locator(f"tr[data-version='{new_version}']")).to_have_count(1)
    screenshot(pg, "07-quan-tri-quy-trinh-trien-khai")

    # a new instance runs the new version (renamed step), the old one keeps the old version
    new = _start(pg, server, staff)
    assert new["definition_version"] == new_version
    assert [t["name"] for t in new["open_tasks"]] == ["Soạn báo cáo định kỳ"]
    old_now = _api(pg, server, staff, "GET", f"process-instances/{old['id']}")
    assert old_now["definition_version"] == old_version
    assert [t["name"] for t in old_now["open_tasks"]] == ["Soạn báo cáo"]

    pg.goto(f"{server.url}/instances/{old['id']}")
    expect(pg.get_by_test_id("instance-version")).to_contain_text(f"phiên bản {old_version}")
    expect(pg.locator(".djs-element.cchc-current[data-element-id='Task_draft']")).to_have_count(1)
    expect(pg.get_by_test_id("open-tasks")).to_contain_text("Soạn báo cáo")
    screenshot(pg, "08-ho-so-quy-trinh")
    pg.goto(f"{server.url}/instances/{new['id']}")
    expect(pg.get_by_test_id("instance-version")).to_contain_text(f"phiên bản {new_version}")
    expect(pg.get_by_test_id("open-tasks")).to_contain_text("Soạn báo cáo định kỳ")

    # the visual diff of the two versions names the renamed step
    pg.goto(f"{server.url}/admin/processes?key=periodic_report")
    pg.get_by_label("Phiên bản cũ").select_option(str(old_version))
    pg.get_by_label("Phiên bản mới").select_option(str(new_version))
    pg.get_by_role("button", name="So sánh").click()
    renamed = '(Task_draft) — tên: "Soạn báo cáo" → "Soạn báo cáo định kỳ"'
    expect(pg.get_by_test_id("diff-changes")).to_contain_text(renamed)
    changed = pg.locator("[data-testid=diff-right] .djs-element.diff-changed[data-element-id='Task_draft']")
    expect(changed).to_have_count(1)
    screenshot(pg, "09-so-sanh-phien-ban")
    assert not problems.items, problems.items


def _diagrams() -> list[Path]:
    return sorted((ROOT / "processes").glob("*/*.bpmn")) + sorted(MIWG.glob("*.bpmn"))


def test_every_diagram_opens_in_the_modeler(server: Server, page: tuple[Page, Problems]) -> None:
    pg, problems = page
    files = _diagrams()
    assert len([f for f in files if f.parent.parent == MIWG.parent or f.parent == MIWG]) >= 20, "MIWG suite missing"
    login(pg, server, "admin")
    pg.goto(f"{server.url}/admin/processes")
    expect(pg.locator(".djs-container")).to_have_count(1)
    report: dict[str, Any] = {}
    for path in files:
        result = pg.evaluate(
            """async (xml) => {
                try {
                    const { warnings, kept } = await window.cchcImportDiagram(xml);
                    const { xml: out } = await window.cchcModeler.saveXML({ format: true });
                    return { warnings: warnings.map((w) => w.message), kept: kept.map((k) => k.name), error: null,
                             xml: out, shapes: window.cchcModeler.get("elementRegistry").getAll().length };
                } catch (e) {
                    return { warnings: (e.warnings || []).map((w) => w.message), error: String(e.message || e) };
                }
            }""",
            path.read_text(encoding="utf-8"),
        )
        report[str(path.relative_to(ROOT.parent))] = result
    out = ROOT / "test-output" / "modeler-import-report.json"
    out.parent.mkdir(exist_ok=True)
    summary = {name: {k: v for k, v in r.items() if k != "xml"} for name, r in report.items()}
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")

    failed = {name: r["error"] for name, r in report.items() if r["error"]}
    assert not failed, failed
    assert all(r["shapes"] > 1 for r in report.values()), summary
    # our own diagrams open cleanly, and the variable names SpiffWorkflow reads from loop references survive
    # the export (bpmn-moddle alone would drop them)
    ours = {name: r for name, r in report.items() if name.startswith(f"{ROOT.name}/processes/")}
    assert len(ours) == len(list((ROOT / "processes").glob("*/*.bpmn")))
    assert not {name: r["warnings"] for name, r in ours.items() if r["warnings"]}
    for name, r in ours.items():
        original = (ROOT.parent / name).read_text(encoding="utf-8")
        for tag in ("loopDataInputRef", "loopDataOutputRef"):
            for variable in re.findall(rf"<bpmn:{tag}>([^<]+)</bpmn:{tag}>", original):
                assert f"<bpmn:{tag}>{variable}</bpmn:{tag}>" in r["xml"], (name, tag, variable)
    assert any(r["kept"] for r in ours.values())
    # and what the modeler writes back is still a valid, deployable bundle
    client = server.app.test_client()
    token = api_token(pg, server, "admin")
    for name, r in ours.items():
        bpmn_path = ROOT.parent / name
        _original, forms = read_bundle(bpmn_path)
        body = {"bpmn": (io.BytesIO(r["xml"].encode()), bpmn_path.name)}
        body["files"] = [(io.BytesIO(data), file_name) for file_name, data in forms.items()]
        response = client.post(
            "/api/v1/process-definitions/validate",
            data=body,
            content_type="multipart/form-data",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.json["valid"], (name, response.json["problems"])
    screenshot(pg, "10-trinh-ve-mo-so-do-miwg")
    assert not problems.items, problems.items
