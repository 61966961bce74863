"""Soak: N clients × T seconds of office work against a CCHC Flow server, through the HTTP API.

Each client (a thread with its own keep-alive connection) logs in as a demo staff member (password ``demo``,
``CCHC_DEMO_PASSWORD`` otherwise) and loops: start a ``generic_activity`` instance for its unit, complete the
first step (``Task_perform``), read its inbox (``GET /tasks``), read plan progress (``GET /plans/1/progress``).
It prints requests/s, p50/p95/p99 per endpoint and the errors by status and code, and exits non-zero on any
5xx, any ``database_busy`` or any request that got no answer. A 409 ``Conflict`` other than ``database_busy``
is a lost race and is only counted.

Against a running server: ``.venv/bin/python bench/soak.py --url http://127.0.0.1:5000 --clients 16 --seconds 60``.
One command, on a fresh database: ``--serve sqlite`` (a temp dir) or ``--serve postgresql`` (``--pg-url``,
default ``postgresql://postgres@127.0.0.1:5432/cchc_soak_bench``: that database is dropped and created again,
so its name must contain "bench"). The server is ``cchc init`` then ``cchc serve`` (waitress, 8 threads, the
deadline worker in a thread) on ``--port`` (default 5101), run from ``--code`` (default: this tree; give
another checkout to measure it the same way). ``--json PATH`` writes the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
STAFF = ["cv.pnv", "cv.ptp", "cv.vp", "cv.pvhtt", "cv.p1", "cv.p2"]
UNIT_OF = {"cv.pnv": "PNV", "cv.ptp": "PTP", "cv.vp": "VP", "cv.pvhtt": "PVHTT", "cv.p1": "P1", "cv.p2": "P2"}
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/cchc_soak_bench"
BUSY_CODE = "database_busy"


@dataclass
class Sample:
    """One request: which endpoint, what came back, how long it took."""

    endpoint: str
    status: int  # 0: no answer (connection error, timeout)
    code: str | None
    seconds: float


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, batch: list[Sample]) -> None:
        with self.lock:
            self.samples.extend(batch)


class Client:
    """One office clerk: a keep-alive HTTP connection, a bearer token, and the samples of its requests."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.token: str | None = None
        self.samples: list[Sample] = []

    def call(
        self,
        method: str,
        path: str,
        endpoint: str,
        body: Any = None,
        *,
        file: tuple[str, bytes] | None = None,
        decode: bool = True,
    ) -> tuple[int, Any]:
        """(status, the decoded JSON); ``decode=False``: a successful answer's body is read but not decoded (the
        client's own CPU is not the system under test; an error's body is always decoded for its code)."""
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if file is not None:  # one multipart part named "file", as the upload form sends it
            boundary = secrets.token_hex(16)
            name, content = file
            payload = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n".encode()
                + content
                + f"\r\n--{boundary}--\r\n".encode()
            )
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.samples.append(Sample(endpoint, 0, type(exc).__name__, time.perf_counter() - started))
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            return 0, None
        elapsed = time.perf_counter() - started
        try:
            data = json.loads(raw) if raw and (decode or status >= 400) else None
        except ValueError:
            data = None
        code = None
        if status >= 400:
            error = data.get("error") if isinstance(data, dict) else None
            code = str(error.get("code")) if isinstance(error, dict) else None
        self.samples.append(Sample(endpoint, status, code, elapsed))
        return status, data


def start_body(unit: str, n: int) -> dict[str, Any]:
    """A generic activity for ``unit``, due in four months (so that its steps are on time)."""
    return {
        "process_key": "generic_activity",
        "unit_code": unit,
        "data": {
            "activity_code": "VII.3.9",
            "activity_title": f"Kiểm tra tình hình thực hiện công tác CCHC (lượt {n})",
            "deadline": (date.today() + timedelta(days=120)).isoformat(),
            "coordinating_units": [],
            "output_kind": "Báo cáo",
        },
    }


