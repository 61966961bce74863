"""The index-scoring results and the overdue list: JSON and .xlsx, the files opened with openpyxl."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from engine.clock import LOCAL_TZ, ManualClock
from tests.api.conftest import Api, assert_error
from tests.api.test_deadlines_api import services_of
from tests.api.test_plan_exports import _scenario
from tests.worker_support import tick_at
from workflows.script_helpers import domain_helpers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
START = json.loads((Path(__file__).parents[2] / "processes/index_scoring/sample-start.json").read_text("utf-8"))
XA = domain_helpers()["criteria_set"]("par-index-2024-xa")
SHARES = {"P1": 0.9, "P2": 1.0}  # P2 ranks first
SURVEY = {"P1": 16, "P2": 18}


def _check_house_look(book: Any) -> None:
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("1F4E79")


def _done(api: Api, task: dict[str, Any], user: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", user, json={"data": data})
    assert response.status_code == 200, response.json
    return list(response.json["next_tasks"])


def _open(api: Api, instance_id: int, element_id: str) -> list[dict[str, Any]]:
    tasks = api.get(f"/api/v1/process-instances/{instance_id}", "admin").json["open_tasks"]
    return [t for t in tasks if t["element_id"] == element_id]


def _entries(share: float) -> dict[str, Any]:
    return {
        code: {"points": round(c["max_points"] * share, 2), "evidence": [f"minh-chung/{code}.pdf"], "explanation": ""}
        for code, c in XA["sub_criteria"].items()
    }


def _self_assessment(api: Api, user: str, share: float) -> dict[str, Any]:
    """A unit's self-assessment with its evidence uploaded as a real file by ``user``."""
    evidence = [api.upload(user, "minh-chung.pdf")]
    return {"criteria_code": XA["code"], "entries": _entries(share), "evidence_files": evidence}


def run_round(api: Any, *, publish: bool, deadline: str = "2024-03-29") -> int:
    """A round of P1 and P2 through the API up to the leaders' approval (and publishing when asked)."""
    instance_id = api.start("cchc.pnv", "PNV", "index_scoring", **START)["id"]
    [opening] = _open(api, instance_id, "Task_open")
    scoring = {
        "year": 2024,
        "criteria_code": XA["code"],
        "units": ["P1", "P2"],
        "self_assessment_deadline": deadline,
    }
    _done(api, opening, "cchc.pnv", scoring)
    for unit, share in SHARES.items():
        [own] = [t for t in _open(api, instance_id, "Task_self_score") if t["unit_code"] == unit]
        [sign] = [
            t
            for t in _done(api, own, f"cv.{unit.lower()}", _self_assessment(api, f"cv.{unit.lower()}", share))
            if t["element_id"] == "Task_self_sign"
        ]
        _done(api, sign, f"ct.{unit.lower()}", {"approved": True})
    for appraisal in _open(api, instance_id, "Task_appraise"):
        _done(api, appraisal, "hdtd.pnv", {"changes": []})
    for explain in _open(api, instance_id, "Task_explain"):
        _done(api, explain, f"ct.{explain['unit_code'].lower()}", {"agree": True})
    [decide] = _open(api, instance_id, "Task_decide")
    [survey] = _done(api, decide, "hdtd.pnv", {"adjustments": []})
    points = [{"unit_code": u, "points": p} for u, p in SURVEY.items()]
    [approve] = _done(api, survey, "cchc.pnv", {"survey_points": points})
    assert api.get(f"/api/v1/process-instances/{instance_id}/scoring-results", "chutich").json["stage"] == "provisional"
    [publishing] = _done(api, approve, "chutich", {"approved": True})
    if publish:
        data = {
            "decision_number": "88/QĐ-UBND",
            "published_on": "2024-01-05",
            "channels": ["Hội nghị"],
            "decision_file": [api.upload("cchc.pnv", "quyet-dinh-cong-bo.pdf")],
        }
        assert _done(api, publishing, "cchc.pnv", data) == []
    return int(instance_id)


