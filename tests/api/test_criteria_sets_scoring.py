"""Two organisations score with their own criteria sets; the results and the .xlsx keep the set each round used."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tests.api.conftest import Api, assert_error
from tests.api.test_criteria_sets_api import BASE, delete, own_set, upload

START = json.loads((Path(__file__).parents[2] / "processes/index_scoring/sample-start.json").read_text("utf-8"))


@dataclass(frozen=True)
class Side:
    """Who does what in one organisation's round."""

    coordinator: str
    unit: str
    slot: str  # the shared set chosen when the round opens
    scored: dict[str, tuple[str, str, float]]  # unit → (staff, head, share of every maximum)
    appraiser: str
    leader: str
    survey: float


CITY = Side(
    "cchc.pnv",
    "PNV",
    "par-index-2024-xa",
    {"P1": ("cv.p1", "ct.p1", 0.5), "P2": ("cv.p2", "ct.p2", 1.0)},
    "hdtd.pnv",
    "chutich",
    15,
)
COMMUNE = Side("cchc.bt", "BT_VP", "par-index-2024-cqcm", {"BT_VP": ("cv.bt", "vp.bt", 1.0)}, "hdtd.bt", "ct.bt", 20)


def _done(api: Api, task: dict[str, Any], user: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.post(f"/api/v1/tasks/{task['id']}/complete", user, json={"data": data})
    assert response.status_code == 200, response.json
    return list(response.json["next_tasks"])


def _open(api: Api, instance_id: int, element_id: str) -> list[dict[str, Any]]:
    tasks = api.get(f"/api/v1/process-instances/{instance_id}", "admin").json["open_tasks"]
    return [t for t in tasks if t["element_id"] == element_id]


def _data(api: Api, instance_id: int) -> dict[str, Any]:
    return dict(api.get(f"/api/v1/process-instances/{instance_id}", "admin").json["data"])


def open_round(api: Api, side: Side) -> int:
    """Start and open a round: the organisation's set is chosen here and recorded."""
    start = {**START, "criteria_code": side.slot}
    instance_id = int(api.start(side.coordinator, side.unit, "index_scoring", **start)["id"])
    [opening] = _open(api, instance_id, "Task_open")
    data = {
        "year": 2024,
        "criteria_code": side.slot,
        "units": list(side.scored),
        "self_assessment_deadline": "2024-03-29",
    }
    _done(api, opening, side.coordinator, data)
    return instance_id


def finish_round(api: Api, side: Side, instance_id: int, sub_criteria: dict[str, float]) -> None:
    """Self-assessment at each unit's share, appraisal, explanation, survey points and the leaders' approval."""
    choice = _data(api, instance_id)["round_criteria"]
    for unit, (staff, head, share) in side.scored.items():
        [own] = [t for t in _open(api, instance_id, "Task_self_score") if t["unit_code"] == unit]
        entries = {
            code: {"points": round(maximum * share, 2), "evidence": [f"mc/{code}.pdf"], "explanation": ""}
            for code, maximum in sub_criteria.items()
        }
        evidence = [api.upload(staff, "minh-chung.pdf")]
        data = {"criteria_code": choice["form_code"], "entries": entries, "evidence_files": evidence}
        [sign] = [t for t in _done(api, own, staff, data) if t["element_id"] == "Task_self_sign"]
        _done(api, sign, head, {"approved": True})
    for appraisal in _open(api, instance_id, "Task_appraise"):
        _done(api, appraisal, side.appraiser, {"changes": []})
    for explain in _open(api, instance_id, "Task_explain"):
        _done(api, explain, side.scored[explain["unit_code"]][1], {"agree": True})
    [decide] = _open(api, instance_id, "Task_decide")
    [survey] = _done(api, decide, side.appraiser, {"adjustments": []})
    points = [{"unit_code": u, "points": side.survey} for u in side.scored]
    [approve] = _done(api, survey, side.coordinator, {"survey_points": points})
    _done(api, approve, side.leader, {"approved": True})


def leaves(tree: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}

    def walk(node: dict[str, Any]) -> None:
        if node.get("children"):
            for child in node["children"]:
                walk(child)
        else:
            out[node["code"]] = node["max_points"]

    for area in tree["areas"]:
        walk(area)
    return out


def workbook(api: Api, instance_id: int, user: str) -> Any:
    response = api.get(f"/api/v1/process-instances/{instance_id}/scoring-results/export?format=xlsx", user)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return load_workbook(io.BytesIO(response.data))


def test_each_organisation_scores_with_its_own_set_and_keeps_it_after_a_newer_upload(api: Api) -> None:
    # the city uploads its own set for its wards (xã kind); the commune has its demo set (cqcm kind)
    city_set = upload(api, "cchc.pnv", "SADEC", own_set("SD-2024-XA", unit_kind="xa")).json
    [commune_set] = [r for r in api.get(f"{BASE}/BINHTHANH/criteria-sets", "cchc.bt").json if not r["shared"]]
    city_round = open_round(api, CITY)
    commune_round = open_round(api, COMMUNE)
    city_choice = _data(api, city_round)["round_criteria"]
    commune_choice = _data(api, commune_round)["round_criteria"]
    assert (city_choice["id"], city_choice["code"], city_choice["ref"]) == (
        city_set["id"],
        "SD-2024-XA",
        f"set:{city_set['id']}",
    )
    assert (commune_choice["id"], commune_choice["code"]) == (commune_set["id"], "BT-2024-CQCM")

    # a newer set uploaded while the rounds run changes neither of them (the next round takes it)
    newer = upload(api, "cchc.bt", "BINHTHANH", own_set("BT-2024-CQCM-B", unit_kind="cqcm")).json
    commune_tree = api.get(f"{BASE}/BINHTHANH/criteria-sets/{commune_set['id']}", "cchc.bt").json["tree"]
    city_tree = api.get(f"{BASE}/SADEC/criteria-sets/{city_set['id']}", "cchc.pnv").json["tree"]
    finish_round(api, CITY, city_round, leaves(city_tree))
    finish_round(api, COMMUNE, commune_round, leaves(commune_tree))

    city = api.get(f"/api/v1/process-instances/{city_round}/scoring-results", "cchc.pnv").json
    commune = api.get(f"/api/v1/process-instances/{commune_round}/scoring-results", "cchc.bt").json
    assert (city["criteria_code"], city["criteria_set_id"]) == ("SD-2024-XA", city_set["id"])
    assert (commune["criteria_code"], commune["criteria_set_id"]) == ("BT-2024-CQCM", commune_set["id"])
    assert commune["criteria_name"] == commune_set["name"] and commune["survey_max_points"] == 20
    assert [u["unit_code"] for u in city["units"]] == ["P2", "P1"]
    assert [(u["unit_code"], u["index_percent"], u["group_label"]) for u in commune["units"]] == [
        ("BT_VP", 100.0, "Xuất sắc")
    ]
    assert set(commune["units"][0]["points"]) == set(leaves(commune_tree))  # 9 sub-criteria, not the shared 55

    book = workbook(api, commune_round, "cchc.bt")
    sheet = book["Điểm theo tiêu chí"]
    codes = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert {"1", "1.1", "1.1.1", "3.2.2"} <= set(codes) and "8.2.2" not in codes
    assert "(mã BT-2024-CQCM)" in book["Xếp hạng"].oddFooter.left.text
    assert "(mã SD-2024-XA)" in workbook(api, city_round, "cchc.pnv")["Xếp hạng"].oddFooter.left.text

    # the next round of the commune takes the newest set; a used set cannot be deleted, an unused one can
    next_round = open_round(api, COMMUNE)
    assert _data(api, next_round)["round_criteria"]["id"] == newer["id"]
    assert_error(delete(api, "cchc.bt", "BINHTHANH", commune_set["id"]), 409, "criteria_set_in_use")
    assert_error(delete(api, "cchc.pnv", "SADEC", city_set["id"]), 409, "criteria_set_in_use")
    api.post(f"/api/v1/process-instances/{next_round}/cancel", "admin", json={"reason": "Mở nhầm đợt"})
    assert delete(api, "cchc.bt", "BINHTHANH", newer["id"]).status_code == 204
    # and the results of the finished round still read the set it used
    again = api.get(f"/api/v1/process-instances/{commune_round}/scoring-results", "cchc.bt").json
    assert again["criteria_set_id"] == commune_set["id"]


def test_without_an_own_set_a_round_scores_with_the_shared_one(api: Api) -> None:
    city_round = open_round(api, CITY)
    choice = _data(api, city_round)["round_criteria"]
    assert (choice["id"], choice["ref"], choice["form_code"], choice["code"]) == (
        None,
        "par-index-2024-xa",
        "par-index-2024-xa",
        "PAR-2024-XA",
    )
