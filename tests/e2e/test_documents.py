"""Real documents in the pages (#14): staff uploads a PDF in the report step's form (a renamed executable is refused
in Vietnamese), completes it; the head opens the review and previews the PDF with pdf.js; the instance lists it and
the plan page lists it as the activity's product (Sản phẩm) of its occurrence."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.document_files import EXE_BYTES, file_bytes, pdf_bytes

from .conftest import SCREENSHOTS, Problems, Server, api_token, demo_server, login, new_page, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own: launching the plan's occurrences due on one day fills the inboxes other tests read."""
    with demo_server(tmp_path_factory.mktemp("e2e-documents"), threads=4) as server:
        yield server


ACTIVITY = "VII.3.2"  # Xây dựng Báo cáo kết quả thực hiện công tác CCHC: periodic reports of Phòng Nội vụ
FIELD = "Tệp báo cáo và minh chứng đính kèm"
PDF_NAME = "Báo cáo kết quả công tác CCHC.pdf"
REPORT_TEXT = "Đã hoàn thành 18/20 nhiệm vụ CCHC trong kỳ; kèm báo cáo đã ký nháy."

# the non-white pixels of the preview's canvas (pdf.js painted the page)
INKED = """() => {
    const canvas = document.querySelector("[data-testid=pdf-canvas]");
    if (!canvas || !canvas.width) return 0;
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] > 0 && pixels[i] + pixels[i + 1] + pixels[i + 2] < 600) inked += 1;
    }
    return inked;
}"""


# a draft as lib/draft.jsx keeps it, saved now
SAVE_DRAFT = """([key, data]) => localStorage.setItem(
    key, JSON.stringify({ data: JSON.parse(data), saved_at: new Date().toISOString() })
)"""
# a file dropped on an element, as the browser's drag and drop delivers it
DROP = """(el, file) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(file.bytes)], file.name));
    el.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
}"""




def _api(page: Page, server: Server, user: str, path: str, data: dict[str, Any] | None = None) -> Any:
    headers = {"Authorization": f"Bearer {api_token(page, server, user)}"}
    url = f"{server.url}/api/v1/{path}"
    if data is None:
        response = page.request.get(url, headers=headers)
    else:
        response = page.request.post(url, headers=headers, data=data)
    assert response.ok, response.text()
    return response.json()


def _launch_report(page: Page, server: Server) -> tuple[int, int, dict[str, Any]]:
    """Launch one not yet started occurrence of Phòng Nội vụ's report activity: (plan, activity, instance)."""
    plan = next(p for p in _api(page, server, "cchc.pnv", "plans") if p["year"] == 2024)
    activities = _api(page, server, "cchc.pnv", f"plans/{plan['id']}/activities?unit=PNV")["items"]
    activity = next(a for a in activities if a.get("ref") == ACTIVITY or f"{a['area']}.{a['code']}" == ACTIVITY)
    detail = _api(page, server, "cchc.pnv", f"plans/{plan['id']}/activities/{activity['id']}")
    occurrence = next(o for o in detail["occurrences"] if o["instance_id"] is None and o["due_date"])
    due = occurrence["due_date"]
    launched = _api(page, server, "cchc.pnv", f"plans/{plan['id']}/launch", {"from": due, "until": due})
    [started] = [i for i in launched["instances"] if i["occurrence_id"] == occurrence["id"]]
    instance = _api(page, server, "cchc.pnv", f"process-instances/{started['instance_id']}")
    return int(plan["id"]), int(activity["id"]), {**instance, "period_label": occurrence["label"]}


def _open_step(page: Page, server: Server, instance_id: int, step: str) -> int:
    instance = page.request.get(f"{server.url}/api/v1/process-instances/{instance_id}").json()
    [task] = [t for t in instance["open_tasks"] if t["name"] == step]
    page.goto(f"{server.url}/tasks/{task['id']}")
    expect(page.get_by_test_id("task-name")).to_have_text(step)
    return int(task["id"])


def _expected(problems: Problems) -> list[str]:
    """The page's problems less the refused upload's own 415 (the browser logs every failed request)."""
    return [p for p in problems.items if "status of 415" not in p]


