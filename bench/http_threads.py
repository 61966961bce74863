"""The app's CPU per completion inside waitress's worker threads against the test client's, in one process.

One app on one fresh SQLite file (``bench/complete_http.py``'s database: the demo data, approval5), served at once
by waitress (``threads=8``, in a thread of this process, over a keep-alive ``http.client`` connection) and by
Flask's test client, on this thread and on another one. The completions of the three alternate in blocks
(ABC, CBA, …); a WSGI middleware measures the thread CPU time of each completion inside the app (``wsgi_app``),
the same for all three, so that only the thread and the transport differ — not the process, its heap, its hash
seed or the minute (docs/benchmarks.md, "A completion over HTTP, sixth pass").

Usage: ``.venv/bin/python bench/http_threads.py [--blocks 10] [--walks 8] [--port 5131]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import queue  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from typing import Any  # noqa: E402


def _complete_http() -> Any:
    spec = importlib.util.spec_from_file_location("complete_http_bench", ROOT / "bench" / "complete_http.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["complete_http_bench"] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--walks", type=int, default=8, help="instances walked per block (5 completions each)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CCHC_BENCH_PORT", "5131")))
    args = parser.parse_args(argv)

    from waitress import create_server

    from api import create_app

    bench = _complete_http()
    samples: list[float] = []
    with tempfile.TemporaryDirectory(prefix="cchc-threads-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'threads.db'}"
        bench._prepare_database(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-threads"})
        services = app.extensions["cchc"]
        services.start_wal_checkpoints()
        inner = app.wsgi_app

        def measured(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            c0 = time.thread_time()
            result = inner(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if environ["PATH_INFO"].endswith("/complete"):
                samples.append(time.thread_time() - c0)
            return [body]

        app.wsgi_app = measured  # type: ignore[method-assign]
        server = create_server(app, host="127.0.0.1", port=args.port, threads=8)
        threading.Thread(target=server.run, name="waitress", daemon=True).start()
        jobs: queue.Queue[int] = queue.Queue()
        done: queue.Queue[int] = queue.Queue()

        def other_thread() -> None:
            walker = bench.Walker(bench.FlaskTransport(app))
            while (walks := jobs.get()) > 0:
                for _ in range(walks):
                    walker.walk()
                done.put(walks)

        threading.Thread(target=other_thread, name="test-client", daemon=True).start()
        over_http = bench.Walker(bench.HttpTransport(server.effective_port))
        here = bench.Walker(bench.FlaskTransport(app))

        def on_other_thread(walks: int) -> None:
            jobs.put(walks)
            done.get()

        def walking(walker: Any) -> Callable[[int], None]:
            def run(walks: int) -> None:
                for _ in range(walks):
                    walker.walk()

            return run

        runs: dict[str, Callable[[int], None]] = {
            "waitress worker thread": walking(over_http),
            "test client, this thread": walking(here),
            "test client, another thread": on_other_thread,
        }
        for run in runs.values():
            run(2)  # warm-up
        found: dict[str, list[float]] = {name: [] for name in runs}
        order = list(runs)
        try:
            for block in range(args.blocks):
                for name in order if block % 2 == 0 else order[::-1]:
                    samples.clear()
                    runs[name](args.walks)
                    found[name] += samples
        finally:
            jobs.put(0)
            server.close()
            services.close()
    print(f"The app's thread CPU per completion (ms), {args.blocks} alternated blocks of {args.walks * 5}:")
    for name, values in found.items():
        ordered = sorted(values)
        print(
            f"  {name:30} median {statistics.median(values) * 1000:.3f}  mean {statistics.mean(values) * 1000:.3f}"
            f"  p10 {ordered[len(ordered) // 10] * 1000:.3f}  n={len(values)}"
        )
    print(f"  load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
