"""Lists that scale over the API: instance titles, q (folded, word starts, literal wildcards), X-Total-Count with
limit/offset, sort, the unit's steps (Việc của đơn vị), assign candidates, the activity's deadline beside the step's."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.clock import ManualClock
from tests.api.conftest import Api, assert_error
from tests.engine_support import at

Q1 = "VII.3.2 · Báo cáo kết quả thực hiện công tác CCHC · Quý I/2024"
Q2 = "VII.3.2 · Báo cáo kết quả thực hiện công tác CCHC · Quý II/2024"
PLAN = "I.3.1 · Xây dựng, ban hành Kế hoạch CCHC năm 2024 · Đánh giá đầu năm"


def start(api: Api, user: str = "cv.pnv", unit: str = "PNV", title: str | None = None, **data: Any) -> Any:
    body: dict[str, Any] = {"process_key": "approval5", "unit_code": unit, "data": data}
    if title is not None:
        body["title"] = title
    response = api.post("/api/v1/process-instances", user, json=body)
    assert response.status_code == 201, response.json
    return response.json


def listed(api: Api, path: str, user: str, **query: Any) -> tuple[list[dict[str, Any]], int]:
    response = api.get(path, user, query_string=query)
    assert response.status_code == 200, response.json
    return response.json, int(response.headers["X-Total-Count"])


def titles(api: Api, user: str = "admin", **query: Any) -> list[str]:
    rows, total = listed(api, "/api/v1/process-instances", user, **query)
    assert total == len(rows)
    return sorted(r["title"] for r in rows)


def test_titles_are_composed_at_start(api: Api, clock: ManualClock) -> None:
    clock.set(at(date(2024, 3, 4), 9))
    given = start(api, title="Tên do người khởi tạo đặt")
    plan = start(
        api, activity_code="I.3.1", activity_title="Xây dựng, ban hành Kế hoạch CCHC", period_label="Quý I/2024"
    )
    bare = start(api)
    assert given["title"] == "Tên do người khởi tạo đặt"
    assert plan["title"] == "I.3.1 · Xây dựng, ban hành Kế hoạch CCHC · Quý I/2024"
    assert bare["title"] == "Phê duyệt 5 bước (kiểm thử) · Phòng Nội vụ · 04/03/2024"
    # the inbox rows carry the title, the process's and the unit's names
    rows, _ = listed(api, "/api/v1/tasks", "cv.pnv")
    row = next(r for r in rows if r["instance_id"] == plan["id"])
    assert row["instance_title"] == plan["title"]
    assert (row["process_name"], row["unit_name"]) == ("Phê duyệt 5 bước (kiểm thử)", "Phòng Nội vụ")


def test_q_folds_diacritics_and_matches_word_starts(api: Api) -> None:
    start(api, title=Q1)
    start(api, title=Q2)
    start(api, title=PLAN)
    start(api, user="cv.ptp", unit="PTP", title="Báo cáo công tác pháp chế · Quý I/2024")
    assert titles(api, q="bao cao quy I") == sorted([Q1, "Báo cáo công tác pháp chế · Quý I/2024"])
    assert titles(api, q="BÁO CÁO QUÝ II") == [Q2]
    assert titles(api, q="quy i/2024") == sorted([Q1, "Báo cáo công tác pháp chế · Quý I/2024"])
    assert titles(api, q="danh gia") == [PLAN]  # Đ folds to d
    assert titles(api, q="Đánh") == [PLAN]
    assert titles(api, q="I.3.1") == [PLAN]  # activity code, a word of its own
    assert titles(api, q="vii.3") == sorted([Q1, Q2])  # a prefix of three characters or more
    assert titles(api, q="ca") == []  # two characters must be a whole word ("cáo" is not "ca")
    assert titles(api, q="bao cao phap che noi vu") == []  # every word must match: the PTP one is not Nội vụ
    # unit (code and name) and process (key and name)
    assert titles(api, q="tu phap") == ["Báo cáo công tác pháp chế · Quý I/2024"]
    assert len(titles(api, q="ptp")) == 1 and len(titles(api, q="phong noi vu")) == 3
    assert len(titles(api, q="approval5")) == 4 and len(titles(api, q="phe duyet 5 buoc")) == 4
    # the same search on the inbox rows
    rows, total = listed(api, "/api/v1/tasks", "cv.pnv", q="bao cao quy i")
    assert total == 1 and [r["instance_title"] for r in rows] == [Q1]


def test_like_wildcards_in_q_are_literal(api: Api) -> None:
    start(api, title=Q1)
    start(api, title="Tỷ lệ 100% hồ sơ đúng hạn")
    assert titles(api, q="%") == []
    assert titles(api, q="_") == []
    assert titles(api, q="b_o") == []  # not "bao"
    assert titles(api, q="appr_val5") == [] and len(titles(api, q="approval5")) == 2
    assert titles(api, q="100%") == ["Tỷ lệ 100% hồ sơ đúng hạn"]
    assert titles(api, q="10%") == []  # not a prefix pattern of its own
    assert titles(api, q="\\") == []
    rows, total = listed(api, "/api/v1/tasks", "cv.pnv", q="%")
    assert (rows, total) == ([], 0)


def test_total_count_with_limit_and_offset(api: Api) -> None:
    for n in range(7):
        start(api, title=f"Hồ sơ {n}")
    rows, total = listed(api, "/api/v1/process-instances", "admin", limit=3, offset=3)
    assert (len(rows), total) == (3, 7)
    assert [r["title"] for r in rows] == ["Hồ sơ 3", "Hồ sơ 2", "Hồ sơ 1"]  # newest first by default
    rows, total = listed(api, "/api/v1/process-instances", "admin", limit=3, offset=6)
    assert (len(rows), total) == (1, 7)
    assert listed(api, "/api/v1/process-instances", "admin", offset=100) == ([], 7)
    rows, total = listed(api, "/api/v1/tasks", "cv.pnv", limit=2, offset=4)
    assert (len(rows), total) == (2, 7)
    rows, total = listed(api, "/api/v1/tasks", "cv.pnv", limit=5, offset=5, q="ho so")
    assert (len(rows), total) == (2, 7)
    assert len(listed(api, "/api/v1/tasks", "cv.pnv")[0]) == 7  # default limit 50


def test_bad_paging_and_sort_are_422_in_vietnamese(api: Api) -> None:
    for path in ("/api/v1/tasks", "/api/v1/process-instances"):
        for query in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "nhiều"}, {"sort": "name"}):
            error = assert_error(api.get(path, "cv.pnv", query_string=query), 422)
            [(field, messages)] = error["details"].items()
            assert field in query and all(isinstance(m, str) for m in messages)
            assert not any(m.startswith(("Must", "Not a valid", "Length")) for m in messages), messages
        error = assert_error(api.get(path, "cv.pnv", query_string={"q": "a" * 201}), 422)
        assert "q" in error["details"]
    assert_error(api.get("/api/v1/tasks", "cv.pnv", query_string={"scope": "all"}), 422)


def test_sort_by_due_date_and_update_time(api: Api, clock: ManualClock) -> None:
    ids = []
    for day in (date(2024, 1, 8), date(2024, 1, 2), date(2024, 1, 4)):
        clock.set(at(day, 9))
        ids.append(start(api, title=f"Hồ sơ ngày {day.day}")["id"])
    by_due = [r["instance_id"] for r in listed(api, "/api/v1/tasks", "cv.pnv")[0]]
    assert by_due == [ids[1], ids[2], ids[0]]  # default: the step due first
    assert [r["instance_id"] for r in listed(api, "/api/v1/tasks", "cv.pnv", sort="-due_at")[0]] == by_due[::-1]
    by_update = [r["instance_id"] for r in listed(api, "/api/v1/tasks", "cv.pnv", sort="-updated_at")[0]]
    assert by_update == [ids[0], ids[2], ids[1]]
    assert [r["id"] for r in listed(api, "/api/v1/process-instances", "admin", sort="updated_at")[0]] == [
        ids[1],
        ids[2],
        ids[0],
    ]
    assert [r["id"] for r in listed(api, "/api/v1/process-instances", "admin")[0]] == sorted(ids, reverse=True)
    # ties (same update time) keep the id order, in the direction asked
    clock.set(at(date(2024, 1, 9), 9))
    same = [start(api, title="Cùng lúc")["id"] for _ in range(3)]
    rows = listed(api, "/api/v1/process-instances", "admin", sort="-updated_at", q="cung luc")[0]
    assert [r["id"] for r in rows] == same[::-1]


def test_unit_scope_lists_every_open_step_of_the_heads_unit(api: Api) -> None:
    held = start(api, title="Giữ bởi chuyên viên")["open_tasks"][0]
    queued = start(api, title="Chưa ai nhận")["open_tasks"][0]
    other = start(api, user="cv.ptp", unit="PTP", title="Việc của Tư pháp")["open_tasks"][0]
    assert api.post(f"/api/v1/tasks/{held['id']}/claim", "cv.pnv").status_code == 200

    assert {r["id"] for r in listed(api, "/api/v1/tasks", "tp.pnv")[0]} & {held["id"], queued["id"]} == set()
    rows, total = listed(api, "/api/v1/tasks", "tp.pnv", scope="unit")
    assert {r["id"]: r["assignee"] for r in rows} == {held["id"]: "cv.pnv", queued["id"]: None}
    assert {r["id"]: r["assignee_name"] for r in rows}[held["id"]].startswith("Võ Thị Hạnh")
    assert total == 2 and all(r["may_assign"] for r in rows)
    assert listed(api, "/api/v1/tasks", "tp.pnv", scope="unit", q="chua ai")[1] == 1
    # another unit's head sees none of them; staff may not look
    assert [r["id"] for r in listed(api, "/api/v1/tasks", "tp.ptp", scope="unit")[0]] == [other["id"]]
    assert_error(api.get("/api/v1/tasks?scope=unit&unit=PNV", "tp.ptp"), 403, "unit_not_yours")
    error = assert_error(api.get("/api/v1/tasks?scope=unit", "cv.pnv"), 403, "cannot_view_unit_tasks")
    assert "lãnh đạo đơn vị" in error["message"]
    # overseers: every unit, or one; a coordinator may look but not assign
    assert listed(api, "/api/v1/tasks", "admin", scope="unit")[1] == 3
    rows, total = listed(api, "/api/v1/tasks", "cchc.pnv", scope="unit", unit="PTP")
    assert total == 1 and rows[0]["id"] == other["id"] and rows[0]["may_assign"] is False


def test_candidates_and_assignment_notify_the_new_assignee(api: Api) -> None:
    create = {"username": "cv2.pnv", "full_name": "Lê Văn Bình", "password": "Sen hồng 2024", "unit_code": "PNV"}
    assert api.post("/api/v1/users", "admin", json={**create, "roles": ["staff"]}).status_code == 201
    api.passwords["cv2.pnv"] = create["password"]
    step = start(api, title="Giao lại cho người khác")["open_tasks"][0]
    assert api.post(f"/api/v1/tasks/{step['id']}/claim", "cv.pnv").status_code == 200

    candidates = api.get(f"/api/v1/tasks/{step['id']}/candidates", "tp.pnv")
    assert candidates.status_code == 200
    assert {c["username"] for c in candidates.json} == {"cv.pnv", "cv2.pnv"}  # staff of PNV only
    assert_error(api.get(f"/api/v1/tasks/{step['id']}/candidates", "cv.pnv"), 403, "cannot_assign")
    assert_error(api.get(f"/api/v1/tasks/{step['id']}/candidates", "tp.ptp"), 404, "task_not_found")

    assigned = api.post(f"/api/v1/tasks/{step['id']}/assign", "tp.pnv", json={"username": "cv2.pnv"})
    assert assigned.status_code == 200 and assigned.json["assignee"] == "cv2.pnv"
    notes = api.get("/api/v1/notifications", "cv2.pnv").json["items"]
    [note] = [n for n in notes if "được giao" in n["message"]]  # besides the notice of the new step to all staff
    assert note["kind"] == "new_task" and note["link"].endswith(f"/tasks/{step['id']}")
    assert not [n for n in api.get("/api/v1/notifications", "cv.pnv").json["items"] if "được giao" in n["message"]]
    assert [r["id"] for r in listed(api, "/api/v1/tasks", "cv2.pnv")[0]] == [step["id"]]
    assert step["id"] not in [r["id"] for r in listed(api, "/api/v1/tasks", "cv.pnv")[0]]


def test_activity_deadline_beside_the_steps_and_its_filter(api: Api, clock: ManualClock) -> None:
    clock.set(at(date(2024, 1, 2), 9))
    early = start(api, title="Hoạt động hạn sớm", deadline="2024-01-03")
    later = start(api, title="Hoạt động hạn muộn", deadline="2024-03-01")
    start(api, title="Không có hạn hoạt động")
    assert early["due_at"] == "2024-01-03T10:00:00+00:00"  # 17:00 in Vietnam
    rows, _ = listed(api, "/api/v1/tasks", "cv.pnv")
    assert not any(r["activity_overdue"] for r in rows)
    assert listed(api, "/api/v1/tasks", "cv.pnv", activity_overdue="true") == ([], 0)

    clock.set(at(date(2024, 1, 4), 9))  # the early activity is past due; its step (due 05/01) is not
    rows, total = listed(api, "/api/v1/tasks", "cv.pnv", activity_overdue="true")
    assert total == 1 and rows[0]["instance_id"] == early["id"]
    assert rows[0]["activity_overdue"] is True and rows[0]["activity_due_at"] == "2024-01-03T10:00:00+00:00"
    assert rows[0]["due_at"] > "2024-01-04"
    assert listed(api, "/api/v1/tasks", "cv.pnv", overdue="true") == ([], 0)
    flags = {r["instance_id"]: r["activity_overdue"] for r in listed(api, "/api/v1/tasks", "cv.pnv")[0]}
    assert flags[early["id"]] is True and flags[later["id"]] is False
    assert api.get(f"/api/v1/process-instances/{later['id']}", "cv.pnv").json["due_at"].startswith("2024-03-01")


def test_a_renamed_unit_is_found_by_its_new_name(api: Api) -> None:
    start(api, title=Q1)
    start(api, user="cv.ptp", unit="PTP", title=Q2)
    assert titles(api, q="noi vu") == [Q1] and titles(api, q="cai cach") == []
    renamed = api.patch("/api/v1/units/PNV", "admin", json={"name": "Phòng Cải cách hành chính", "short_name": "CCHC"})
    assert renamed.status_code == 200, renamed.json
    assert titles(api, q="cai cach hanh chinh") == [Q1] and titles(api, q="noi vu") == []
    assert titles(api, q="pnv quy I") == [Q1]  # the code and the title stay


def test_steps_held_or_waiting(api: Api) -> None:
    held = start(api, title="Đã nhận")["open_tasks"][0]
    waiting = start(api, title="Chưa nhận")["open_tasks"][0]
    assert api.post(f"/api/v1/tasks/{held['id']}/claim", "cv.pnv").status_code == 200
    assert [r["id"] for r in listed(api, "/api/v1/tasks", "cv.pnv", assigned="true")[0]] == [held["id"]]
    assert [r["id"] for r in listed(api, "/api/v1/tasks", "tp.pnv", scope="unit", assigned="false")[0]] == [
        waiting["id"]
    ]


def test_open_instances_of_a_version(api: Api) -> None:
    kept = start(api, title="Đang chạy")
    cancelled = start(api, title="Đã hủy")
    assert api.post(f"/api/v1/process-instances/{cancelled['id']}/cancel", "admin", json={}).status_code == 200
    rows, total = listed(api, "/api/v1/process-instances", "admin", status="open", version=1, limit=1)
    assert total == 1 and rows[0]["id"] == kept["id"]
    assert listed(api, "/api/v1/process-instances", "admin", version=1, limit=1)[1] == 2
    assert listed(api, "/api/v1/process-instances", "admin", version=2)[1] == 0
