"""One scenario's state: an HTTP client of the API, the users' tokens, the instances started, the last answer.

The steps drive the API as users do. The client is handed in (a Flask test client of the live test app in the
BDD tests, of an isolated app in a draft's run): this module knows the paths of the API, not the API's code.
Each step tells the world which element of the diagram it acts on or checks (``concern``), so that a failing
step can name it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from engine.clock import ManualClock

from .. import worker
from ..demo import demo_password
from ..document_fields import document_fields
from ..services import Services
from .files import file_bytes

OBSERVER = "admin"  # reads instances and task data (administrators see everything, act on nothing)

ABOUT_UNIT_VARIABLES = (
    "appraised_unit",
    "explaining_unit",
    "scored_unit",
    "onsite_unit",
    "inspected_unit",
    "survey_unit",
    "remediation_unit",
    "coord_unit",
)


@dataclass(frozen=True)
class Concern:
    """The element of the diagram a step acts on or checks: its id, its name and its lane (when known)."""

    element_id: str | None
    name: str | None = None
    lane: str | None = None


def _about_units(data: dict[str, Any]) -> set[str]:
    return {data[name] for name in ABOUT_UNIT_VARIABLES if isinstance(data.get(name), str)}


class World:
    """One scenario's state; ``client`` is a Flask test client (``open``), ``services`` those behind it."""

    def __init__(self, client: Any, services: Services, clock: ManualClock) -> None:
        self.client = client
        self.services = services
        self.clock = clock
        self.tokens: dict[str, str] = {}
        self.instances: list[int] = []
        self.response: Any = None
        self.fired = 0
        self.documents: dict[tuple[str, str], int] = {}  # (uploader, file name) → document id
        self.passwords: dict[str, str] = {}  # the accounts the scenario created
        self.concern: Concern | None = None

    # ------------------------------------------------------------------ HTTP
    def token(self, username: str) -> str:
        if username not in self.tokens:
            password = self.passwords.get(username) or demo_password()
            response = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
            body = response.get_json()
            assert response.status_code == 200, f"Không đăng nhập được tài khoản {username!r}: {body}"
            self.tokens[username] = body["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, user: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def ok(self, method: str, path: str, user: str | None = None, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, user, **kwargs)
        assert response.status_code == status, (method, path, user, response.status_code, response.json)
        return response.json

    # ------------------------------------------------------------------ instances and steps
    @property
    def instance_id(self) -> int:
        assert self.instances, "Chưa có hồ sơ nào được khởi tạo trong kịch bản."
        return self.instances[-1]

    def instance(self, instance_id: int | None = None) -> dict[str, Any]:
        return self.ok("GET", f"/process-instances/{instance_id or self.instance_id}", OBSERVER)  # type: ignore[no-any-return]

    def data(self) -> dict[str, Any]:
        return self.instance()["data"]  # type: ignore[no-any-return]

    def task_detail(self, task_id: int) -> dict[str, Any]:
        return self.ok("GET", f"/tasks/{task_id}", OBSERVER)  # type: ignore[no-any-return]

    def open_tasks(self, name: str | None = None, unit: str | None = None) -> list[dict[str, Any]]:
        """Open steps of the current instance, by step name and the unit they belong to or are about."""
        tasks = [t for t in self.instance()["open_tasks"] if name is None or t["name"] == name]
        if unit is None:
            return tasks
        own = [t for t in tasks if t["unit_code"] == unit]
        if own:
            return own
        # several steps sit with one unit (the council appraises every ward): pick by the unit they are about
        return [t for t in tasks if unit in _about_units(self.task_detail(t["id"])["data"])]

    def task(self, name: str, unit: str | None = None) -> dict[str, Any]:
        """The one open step called ``name`` (of or about ``unit``); the step concerns its element.

        None open: the step concerns the element the instance waits at instead (the first open step), the
        message names what is open.
        """
        tasks = self.open_tasks(name, unit)
        if len(tasks) == 1:
            self.notice(tasks[0])
            return tasks[0]
        open_now = self.instance()["open_tasks"]
        if open_now and not tasks:
            self.notice(open_now[0])
        elif tasks:
            self.notice(tasks[0])
        where = f' của đơn vị "{unit}"' if unit else ""
        listed = "; ".join(f'"{t["name"]}" ({t["element_id"]}, {t["unit_code"]})' for t in open_now) or "không có"
        found = "Không thấy" if not tasks else f"Có {len(tasks)}"
        raise AssertionError(f'{found} bước "{name}"{where} đang mở. Các bước đang mở: {listed}.')

    def notice(self, task: dict[str, Any]) -> None:
        """This step acts on or checks ``task``'s element."""
        self.concern = Concern(task.get("element_id"), task.get("name"), task.get("lane"))

    # ------------------------------------------------------------------ documents
    def upload(self, user: str, name: str, data: bytes | None = None) -> Any:
        """``user`` uploads ``data`` (default: a real small file of ``name``'s type) as ``name``."""
        headers = {"Authorization": f"Bearer {self.token(user)}"}
        content = file_bytes(name) if data is None else data
        self.response = self.client.post(
            "/api/v1/documents",
            headers=headers,
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )
        if self.response.status_code == 201:
            self.documents[(user, name)] = self.response.json["id"]
        return self.response

    def document_id(self, user: str, item: str) -> int:
        """The document a file name in a form stands for: ``"<user>:<name>"`` another user's upload; a name
        ``user`` already uploaded, that one; otherwise a real small file of its type uploaded by ``user`` now."""
        owner, _, name = item.partition(":")
        if name and (owner, name) in self.documents:
            return self.documents[(owner, name)]
        if (user, item) not in self.documents:
            response = self.upload(user, item)
            assert response.status_code == 201, (user, item, response.json)
        return self.documents[(user, item)]

    def with_documents(self, user: str, task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        """The form data with the file names of its attachment fields (x-document) replaced by document ids."""
        fields = document_fields(self.task_detail(task["id"])["schema"])
        out = dict(data)
        for key in fields:
            value = out.get(key)
            if isinstance(value, list):
                out[key] = [self.document_id(user, item) if isinstance(item, str) else item for item in value]
        return out

    def complete(self, user: str, task: dict[str, Any], data: dict[str, Any], late_reason: str | None = None) -> Any:
        """Complete a step with its form data (file names in attachment fields are uploaded first, as ``user``,
        and sent as document ids); an overdue step needs a giải trình (``late_reason``)."""
        self.notice(task)
        body: dict[str, Any] = {"data": self.with_documents(user, task, data)}
        if late_reason is not None:
            body["late_reason"] = late_reason
        self.response = self.call("POST", f"/tasks/{task['id']}/complete", user, json=body)
        return self.response

    def tick(self) -> int:
        """Run the timer worker at the current clock time; the number of instance runs the due timers caused."""
        self.fired = worker.tick(self.services, self.services.clock.now()).timers_fired
        return self.fired