PERFORM = {
    "output_title": "Báo cáo kết quả kiểm tra công tác CCHC",
    "result_summary": "Đã kiểm tra 5 cơ quan, đơn vị; kết quả đạt yêu cầu.",
    "ask_coordinating_units": False,
}
# The product's file each clerk uploads once and attaches to every completion: a one-page PDF.
REPORT_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def run_client(
    index: int, host: str, port: int, deadline: float, password: str, results: Results, timeout: float
) -> None:
    """Log in, then loop start → complete → inbox → progress until ``deadline``."""
    username = STAFF[index % len(STAFF)]
    unit = UNIT_OF[username]
    client = Client(host, port, timeout)
    try:
        status, data = client.call(
            "POST", "/api/v1/auth/login", "POST /auth/login", {"username": username, "password": password}
        )
        if status != 200 or not isinstance(data, dict):
            return
        client.token = data["token"]
        status, document = client.call(
            "POST", "/api/v1/documents", "POST /documents", file=("bao-cao-kiem-tra.pdf", REPORT_PDF)
        )
        if status != 201 or not isinstance(document, dict):
            return
        perform = {**PERFORM, "attachments": [document["id"]]}
        n = 0
        while time.monotonic() < deadline:
            n += 1
            status, started = client.call(
                "POST", "/api/v1/process-instances", "POST /process-instances", start_body(unit, index * 100000 + n)
            )
            steps = started.get("open_tasks", []) if status in (200, 201) and isinstance(started, dict) else []
            if steps and time.monotonic() < deadline:
                client.call(
                    "POST",
                    f"/api/v1/tasks/{steps[0]['id']}/complete",
                    "POST /tasks/{id}/complete",
                    {"data": perform},
                    decode=False,
                )
            if time.monotonic() < deadline:
                client.call("GET", "/api/v1/tasks", "GET /tasks", decode=False)
            if time.monotonic() < deadline:
                client.call("GET", "/api/v1/plans/1/progress", "GET /plans/1/progress", decode=False)
    finally:
        client.conn.close()
        results.add(client.samples)


