"""Steps that check what users then see: refusals, the audit trail, escalations, returns, extensions, instance data,
accounts and notifications."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.clock import LOCAL_TZ

from .registry import STEPS, exactly
from .steps_common import DAY, ROLE_CODES, error_of, iso, role_code, rows, show_date
from .world import World

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


# ---------------------------------------------------------------------- refusals


@STEPS.then(r'yêu cầu bị từ chối với mã (?P<status>\d{3}) "(?P<code>[^"]+)"')
def refused_with(world: World, status: str, code: str) -> None:
    response = world.response
    assert response.status_code == int(status), (response.status_code, response.json)
    assert error_of(response)["code"] == code, response.json


@STEPS.then(r'thông báo lỗi là "(?P<message>.+)"')
def error_message_is(world: World, message: str) -> None:
    assert error_of(world.response)["message"] == message, world.response.json


@STEPS.then(r'thông báo lỗi có nội dung "(?P<text>.+)"')
def error_message_contains(world: World, text: str) -> None:
    assert text in error_of(world.response)["message"], world.response.json


@STEPS.then(r'lỗi của trường "(?P<field>[^"]+)" là "(?P<message>[^"]+)"')
def field_error_is(world: World, field: str, message: str) -> None:
    details = error_of(world.response)["details"]
    assert message in details[field], details


@STEPS.then(r"lỗi chỉ ra các trường (?P<fields>.+)")
def error_fields(world: World, fields: str) -> None:
    names = {f.strip().strip('"') for f in fields.replace(" và ", ", ").split(",")}
    details = error_of(world.response)["details"]
    assert names <= set(details), details


# ---------------------------------------------------------------------- audit trail and recorded data


@STEPS.then(exactly("nhật ký hồ sơ ghi lần lượt:"))
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


@STEPS.then(r'nhật ký hồ sơ có (?P<count>\d+) sự kiện "(?P<label>[^"]+)"')
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


@STEPS.then(exactly("hồ sơ có các cảnh báo:"))
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


@STEPS.then(exactly("hồ sơ chưa có cảnh báo nào"))
def no_escalations(world: World) -> None:
    assert world.data()["data_objects"]["escalations"] == []


@STEPS.then(exactly("hồ sơ ghi nhận các lần trả lại:"))
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


@STEPS.then(exactly("hồ sơ ghi nhận các lần gia hạn:"))
def extensions_are(world: World, datatable: list[list[str]]) -> None:
    """Columns: bước, hạn cũ, hạn mới, lý do."""
    actual = [
        {"bước": e["step"], "hạn cũ": show_date(e["old"]), "hạn mới": show_date(e["new"]), "lý do": e["reason"]}
        for e in world.data()["extensions"]
    ]
    assert actual == rows(datatable), actual


@STEPS.then(exactly("hồ sơ không có lần gia hạn nào"))
def no_extensions(world: World) -> None:
    assert world.data()["extensions"] == []


@STEPS.then(r'dữ liệu hồ sơ "(?P<path>[^"]+)" là (?P<value>.+)')
def data_value(world: World, path: str, value: str) -> None:
    """A value of the instance data (dotted path) compared with a JSON literal."""
    current: Any = world.data()
    for part in path.split("."):
        current = current[int(part)] if isinstance(current, list) else current[part]
    assert current == json.loads(value), current


# ---------------------------------------------------------------------- accounts

NEW_PASSWORD = "Sen hồng 2024"  # accounts a scenario creates through the API (the password rules refuse "demo")


@STEPS.given(
    r'quản trị viên đã tạo tài khoản "(?P<username>[^"]+)" \((?P<full_name>[^)]+)\) '
    r'với vai trò (?P<role>.+?) của đơn vị "(?P<unit>[^"]+)"'
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


@STEPS.when(r'"(?P<user>[^"]+)" hủy hồ sơ với lý do "(?P<reason>[^"]+)"')
def cancel_instance(world: World, user: str, reason: str) -> None:
    world.response = world.call("POST", f"/process-instances/{world.instance_id}/cancel", user, json={"reason": reason})
    assert world.response.status_code == 200, world.response.json


@STEPS.when(r"(?:một người chưa đăng nhập|khách) xem danh sách hồ sơ")
def anonymous_lists(world: World) -> None:
    world.response = world.call("GET", "/process-instances")


@STEPS.when(r'"(?P<user>[^"]+)" đăng nhập với mật khẩu "(?P<password>[^"]*)"')
def login_attempt(world: World, user: str, password: str) -> None:
    world.response = world.call("POST", "/auth/login", json={"username": user, "password": password})


# ---------------------------------------------------------------------- notifications


@STEPS.then(
    r'"(?P<user>[^"]+)" (?P<neg>chưa )?nhận được thông báo "(?P<title>[^"]+)"'
    r'(?: với nội dung có "(?P<text>.+)")?'
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


@STEPS.when(
    rf'"(?P<user>[^"]+)" (?P<attempt>thử )?gia hạn bước "(?P<name>[^"]+)" đến ngày (?P<day>{DAY})'
    r' với lý do "(?P<reason>[^"]+)"'
)
def extend_step(world: World, user: str, attempt: str | None, name: str, day: str, reason: str) -> None:
    """Gia hạn một bước (POST /tasks/{id}/extend) to a new due date."""
    task = world.task(name)
    world.response = world.call(
        "POST", f"/tasks/{task['id']}/extend", user, json={"due_at": iso(day), "reason": reason}
    )
    if not attempt:
        assert world.response.status_code == 200, world.response.json
