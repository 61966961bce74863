"""The template instances of ``bench/seed_million.py``, made by the app itself through its HTTP API.

Four placeholder units (``ZZTPLU0`` leads, ``ZZTPLU1``–``3`` comment) and their people start ``generic_activity``
instances and complete them to each stage a seeded instance can be in: the product step open (stage 0), three
coordinating units' comments open (1), the head's confirmation open (2), completed (3), each for a few deadlines.
The seed then copies these instances' rows with the placeholders (unit codes, user names, the title's number,
every UUID) replaced, so every seeded row is one the app wrote.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text

TEMPLATE_UNITS = tuple(f"ZZTPLU{j}" for j in range(4))  # 0 leads, 1-3 give comments
SEQ_TOKEN = "ZZSEQ"  # the title's number
STAGES = (0, 1, 2, 3)
DEADLINE_DAYS = (20, 60, 150)  # the variants of the activity's deadline, days after the seed
ORGANISATION = "SADEC"  # the demo organisation the seeded units join
PARENT_UNIT = "UBND"
PASSWORD = "demo"
REPORT_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def unit_name(code: str) -> tuple[str, str]:
    """A seeded unit's name and short name (the code is in both, so a template's placeholder covers them)."""
    return f"Phòng chuyên môn {code}", f"Phòng {code}"


def people(code: str) -> list[tuple[str, str, str]]:
    """The ten people of a seeded unit: (username, full name, role): a head, eight staff, a CCHC coordinator."""
    low = code.lower()
    found = [(f"tp.{low}", f"Trưởng phòng {code}", "head")]
    found += [(f"cv{k}.{low}", f"Chuyên viên {k} {code}", "staff") for k in range(1, 9)]
    found.append((f"cchc.{low}", f"Đầu mối CCHC {code}", "coordinator"))
    return found


def template_staff(j: int) -> str:
    """The template unit ``j``'s acting staff member: ``cvzzn{j}`` becomes ``cv{k}`` in a copy."""
    return f"cvzzn{j}.zztplu{j}"


def add_template_people(session: Any, now: datetime, password_hash: str) -> None:
    """The placeholder units and their people (the head and the acting staff member)."""
    for j, code in enumerate(TEMPLATE_UNITS):
        name, short = unit_name(code)
        session.execute(
            text(
                "INSERT INTO unit (code, name, short_name, kind, parent_code, aliases, organisation_code) "
                "VALUES (:c, :n, :s, 'cqcm', :p, '[]', :o)"
            ),
            {"c": code, "n": name, "s": short, "p": PARENT_UNIT, "o": ORGANISATION},
        )
        for username, full, role in (
            (template_staff(j), f"Chuyên viên {code}", "staff"),
            (f"tp.{code.lower()}", f"Trưởng phòng {code}", "head"),
        ):
            session.execute(
                text(
                    "INSERT INTO app_user (username, full_name, email, password_hash, unit_code, roles, active, "
                    "created_at) VALUES (:u, :f, NULL, :h, :c, :r, true, :t)"
                ),
                {"u": username, "f": full, "h": password_hash, "c": code, "r": f'["{role}"]', "t": now},
            )


@dataclass(frozen=True)
class Made:
    """A template instance: its id, the stage it stopped at, its deadline variant."""

    instance_id: int
    stage: int
    variant: int


