"""One client completing steps over HTTP against raw SpiffWorkflow, in one run.

Walks the 5-user-task approval process (``tests/fixtures/approval5``, deployed next to the demo data) through
``POST /api/v1/tasks/{id}/complete`` — each step by a demo user of its lane, with a bearer token — and prints
completions/s beside raw in-memory SpiffWorkflow on the same diagram (``bench/engine.py``'s raw row: the same
sandboxed script engine and helpers, no persistence) and their ratio (issue #16: ≥ 10 %).

Two transports, each on its own fresh SQLite file (``cchc`` schema through Alembic, the demo data):

- ``flask``: the app's test client in this process (the whole WSGI stack, no socket);
- ``waitress``: ``cchc serve`` (waitress, 8 threads, the deadline worker thread) in a child process, one
  keep-alive ``http.client`` connection.

Only the completion requests are timed (starting an instance is not). Columns run in interleaved rounds.
``--server-cpu`` (Linux) also reads the waitress server's threads' CPU time (``/proc/PID/task/*/schedstat``) before
and after each completion, outside the timed span, and prints the server's CPU per completion: all its threads, and
waitress's main (socket) thread alone.

Usage: ``.venv/bin/python bench/complete_http.py [--quick] [--transport flask|waitress|both] [--profile]
[--server-cpu] [--port 5130] [--json PATH]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import http.client  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Any, Protocol  # noqa: E402

from engine.definitions import read_bundle  # noqa: E402

APPROVAL5 = ROOT / "tests" / "fixtures" / "approval5" / "approval5.bpmn"
USERS = {
    "Task_draft": "cv.pnv",
    "Task_review": "tp.pnv",
    "Task_legal": "cv.ptp",
    "Task_sign": "chutich",
    "Task_number": "vanthu",
}
STEPS = tuple(USERS)
DATA: dict[str, dict[str, Any]] = {"Task_draft": {"title": "Dự thảo"}, "Task_review": {"approved": True}}
PASSWORD = "demo"
TARGET = 0.10


def server_threads_cpu(pid: int) -> tuple[int, int]:
    """CPU nanoseconds used so far by process ``pid``'s main thread and by all its other threads (Linux)."""
    main = rest = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as stat:
                used = int(stat.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended meanwhile
        if int(tid) == pid:
            main = used
        else:
            rest += used
    return main, rest


def _bench_module(name: str, alias: str) -> Any:
    """``bench/<name>.py`` as module ``alias`` (this folder is kept off ``sys.path``: ``engine.py`` would shadow the
    package)."""
    spec = importlib.util.spec_from_file_location(alias, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    spec.loader.exec_module(module)
    return module


class Transport(Protocol):
    def call(self, method: str, path: str, token: str | None, body: Any = None) -> tuple[int, Any]: ...


class FlaskTransport:
    """The app's test client, in this process."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.client = app.test_client()

    def call(self, method: str, path: str, token: str | None, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.open(path, method=method, headers=headers, json=body)
        raw = response.get_data()  # read as a client would (not through the app's strict request reader)
        return response.status_code, json.loads(raw) if raw else None


class HttpTransport:
    """One keep-alive connection to a real server (``pid``: the server's process, for its CPU time)."""

    def __init__(self, port: int, pid: int | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.pid = pid

    def call(self, method: str, path: str, token: str | None, body: Any = None) -> tuple[int, Any]:
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.conn.request(method, path, body=payload, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None


class Walker:
    """Logs the five users in once, then walks instances: start (untimed), five timed completions."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.tokens: dict[str, str] = {}
        self.cpu: list[float] = []  # this thread's CPU time per completion (in-process transports: all the work)
        self.profiler: cProfile.Profile | None = None  # when set: enabled around each completion only
        self.profiling = False
        # per completion, the server's CPU seconds (all threads; its main thread alone), when its pid is known
        self.server_pid: int | None = None
        self.server_cpu: list[float] = []
        self.server_main_cpu: list[float] = []
        for user in set(USERS.values()):
            status, body = transport.call("POST", "/api/v1/auth/login", None, {"username": user, "password": PASSWORD})
            assert status == 200, (user, status, body)
            self.tokens[user] = body["token"]

    def walk(self) -> list[float]:
        status, body = self.transport.call(
            "POST",
            "/api/v1/process-instances",
            self.tokens["cv.pnv"],
            {"process_key": "approval5", "unit_code": "PNV", "data": {"topic": "Kế hoạch CCHC"}},
        )
        assert status == 201, (status, body)
        [task] = body["open_tasks"]
        timings: list[float] = []
        for element in STEPS:
            assert task["element_id"] == element, (task["element_id"], element)
            pid = self.server_pid
            before = server_threads_cpu(pid) if pid is not None else (0, 0)
            c0, t0 = time.thread_time(), time.perf_counter()
            if self.profiler is not None:
                self.profiling = True
                self.profiler.enable()
            status, body = self.transport.call(
                "POST",
                f"/api/v1/tasks/{task['id']}/complete",
                self.tokens[USERS[element]],
                {"data": DATA.get(element, {})},
            )
            if self.profiler is not None:
                self.profiler.disable()
                self.profiling = False
            timings.append(time.perf_counter() - t0)
            self.cpu.append(time.thread_time() - c0)
            if pid is not None:
                main, rest = server_threads_cpu(pid)
                self.server_main_cpu.append((main - before[0]) / 1e9)
                self.server_cpu.append((main + rest - before[0] - before[1]) / 1e9)
            assert status == 200, (element, status, body)
            task = body["next_tasks"][0] if body["next_tasks"] else None
        assert task is None
        return timings


def _prepare_database(url: str) -> None:
    """Schema through Alembic, the demo data, approval5 deployed (as tests/api/conftest.py does)."""
    from api import create_app
    from engine.views import SYSTEM_ACTOR
    from workflows.definitions import deploy_definition
    from workflows.demo import load_demo
    from workflows.schema import upgrade

    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    services = app.extensions["cchc"]
    load_demo(services)
    with services.uow() as uow:
        bpmn, files = read_bundle(APPROVAL5)
        deploy_definition(services, uow, bpmn, files, SYSTEM_ACTOR)
        uow.commit()
    services.close()


@contextmanager
def flask_transport(tmp: Path) -> Iterator[FlaskTransport]:
    from api import create_app

    url = f"sqlite:///{tmp / 'flask.db'}"
    _prepare_database(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)})
    app.extensions["cchc"].start_wal_checkpoints()  # as `cchc serve` (make run) serves it
    try:
        yield FlaskTransport(app)
    finally:
        app.extensions["cchc"].close()


@contextmanager
def waitress_transport(tmp: Path, port: int) -> Iterator[HttpTransport]:
    url = f"sqlite:///{tmp / 'waitress.db'}"
    _prepare_database(url)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CCHC_DATABASE_URL": url,
        "CCHC_PORT": str(port),
        "CCHC_SECRET_KEY": secrets.token_hex(16),
    }
    log = tmp / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            _bench_module("soak", "soak_bench").wait_until_up(port, server, log)
            yield HttpTransport(port, server.pid)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _summary(timings: list[float], cpu: list[float], server: tuple[list[float], list[float]] | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if server and server[0]:
        found["server_cpu_median_ms"] = statistics.median(server[0]) * 1000
        found["server_main_cpu_median_ms"] = statistics.median(server[1]) * 1000
    return found | {
        "completions": len(timings),
        "per_s": len(timings) / sum(timings),
        "median_ms": statistics.median(timings) * 1000,
        "p95_ms": sorted(timings)[int(len(timings) * 0.95) - 1] * 1000,
        "cpu_per_s": len(cpu) / sum(cpu),
        "cpu_median_ms": statistics.median(cpu) * 1000,
    }


def profile_walks(walker: Walker, walks: int, top: int) -> str:
    """cProfile of the completions of ``walks`` walks (their starts left out), with the function calls and SQL
    statements (the app's engine, in this process) per completion."""
    from sqlalchemy import event

    assert isinstance(walker.transport, FlaskTransport)
    engine = walker.transport.app.extensions["cchc"].sql
    profiler = cProfile.Profile()
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += walker.profiling

    event.listen(engine, "before_cursor_execute", count)
    walker.profiler = profiler
    try:
        for _ in range(walks):
            walker.walk()
    finally:
        walker.profiler = None
        event.remove(engine, "before_cursor_execute", count)
    completions = walks * len(STEPS)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    calls = stats.total_calls  # type: ignore[attr-defined]
    out.write(
        f"per completion: {calls / completions:,.0f} function calls, {statements / completions:.1f} SQL statements\n"
    )
    stats.strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer walks (noisy)")
    parser.add_argument("--transport", choices=["flask", "waitress", "both"], default="both")
    parser.add_argument("--walks", type=int, help="instances walked per transport (5 completions each)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=int(os.environ.get("CCHC_BENCH_PORT", "5130")))
    parser.add_argument("--profile", action="store_true", help="cProfile of the flask transport's completions")
    parser.add_argument("--server-cpu", action="store_true", help="the waitress server's CPU per completion (Linux)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    walks = args.walks or (20 if args.quick else 100)
    rounds = min(args.rounds, walks)

    bench = _bench_module("engine", "engine_bench")  # its raw SpiffWorkflow row is the baseline
    bpmn, _files = read_bundle(APPROVAL5)
    raw = bench.RawRun.parse(bpmn)
    results: dict[str, Any] = {"walks": walks, "rounds": rounds}
    with tempfile.TemporaryDirectory(prefix="cchc-complete-") as tmpdir:
        tmp = Path(tmpdir)
        with _transports(args.transport, tmp, args.port) as walkers:
            raw.walks(5)
            for walker in walkers.values():
                walker.walk()  # warm-up: caches, first requests
                if args.server_cpu and isinstance(walker.transport, HttpTransport):
                    walker.server_pid = walker.transport.pid
            timings: dict[str, list[float]] = {"raw": [], **{name: [] for name in walkers}}
            cpu: dict[str, list[float]] = {"raw": [], **{name: [] for name in walkers}}
            for r in range(rounds):
                print(f"  round {r + 1}/{rounds}", file=sys.stderr)
                mark = len(bench.CPU_LOG)
                timings["raw"] += raw.walks(max(1, walks * 4 // rounds))
                cpu["raw"] += bench.CPU_LOG[mark:]
                for name, walker in walkers.items():
                    walker.cpu.clear()
                    for _ in range(walks // rounds):
                        timings[name] += walker.walk()
                    cpu[name] += walker.cpu
            walkers_cpu = {name: (walker.server_cpu, walker.server_main_cpu) for name, walker in walkers.items()}
            if args.profile and "flask" in walkers:
                results["profile"] = profile_walks(walkers["flask"], max(5, walks // 5), 40)
    figures = {name: _summary(values, cpu[name], walkers_cpu.get(name)) for name, values in timings.items()}
    results["figures"] = figures
    raw_rate = figures["raw"]["per_s"]
    print(f"\nOne client, approval5, {walks} instances × 5 completions per transport, {rounds} interleaved rounds")
    print("  wall clock (the target), then this thread's CPU time (waitress: the client's share only)")
    print(
        f"{'':36}{'completions':>12}{'per s':>9}{'median ms':>11}{'p95 ms':>9}{'% of raw':>10}{'target':>8}"
        f"{'CPU ms':>9}{'CPU %':>8}"
    )
    raw_cpu = figures["raw"]["cpu_per_s"]
    for name, fig in figures.items():
        label = "raw SpiffWorkflow, in memory" if name == "raw" else f"POST /tasks/{{id}}/complete, {name}"
        ratio = fig["per_s"] / raw_rate
        fig["ratio"] = ratio
        fig["cpu_ratio"] = fig["cpu_per_s"] / raw_cpu
        pct = "" if name == "raw" else f"{ratio * 100:.1f} %"
        target = "" if name == "raw" else ("met" if ratio >= TARGET else "NO")
        cpu_pct = "" if name in ("raw", "waitress") else f"{fig['cpu_ratio'] * 100:.1f} %"
        print(
            f"{label:36}{fig['completions']:>12}{fig['per_s']:>9,.0f}{fig['median_ms']:>11.3f}{fig['p95_ms']:>9.3f}"
            f"{pct:>10}{target:>8}{fig['cpu_median_ms']:>9.3f}{cpu_pct:>8}"
        )
    for name, fig in figures.items():
        if "server_cpu_median_ms" in fig:
            print(
                f"  {name} server's CPU per completion, median: {fig['server_cpu_median_ms']:.3f} ms "
                f"(its main thread: {fig['server_main_cpu_median_ms']:.3f} ms)"
            )
    if "profile" in results:
        print("\n===== cProfile, flask test client =====\n" + results["profile"])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({k: v for k, v in results.items() if k != "profile"}, indent=2) + "\n")
    return 0


@contextmanager
def _transports(which: str, tmp: Path, port: int) -> Iterator[dict[str, Walker]]:
    walkers: dict[str, Walker] = {}
    opened: list[Callable[[], None]] = []
    try:
        if which in ("flask", "both"):
            cm = flask_transport(tmp)
            walkers["flask"] = Walker(cm.__enter__())
            opened.append(lambda: _close(cm))
        if which in ("waitress", "both"):
            cm2 = waitress_transport(tmp, port)
            walkers["waitress"] = Walker(cm2.__enter__())
            opened.append(lambda: _close(cm2))
        yield walkers
    finally:
        for close in reversed(opened):
            close()


def _close(cm: Any) -> None:
    cm.__exit__(None, None, None)


if __name__ == "__main__":
    raise SystemExit(main())