def test_scoring_results_json_and_xlsx_match(api: Api) -> None:
    instance_id = run_round(api, publish=True)
    results = api.get(f"/api/v1/process-instances/{instance_id}/scoring-results", "cv.p1")
    assert results.status_code == 200, results.json
    body = results.json
    assert (body["stage"], body["stage_label"], body["decision_number"]) == ("published", "Đã công bố", "88/QĐ-UBND")
    assert [(u["rank"], u["unit_code"], u["unit_name"]) for u in body["units"]] == [
        (1, "P2", "UBND Phường 2"),
        (2, "P1", "UBND Phường 1"),
    ]
    p2, p1 = body["units"]
    assert (p2["achieved"], p2["index_percent"], p2["group_label"]) == (98.0, 98.0, "Xuất sắc")
    assert p1["achieved"] == round(sum(p1["points"].values()), 2) + SURVEY["P1"]
    assert p1["area_points"]["1"] == round(sum(v for k, v in p1["points"].items() if k.startswith("1.")), 2)

    response = api.get(f"/api/v1/process-instances/{instance_id}/scoring-results/export?format=xlsx", "cv.p1")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert (
        "filename*=UTF-8''K%E1%BA%BFt%20qu%E1%BA%A3%20Ch%E1%BB%89%20s%E1%BB%91%20CCHC%202024.xlsx"
        in (response.headers["Content-Disposition"])
    )
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Xếp hạng", "Điểm theo tiêu chí"]
    _check_house_look(book)
    ranking = book["Xếp hạng"]
    head = [c.value for c in ranking[1]]
    assert head[:3] == ["Xếp hạng", "Mã đơn vị", "Đơn vị"]
    assert head[3] == "1. Công tác chỉ đạo, điều hành cải cách hành chính (tối đa 10)"
    assert head[-5:] == ["Điều tra xã hội học (tối đa 20)", "Tổng điểm", "Điểm tối đa", "Chỉ số CCHC (%)", "Xếp loại"]
    assert len(head) == 3 + len(body["areas"]) + 5
    rows = list(ranking.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(body["units"])
    for row, unit in zip(rows, body["units"], strict=True):
        assert row[:3] == (unit["rank"], unit["unit_code"], unit["unit_name"])
        assert list(row[3:11]) == [unit["area_points"][a["code"]] for a in body["areas"]]
        assert row[11:] == (
            unit["survey_points"],
            unit["achieved"],
            unit["max"],
            unit["index_percent"],
            unit["group_label"],
        )
    assert ranking.oddHeader.center.text == "KẾT QUẢ CHỈ SỐ CCHC 2024 — ĐÃ CÔNG BỐ"

    criteria = book["Điểm theo tiêu chí"]
    assert [c.value for c in criteria[1]] == ["Mã", "Tiêu chí", "Điểm tối đa", "UBND Phường 2", "UBND Phường 1"]
    by_code = {r[0]: r for r in criteria.iter_rows(min_row=2, values_only=True) if r[0]}
    leaves = XA["sub_criteria"]
    assert set(leaves) <= set(by_code)
    for code in leaves:
        assert by_code[code][3:] == (p2["points"][code], p1["points"][code])
    assert by_code["1"][1] == "Công tác chỉ đạo, điều hành cải cách hành chính"
    assert by_code["1"][3:] == (p2["area_points"]["1"], p1["area_points"]["1"])
    totals = {r[1]: r[3:] for r in criteria.iter_rows(min_row=2, values_only=True) if not r[0]}
    assert totals["Xếp hạng"] == (1, 2) and totals["Xếp loại"] == (p2["group_label"], p1["group_label"])
    assert totals["Tổng điểm"] == (p2["achieved"], p1["achieved"])


def test_scoring_results_access_and_errors(api: Api) -> None:
    instance_id = run_round(api, publish=False)
    path = f"/api/v1/process-instances/{instance_id}/scoring-results"
    # the council and the overseers see the approved results before they are published; the units do not
    assert api.get(path, "hdtd.pnv").json["stage"] == "approved"
    assert api.get(f"{path}/export", "chutich").status_code == 200
    error = assert_error(api.get(path, "cv.p1"), 403, "scoring_results_not_published")
    assert error["message"] == "Kết quả Chỉ số CCHC chỉ được xem sau khi công bố."
    assert_error(api.get(f"{path}/export", "ct.p2"), 403, "scoring_results_not_published")
    assert_error(api.get(f"{path}/export?format=pdf", "chutich"), 422, "bad_export_format")
    assert_error(api.get("/api/v1/process-instances/999999/scoring-results", "chutich"), 404, "instance_not_found")
    other = api.start("cv.pnv", "PNV", "approval5")["id"]
    assert_error(
        api.get(f"/api/v1/process-instances/{other}/scoring-results", "cv.pnv"), 404, "scoring_round_not_found"
    )
    fresh = api.start("cchc.pnv", "PNV", "index_scoring", **START)["id"]
    error = assert_error(api.get(f"/api/v1/process-instances/{fresh}/scoring-results/export", "chutich"), 409)
    assert error["code"] == "scoring_results_not_ready"
    assert api.get(path).status_code == 401


def test_overdue_list_matches_the_deadline_report(api: Api, clock: ManualClock) -> None:
    _scenario(api, clock)  # January's plan launched; on 05/02 Phường 1 finished its news late, with a reason
    tick_at(services_of(api.app), clock, datetime(2024, 2, 6, 9, 0, tzinfo=LOCAL_TZ))  # classifies the steps
    report = api.get("/api/v1/reports/deadlines?group=unit", "cchc.pnv").json
    listed = api.get("/api/v1/reports/overdue", "cchc.pnv").json
    items = listed["items"]
    assert listed["total"] == len(items) and not listed["truncated"]
    assert sum(1 for i in items if i["state"] == "overdue") == report["totals"]["open"]["overdue"] > 0
    assert sum(1 for i in items if i["state"] == "late") == report["totals"]["finished"]["late"] > 0
    for row in report["rows"]:
        mine = [i for i in items if i["unit_code"] == row["key"]]
        assert len(mine) == row["open"]["overdue"] + row["finished"]["late"]
    assert [i["days_late"] for i in items] == sorted((i["days_late"] for i in items), reverse=True)
    [late] = [i for i in items if i["state"] == "late"]
    assert (late["unit_code"], late["late_reason"], late["assignee"]) == ("P1", "Chờ số liệu của các khu phố", "cv.p1")

    response = api.get("/api/v1/reports/overdue/export?format=xlsx", "cchc.pnv")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "filename*=UTF-8''Danh%20s%C3%A1ch%20qu%C3%A1%20h%E1%BA%A1n.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Danh sách quá hạn"]
    _check_house_look(book)
    sheet = book["Danh sách quá hạn"]
    assert [c.value for c in sheet[1]] == [
        "STT", "Đơn vị", "Hoạt động", "Bước xử lý", "Hạn xử lý", "Tình trạng",
        "Ngày hoàn thành", "Số ngày trễ", "Người xử lý", "Giải trình",
    ]  # fmt: skip
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(items)
    for number, (row, item) in enumerate(zip(rows, items, strict=True), start=1):
        assert row[0] == number
        assert row[1:4] == (item["unit_name"], item["activity"], item["step"])
        assert row[4].date().isoformat() == item["due_on"]
        assert row[5] == item["state_label"] and row[7] == item["days_late"]
        assert row[9] == (item["late_reason"] or "Chưa có giải trình")
    late_row = next(r for r in rows if r[5] == "Hoàn thành quá hạn")
    assert late_row[6].date().isoformat() == "2024-02-05" and late_row[8] == "Phan Thị Kim (Công chức UBND Phường 1)"


