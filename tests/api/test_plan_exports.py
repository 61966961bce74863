"""Exports of a plan: the progress workbook and the periodic CCHC report, opened with reader libraries."""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from engine.clock import LOCAL_TZ, ManualClock
from tests.api.conftest import Api, assert_error
from tests.api.test_api_plans import activity, launch, plan_id
from workflows.plan.progress import STATUS_LABELS, STATUSES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GENERIC_DONE = {
    "output_title": "Tin bài CCHC tháng 01/2024",
    "output_reference": "01/TB",
    "output_date": "2024-01-10",
    "result_summary": "Đã đăng 2 tin",
    "ask_coordinating_units": False,
}


def _finish(api: Api, instance_id: int, staff: str, head: str, late_reason: str | None = None) -> None:
    """Both steps of a generic activity; a late step carries its giải trình."""
    extra = {"late_reason": late_reason} if late_reason else {}
    [perform] = api.get(f"/api/v1/process-instances/{instance_id}", "admin").json["open_tasks"]
    data = {**GENERIC_DONE, "attachments": [api.upload(staff, "tin-bai.pdf")]}
    done = api.post(f"/api/v1/tasks/{perform['id']}/complete", staff, json={"data": data, **extra})
    assert done.status_code == 200, done.json
    [confirm] = done.json["next_tasks"]
    body = {"data": {"decision": "confirm", "extend": False}, **extra}
    final = api.post(f"/api/v1/tasks/{confirm['id']}/complete", head, json=body)
    assert final.status_code == 200, final.json
    assert final.json["instance"]["status"] == "completed"


def _scenario(api: Api, clock: ManualClock) -> int:
    """January 2024: PNV posts its news early, Phường 1 on 05/02 (late, with a reason); unit plans overdue."""
    pid = plan_id(api)
    launched = launch(api, pid, "2024-01-31").json["instances"]
    rotation = activity(api, pid, "NV", "NV.3")["id"]
    news = {i["unit_code"]: i["instance_id"] for i in launched if i["activity_id"] == rotation}
    clock.set(datetime(2024, 1, 10, 9, 0, tzinfo=LOCAL_TZ))
    _finish(api, news["PNV"], "cv.pnv", "tp.pnv")
    clock.set(datetime(2024, 2, 5, 9, 0, tzinfo=LOCAL_TZ))
    _finish(api, news["P1"], "cv.p1", "ct.p1", late_reason="Chờ số liệu của các khu phố")
    return pid