def soak(url: str, clients: int, seconds: float, password: str, timeout: float) -> dict[str, Any]:
    """Run ``clients`` threads for ``seconds``; returns the figures."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    results = Results()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=run_client, args=(i, host, port, deadline, password, results, timeout), daemon=True)
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + timeout + 30)
    elapsed = time.monotonic() - started
    return summarise(results.samples, elapsed, clients, seconds)


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94], q[98]


def summarise(samples: list[Sample], elapsed: float, clients: int, seconds: float) -> dict[str, Any]:
    by_endpoint: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_endpoint[s.endpoint].append(s)
    endpoints = {}
    for name, rows in sorted(by_endpoint.items()):
        times = sorted(s.seconds * 1000 for s in rows)
        p50, p95, p99 = _percentiles(times)
        endpoints[name] = {
            "requests": len(rows),
            "ok": sum(1 for s in rows if 200 <= s.status < 300),
            "per_second": len(rows) / elapsed,
            "p50_ms": p50,
            "p95_ms": p95,
            "p99_ms": p99,
            "max_ms": times[-1],
        }
    errors = Counter(f"{s.endpoint} {s.status} {s.code}" for s in samples if not 200 <= s.status < 300)
    return {
        "clients": clients,
        "seconds": seconds,
        "elapsed": elapsed,
        "requests": len(samples),
        "requests_per_second": len(samples) / elapsed,
        "completions_per_second": endpoints.get("POST /tasks/{id}/complete", {}).get("ok", 0) / elapsed,
        "endpoints": endpoints,
        "errors": dict(errors.most_common()),
        "server_errors": sum(1 for s in samples if s.status >= 500),
        "no_answer": sum(1 for s in samples if s.status == 0),
        "database_busy": sum(1 for s in samples if s.code == BUSY_CODE),
        "load_average": os.getloadavg(),
    }


def report(figures: dict[str, Any], label: str) -> None:
    print(
        f"\n{label}: {figures['clients']} clients × {figures['seconds']:g} s "
        f"(load average {'/'.join(f'{x:.1f}' for x in figures['load_average'])})"
    )
    print(
        f"  {figures['requests']} requests, {figures['requests_per_second']:.1f}/s; "
        f"completed steps {figures['completions_per_second']:.1f}/s"
    )
    print(f"  {'endpoint':30}{'requests':>9}{'ok':>7}{'/s':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, e in figures["endpoints"].items():
        print(
            f"  {name:30}{e['requests']:>9}{e['ok']:>7}{e['per_second']:>7.1f}"
            f"{e['p50_ms']:>9.1f}{e['p95_ms']:>9.1f}{e['p99_ms']:>9.1f}{e['max_ms']:>9.1f}"
        )
    if figures["errors"]:
        print("  errors (endpoint status code: count):")
        for key, count in figures["errors"].items():
            print(f"    {key}: {count}")
    else:
        print("  no errors")


# --------------------------------------------------------------------------- a server of our own


def _fresh_pg_database(url: str) -> None:
    """Drop and create the soak database (its name must contain "bench")."""
    import psycopg  # the project's PostgreSQL driver; only needed for --serve postgresql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f'Từ chối: "{name}" không phải cơ sở dữ liệu đo hiệu năng (tên phải chứa "bench").')
    admin = parts._replace(path="/postgres").geturl().replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def wait_until_up(port: int, server: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    """Until the server started as ``server`` answers ``GET /api/v1/health`` on ``port`` (its log's end if it stops)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"the server stopped (exit {server.returncode}):\n{tail}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer on port {port} within {seconds:.0f} s")


@contextmanager
def serve(kind: str, port: int, code: Path, pg_url: str) -> Iterator[str]:
    """``cchc init`` + ``cchc serve`` from ``code`` on a fresh database; yields the base URL."""
    with tempfile.TemporaryDirectory(prefix="cchc-soak-") as tmp:
        if kind == "sqlite":
            database_url = f"sqlite:///{Path(tmp) / 'cchc.db'}"
        else:
            _fresh_pg_database(pg_url)
            database_url = pg_url
        env = {
            **os.environ,
            "PYTHONPATH": str(code),
            "CCHC_DATABASE_URL": database_url,
            "CCHC_PORT": str(port),
            "CCHC_SECRET_KEY": secrets.token_hex(16),
        }
        cli = [sys.executable, "-m", "api.cli"]
        subprocess.run([*cli, "init"], cwd=code, env=env, check=True, stdout=subprocess.DEVNULL)
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen([*cli, "serve"], cwd=code, env=env, stdout=out, stderr=subprocess.STDOUT)
            try:
                wait_until_up(port, server, log)
                yield f"http://127.0.0.1:{port}"
            finally:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        tracebacks = log.read_text(errors="replace").count("Traceback")
        if tracebacks:
            print(f"  the server log has {tracebacks} traceback(s):\n{log.read_text(errors='replace')[-4000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", default="http://127.0.0.1:5000", help="a running server (ignored with --serve)")
    parser.add_argument("--serve", choices=["sqlite", "postgresql"], help="start a server on a fresh database")
    parser.add_argument("--port", type=int, default=5101, help="the port of the server started by --serve")
    parser.add_argument("--code", type=Path, default=ROOT, help="the source tree the server runs from")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="the database of --serve postgresql (reset)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one request may take")
    parser.add_argument("--password", default=os.environ.get("CCHC_DEMO_PASSWORD", "demo"))
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    label = f"{args.serve or 'server'} at {args.url if not args.serve else f'127.0.0.1:{args.port}'}"
    if args.serve:
        with serve(args.serve, args.port, args.code.resolve(), args.pg_url) as url:
            figures = soak(url, args.clients, args.seconds, args.password, args.timeout)
    else:
        figures = soak(args.url, args.clients, args.seconds, args.password, args.timeout)
    figures["machine"] = {"nproc": os.cpu_count(), "python": platform.python_version(), "serve": args.serve}
    report(figures, label)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    failed = figures["server_errors"] or figures["database_busy"] or figures["no_answer"]
    if failed:
        print(
            f"FAILED: {figures['server_errors']} server errors (5xx), {figures['database_busy']} database_busy, "
            f"{figures['no_answer']} requests without an answer"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