def test_overdue_list_scope_and_filters(api: Api, clock: ManualClock) -> None:
    _scenario(api, clock)
    tick_at(services_of(api.app), clock, datetime(2024, 2, 6, 9, 0, tzinfo=LOCAL_TZ))
    everyone = api.get("/api/v1/reports/overdue", "cchc.pnv").json["items"]
    mine = api.get("/api/v1/reports/overdue", "ct.p1").json["items"]
    assert mine and {i["unit_code"] for i in mine} == {"P1"}
    assert len(mine) == sum(1 for i in everyone if i["unit_code"] == "P1") < len(everyone)
    narrow = api.get("/api/v1/reports/overdue?from=2024-02-01&to=2024-02-29", "cchc.pnv").json
    assert all("2024-02-01" <= i["due_on"] <= "2024-02-29" for i in narrow["items"])
    assert len(narrow["items"]) < len(everyone)
    sheet = load_workbook(io.BytesIO(api.get("/api/v1/reports/overdue/export?from=2024-02-01", "ct.p1").data)).active
    assert sheet.max_row - 1 == sum(1 for i in mine if i["due_on"] >= "2024-02-01")
    assert "hạn từ 01/02/2024" in sheet.oddHeader.center.text
    assert_error(api.get("/api/v1/reports/overdue?from=2024-03-01&to=2024-02-01", "cchc.pnv"), 422, "validation_error")
    assert_error(api.get("/api/v1/reports/overdue/export?format=csv", "cchc.pnv"), 422, "bad_export_format")
    assert api.get("/api/v1/reports/overdue").status_code == 401
