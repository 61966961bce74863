"""A fresh process whose first request completes a step (a web process started after the login and the start
were answered by another): the engine builds steps without an ORM query, so nothing else has configured the
mappers yet (a gunicorn web process answered 500 here)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskClient

from api import create_app

ROOT = Path(__file__).resolve().parents[2]
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


def test_a_fresh_process_can_answer_a_completion_first(template_db: Path, tmp_path: Path) -> None:
    shutil.copy(template_db, tmp_path / "cchc.db")  # the demo data and approval5 (tests/api/conftest.py)
    url = f"sqlite:///{tmp_path / 'cchc.db'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    services = app.extensions["cchc"]
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