class _Client:
    def __init__(self, app: Any) -> None:
        self.client = app.test_client()
        self.tokens: dict[str, str] = {}

    def _auth(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            answer = self.client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
            if answer.status_code != 200:
                raise SystemExit(f"login {user}: {answer.status_code} {answer.get_json()}")
            self.tokens[user] = answer.get_json()["token"]
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def post(self, user: str, path: str, **kw: Any) -> Any:
        answer = self.client.post(path, headers=self._auth(user), **kw)
        if answer.status_code not in (200, 201):
            raise SystemExit(f"POST {path} as {user}: {answer.status_code} {answer.get_json()}")
        return answer.get_json()


def _open(result: dict[str, Any], element: str) -> list[int]:
    return [t["id"] for t in result.get("open_tasks", []) if t["element_id"] == element]


def make_templates(app: Any, today: date) -> list[Made]:
    """Start and advance the template instances through the API; one per stage and deadline variant."""
    api = _Client(app)
    lead = template_staff(0)
    document = api.post(lead, "/api/v1/documents", data={"file": (_pdf(), "bao-cao.pdf")})["id"]
    made: list[Made] = []
    for variant, days in enumerate(DEADLINE_DAYS):
        for stage in STAGES:
            start = {
                "process_key": "generic_activity",
                "unit_code": TEMPLATE_UNITS[0],
                "data": {
                    "activity_code": "VII.3.9",
                    "activity_title": f"Kiểm tra công tác cải cách hành chính đợt {SEQ_TOKEN}",
                    "deadline": (today + timedelta(days=days)).isoformat(),
                    "coordinating_units": list(TEMPLATE_UNITS[1:]),
                    "output_kind": "Báo cáo",
                },
            }
            result = api.post(lead, "/api/v1/process-instances", json=start)
            instance_id = result["id"]
            if stage >= 1:
                perform = {
                    "output_title": "Báo cáo kết quả kiểm tra công tác cải cách hành chính",
                    "result_summary": "Đã kiểm tra 5 cơ quan, đơn vị; kết quả đạt yêu cầu.",
                    "attachments": [document],
                    "ask_coordinating_units": True,
                }
                (task,) = _open(result, "Task_perform")
                result = api.post(lead, f"/api/v1/tasks/{task}/complete", json={"data": perform})["instance"]
            if stage >= 2:
                for j in range(1, 4):
                    comments = _open(result, "Task_comment")
                    mine = [
                        t for t in result["open_tasks"] if t["id"] in comments and t["unit_code"] == TEMPLATE_UNITS[j]
                    ]
                    comment = {"coord_opinion": "agree", "coord_content": "Thống nhất với nội dung báo cáo."}
                    body: dict[str, Any] = {"data": comment}
                    result = api.post(template_staff(j), f"/api/v1/tasks/{mine[0]['id']}/complete", json=body)[
                        "instance"
                    ]
            if stage >= 3:
                (task,) = _open(result, "Task_confirm")
                body = {"data": {"decision": "confirm", "extend": False}}
                result = api.post(f"tp.{TEMPLATE_UNITS[0].lower()}", f"/api/v1/tasks/{task}/complete", json=body)
            made.append(Made(instance_id, stage, variant))
    return made


def _pdf() -> io.BytesIO:
    return io.BytesIO(REPORT_PDF)


def verify(app: Any, session: Any) -> list[str]:
    """Open and complete seeded steps through the API as their people would; one line per check."""
    api = _Client(app)
    lines: list[str] = []
    picks = session.execute(
        text(
            "SELECT DISTINCT ON (element_id) id, element_id, unit_code, instance_id FROM human_task "
            "WHERE status = 'ready' AND unit_code LIKE 'DV%' ORDER BY element_id, id DESC"
        )
    ).all()
    for task_id, element, unit, instance_id in picks:
        user = f"tp.{unit.lower()}" if element == "Task_confirm" else f"cv3.{unit.lower()}"
        got = api.client.get(f"/api/v1/tasks/{task_id}", headers=api._auth(user))
        if got.status_code != 200:
            raise SystemExit(f"GET /tasks/{task_id} as {user}: {got.status_code} {got.get_json()}")
        lines.append(f"GET /tasks/{task_id} ({element}) as {user}: {got.status_code}")
        if element == "Task_perform":
            document = api.post(user, "/api/v1/documents", data={"file": (_pdf(), "bao-cao.pdf")})["id"]
            data: dict[str, Any] = {
                "output_title": "Báo cáo kết quả thực hiện",
                "result_summary": "Đã hoàn thành đúng kế hoạch.",
                "attachments": [document],
                "ask_coordinating_units": False,
            }
        elif element == "Task_comment":
            data = {"coord_opinion": "agree", "coord_content": "Thống nhất."}
        else:
            data = {"decision": "confirm", "extend": False}
        done = api.post(user, f"/api/v1/tasks/{task_id}/complete", json={"data": data})
        lines.append(
            f"POST /tasks/{task_id}/complete as {user}: 200, now {[t['element_id'] for t in done['next_tasks']]}"
        )
        shown = api.client.get(f"/api/v1/process-instances/{instance_id}", headers=api._auth(user))
        if shown.status_code != 200:
            raise SystemExit(f"GET /process-instances/{instance_id}: {shown.status_code} {shown.get_json()}")
        lines.append(f"GET /process-instances/{instance_id}: {shown.status_code}, {shown.get_json().get('status')}")
    return lines