def _sheet_rows(sheet: Any) -> list[tuple[Any, ...]]:
    return [row for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_xlsx_export_matches_progress_and_activities(api: Api, clock: ManualClock) -> None:
    pid = _scenario(api, clock)
    progress = api.get(f"/api/v1/plans/{pid}/progress", "cv.p1").json
    activities = api.get(f"/api/v1/plans/{pid}/activities", "cv.p1").json["items"]
    response = api.get(f"/api/v1/plans/{pid}/export?format=xlsx", "cv.p1")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''Ti%E1%BA%BFn%20%C4%91%E1%BB%99" in disposition

    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Theo hoạt động", "Theo đơn vị", "Theo quý"]
    sheet = book["Theo hoạt động"]
    assert [c.value for c in sheet[1]] == [
        "Mã", "Hoạt động", "Đơn vị chủ trì", "Đơn vị phối hợp", "Hạn hoàn thành",
        "Trạng thái", "Ngày hoàn thành", "Số ngày trễ", "Sản phẩm",
    ]  # fmt: skip
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1" and ws.oddFooter.right.text == "Trang &P/&N"
    rows = _sheet_rows(sheet)
    area_rows = [r for r in rows if r[2] is None and r[5] is None]
    assert [r[0] for r in area_rows] == [a["code"] for a in progress["by_area"]]
    assert [r[1] for r in area_rows] == [a["title"] for a in progress["by_area"]]
    item_rows = [r for r in rows if r not in area_rows]
    assert [r[0] for r in item_rows] == [a["ref"] for a in activities]
    assert [r[1] for r in item_rows] == [a["text"] for a in activities]
    assert [r[5] for r in item_rows] == [a["status_label"] for a in activities]
    labels = Counter(r[5] for r in item_rows)
    assert {s: labels.get(STATUS_LABELS[s], 0) for s in STATUSES} == progress["overall"]
    assert progress["overall"]["overdue"] > 0
    # the unit plans (due Monday 15/01) are 21 days late on 05/02; their status cell is red
    by_ref = {r[0]: (i, r) for i, r in enumerate(rows, start=2)}
    row_no, unit_plans = by_ref["NV.1"]
    assert (unit_plans[5], unit_plans[7]) == ("Quá hạn chưa hoàn thành", 21)
    assert unit_plans[4].date().isoformat() == "2024-01-15"
    assert sheet.cell(row_no, 6).fill.fgColor.rgb.endswith("FECACA")

    units = _sheet_rows(book["Theo đơn vị"])
    assert [(r[0], list(r[2:8]), r[8]) for r in units] == [
        (u["code"], [u["counts"][s] for s in STATUSES], u["total"]) for u in progress["by_unit"]
    ]
    p1 = next(r for r in units if r[0] == "P1")
    assert p1[2 + STATUSES.index("done_late")] == 1
    quarters = _sheet_rows(book["Theo quý"])
    assert [(r[1], list(r[2:8])) for r in quarters] == [
        (q["label"], [q["counts"][s] for s in STATUSES]) for q in progress["by_quarter"]
    ]


def _docx_text(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(p.text for p in cell.paragraphs)
    return paragraphs, tables


def test_quarter_report_names_the_period_and_matches_progress(api: Api, clock: ManualClock) -> None:
    pid = _scenario(api, clock)
    progress = api.get(f"/api/v1/plans/{pid}/progress", "cv.pnv").json
    response = api.get(f"/api/v1/plans/{pid}/report?period=quarter&quarter=1&format=docx", "cv.pnv")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == DOCX
    assert (
        "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20CCHC%20qu%C3%BD%20I%20n%C4%83m%202024.docx"
        in (response.headers["Content-Disposition"])
    )
    paragraphs, tables = _docx_text(response.data)
    text = "\n".join(paragraphs)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in paragraphs
    assert "Độc lập - Tự do - Hạnh phúc" in paragraphs
    # the issuing body, the body above it and the địa danh: the plan's organisation's (processes/org header)
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ SA ĐÉC" in paragraphs
    assert "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP" in paragraphs
    assert "Số:        /BC-UBND" in paragraphs
    assert "Sa Đéc, ngày 05 tháng 02 năm 2024" in paragraphs
    assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2024" in paragraphs
    assert "{{" not in text and "{%" not in text
    overall = progress["overall"]
    assert f"kế hoạch có {progress['total']} hoạt động" in text
    assert f"quá hạn chưa hoàn thành: {overall['overdue']}" in text

    [_head, areas, late, _foot] = tables
    assert areas[0][:2] == ["Lĩnh vực", "Tổng số"]
    assert [row[1:] for row in areas[1:]] == [
        [str(a["total"])] + [str(a["counts"][s]) for s in ("done_early", "done_on_time", "done_late",
                                                          "in_progress", "overdue", "not_started")]
        for a in progress["by_area"]
    ]  # fmt: skip
    assert [row[0] for row in areas[1:]] == [a["title"] for a in progress["by_area"]]
    assert "1. CẢI CÁCH THỂ CHẾ" in paragraphs
    # the occurrences due in quarter I: the progress' 2024-Q1 column
    q1 = next(q for q in progress["by_quarter"] if q["quarter"] == "2024-Q1")
    assert f"Trong kỳ báo cáo có {q1['total']} lượt nhiệm vụ" in text
    # the late activities with their lead units and giải trình
    late_rows = {row[0]: row for row in late[1:]}
    assert late_rows["NV.1"][4] == "Quá hạn chưa hoàn thành" and late_rows["NV.1"][6] == "Chưa có giải trình"
    activities = api.get(f"/api/v1/plans/{pid}/activities", "cv.pnv", query_string={"status": "overdue"}).json
    assert {a["ref"] for a in activities["items"]} <= set(late_rows)
    # NV.3 is still in progress, but Phường 1 finished its January news late: listed with its reason
    assert late_rows["NV.3"][4] == "Đang thực hiện" and late_rows["NV.3"][5] == "5"
    assert "P1 (" in late_rows["NV.3"][6] and "Chờ số liệu của các khu phố" in late_rows["NV.3"][6]


@pytest.mark.parametrize(
    ("period", "label"),
    [("period=half&half=1", "6 tháng đầu năm 2024"), ("period=year", "năm 2024")],
)
def test_half_and_year_reports(api: Api, clock: ManualClock, period: str, label: str) -> None:
    pid = _scenario(api, clock)
    response = api.get(f"/api/v1/plans/{pid}/report?{period}", "chutich")
    assert response.status_code == 200
    paragraphs, tables = _docx_text(response.data)
    assert f"Kết quả thực hiện công tác cải cách hành chính {label}" in paragraphs
    # the occurrences due in the period: the progress' quarters of that period, summed
    progress = api.get(f"/api/v1/plans/{pid}/progress", "chutich").json
    quarters = ("2024-Q1", "2024-Q2") if "half" in period else ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")
    due = sum(q["total"] for q in progress["by_quarter"] if q["quarter"] in quarters)
    assert due > 0 and f"Trong kỳ báo cáo có {due} lượt nhiệm vụ" in "\n".join(paragraphs)
    assert [row[1] for row in tables[1][1:]] == [str(a["total"]) for a in progress["by_area"]]


def test_bad_parameters_are_refused_in_vietnamese(api: Api) -> None:
    pid = plan_id(api)
    error = assert_error(api.get(f"/api/v1/plans/{pid}/export?format=pdf", "cv.pnv"), 422, "bad_export_format")
    assert error["message"] == "Định dạng tệp không được hỗ trợ; chỉ có xlsx."
    assert_error(api.get(f"/api/v1/plans/{pid}/report?period=year&format=pdf", "cv.pnv"), 422, "bad_export_format")
    for query in ("", "period=month", "period=quarter", "period=quarter&quarter=5", "period=half&half=3"):
        error = assert_error(api.get(f"/api/v1/plans/{pid}/report?{query}", "cv.pnv"), 422, "bad_report_period")
        assert error["message"].startswith(("Kỳ báo cáo", "Cần chọn"))
    assert_error(api.get("/api/v1/plans/999999/export?format=xlsx", "cv.pnv"), 404, "plan_not_found")
    assert_error(api.get("/api/v1/plans/999999/report?period=year", "cv.pnv"), 404, "plan_not_found")
    assert api.get(f"/api/v1/plans/{pid}/export?format=xlsx").status_code == 401


def _complete(api: Api, task_id: int, user: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    done = api.post(f"/api/v1/tasks/{task_id}/complete", user, json={"data": data})
    assert done.status_code == 200, done.json
    return list(done.json["next_tasks"])


def test_report_quotes_the_units_completed_reports_of_its_period(api: Api, clock: ManualClock) -> None:
    pid = plan_id(api)
    launched = launch(api, pid, "2024-03-31").json["instances"]
    [p1] = [i for i in launched if i["process_key"] == "periodic_report" and i["unit_code"] == "P1"]
    clock.set(datetime(2024, 1, 5, 9, 0, tzinfo=LOCAL_TZ))
    [draft] = api.get(f"/api/v1/process-instances/{p1['instance_id']}", "admin").json["open_tasks"]
    content = "Phường đã rà soát 12 thủ tục hành chính.\nTổ chức 2 buổi tuyên truyền CCHC."
    files = [api.upload("cv.p1", "bc.pdf")]
    [review] = _complete(api, draft["id"], "cv.p1", {"report_content": content, "attachments": files})
    [accept] = _complete(api, review["id"], "ct.p1", {"decision": "approve", "extend": False})
    assert _complete(api, accept["id"], "cchc.pnv", {"decision": "accept", "extend": False}) == []

    quarter = api.get(f"/api/v1/plans/{pid}/report?period=quarter&quarter=1", "cv.pnv")
    paragraphs, _ = _docx_text(quarter.data)
    at = paragraphs.index("UBND Phường 1")
    assert paragraphs[at + 1] == content  # python-docx reads the kept line break back as "\n"
    assert "Chưa có báo cáo của đơn vị nào trong kỳ." not in paragraphs
    # the 6-month report is another period: P1's quarter I text is not in it
    half = _docx_text(api.get(f"/api/v1/plans/{pid}/report?period=half&half=1", "cv.pnv").data)[0]
    assert "UBND Phường 1" not in half and "Chưa có báo cáo của đơn vị nào trong kỳ." in half
