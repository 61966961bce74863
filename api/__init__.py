"""The Flask application: ``create_app(config)`` wires everything; nothing happens at import time."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Collection
from inspect import iscoroutinefunction
from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.errors import AppError
from engine.errors import UnsupportedType as WrongUploadType
from workflows import document_store, lists
from workflows.bootstrap import create_services, database_url

from .auth import CookieSessions, authenticate_request, check_deferred_user
from .compression import init_compression
from .errors import CchcApi, register_error_handlers
from .openapi_vi import VietnameseSummaries
from .request_guard import StrictJSONProvider, guard_body, guard_path_and_query

ROOT = Path(__file__).resolve().parents[1]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
JSON_TYPES = frozenset({"application/json"})
# the endpoints that take a diagram bundle (XML or multipart): deploy, Kiểm tra, Chạy kịch bản
BUNDLE_ENDPOINTS = {"definitions.Definitions", "definitions.DefinitionValidate", "definitions.DefinitionScenarios"}
BUNDLE_TYPES = frozenset(
    {"application/xml", "text/xml", "application/bpmn+xml", "application/octet-stream", "multipart/form-data"}
)
PLAN_IMPORT_ENDPOINTS = {"plans.PlanImport", "plans.OrganisationPlanImport"}
MULTIPART_ENDPOINTS = {"organisations.OrganisationUnitsImport", "organisations.OrganisationCriteriaSets"}
MULTIPART_TYPES = frozenset({"multipart/form-data"})


def _secret_key(instance_dir: Path) -> str:
    """CCHC_SECRET_KEY, or a key generated once and kept under instance/."""
    key = os.environ.get("CCHC_SECRET_KEY")
    if key:
        return key
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        # Several web processes may start at once: the first one creates the file, whole; the others read it.
        partial = instance_dir / f".secret_key.{os.getpid()}"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            with contextlib.suppress(FileExistsError):
                os.link(partial, path)
        finally:
            partial.unlink()
    return path.read_text().strip()


class UnsupportedMediaType(AppError):
    code = "unsupported_media_type"


class CchcFlask(Flask):
    """Flask, remembering which of its hooks and views are coroutine functions: ``ensure_sync`` is asked about
    each hook and the view of every request (≈ 16 ``inspect`` look-ups a request), and the answer never changes."""

    MAX_REMEMBERED = 4096  # functions remembered (forgotten all at once when full: a bound, not a leak)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._is_async: dict[Any, bool] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # A view's method is bound to a new view object per request: remembered by its function.
        key = getattr(func, "__func__", func)
        is_async = self._is_async.get(key)
        if is_async is None:
            if len(self._is_async) >= self.MAX_REMEMBERED:
                self._is_async.clear()
            is_async = self._is_async[key] = iscoroutinefunction(func)
        return self.async_to_sync(func) if is_async else func


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides (tests pass DATABASE_URL, CLOCK, SECRET_KEY…; the scenario runner
    passes SERVICES, the isolated engine's, instead of a database URL)."""
    app = CchcFlask(__name__, instance_path=str(ROOT / "instance"))
    config = dict(config or {})
    given_services = config.pop("SERVICES", None)
    app.config.update(
        DATABASE_URL=given_services.database_url
        if given_services is not None
        else config.pop("DATABASE_URL", None) or database_url(Path(app.instance_path)),
        TOKEN_MAX_AGE=int(os.environ.get("CCHC_TOKEN_MAX_AGE", 8 * 3600)),
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        API_TITLE="CCHC Flow API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        RATELIMIT_STORAGE_URI="memory://",
        # Only a refused login says when to try again (Retry-After, set with the Vietnamese message in errors.py);
        # the limiter's own X-RateLimit-* headers would tell a guesser how many tries remain.
        RATELIMIT_HEADERS_ENABLED=False,
        # Failed logins per account and address, and per address across accounts (password spraying). One
        # account's failures (at most twice its limit inside the address window) stay below the address limit.
        LOGIN_RATE_LIMIT=os.environ.get("CCHC_LOGIN_RATE_LIMIT", "10 per 15 minutes"),
        LOGIN_ADDRESS_RATE_LIMIT=os.environ.get("CCHC_LOGIN_ADDRESS_RATE_LIMIT", "30 per 15 minutes"),
        # Reverse proxies in front of the app whose X-Forwarded-For is trusted (0: use the socket's address).
        PROXY_COUNT=int(os.environ.get("CCHC_PROXY_COUNT", "0")),
        # The periodic CCHC report: a replacement .docx template and the địa danh of its date line.
        REPORT_TEMPLATE=os.environ.get("CCHC_REPORT_TEMPLATE") or None,
        REPORT_PLACE=os.environ.get("CCHC_REPORT_PLACE", "……"),
        JSON_SORT_KEYS=False,
        # A list counts its rows up to this many (X-Total-Count); beyond, X-Total-Count-More-Than (0: count all).
        LIST_COUNT_LIMIT=int(os.environ.get("CCHC_LIST_COUNT_LIMIT", lists.COUNT_LIMIT)),
        DOCUMENT_MAX_BYTES=document_store.max_bytes(),
    )
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.instance_path))
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"])  # type: ignore[method-assign]
    app.session_interface = CookieSessions()
    app.json = StrictJSONProvider(app)  # every JSON body is read strictly (api/request_guard.py)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    services = given_services or create_services(app.config["DATABASE_URL"], clock=app.config.get("CLOCK"))
    app.extensions["cchc"] = services

    api = CchcApi(
        app,
        spec_kwargs={
            "info": {"description": "API của CCHC Flow: quy trình, hồ sơ và công việc."},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
            "extra_plugins": [VietnameseSummaries()],  # the docs in Vietnamese (api/openapi_vi.py)
        },
    )
    register_error_handlers(app)
    init_compression(app)  # its after_request runs last: it compresses the body every other hook left
    _register_blueprints(app, api)
    # Order: the cheap checks of the address, the content type, who is asking, then the body itself.
    app.before_request(guard_path_and_query)
    app.before_request(_check_content_type)
    app.before_request(authenticate_request)
    app.before_request(guard_body)
    app.after_request(check_deferred_user)  # registered last, so it runs first: before the limiter and compression
    app.teardown_appcontext(lambda _exc: None)
    return app


def _register_blueprints(app: Flask, api: CchcApi) -> None:
    from .docs import docs_bp
    from .limits import init_limiter
    from .routes import (
        auth,
        calendar,
        definitions,
        documents,
        instances,
        migrations,
        notifications,
        organisations,
        plan_exports,
        plans,
        probes,
        province,
        report_exports,
        reports,
        tasks,
        units_users,
    )
    from .web import init_web

    for bp in (
        auth.health_bp,
        auth.auth_bp,
        units_users.units_bp,
        units_users.users_bp,
        organisations.bp,
        definitions.bp,
        migrations.bp,
        instances.bp,
        tasks.bp,
        plans.bp,
        plan_exports.bp,
        calendar.bp,
        notifications.bp,
        reports.bp,
        report_exports.bp,
        province.bp,
        documents.bp,
    ):
        api.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    app.register_blueprint(probes.bp)
    init_web(app)
    # The limiter is one object per process: initialising it for a scenario run's app would replace the live
    # app's counters and settings (RATE_LIMITER=False: that app's logins are only counted, under its own address).
    if app.config.get("RATE_LIMITER", True):
        init_limiter(app)


def _check_content_type() -> None:
    """Bodies of API writes are JSON (the deploy endpoint also takes XML and multipart)."""
    req = request._get_current_object()  # type: ignore[attr-defined]  # read several times: the proxy once
    if req.method not in WRITE_METHODS or not req.path.startswith("/api/"):
        return
    if not req.content_length and not req.headers.get("Transfer-Encoding"):
        return
    endpoint = req.endpoint
    allowed: Collection[str] = JSON_TYPES
    if endpoint in BUNDLE_ENDPOINTS:
        allowed = BUNDLE_TYPES
    elif endpoint in PLAN_IMPORT_ENDPOINTS:
        from .routes.plans import PLAN_FILE_TYPES

        allowed = PLAN_FILE_TYPES
    elif endpoint in MULTIPART_ENDPOINTS:
        allowed = MULTIPART_TYPES
    elif endpoint == "documents.Documents":
        from .routes.documents import allow_upload_body

        if req.mimetype != "multipart/form-data":
            raise WrongUploadType("Hãy gửi tệp dạng multipart/form-data trong trường file.", code="multipart_required")
        allow_upload_body()
        return
    if req.mimetype not in allowed:
        from werkzeug.exceptions import UnsupportedMediaType as Http415

        raise Http415()
