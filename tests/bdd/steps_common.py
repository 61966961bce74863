"""Steps every procedure shares: time, starting, completing, approving, returning, and what users then see."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_bdd import given, parsers, then, when

from engine.clock import LOCAL_TZ

if TYPE_CHECKING:
    from tests.bdd.conftest import World

PROCESSES = Path(__file__).resolve().parents[2] / "processes"

DAY = r"\d{2}/\d{2}/\d{4}"
NEW_PASSWORD = "Sen hồng 2024"  # accounts a scenario creates through the API (the password rules refuse "demo")

# The role names users see in the features, and the role codes of the lanes.
ROLE_LABELS: dict[str, str] = {
    "chuyên viên": "staff",
    "lãnh đạo đơn vị": "head",
    "lãnh đạo UBND": "leader",
    "văn thư": "clerk",
    "đầu mối CCHC": "coordinator",
    "hội đồng thẩm định": "appraiser",
    "quản trị viên": "admin",
}
ROLE_CODES = {code: label for label, code in ROLE_LABELS.items()}

EVENT_LABELS: dict[str, str] = {
    "khởi tạo hồ sơ": "instance_started",
    "hoàn thành bước": "task_completed",
    "hẹn giờ kích hoạt": "timer_fired",
    "kết thúc hồ sơ": "instance_completed",
    "nhận xử lý": "task_claimed",
    "trả lại hàng chờ": "task_unclaimed",
    "giao việc": "task_assigned",
    "hủy hồ sơ": "instance_cancelled",
    "giải trình trễ hạn": "task_late_explained",
    "gia hạn bước": "task_deadline_extended",
}

ESCALATION_KINDS = {"overdue": "quá hạn", "due_soon": "sắp đến hạn"}


# ---------------------------------------------------------------------- small helpers


def vn_date(text: str) -> date:
    """``dd/mm/yyyy`` → date."""
    return datetime.strptime(text.strip(), "%d/%m/%Y").date()


def iso(text: str) -> str:
    return vn_date(text).isoformat()


def show_date(value: str | None) -> str:
    """An ISO date or datetime (any offset) → ``dd/mm/yyyy`` in Vietnam."""
    if not value:
        return ""
    if len(value) == 10:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return datetime.fromisoformat(value).astimezone(LOCAL_TZ).strftime("%d/%m/%Y")


def local_due(task: dict[str, Any]) -> tuple[str, str]:
    """A step's deadline as (dd/mm/yyyy, HH:MM) in Vietnam."""
    due = datetime.fromisoformat(task["due_at"]).astimezone(LOCAL_TZ)
    return due.strftime("%d/%m/%Y"), due.strftime("%H:%M")


def role_code(label: str) -> str:
    assert label in ROLE_LABELS, f"Vai trò không rõ: {label!r} (dùng một trong {sorted(ROLE_LABELS)})"
    return ROLE_LABELS[label]


def vn_number(text: str) -> float:
    """``97,75`` or ``97.75`` → 97.75."""
    return float(text.strip().replace(" %", "").replace("%", "").replace(",", "."))


