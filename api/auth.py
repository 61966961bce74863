"""Bearer tokens (signed, expiring) and the per-request user."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError as CsrfInvalid

from engine.errors import Forbidden, NotFound, Unauthorized
from workflows.access import Rule
from workflows.accounts import UserView, request_user

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC_ENDPOINTS = {"health.health", "auth.login", "api-docs.openapi_json", "docs.api_docs", "static"}
SESSION_USER_KEY = "cchc_user"  # the web pages' session cookie names the logged-in user under this key
CSRF_HEADER = "X-CSRFToken"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="cchc-api-token")


def issue_token(app: Flask, username: str) -> str:
    """A signed token naming the user; it expires after TOKEN_MAX_AGE seconds."""
    return _serializer(app).dumps({"u": username})


def _user_from_token(token: str) -> UserView:
    app = current_app
    try:
        payload = _serializer(app).loads(token, max_age=app.config["TOKEN_MAX_AGE"])
    except SignatureExpired as exc:
        raise Unauthorized("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.", code="token_expired") from exc
    except BadSignature as exc:
        raise Unauthorized("Mã xác thực không hợp lệ.", code="token_invalid") from exc
    return load_active_user(str(payload.get("u")))


def load_active_user(username: str) -> UserView:
    """The account named by a token or a session; unknown or locked accounts are refused."""
    services = current_app.extensions["cchc"]
    with services.read() as uow:
        try:
            user = request_user(uow.session, username)
        except NotFound as exc:
            raise Unauthorized("Mã xác thực không hợp lệ.", code="token_invalid") from exc
    if not user.active:
        raise Unauthorized("Tài khoản đã bị khóa.", code="account_disabled")
    return user


def check_csrf_header() -> None:
    """Unsafe requests made with the session cookie must carry the page's CSRF token in a header."""
    try:
        validate_csrf(request.headers.get(CSRF_HEADER, ""))
    except CsrfInvalid as exc:
        raise Forbidden(
            "Thiếu hoặc sai mã chống giả mạo (CSRF). Vui lòng tải lại trang rồi thử lại.", code="csrf_invalid"
        ) from exc


def authenticate_request() -> None:
    """Before every API request: a bearer token or the web session cookie, except for the public endpoints."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or not request.path.startswith("/api/"):
        return
    if request.method == "OPTIONS":
        return
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and header[7:].strip():
        g.user = _user_from_token(header[7:].strip())
        return
    username = session.get(SESSION_USER_KEY)
    if not header and username:
        # the web pages: the session cookie, and a CSRF token header on every write
        if request.method not in SAFE_METHODS:
            check_csrf_header()
        g.user = load_active_user(str(username))
        return
    raise Unauthorized("Bạn cần đăng nhập (thiếu mã xác thực Bearer).", code="token_missing")


def current_user() -> UserView:
    """The authenticated user of this request."""
    return cast(UserView, g.user)


def require(rule: Rule) -> Callable[[F], F]:
    """Refuse the call (403) unless the user's roles satisfy ``rule`` — checked before the body is read."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            rule.check(current_user().actor)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator
