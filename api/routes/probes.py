"""``GET /healthz`` (the process answers) and ``GET /readyz`` (it can serve: database reachable, schema at head).

Both are public, cheap and outside ``/api/``: a load balancer or an orchestrator calls them every few seconds.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from workflows.schema import readiness

from ..errors import error_response
from ..services import services

bp = Blueprint("probes", __name__)
PROBE_PATHS = frozenset({"/healthz", "/readyz"})


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive; the database is not asked."""
    return _no_store(jsonify({"status": "ok"}))


@bp.get("/readyz")
def readyz() -> Response | tuple[Response, int]:
    """200 when the database answers in time and its schema is at this code's newest migration; else 503."""
    problem = readiness(services().database_url)
    if problem is not None:
        response, status = error_response(503, problem.code, problem.message, problem.details)
        return _no_store(response), status
    return _no_store(jsonify({"status": "ready"}))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