def sample_start(key: str) -> dict[str, Any]:
    return json.loads((PROCESSES / key / "sample-start.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def json_body(docstring: str | None) -> dict[str, Any]:
    return json.loads(docstring) if docstring and docstring.strip() else {}


def rows(datatable: list[list[str]]) -> list[dict[str, str]]:
    header, *body = datatable
    return [dict(zip(header, row, strict=True)) for row in body]


def error_of(response: Any) -> dict[str, Any]:
    body = response.json
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------- time


@given(parsers.re(rf"hôm nay là (?:ngày )?(?P<day>{DAY})(?: lúc (?P<hm>\d{{2}}:\d{{2}}))?"))
@when(parsers.re(rf"hôm nay là (?:ngày )?(?P<day>{DAY})(?: lúc (?P<hm>\d{{2}}:\d{{2}}))?"))
def today_is(world: World, day: str, hm: str | None) -> None:
    hour, minute = (int(x) for x in (hm or "08:00").split(":"))
    world.clock.set(datetime.combine(vn_date(day), datetime.min.time(), LOCAL_TZ).replace(hour=hour, minute=minute))


@given(parsers.re(rf"đồng hồ chuyển đến (?P<hm>\d{{2}}:\d{{2}}) ngày (?P<day>{DAY}) và bộ xử lý hẹn giờ chạy"))
@when(parsers.re(rf"đồng hồ chuyển đến (?P<hm>\d{{2}}:\d{{2}}) ngày (?P<day>{DAY}) và bộ xử lý hẹn giờ chạy"))
def time_passes(world: World, day: str, hm: str) -> None:
    today_is(world, day, hm)
    world.tick()


@then(parsers.re(r"bộ xử lý hẹn giờ đã xử lý (?P<count>\d+) hồ sơ"))
def timers_fired(world: World, count: str) -> None:
    assert world.fired == int(count), world.fired


# ---------------------------------------------------------------------- starting


START_STEP = (
    r'"(?P<user>[^"]+)" (?P<attempt>thử )?khởi tạo quy trình "(?P<key>[^"]+)"'
    r' cho đơn vị "(?P<unit>[^"]+)"(?: với dữ liệu:)?'
)


@given(parsers.re(START_STEP))
@when(parsers.re(START_STEP))
def start_process(
    world: World, user: str, attempt: str | None, key: str, unit: str, docstring: str | None = None
) -> None:
    """Start from the process's sample-start.json, with the values of the docstring (JSON) replacing its own."""
    data = {**sample_start(key), **json_body(docstring)}
    world.response = world.call(
        "POST", "/process-instances", user, json={"process_key": key, "unit_code": unit, "data": data}
    )
    if attempt:
        return
    assert world.response.status_code == 201, world.response.json
    world.instances.append(world.response.json["id"])


# ---------------------------------------------------------------------- acting on steps


LATE = r'(?:,? kèm giải trình trễ hạn "(?P<late>[^"]+)")?'

COMPLETE = (
    r'"(?P<user>[^"]+)" (?P<attempt>thử )?hoàn thành bước "(?P<name>[^"]+)"'
    r'(?: (?:của|về) đơn vị "(?P<unit>[^"]+)")?' + LATE + r"(?:,? với dữ liệu)?:?"
)


@given(parsers.re(COMPLETE))
@when(parsers.re(COMPLETE))
def complete_step(
    world: World,
    user: str,
    attempt: str | None,
    name: str,
    unit: str | None,
    late: str | None,
    docstring: str | None = None,
) -> None:
    response = world.complete(user, world.task(name, unit), json_body(docstring), late)
    if not attempt:
        assert response.status_code == 200, response.json


def _decision_field(world: World, task: dict[str, Any]) -> dict[str, Any]:
    return world.task_detail(task["id"])["schema"]["properties"]  # type: ignore[no-any-return]


APPROVE = (
    r'"(?P<user>[^"]+)" (?P<attempt>thử )?(?:phê duyệt|duyệt|xác nhận|tiếp nhận|ký duyệt) bước "(?P<name>[^"]+)"'
    r'(?: (?:của|về) đơn vị "(?P<unit>[^"]+)")?(?: với thẩm quyền ký "(?P<authority>TM|KT)")?' + LATE
)


@given(parsers.re(APPROVE))
@when(parsers.re(APPROVE))
def approve_step(
    world: World, user: str, attempt: str | None, name: str, unit: str | None, authority: str | None, late: str | None
) -> None:
    """The approving answer of the step's own form (approve / accept / confirm / approved = true)."""
    task = world.task(name, unit)
    fields = _decision_field(world, task)
    if "approved" in fields:
        data: dict[str, Any] = {"approved": True}
    else:
        [positive] = [c["const"] for c in fields["decision"]["oneOf"] if c["const"] != "return"]
        data = {"decision": positive, "extend": False}
        if "signing_authority" in fields:
            data["signing_authority"] = authority or "TM"
    response = world.complete(user, task, data, late)
    if not attempt:
        assert response.status_code == 200, response.json


RETURN = (
    r'"(?P<user>[^"]+)" (?P<attempt>thử )?trả lại bước "(?P<name>[^"]+)"'
    r'(?: (?:của|về) đơn vị "(?P<unit>[^"]+)")?(?: với lý do "(?P<reason>[^"]*)")?'
    r'(?: và gia hạn (?P<days>\d+) ngày làm việc(?: với lý do "(?P<ext_reason>[^"]+)")?'
    rf"| và gia hạn đến ngày (?P<until>{DAY}))?" + LATE
)


@given(parsers.re(RETURN))
@when(parsers.re(RETURN))
def return_step(
    world: World,
    user: str,
    attempt: str | None,
    name: str,
    unit: str | None,
    reason: str | None,
    days: str | None,
    ext_reason: str | None,
    until: str | None,
    late: str | None,
) -> None:
    """Trả lại (kèm lý do), optionally with a deadline extension, in the step's own form."""
    task = world.task(name, unit)
    fields = _decision_field(world, task)
    if "approved" in fields:
        data: dict[str, Any] = {"approved": False}
        if reason is not None:
            data["reason"] = reason
        if until:
            data["extend_to"] = iso(until)
    else:
        data = {"decision": "return", "extend": bool(days)}
        if reason is not None:
            data["return_reason"] = reason
        if days:
            data["extension_days"] = int(days)
            if ext_reason:
                data["extension_reason"] = ext_reason
    response = world.complete(user, task, data, late)
    if not attempt:
        assert response.status_code == 200, response.json


@when(parsers.re(r'"(?P<user>[^"]+)" nhận xử lý bước "(?P<name>[^"]+)"(?: của đơn vị "(?P<unit>[^"]+)")?'))
def claim_step(world: World, user: str, name: str, unit: str | None) -> None:
    world.response = world.call("POST", f"/tasks/{world.task(name, unit)['id']}/claim", user)
    assert world.response.status_code == 200, world.response.json


@when(
    parsers.re(
        r'"(?P<user>[^"]+)" (?P<attempt>thử )?giao bước "(?P<name>[^"]+)"(?: của đơn vị "(?P<unit>[^"]+)")?'
        r' cho "(?P<assignee>[^"]+)"'
    )
)
def assign_step(world: World, user: str, attempt: str | None, name: str, unit: str | None, assignee: str) -> None:
    task = world.task(name, unit)
    world.response = world.call("POST", f"/tasks/{task['id']}/assign", user, json={"username": assignee})
    if not attempt:
        assert world.response.status_code == 200, world.response.json


# ---------------------------------------------------------------------- who holds what, and by when


HOLDS = (
    r'bước "(?P<name>[^"]+)"(?: (?:của|về) đơn vị "(?P<about>[^"]+)")? thuộc về (?P<role>[^"]+?) '
    rf'của đơn vị "(?P<unit>[^"]+)"(?: với hạn ngày (?P<day>{DAY}))?'
)


@then(parsers.re(HOLDS))
def step_is_held_by(world: World, name: str, about: str | None, role: str, unit: str, day: str | None) -> None:
    task = world.task(name, about or unit)
    assert (task["role"], task["unit_code"]) == (role_code(role), unit), task
    if day:
        assert local_due(task) == (day, "17:00"), (local_due(task), day)


@then(parsers.re(rf'bước "(?P<name>[^"]+)"(?: (?:của|về) đơn vị "(?P<unit>[^"]+)")? có hạn ngày (?P<day>{DAY})'))
def step_due(world: World, name: str, unit: str | None, day: str) -> None:
    task = world.task(name, unit)
    assert local_due(task) == (day, "17:00"), (local_due(task), day)


@then("các bước đang mở của hồ sơ là:")
def open_steps_are(world: World, datatable: list[list[str]]) -> None:
    """Columns: bước, vai trò, đơn vị, hạn (any subset, always bước); compared as a multiset."""
    expected = rows(datatable)
    columns = list(expected[0]) if expected else ["bước"]

    def view(task: dict[str, Any]) -> dict[str, str]:
        full = {
            "bước": task["name"],
            "vai trò": ROLE_CODES.get(task["role"], task["role"]),
            "đơn vị": task["unit_code"] or "",
            "hạn": local_due(task)[0] if task["due_at"] else "",
        }
        return {c: full[c] for c in columns}

    actual = sorted((view(t) for t in world.instance()["open_tasks"]), key=lambda r: tuple(r.values()))
    assert actual == sorted(expected, key=lambda r: tuple(r.values())), actual


@then("hồ sơ không còn bước nào đang mở")
def no_open_steps(world: World) -> None:
    assert world.instance()["open_tasks"] == []


@then(parsers.re(r'bước "(?P<name>[^"]+)"(?: (?:của|về) đơn vị "(?P<unit>[^"]+)")? vẫn đang mở'))
def step_still_open(world: World, name: str, unit: str | None) -> None:
    assert world.task(name, unit)["status"] == "ready"


@then(
    parsers.re(
        r'hộp công việc (?P<overdue>quá hạn )?của "(?P<user>[^"]+)" (?P<neg>không )?có bước "(?P<name>[^"]+)"'
        r'(?: của đơn vị "(?P<unit>[^"]+)")?'
    )
)
def inbox_has(world: World, overdue: str | None, user: str, neg: str | None, name: str, unit: str | None) -> None:
    inbox = world.ok("GET", "/tasks?overdue=true" if overdue else "/tasks", user)
    mine = [
        t
        for t in inbox
        if t["instance_id"] == world.instance_id and t["name"] == name and (unit is None or t["unit_code"] == unit)
    ]
    if neg:
        assert mine == [], mine
    else:
        assert mine, [(t["name"], t["unit_code"]) for t in inbox]


@then(parsers.re(r"hồ sơ (?P<state>đã hoàn thành|đang xử lý|đã hủy|đang chờ)"))
def instance_status(world: World, state: str) -> None:
    expected = {"đã hoàn thành": "completed", "đang xử lý": "running", "đã hủy": "cancelled", "đang chờ": "waiting"}
    assert world.instance()["status"] == expected[state]


@then(parsers.re(r"hồ sơ chạy trên phiên bản (?P<version>\d+) của quy trình"))
def instance_version(world: World, version: str) -> None:
    assert world.instance()["definition_version"] == int(version)


# ---------------------------------------------------------------------- refusals


@then(parsers.re(r'yêu cầu bị từ chối với mã (?P<status>\d{3}) "(?P<code>[^"]+)"'))
def refused_with(world: World, status: str, code: str) -> None:
    response = world.response
    assert response.status_code == int(status), (response.status_code, response.json)
    assert error_of(response)["code"] == code, response.json


@then(parsers.re(r'thông báo lỗi là "(?P<message>.+)"'))
def error_message_is(world: World, message: str) -> None:
    assert error_of(world.response)["message"] == message, world.response.json


@then(parsers.re(r'thông báo lỗi có nội dung "(?P<text>.+)"'))
def error_message_contains(world: World, text: str) -> None:
    assert text in error_of(world.response)["message"], world.response.json


@then(parsers.re(r'lỗi của trường "(?P<field>[^"]+)" là "(?P<message>[^"]+)"'))
def field_error_is(world: World, field: str, message: str) -> None:
    details = error_of(world.response)["details"]
    assert message in details[field], details


@then(parsers.re(r"lỗi chỉ ra các trường (?P<fields>.+)"))
def error_fields(world: World, fields: str) -> None:
    names = {f.strip().strip('"') for f in fields.replace(" và ", ", ").split(",")}
    details = error_of(world.response)["details"]
    assert names <= set(details), details


# ---------------------------------------------------------------------- audit trail and recorded data


@then("nhật ký hồ sơ ghi lần lượt:")
def audit_trail(world: World, datatable: list[list[str]]) -> None:
    """Columns: sự kiện, phần tử, người thực hiện — matched in order, other events may lie between."""
    events = world.ok("GET", f"/process-instances/{world.instance_id}/events", "admin")
    remaining = iter(events)
    for want in rows(datatable):
        kind = EVENT_LABELS[want["sự kiện"]]
        for event in remaining:
            if (
                event["kind"] == kind
                and want.get("phần tử", "") in ("", event["element_id"] or "")
                and want.get("người thực hiện", "") in ("", event["actor"] or "")
            ):
                break
        else:
            summary = [(e["kind"], e["element_id"], e["actor"]) for e in events]
            raise AssertionError(f"Không thấy sự kiện {want} theo đúng thứ tự trong nhật ký {summary}")


@then(parsers.re(r'nhật ký hồ sơ có (?P<count>\d+) sự kiện "(?P<label>[^"]+)"'))
def audit_count(world: World, count: str, label: str) -> None:
    events = world.ok("GET", f"/process-instances/{world.instance_id}/events", "admin")
    assert sum(1 for e in events if e["kind"] == EVENT_LABELS[label]) == int(count), events


LANE_UNITS = {"parent": "cấp trên", "var:coord_unit": "đơn vị phối hợp"}


def _unit_shown(world: World, unit: Any) -> str:
    if unit in LANE_UNITS:
        return LANE_UNITS[unit]
    if unit == "instance":
        return str(world.instance()["unit_code"])
    if isinstance(unit, str) and unit.startswith("code:"):
        return unit.removeprefix("code:")
    return "" if unit is None else str(unit)


def _recipients(to: Any) -> str:
    names = [str(n) for n in (to if isinstance(to, list) else [to])]
    return ", ".join(ROLE_CODES.get(n, n) for n in names)


@then("hồ sơ có các cảnh báo:")
def escalations_are(world: World, datatable: list[list[str]]) -> None:
    """Columns (any subset): bước, loại, đơn vị, hạn, gửi đến, lúc — the escalations in the order recorded."""
    expected = rows(datatable)
    recorded = world.data()["data_objects"]["escalations"]
    actual = []
    for e in recorded:
        element = e.get("element") or e["step"]
        full = {
            "bước": element,
            "loại": ESCALATION_KINDS.get(e.get("kind", "overdue"), e.get("kind")),
            "đơn vị": _unit_shown(world, e.get("unit")),
            "hạn": show_date(e["due"]),
            "gửi đến": _recipients(e["to"]),
            "lúc": datetime.fromisoformat(e["at"]).astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y"),
        }
        actual.append({c: full[c] for c in (expected[0] if expected else full)})
    assert actual == expected, actual


@then("hồ sơ chưa có cảnh báo nào")
def no_escalations(world: World) -> None:
    assert world.data()["data_objects"]["escalations"] == []


@then("hồ sơ ghi nhận các lần trả lại:")
def returns_are(world: World, datatable: list[list[str]]) -> None:
    """Columns: bước, trả về, lý do, lúc."""
    actual = [
        {
            "bước": r["step"],
            "trả về": r["back_to"],
            "lý do": r["reason"],
            "lúc": datetime.fromisoformat(r["at"]).astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y"),
        }
        for r in world.data()["returns"]
    ]
    header = datatable[0]
    assert [{k: a[k] for k in header} for a in actual] == rows(datatable), actual


@then("hồ sơ ghi nhận các lần gia hạn:")
def extensions_are(world: World, datatable: list[list[str]]) -> None:
    """Columns: bước, hạn cũ, hạn mới, lý do."""
    actual = [
        {"bước": e["step"], "hạn cũ": show_date(e["old"]), "hạn mới": show_date(e["new"]), "lý do": e["reason"]}
        for e in world.data()["extensions"]
    ]
    assert actual == rows(datatable), actual


@then("hồ sơ không có lần gia hạn nào")
def no_extensions(world: World) -> None:
    assert world.data()["extensions"] == []


@then(parsers.re(r'dữ liệu hồ sơ "(?P<path>[^"]+)" là (?P<value>.+)'))
def data_value(world: World, path: str, value: str) -> None:
    """A value of the instance data (dotted path) compared with a JSON literal."""
    current: Any = world.data()
    for part in path.split("."):
        current = current[int(part)] if isinstance(current, list) else current[part]
    assert current == json.loads(value), current


# ---------------------------------------------------------------------- accounts


@given(
    parsers.re(
        r'quản trị viên đã tạo tài khoản "(?P<username>[^"]+)" \((?P<full_name>[^)]+)\) '
        r'với vai trò (?P<role>.+?) của đơn vị "(?P<unit>[^"]+)"'
    )
)
def account_created(world: World, username: str, full_name: str, role: str, unit: str) -> None:
    """An administrator creates an account through the API (a password the rules accept)."""
    world.ok(
        "POST",
        "/users",
        "admin",
        status=201,
        json={
            "username": username,
            "full_name": full_name,
            "password": NEW_PASSWORD,
            "unit_code": unit,
            "roles": [role_code(role)],
        },
    )
    world.passwords[username] = NEW_PASSWORD


@when(parsers.re(r'"(?P<user>[^"]+)" hủy hồ sơ với lý do "(?P<reason>[^"]+)"'))
def cancel_instance(world: World, user: str, reason: str) -> None:
    world.response = world.call("POST", f"/process-instances/{world.instance_id}/cancel", user, json={"reason": reason})
    assert world.response.status_code == 200, world.response.json


@when(parsers.re(r"(?:một người chưa đăng nhập|khách) xem danh sách hồ sơ"))
def anonymous_lists(world: World) -> None:
    world.response = world.call("GET", "/process-instances")


@when(parsers.re(r'"(?P<user>[^"]+)" đăng nhập với mật khẩu "(?P<password>[^"]*)"'))
def login_attempt(world: World, user: str, password: str) -> None:
    world.response = world.call("POST", "/auth/login", json={"username": user, "password": password})


# ---------------------------------------------------------------------- notifications


@then(
    parsers.re(
        r'"(?P<user>[^"]+)" (?P<neg>chưa )?nhận được thông báo "(?P<title>[^"]+)"'
        r'(?: với nội dung có "(?P<text>.+)")?'
    )
)
def notified(world: World, user: str, neg: str | None, title: str, text: str | None) -> None:
    """The user's notifications (GET /notifications) hold exactly one with this title, or none."""
    items = [n for n in world.ok("GET", "/notifications", user)["items"] if n["title"] == title]
    if neg:
        assert items == [], items
        return
    assert len(items) == 1, items
    if text:
        assert text in items[0]["message"], items[0]


@when(
    parsers.re(
        rf'"(?P<user>[^"]+)" (?P<attempt>thử )?gia hạn bước "(?P<name>[^"]+)" đến ngày (?P<day>{DAY})'
        r' với lý do "(?P<reason>[^"]+)"'
    )
)
def extend_step(world: World, user: str, attempt: str | None, name: str, day: str, reason: str) -> None:
    """Gia hạn một bước (POST /tasks/{id}/extend) to a new due date."""
    task = world.task(name)
    world.response = world.call(
        "POST", f"/tasks/{task['id']}/extend", user, json={"due_at": iso(day), "reason": reason}
    )
    if not attempt:
        assert world.response.status_code == 200, world.response.json
