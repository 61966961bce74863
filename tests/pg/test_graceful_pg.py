"""A graceful stop (SIGTERM) and a graceful restart (SIGHUP) of the gunicorn master on PostgreSQL: a completion whose
body is still arriving when the signal comes is answered and committed before the web process exits; after a
restart new web processes answer; nothing is lost."""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.db import make_engine
from engine.models import HumanTask
from tests.pg.test_processes_pg import demo_database, start_body
from tests.server_support import Client, Proc, start_web

pytestmark = pytest.mark.pg

PORT = 5123
SIGNAL_SETTLE = 0.5  # seconds for a web process to pick up data or a signal (real processes, not a clock)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Proc, str]]:
    url = demo_database()
    proc = start_web(url, PORT, tmp_path / "web.log", workers=2, threads=2)
    try:
        yield proc, url
    finally:
        proc.stop()


class HalfSentCompletion:
    """A keep-alive connection that has been answered once (so a web process holds it), then the headers and half
    the body of ``POST /tasks/{id}/complete``."""

    def __init__(self, port: int, token: str, task_id: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in self._read_response()
        self.body = json.dumps({"data": {"title": "Dự thảo gửi dở"}}).encode()
        head = (
            f"POST /api/v1/tasks/{task_id}/complete HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(self.body)}\r\n\r\n"
        ).encode()
        self.sock.sendall(head + self.body[:10])
        time.sleep(SIGNAL_SETTLE)  # the web process reads the headers and waits inside the app for the body

    def finish(self) -> str:
        """Send the rest of the body; the raw answer."""
        self.sock.sendall(self.body[10:])
        answer = self._read_response()
        self.sock.close()
        return answer.decode(errors="replace")

    def _read_response(self) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            data += self.sock.recv(65536)
        head, _, rest = data.partition(b"\r\n\r\n")
        lengths = [line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
        length = int(lengths[0])
        while len(rest) < length:
            rest += self.sock.recv(65536)
        return head + b"\r\n\r\n" + rest


def draft_step(port: int) -> tuple[str, int]:
    staff = Client(port, "cv.pnv")
    started = staff.ok("POST", "/api/v1/process-instances", start_body())
    staff.close()
    assert staff.token is not None
    return staff.token, int(started["open_tasks"][0]["id"])


def status_of(url: str, task_id: int) -> str:
    sql = make_engine(url)
    try:
        with sql.connect() as conn:
            return str(conn.scalar(select(HumanTask.status).where(HumanTask.id == task_id)))
    finally:
        sql.dispose()


def test_sigterm_finishes_the_request_in_flight_then_exits(server: tuple[Proc, str]) -> None:
    proc, url = server
    token, task_id = draft_step(proc.port)
    request = HalfSentCompletion(proc.port, token, task_id)
    mark = len(proc.log_text())
    proc.signal(signal.SIGTERM)
    proc.wait_for_log("Handling signal: term", start=mark)
    time.sleep(SIGNAL_SETTLE)
    assert proc.popen.poll() is None  # the master waits for the web process, which waits for the request
    answer = request.finish()
    assert answer.startswith("HTTP/1.1 200"), answer[:500]
    assert proc.popen.wait(timeout=60) == 0
    assert status_of(url, task_id) == "completed"


def test_sighup_replaces_the_web_processes_without_dropping_a_request(server: tuple[Proc, str]) -> None:
    proc, url = server
    old = proc.children()
    token, task_id = draft_step(proc.port)
    request = HalfSentCompletion(proc.port, token, task_id)
    mark = len(proc.log_text())
    proc.signal(signal.SIGHUP)
    proc.wait_for_log("Handling signal: hup", start=mark)
    deadline = time.monotonic() + 60
    while len(set(proc.children()) - set(old)) < len(old) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(SIGNAL_SETTLE)
    assert len(set(old) & set(proc.children())) >= 1  # the old web process holding the request is still there
    answer = request.finish()
    assert answer.startswith("HTTP/1.1 200"), (answer[:300], proc.log_text())
    assert status_of(url, task_id) == "completed"
    while set(old) & set(proc.children()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not set(old) & set(proc.children()), "the old web processes did not exit"
    token, task_id = draft_step(proc.port)  # the new web processes serve
    staff = Client(proc.port)
    staff.token = token
    staff.ok("POST", f"/api/v1/tasks/{task_id}/complete", {"data": {"title": "Sau khi khởi động lại"}})
    assert proc.popen.poll() is None and "Traceback" not in proc.log_text()
