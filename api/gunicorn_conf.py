"""gunicorn settings for production: ``gunicorn -c python:api.gunicorn_conf`` (or ``cchc serve --workers N``).

Every value comes from the environment (docs/operations.md). Each web process builds its own app and its own
database pool after the fork (no ``preload_app``: a pooled connection must never be shared by two processes), and
none runs the deadline worker: run ``cchc worker`` processes beside them. SIGHUP starts new web processes and lets
the old ones finish their requests; SIGTERM finishes the requests in flight (up to ``CCHC_GRACEFUL_TIMEOUT``) and
exits.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from gunicorn.glogging import Logger

PROBE_PATHS = frozenset({"/healthz", "/readyz"})


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw and raw.strip() else default


class QuietProbesLogger(Logger):  # type: ignore[misc]
    """The access log without the successful health and readiness probes (a balancer sends them every second)."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if environ.get("PATH_INFO") in PROBE_PATHS and (resp.status_code or 500) < 400:
            return
        super().access(resp, req, environ, request_time)


# Several web processes: each compares its calendar and units with the database every few seconds, SQLite too.
os.environ.setdefault("CCHC_CACHE_RECHECK_SECONDS", "5")


def post_worker_init(worker: Any) -> None:
    """Once the web process has built its app: move everything alive (modules, the app, its caches) out of the
    garbage collector's generations (``gc.freeze``). Each full collection otherwise walks those ~200,000 objects;
    a plan's progress over 10,000 occurrences spent two thirds of its CPU there (docs/benchmarks.md, "Lists, load
    and processes, second pass"). Nothing frozen is freed later: it is the process's long-lived heap."""
    gc.freeze()


wsgi_app = "api:create_app()"
bind = [os.environ.get("CCHC_BIND") or f"127.0.0.1:{_int('CCHC_PORT', 5000)}"]
worker_class = "gthread"
workers = _int("CCHC_WEB_WORKERS", 2)
threads = _int("CCHC_WEB_THREADS", 4)
graceful_timeout = _int("CCHC_GRACEFUL_TIMEOUT", 30)
timeout = _int("CCHC_WORKER_TIMEOUT", 120)  # a web process silent this long is killed and replaced
keepalive = 5
max_requests = _int("CCHC_MAX_REQUESTS", 0)  # > 0: replace a web process after that many requests
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("CCHC_ACCESS_LOG") or None  # "-" for standard output
errorlog = "-"
loglevel = os.environ.get("CCHC_LOG_LEVEL", "info")
logger_class = QuietProbesLogger
proc_name = "cchc-web"
preload_app = False
# gunicorn's control socket (``gunicornc``) is one path per user: two servers on one machine would share it.
control_socket_disable = os.environ.get("CCHC_GUNICORN_CONTROL_SOCKET") is None
control_socket = os.environ.get("CCHC_GUNICORN_CONTROL_SOCKET") or "gunicorn.ctl"
