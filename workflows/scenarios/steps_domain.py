"""Steps particular to one procedure: plan numbers, self-assessment sheets, survey responses, results, deployment."""

from __future__ import annotations

import io
from typing import Any

import yaml

from .registry import STEPS, exactly
from .steps_common import DAY, PROCESSES, iso, rows, show_date, today_is, vn_number
from .world import World

# ---------------------------------------------------------------------- plan issuance

DRAFT = {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC", "attachments": ["du-thao.docx"]}
MEMO = {"memo_content": "Kính trình UBND Thành phố ban hành kế hoạch", "memo_attachments": ["to-trinh.docx"]}
SIGNED_PLAN = "ke-hoach-da-ky.pdf"  # the issued plan, signed and stamped (uploaded by the clerk)


@STEPS.given(rf'Phòng Nội vụ đã ban hành một kế hoạch do "(?P<issuer>[^"]+)" ban hành trong ngày (?P<day>{DAY})')
def plan_issued_before(world: World, issuer: str, day: str) -> None:
    """A whole plan issuance of Phòng Nội vụ, each step done through the API by the demo user who holds it."""
    today_is(world, day, None)
    started = world.ok(
        "POST",
        "/process-instances",
        "cv.pnv",
        status=201,
        json={
            "process_key": "plan_issuance",
            "unit_code": "PNV",
            "data": {
                "activity_code": "I.3.1",
                "activity_title": "Kế hoạch CCHC",
                "deadline": None,
                "coordinating_units": [],
                "issuing_unit": issuer,
            },
        },
    )
    world.instances.append(started["id"])
    decisions: dict[str, tuple[str, dict[str, Any]]] = {
        "Soạn thảo dự thảo kế hoạch": ("cv.pnv", {**DRAFT, "needs_legal_review": False}),
        "Xem xét dự thảo": ("tp.pnv", {"decision": "approve", "extend": False}),
        "Lập tờ trình UBND": ("cv.pnv", MEMO),
        "Phê duyệt, ký ban hành": ("chutich", {"decision": "approve", "signing_authority": "TM", "extend": False}),
    }
    for name, (user, data) in decisions.items():
        assert world.complete(user, world.task(name), data).status_code == 200, world.response.json
    number = world.task("Cấp số, ngày ban hành")
    proposed = world.task_detail(number["id"])["data"]["proposed_number"]
    world.complete(
        "vanthu", number, {"document_number": proposed, "issued_date": iso(day), "issued_plan": [SIGNED_PLAN]}
    )
    world.complete(
        "vanthu",
        world.task("Phát hành đến Nơi nhận"),
        {"recipients": ["Sở Nội vụ"], "distributed_date": iso(day)},
    )
    assert world.instance()["status"] == "completed"


@STEPS.then(r'số văn bản đề xuất cho văn thư là "(?P<number>[^"]+)"')
def proposed_number(world: World, number: str) -> None:
    task = world.task("Cấp số, ngày ban hành")
    assert world.task_detail(task["id"])["data"]["proposed_number"] == number


@STEPS.when(rf'"(?P<user>[^"]+)" cấp số đề xuất với ngày ban hành (?P<day>{DAY})')
def clerk_takes_proposed_number(world: World, user: str, day: str) -> None:
    task = world.task("Cấp số, ngày ban hành")
    proposed = world.task_detail(task["id"])["data"]["proposed_number"]
    response = world.complete(
        user, task, {"document_number": proposed, "issued_date": iso(day), "issued_plan": [SIGNED_PLAN]}
    )
    assert response.status_code == 200, response.json


@STEPS.then(rf'kế hoạch được ban hành với số "(?P<number>[^"]+)" ngày (?P<day>{DAY})(?P<late>, quá hạn)?')
def plan_issued(world: World, number: str, day: str, late: str | None) -> None:
    data = world.data()
    assert (data["document_number"], show_date(data["issued_date"])) == (number, day), data
    assert data["issued_on_time"] is (late is None)


# ---------------------------------------------------------------------- index scoring


def criteria(code: str) -> dict[str, float]:
    """Sub-criterion code → max points of a criteria file (the input the unit's staff fill in)."""
    raw = yaml.safe_load((PROCESSES / "criteria" / f"{code}.yaml").read_text(encoding="utf-8"))
    leaves: dict[str, float] = {}

    def walk(node: dict[str, Any]) -> None:
        children = node.get("children") or node.get("criteria")
        if children:
            for child in children:
                walk(child)
        else:
            leaves[str(node["code"])] = float(node["max_points"])

    for area in raw["areas"]:
        walk(area)
    return leaves


SELF_SCORE = (
    r'"(?P<user>[^"]+)" (?P<attempt>thử )?tự chấm điểm cho đơn vị "(?P<unit>[^"]+)" theo bộ tiêu chí "(?P<code>[^"]+)"'
    r" với (?P<share>\d+) % điểm tối đa ở mọi tiêu chí thành phần"
    r'(?:, trừ:|, kèm giải trình trễ hạn "(?P<late>[^"]+)")?'
)


@STEPS.given(SELF_SCORE)
@STEPS.when(SELF_SCORE)
def self_score(
    world: World,
    user: str,
    attempt: str | None,
    unit: str,
    code: str,
    share: str,
    late: str | None,
    datatable: Any = None,
) -> None:
    """Every sub-criterion at ``share`` % of its maximum, each with one evidence file; a table overrides points.

    Override table columns: tiêu chí, điểm, minh chứng ("không" = no evidence file).
    """
    entries = {
        crit: {
            "points": round(maximum * int(share) / 100, 2),
            "evidence": [f"minh-chung/{crit}.pdf"],
            "explanation": "",
        }
        for crit, maximum in criteria(code).items()
    }
    for row in rows(datatable) if datatable else []:
        entry = entries[row["tiêu chí"]]
        if row.get("điểm"):
            entry["points"] = vn_number(row["điểm"])
        if row.get("minh chứng") == "không":
            entry["evidence"] = []
    task = world.task("Tự đánh giá, chấm điểm", unit)
    data = {"criteria_code": code, "entries": entries, "evidence_files": ["tai-lieu-kiem-chung.pdf"]}
    response = world.complete(user, task, data, late)
    if not attempt:
        assert response.status_code == 200, response.json


@STEPS.then(r"tổng điểm tự đánh giá của các đơn vị là:")
def self_assessed_totals(world: World, datatable: list[list[str]]) -> None:
    """Columns: đơn vị, tổng điểm."""
    actual = {
        a["unit_code"]: round(sum(p for p in a["points"].values() if p is not None), 2)
        for a in world.data()["self_assessments"]
    }
    assert actual == {r["đơn vị"]: vn_number(r["tổng điểm"]) for r in rows(datatable)}, actual


@STEPS.then(exactly("chỉ số tạm tính sau thẩm định là:"))
def provisional_index(world: World, datatable: list[list[str]]) -> None:
    """Columns: đơn vị, chỉ số tạm tính (without survey points)."""
    actual = {a["unit_code"]: a["provisional_index"] for a in world.data()["appraisals"]}
    assert actual == {r["đơn vị"]: vn_number(r["chỉ số tạm tính"]) for r in rows(datatable)}, actual


@STEPS.then(exactly("kết quả Chỉ số CCHC là:"))
def index_results(world: World, datatable: list[list[str]]) -> None:
    """Columns: đơn vị, điểm đạt, điểm tối đa, chỉ số, nhóm."""
    results = world.data()["index_results"]
    actual = {unit: (r["achieved"], r["max"], r["index_percent"], r["group"]) for unit, r in results.items()}
    expected = {
        r["đơn vị"]: (vn_number(r["điểm đạt"]), vn_number(r["điểm tối đa"]), vn_number(r["chỉ số"]), r["nhóm"])
        for r in rows(datatable)
    }
    assert actual == expected, actual


@STEPS.then(exactly("bảng xếp hạng Chỉ số CCHC là:"))
def ranking(world: World, datatable: list[list[str]]) -> None:
    """Columns: hạng, đơn vị, chỉ số, nhóm, xếp loại."""
    actual = [
        {
            "hạng": str(r["rank"]),
            "đơn vị": r["unit_code"],
            "chỉ số": r["index_percent"],
            "nhóm": r["group"],
            "xếp loại": r["group_label"],
        }
        for r in world.data()["ranking"]
    ]
    expected = [{**r, "chỉ số": vn_number(r["chỉ số"])} for r in rows(datatable)]
    assert actual == expected, actual


@STEPS.then(exactly("các đơn vị đã gửi giải trình là:"))
def explanations(world: World, datatable: list[list[str]]) -> None:
    """Columns: đơn vị, đã gửi (có/không)."""
    actual = [(e["unit_code"], "có" if e["submitted"] else "không") for e in world.data()["explanations"]]
    assert actual == [(r["đơn vị"], r["đã gửi"]) for r in rows(datatable)], actual


# ---------------------------------------------------------------------- satisfaction survey

SIPAS_COLUMNS = {
    "tiếp cận": "access",
    "thủ tục": "procedure",
    "công chức": "civil_servant",
    "kết quả": "result",
    "góp ý": "feedback",
}
SIPAS_LABELS = {
    "Tiếp cận dịch vụ": "access",
    "Thủ tục hành chính": "procedure",
    "Công chức trực tiếp giải quyết công việc": "civil_servant",
    "Kết quả cung ứng dịch vụ": "result",
    "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị": "feedback",
}


def _level(text: str) -> int | None:
    return None if text.strip() in {"", "-"} else int(text)


COLLECT = r'"(?P<user>[^"]+)" (?P<attempt>thử )?nhập các phiếu khảo sát của đơn vị "(?P<unit>[^"]+)":'


@STEPS.when(COLLECT)
def collect_responses(world: World, user: str, attempt: str | None, unit: str, datatable: list[list[str]]) -> None:
    """One row per questionnaire; columns: tiếp cận, thủ tục, công chức, kết quả, góp ý, chung (1–5, "-" = bỏ trống)."""
    responses = [
        {
            "answers": {code: _level(row[column]) for column, code in SIPAS_COLUMNS.items()},
            "overall": _level(row["chung"]),
        }
        for row in rows(datatable)
    ]
    response = world.complete(user, world.task("Nhập phiếu khảo sát của đơn vị", unit), {"responses": responses})
    if not attempt:
        assert response.status_code == 200, response.json


@STEPS.then(exactly("cỡ mẫu theo công thức Yamane là:"))
def yamane(world: World, datatable: list[list[str]]) -> None:
    """Columns: đơn vị, số giao dịch, cỡ mẫu."""
    data = world.data()
    desks = {d["unit_code"]: d["transactions"] for d in data["desks"]}
    actual = [(u, str(desks[u]), str(n)) for u, n in data["sample_sizes"].items()]
    assert actual == [(r["đơn vị"], r["số giao dịch"], r["cỡ mẫu"]) for r in rows(datatable)], actual


@STEPS.then(r"tổng cỡ mẫu là (?P<total>\d+) phiếu")
def sample_total(world: World, total: str) -> None:
    assert world.data()["sample_total"] == int(total)


@STEPS.then(exactly("kết quả khảo sát theo từng yếu tố là:"))
def sipas_elements(world: World, datatable: list[list[str]]) -> None:
    """Columns: yếu tố, số phiếu trả lời, hài lòng, tỷ lệ."""
    elements = world.data()["sipas_result"]["elements"]
    for row in rows(datatable):
        e = elements[SIPAS_LABELS[row["yếu tố"]]]
        assert (e["n"], e["satisfied"], e["percent"]) == (
            int(row["số phiếu trả lời"]),
            int(row["hài lòng"]),
            vn_number(row["tỷ lệ"]),
        ), (row, e)


@STEPS.then(
    r"chỉ số hài lòng chung là (?P<index>[\d,]+) %, câu hỏi chung đạt (?P<overall>[\d,]+) % "
    r"trên (?P<n>\d+) phiếu"
)
def sipas_index(world: World, index: str, overall: str, n: str) -> None:
    result = world.data()["sipas_result"]
    assert result["index"] == vn_number(index), result
    assert (result["overall"]["percent"], result["n"]) == (vn_number(overall), int(n)), result


@STEPS.then(exactly("chỉ số hài lòng theo đơn vị là:"))
def sipas_units(world: World, datatable: list[list[str]]) -> None:
    """Columns: đơn vị, số phiếu, chỉ số."""
    units = world.data()["sipas_result"]["units"]
    actual = [(u, str(r["n"]), r["index"]) for u, r in units.items()]
    assert actual == [(r["đơn vị"], r["số phiếu"], vn_number(r["chỉ số"])) for r in rows(datatable)], actual


@STEPS.then(exactly("tình trạng nhập phiếu của các đơn vị là:"))
def batches(world: World, datatable: list[list[str]]) -> None:
    """Columns: đơn vị, số phiếu, cỡ mẫu, đã gửi (có/không)."""
    actual = [
        (b["unit_code"], str(b["count"]), str(b["target"]), "có" if b["submitted"] else "không")
        for b in world.data()["survey_batches"]
    ]
    assert actual == [(r["đơn vị"], r["số phiếu"], r["cỡ mẫu"], r["đã gửi"]) for r in rows(datatable)], actual


# ---------------------------------------------------------------------- deployment


def bundle(key: str, *, without: str | None = None, note: str | None = None) -> dict[str, Any]:
    """The multipart body of POST /process-definitions for processes/<key> (diagram, forms, UI schemas and DMN:
    what ``engine.definitions.read_bundle`` reads)."""
    folder = PROCESSES / key
    bpmn = (folder / f"{key}.bpmn").read_bytes()
    if note:
        bpmn += f"\n<!-- {note} -->\n".encode()
    files = [
        (io.BytesIO(p.read_bytes()), p.name)
        for p in sorted(folder.iterdir())
        if (p.suffix == ".dmn" or p.name.endswith((".schema.json", ".uischema.json"))) and p.name != without
    ]
    return {"bpmn": (io.BytesIO(bpmn), f"{key}.bpmn"), "files": files}


DEPLOY = (
    r'"(?P<user>[^"]+)" triển khai sơ đồ "(?P<key>[^"]+)" kèm biểu mẫu'
    r'(?: nhưng thiếu tệp "(?P<without>[^"]+)")?(?: có ghi chú sửa đổi "(?P<note>[^"]+)")?'
)


@STEPS.when(DEPLOY)
def deploy(world: World, user: str, key: str, without: str | None, note: str | None) -> None:
    world.response = world.call(
        "POST",
        "/process-definitions",
        user,
        data=bundle(key, without=without, note=note),
        content_type="multipart/form-data",
    )


@STEPS.then(
    r'hệ thống (?P<created>tạo phiên bản mới|giữ phiên bản đã có) (?P<version>\d+) của quy trình "(?P<key>[^"]+)"'
)
def deployed(world: World, created: str, version: str, key: str) -> None:
    response = world.response
    is_new = created == "tạo phiên bản mới"
    assert response.status_code == (201 if is_new else 200), response.json
    body = response.json
    assert (body["key"], body["version"], body["created"]) == (key, int(version), is_new), body
    latest = world.ok("GET", f"/process-definitions/{key}", "admin")
    assert latest["version"] == int(version)


@STEPS.then(r'quy trình "(?P<key>[^"]+)" có (?P<count>\d+) phiên bản')
def versions(world: World, key: str, count: str) -> None:
    assert len(world.ok("GET", f"/process-definitions/{key}/versions", "admin")) == int(count)


# ---------------------------------------------------------------------- inspection

INSPECTION_PLAN = {
    "title": "Kế hoạch kiểm tra công tác CCHC năm 2024",
    "year": 2024,
    "content": "Kiểm tra việc thực hiện kế hoạch CCHC năm 2024",
}
INSPECTION_TEAM = {
    "team_lead": {"name": "Trần Thị Mai", "position": "Phó Chủ tịch UBND"},
    "members": [{"name": "Võ Thị Hạnh", "position": "Chuyên viên", "unit_code": "PNV"}],
    "secretary": {"name": "Đặng Quốc Bảo", "position": "Chuyên viên"},
}


@STEPS.given(
    r'đợt kiểm tra các đơn vị (?P<units>"[^"]+"(?:, "[^"]+")*) từ (?P<start>\S+) đến (?P<end>\S+) '
    r"đã được phê duyệt, có quyết định thành lập Đoàn và đã gửi thông báo ngày (?P<notice>\S+)"
)
def inspection_prepared(world: World, units: str, start: str, end: str, notice: str) -> None:
    """The first five steps of the current inspection, each by the demo user who holds it."""
    plan = {**INSPECTION_PLAN, "units": [u.strip().strip('"') for u in units.split(",")]}
    plan |= {"start_date": iso(start), "end_date": iso(end)}
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("Soạn kế hoạch kiểm tra CCHC", "cchc.pnv", plan),
        ("Phê duyệt kế hoạch kiểm tra", "chutich", {"approved": True}),
        ("Dự thảo quyết định thành lập Đoàn kiểm tra", "cchc.pnv", INSPECTION_TEAM),
        (
            "Ký quyết định thành lập Đoàn kiểm tra",
            "pct",
            {
                "decision_number": "125/QĐ-UBND",
                "decision_date": "2024-03-05",
                "decision_file": ["quyet-dinh-kiem-tra.pdf"],
            },
        ),
        (
            "Gửi thông báo kiểm tra và đề cương báo cáo",
            "cchc.pnv",
            {"notice_number": "12/TB-PNV", "notice_date": iso(notice), "outline": "Đề cương báo cáo tự kiểm tra"},
        ),
    ]
    for name, user, data in steps:
        response = world.complete(user, world.task(name), data)
        assert response.status_code == 200, (name, response.json)


@STEPS.then(exactly("các báo cáo tự kiểm tra đã nhận là:"))
def self_reports(world: World, datatable: list[list[str]]) -> None:
    """Columns: đơn vị, ngày gửi, trễ hạn (có/không)."""
    actual = sorted(
        (r["unit_code"], show_date(r["submitted_on"]), "có" if r["late"] else "không")
        for r in world.data()["self_reports"]
    )
    assert actual == sorted((r["đơn vị"], r["ngày gửi"], r["trễ hạn"]) for r in rows(datatable)), actual


@STEPS.then(r'lỗi triển khai "(?P<code>[^"]+)" chỉ ra bước "(?P<element>[^"]+)" với nội dung "(?P<text>.+)"')
def deploy_problem(world: World, code: str, element: str, text: str) -> None:
    problems = world.response.json["error"]["details"]
    assert [(p["code"], p["element_id"]) for p in problems] == [(code, element)], problems
    assert text in problems[0]["message"], problems
