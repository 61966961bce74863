"""Real server processes for the multi-process tests and benches: a gunicorn master with its web processes, deadline
worker processes, and a keep-alive HTTP client that logs in as a demo user."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a server process: this tree, the database, one secret shared by every process."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CCHC_DATABASE_URL": database_url,
        "CCHC_SECRET_KEY": extra.pop("CCHC_SECRET_KEY", "multi-process-test-secret"),
        "CCHC_LOGIN_RATE_LIMIT": "10000 per minute",
        "CCHC_LOGIN_ADDRESS_RATE_LIMIT": "10000 per minute",
        **extra,
    }


@dataclass
class Proc:
    """A process we started (in its own session), its log, and for a web server its port."""

    popen: subprocess.Popen[bytes]
    log: Path
    port: int = 0
    name: str = "server"
    _out: Any = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def children(self) -> list[int]:
        """The pids whose parent is this process (a gunicorn master's web processes)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.pid:
                found.append(int(entry.name))
        return sorted(found)

    def signal(self, sig: int) -> None:
        if self.popen.poll() is None:
            os.kill(self.pid, sig)

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM and wait (then SIGKILL the whole session); the exit code."""
        if self.popen.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill_all()
        self.close_log()
        return int(self.popen.returncode)

    def kill_all(self) -> None:
        """SIGKILL to the process and every process of its session (its web processes)."""
        for pid in [*self.children(), self.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.popen.wait(timeout=30)
        self.close_log()

    def close_log(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def wait_for_log(self, text: str, timeout: float = 30, start: int = 0) -> None:
        """Until ``text`` appears in the log after offset ``start`` (the process reports what it did)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_text()[start:]:
                return
            if self.popen.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{self.name}: {text!r} not in the log within {timeout} s:\n{self.log_text()[-3000:]}")


def _spawn(argv: list[str], env: dict[str, str], log: Path, name: str, port: int = 0) -> Proc:
    log.parent.mkdir(parents=True, exist_ok=True)
    out = log.open("ab")
    popen = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return Proc(popen, log, port, name, out)


def start_web(
    database_url: str, port: int, log: Path, *, workers: int = 2, threads: int = 4, **env: str
) -> Proc:
    """``cchc serve --workers N`` (gunicorn) on ``port``, answering ``/healthz`` before this returns."""
    argv = [sys.executable, "-m", "api.cli", "serve", "--workers", str(workers), "--threads", str(threads)]
    proc = _spawn([*argv, "--port", str(port)], server_env(database_url, **env), log, f"web:{port}", port)
    wait_until_up(proc, workers)
    return proc


def start_worker(database_url: str, log: Path, *, poll: float = 0.5, **env: str) -> Proc:
    """``cchc worker`` (timers, reminders, e-mail) in a process of its own."""
    argv = [sys.executable, "-m", "api.cli", "worker", "--poll", str(poll)]
    return _spawn(argv, server_env(database_url, **env), log, "worker")


def wait_until_up(proc: Proc, workers: int = 1, timeout: float = 90) -> None:
    """Until ``/healthz`` answers and the master has booted ``workers`` web processes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise AssertionError(f"{proc.name} stopped (exit {proc.popen.returncode}):\n{proc.log_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", proc.port, timeout=5)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok and len(proc.children()) >= workers:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{proc.name} did not answer within {timeout} s:\n{proc.log_text()[-3000:]}")


class Client:
    """A keep-alive connection to one server, logged in as one user (bearer token)."""

    def __init__(self, port: int, username: str | None = None, timeout: float = 60, password: str = "demo") -> None:
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.token: str | None = None
        self.last_error: str | None = None  # the exception of the last call without an answer
        if username is not None:
            status, data = self.call("POST", "/api/v1/auth/login", {"username": username, "password": password})
            assert status == 200, (status, data)
            self.token = data["token"]

    def call(self, method: str, path: str, body: Any = None, *, multipart: dict[str, Any] | None = None) -> Any:
        """``(status, decoded JSON)``; status 0 when no answer came (connection refused, reset, timeout)."""
        headers = {"Accept": "application/json"}
        payload: bytes | None = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if multipart is not None:
            payload, headers["Content-Type"] = encode_multipart(multipart)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.last_error = type(exc).__name__
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            return 0, None
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw.decode(errors="replace")

    def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        """The JSON of a 2xx answer (anything else fails the test)."""
        status, data = self.call(method, path, body, **kw)
        assert 200 <= status < 300, (method, path, status, data)
        return data

    def close(self) -> None:
        self.conn.close()


def encode_multipart(parts: dict[str, Any]) -> tuple[bytes, str]:
    """``{field: (filename, bytes) or [(filename, bytes), …]}`` as multipart/form-data."""
    boundary = secrets.token_hex(16)
    chunks: list[bytes] = []
    for name, value in parts.items():
        for filename, content in value if isinstance(value, list) else [value]:
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
