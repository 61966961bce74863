"""Steps every procedure shares: time, starting, completing, approving, returning, and what users then see."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.clock import LOCAL_TZ

from .registry import STEPS, exactly
from .world import World

PROCESSES = Path(__file__).resolve().parents[2] / "processes"

DAY = r"\d{2}/\d{2}/\d{4}"

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
    """The sample start data of ``processes/<key>`` (a new process's draft has none: nothing)."""
    path = PROCESSES / key / "sample-start.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def json_body(docstring: str | None) -> dict[str, Any]:
    return json.loads(docstring) if docstring and docstring.strip() else {}


def rows(datatable: list[list[str]]) -> list[dict[str, str]]:
    header, *body = datatable
    return [dict(zip(header, row, strict=True)) for row in body]


def refused(response: Any, action: str) -> str:
    """The message of a step whose request the API refused: the action, the status and the API's own message."""
    body = response.json if isinstance(response.json, dict) else {}
    error = body.get("error") or {}
    return f"{action} bị từ chối ({response.status_code} {error.get('code', '')}): {error.get('message', body)}"


def error_of(response: Any) -> dict[str, Any]:
    body = response.json
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------- time


@STEPS.given(rf"hôm nay là (?:ngày )?(?P<day>{DAY})(?: lúc (?P<hm>\d{{2}}:\d{{2}}))?")
@STEPS.when(rf"hôm nay là (?:ngày )?(?P<day>{DAY})(?: lúc (?P<hm>\d{{2}}:\d{{2}}))?")
def today_is(world: World, day: str, hm: str | None) -> None:
    hour, minute = (int(x) for x in (hm or "08:00").split(":"))
    world.clock.set(datetime.combine(vn_date(day), datetime.min.time(), LOCAL_TZ).replace(hour=hour, minute=minute))


@STEPS.given(rf"đồng hồ chuyển đến (?P<hm>\d{{2}}:\d{{2}}) ngày (?P<day>{DAY}) và bộ xử lý hẹn giờ chạy")
@STEPS.when(rf"đồng hồ chuyển đến (?P<hm>\d{{2}}:\d{{2}}) ngày (?P<day>{DAY}) và bộ xử lý hẹn giờ chạy")
def time_passes(world: World, day: str, hm: str) -> None:
    today_is(world, day, hm)
    world.tick()


@STEPS.then(r"bộ xử lý hẹn giờ đã xử lý (?P<count>\d+) hồ sơ")
def timers_fired(world: World, count: str) -> None:
    assert world.fired == int(count), f"Bộ xử lý hẹn giờ đã xử lý {world.fired} hồ sơ, không phải {count}."


# ---------------------------------------------------------------------- starting


START_STEP = (
    r'"(?P<user>[^"]+)" (?P<attempt>thử )?khởi tạo quy trình "(?P<key>[^"]+)"'
    r' cho đơn vị "(?P<unit>[^"]+)"(?: với dữ liệu:)?'
)


@STEPS.given(START_STEP)
@STEPS.when(START_STEP)
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
    assert world.response.status_code == 201, refused(world.response, f'Khởi tạo quy trình "{key}"')
    world.instances.append(world.response.json["id"])


# ---------------------------------------------------------------------- acting on steps


LATE = r'(?:,? kèm giải trình trễ hạn "(?P<late>[^"]+)")?'

COMPLETE = (
    r'"(?P<user>[^"]+)" (?P<attempt>thử )?hoàn thành bước "(?P<name>[^"]+)"'
    r'(?: (?:của|về) đơn vị "(?P<unit>[^"]+)")?' + LATE + r"(?:,? với dữ liệu)?:?"
)


@STEPS.given(COMPLETE)
@STEPS.when(COMPLETE)
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
        assert response.status_code == 200, refused(response, f'Xử lý bước "{name}"')


def _decision_field(world: World, task: dict[str, Any]) -> dict[str, Any]:
    return world.task_detail(task["id"])["schema"]["properties"]  # type: ignore[no-any-return]


APPROVE = (
    r'"(?P<user>[^"]+)" (?P<attempt>thử )?(?:phê duyệt|duyệt|xác nhận|tiếp nhận|ký duyệt) bước "(?P<name>[^"]+)"'
    r'(?: (?:của|về) đơn vị "(?P<unit>[^"]+)")?(?: với thẩm quyền ký "(?P<authority>TM|KT)")?' + LATE
)


@STEPS.given(APPROVE)
@STEPS.when(APPROVE)
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
        assert response.status_code == 200, refused(response, f'Xử lý bước "{name}"')


RETURN = (
    r'"(?P<user>[^"]+)" (?P<attempt>thử )?trả lại bước "(?P<name>[^"]+)"'
    r'(?: (?:của|về) đơn vị "(?P<unit>[^"]+)")?(?: với lý do "(?P<reason>[^"]*)")?'
    r'(?: và gia hạn (?P<days>\d+) ngày làm việc(?: với lý do "(?P<ext_reason>[^"]+)")?'
    rf"| và gia hạn đến ngày (?P<until>{DAY}))?" + LATE
)


@STEPS.given(RETURN)
@STEPS.when(RETURN)
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
        assert response.status_code == 200, refused(response, f'Xử lý bước "{name}"')


@STEPS.when(r'"(?P<user>[^"]+)" nhận xử lý bước "(?P<name>[^"]+)"(?: của đơn vị "(?P<unit>[^"]+)")?')
def claim_step(world: World, user: str, name: str, unit: str | None) -> None:
    world.response = world.call("POST", f"/tasks/{world.task(name, unit)['id']}/claim", user)
    assert world.response.status_code == 200, refused(world.response, f'Nhận xử lý bước "{name}"')


@STEPS.when(
    r'"(?P<user>[^"]+)" (?P<attempt>thử )?giao bước "(?P<name>[^"]+)"(?: của đơn vị "(?P<unit>[^"]+)")?'
    r' cho "(?P<assignee>[^"]+)"'
)
def assign_step(world: World, user: str, attempt: str | None, name: str, unit: str | None, assignee: str) -> None:
    task = world.task(name, unit)
    world.response = world.call("POST", f"/tasks/{task['id']}/assign", user, json={"username": assignee})
    if not attempt:
        assert world.response.status_code == 200, refused(world.response, f'Giao bước "{name}"')


# ---------------------------------------------------------------------- who holds what, and by when


HOLDS = (
    r'bước "(?P<name>[^"]+)"(?: (?:của|về) đơn vị "(?P<about>[^"]+)")? thuộc về (?P<role>[^"]+?) '
    rf'của đơn vị "(?P<unit>[^"]+)"(?: với hạn ngày (?P<day>{DAY}))?'
)


@STEPS.then(HOLDS)
def step_is_held_by(world: World, name: str, about: str | None, role: str, unit: str, day: str | None) -> None:
    task = world.task(name, about or unit)
    actual = f'{ROLE_CODES.get(task["role"], task["role"])} của đơn vị "{task["unit_code"]}"'
    assert (task["role"], task["unit_code"]) == (role_code(role), unit), f'Bước "{name}" thuộc về {actual}.'
    if day:
        assert local_due(task) == (day, "17:00"), _due_message(name, task, day)


@STEPS.then(rf'bước "(?P<name>[^"]+)"(?: (?:của|về) đơn vị "(?P<unit>[^"]+)")? có hạn ngày (?P<day>{DAY})')
def step_due(world: World, name: str, unit: str | None, day: str) -> None:
    task = world.task(name, unit)
    assert local_due(task) == (day, "17:00"), _due_message(name, task, day)


def _due_message(name: str, task: dict[str, Any], day: str) -> str:
    due, hour = local_due(task)
    return f'Hạn của bước "{name}" là {hour} ngày {due}, không phải 17:00 ngày {day}.'


@STEPS.then(exactly("các bước đang mở của hồ sơ là:"))
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
    shown = "; ".join(", ".join(row.values()) for row in actual) or "không có"
    assert actual == sorted(expected, key=lambda r: tuple(r.values())), f"Các bước đang mở là: {shown}."


@STEPS.then(exactly("hồ sơ không còn bước nào đang mở"))
def no_open_steps(world: World) -> None:
    names = [t["name"] for t in world.instance()["open_tasks"]]
    assert names == [], f"Hồ sơ còn bước đang mở: {', '.join(names)}."


@STEPS.then(r'bước "(?P<name>[^"]+)"(?: (?:của|về) đơn vị "(?P<unit>[^"]+)")? vẫn đang mở')
def step_still_open(world: World, name: str, unit: str | None) -> None:
    assert world.task(name, unit)["status"] == "ready"


@STEPS.then(
    r'hộp công việc (?P<overdue>quá hạn )?của "(?P<user>[^"]+)" (?P<neg>không )?có bước "(?P<name>[^"]+)"'
    r'(?: của đơn vị "(?P<unit>[^"]+)")?'
)
def inbox_has(world: World, overdue: str | None, user: str, neg: str | None, name: str, unit: str | None) -> None:
    inbox = world.ok("GET", "/tasks?overdue=true" if overdue else "/tasks", user)
    mine = [
        t
        for t in inbox
        if t["instance_id"] == world.instance_id and t["name"] == name and (unit is None or t["unit_code"] == unit)
    ]
    if neg:
        assert mine == [], f'Hộp công việc của "{user}" có bước "{name}".'
    else:
        ours = [f'"{t["name"]}"' for t in inbox if t["instance_id"] == world.instance_id]
        listed = ", ".join(ours) or "không có bước nào"
        assert mine, f'Hộp công việc của "{user}" không có bước "{name}" của hồ sơ (có: {listed}).'


@STEPS.then(r"hồ sơ (?P<state>đã hoàn thành|đang xử lý|đã hủy|đang chờ)")
def instance_status(world: World, state: str) -> None:
    expected = {"đã hoàn thành": "completed", "đang xử lý": "running", "đã hủy": "cancelled", "đang chờ": "waiting"}
    status = world.instance()["status"]
    shown = {code: label for label, code in expected.items()}.get(status, "đang lỗi" if status == "error" else status)
    assert status == expected[state], f"Hồ sơ {shown}, không phải {state}."


@STEPS.then(r"hồ sơ chạy trên phiên bản (?P<version>\d+) của quy trình")
def instance_version(world: World, version: str) -> None:
    assert world.instance()["definition_version"] == int(version)