def test_upload_preview_and_products(own_server: Server, browser: Browser) -> None:
    server = own_server
    staff, staff_problems = new_page(browser)
    plan_id, activity_id, instance = _launch_report(staff, server)
    instance_id = int(instance["id"])

    # staff: a renamed executable is refused in Vietnamese, the real PDF is uploaded and listed with its size
    login(staff, server, "cv.pnv")
    task_id = _open_step(staff, server, instance_id, "Soạn báo cáo")
    staff.get_by_role("button", name="Nhận xử lý").click()

    # a local draft naming a document the store no longer has (an unused upload cleaned up): dropped, with a notice
    staff.evaluate(SAVE_DRAFT, [f"cchc.draft:cv.pnv:task:{task_id}", json.dumps({"attachments": [2_000_000_000]})])
    staff.reload()
    expect(staff.get_by_test_id("draft-notice")).to_be_visible()
    field = staff.get_by_test_id("documents-field")
    expect(field).to_contain_text("không còn trên hệ thống")
    expect(field.locator(".doc-item")).to_have_count(0)
    staff.get_by_role("button", name="Bỏ bản nháp").click()
    form = staff.get_by_test_id("task-form")
    form.get_by_label("Kết quả thực hiện trong kỳ").fill(REPORT_TEXT)
    chooser = form.get_by_label(FIELD)
    chooser.set_input_files({"name": "bao-cao-quy.pdf", "mimeType": "application/pdf", "buffer": EXE_BYTES})
    errors = form.get_by_test_id("upload-errors")
    expect(errors).to_contain_text("Không tải lên được «bao-cao-quy.pdf»")
    expect(errors).to_contain_text("Loại tệp không được chấp nhận")
    expect(form.locator(".documents-field .doc-item")).to_have_count(0)

    data = pdf_bytes("Bao cao ket qua cong tac CCHC", "Phu luc so lieu")
    chooser.set_input_files({"name": PDF_NAME, "mimeType": "application/pdf", "buffer": data})
    item = form.locator(".documents-field .doc-item", has_text=PDF_NAME)
    expect(item).to_contain_text(re.compile(r"\d+(,\d)? KB"))  # the size in Vietnamese, e.g. "1,3 KB"
    expect(errors).to_have_count(0)

    # a photo dropped on the field is uploaded too; "Gỡ bỏ" takes it out and deletes the unused upload
    field.locator(".doc-drop").evaluate(DROP, {"name": "anh-minh-chung.png", "bytes": list(file_bytes("anh.png"))})
    photo = field.locator(".doc-item[data-document-id]", has_text="anh-minh-chung.png")  # uploaded, not uploading
    expect(photo).to_be_visible()
    photo_id = int(photo.get_attribute("data-document-id") or 0)
    screenshot(staff, "documents-upload")
    deleted = f"/api/v1/documents/{photo_id}"
    with staff.expect_response(lambda r: r.request.method == "DELETE" and r.url.endswith(deleted)) as removal:
        photo.get_by_role("button", name="Gỡ bỏ anh-minh-chung.png").click()
    assert removal.value.status == 204
    expect(photo).to_have_count(0)
    gone = staff.request.get(f"{server.url}/api/v1/documents/{photo_id}")
    assert gone.status == 404, gone.text()
    form.get_by_role("button", name="Hoàn thành").click()
    expect(staff.get_by_test_id("task-done")).to_contain_text("Duyệt báo cáo")
    assert not _expected(staff_problems), staff_problems.items
    staff.context.close()

    # the head: the submission lists the PDF; "Xem" opens pdf.js in the page, two pages, the first one painted
    head, head_problems = new_page(browser)
    login(head, server, "tp.pnv")
    _open_step(head, server, instance_id, "Duyệt báo cáo")
    submission = head.get_by_test_id("submission").first
    document = submission.locator("[data-kind=documents] .doc-item", has_text=PDF_NAME)
    expect(document).to_be_visible()
    document.get_by_role("button", name=f"Xem {PDF_NAME}").click()
    preview = head.get_by_test_id("document-preview")
    expect(preview).to_be_visible()
    expect(preview.get_by_test_id("pdf-page")).to_have_text("Trang 1/2")
    expect(preview.locator("[data-testid=pdf-canvas][data-rendered='1']")).to_be_attached()
    assert head.evaluate(INKED) > 2000  # text and the rule, not a blank sheet
    screenshot(head, "documents-task-preview")
    preview.get_by_role("button", name="Trang sau").click()
    expect(preview.get_by_test_id("pdf-page")).to_have_text("Trang 2/2")
    expect(preview.locator("[data-testid=pdf-canvas][data-rendered='2']")).to_be_attached()
    head.keyboard.press("Escape")
    expect(preview).to_have_count(0)
    href = document.get_by_role("link", name=f"Tải xuống {PDF_NAME}").get_attribute("href")
    download = head.request.get(f"{server.url}{href}")
    assert download.ok and download.body() == data

    # the record lists the document among its fields
    head.goto(f"{server.url}/instances/{instance_id}")
    expect(head.get_by_test_id("instance-fields").locator("[data-kind=documents]")).to_contain_text(PDF_NAME)

    # the plan: the activity's products, per occurrence (unit, period), with the file
    head.goto(f"{server.url}/plans?plan={plan_id}")
    row = head.locator(f"[data-testid=plan-tree] tr[data-activity-id='{activity_id}']")
    row.evaluate("tr => tr.closest('details').open = true")
    row.get_by_test_id("show-products").click()
    products = head.locator(f"[data-testid=activity-products][data-activity-id='{activity_id}']")
    occurrence = products.get_by_test_id("occurrence-products").filter(has_text=instance["period_label"])
    expect(occurrence).to_contain_text("Phòng Nội vụ")
    expect(occurrence.locator(".doc-item", has_text=PDF_NAME)).to_be_visible()
    row.evaluate("tr => tr.scrollIntoView({ block: 'start' })")
    head.evaluate("window.scrollBy(0, -160)")  # the table's header row in view too
    SCREENSHOTS.mkdir(exist_ok=True)
    head.screenshot(path=str(SCREENSHOTS / "documents-plan-products.png"))  # the screen around the activity
    assert not head_problems.items, head_problems.items
    head.context.close()
