"""A fresh process whose first request completes a step (a web process started after the login and the start
were answered by another): the engine builds steps without an ORM query, so nothing else has configured the
mappers yet (a gunicorn web process answered 500 here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskClient

from api import create_app
from engine.definitions import read_bundle
from engine.views import SYSTEM_ACTOR
from workflows.definitions import deploy_definition
from workflows.demo import load_demo
from workflows.schema import upgrade

ROOT = Path(__file__).resolve().parents[2]
APPROVAL5 = ROOT / "tests" / "fixtures" / "approval5" / "approval5.bpmn"
SECRET = "first-request-secret"

FRESH_PROCESS = """
import json, sys
from api import create_app
app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": sys.argv[2]})
answer = app.test_client().post(
    f"/api/v1/tasks/{sys.argv[3]}/complete",
    json={"data": {"title": "Dự thảo"}},
    headers={"Authorization": "Bearer " + sys.argv[4]},
)
print(json.dumps({"status": answer.status_code, "body": answer.get_json()}))
"""


def _login(client: FlaskClient, username: str) -> str:
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": "demo"})
    assert answer.status_code == 200, answer.get_json()
    return str(answer.get_json()["token"])


def test_a_fresh_process_can_answer_a_completion_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cchc.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    services = app.extensions["cchc"]
    load_demo(services)
    with services.uow() as uow:
        bpmn, files = read_bundle(APPROVAL5)
        deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()
    client = app.test_client()
    token = _login(client, "cv.pnv")
    started = client.post(
        "/api/v1/process-instances",
        json={"process_key": "approval5", "unit_code": "PNV", "data": {"topic": "Kế hoạch CCHC"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert started.status_code == 201, started.get_json()
    [step] = started.get_json()["open_tasks"]
    services.close()

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, url, SECRET, str(step["id"]), token],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200, answer
    assert answer["body"]["next_tasks"][0]["element_id"] == "Task_review"
