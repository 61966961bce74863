"""Bearer tokens (signed, expiring) and the per-request user."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Request, Response, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from wtforms import ValidationError as CsrfInvalid

from engine.errors import Forbidden, NotFound, Unauthorized
from workflows.access import Rule
from workflows.accounts import UserView, request_user
from workflows.session_context import current_session

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC_ENDPOINTS = {"health.health", "auth.login", "api-docs.openapi_json", "docs.api_docs", "static"}
SESSION_USER_KEY = "cchc_user"  # the web pages' session cookie names the logged-in user under this key
CSRF_HEADER = "X-CSRFToken"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_VERIFIED_TOKENS = 4096  # tokens remembered as verified, per app (forgotten all at once when full)
_IN_TRANSACTION = "cchc_user_in_transaction"  # marks a view that reads its caller inside its own unit of work
_DEFERRED = "cchc_deferred_user"  # g: the token's username, while its account is not read yet


class _Tokens:
    """The app's token serializer, and the tokens it has verified: a token's signature is checked once per process
    (the same token comes with every request of a session), its age at every request."""

    def __init__(self, key: Any) -> None:
        self.key = key
        self.serializer = URLSafeTimedSerializer(key, salt="cchc-api-token")
        self.verified: dict[str, tuple[str, int]] = {}  # token -> (username, signed at, in epoch seconds)

    def username(self, token: str, max_age: int) -> str:
        """The username a valid, unexpired token names (``BadSignature``, ``SignatureExpired`` otherwise)."""
        found = self.verified.get(token)
        if found is None:
            payload, signed_at = self.serializer.loads(token, max_age=max_age, return_timestamp=True)
            found = (str(payload.get("u")), int(signed_at.timestamp()))
            if len(self.verified) >= MAX_VERIFIED_TOKENS:
                self.verified.clear()
            self.verified[token] = found
            return found[0]
        age = int(time.time()) - found[1]  # as the serializer counts it
        if age > max_age or age < 0:
            self.verified.pop(token, None)
            raise SignatureExpired(f"Signature age {age} > {max_age} seconds")
        return found[0]


def _tokens(app: Flask) -> _Tokens:
    """The app's tokens, for its current secret key."""
    key = app.config["SECRET_KEY"]
    tokens: _Tokens | None = app.extensions.get("cchc_tokens")
    if tokens is None or tokens.key != key:
        tokens = app.extensions["cchc_tokens"] = _Tokens(key)
    return tokens


def issue_token(app: Flask, username: str) -> str:
    """A signed token naming the user; it expires after TOKEN_MAX_AGE seconds."""
    return _tokens(app).serializer.dumps({"u": username})


def _token_username(token: str) -> str:
    """The username a valid, unexpired token names (``Unauthorized`` otherwise)."""
    app = current_app
    try:
        return _tokens(app).username(token, app.config["TOKEN_MAX_AGE"])
    except SignatureExpired as exc:
        raise Unauthorized("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.", code="token_expired") from exc
    except BadSignature as exc:
        raise Unauthorized("Mã xác thực không hợp lệ.", code="token_invalid") from exc


def load_active_user(username: str) -> UserView:
    """The account named by a token or a session, read in a transaction of its own; unknown or locked accounts
    are refused."""
    services = current_app.extensions["cchc"]
    with services.read() as uow:
        return _active_user(uow.session, username)


def _active_user(session: Session, username: str) -> UserView:
    try:
        user = request_user(session, username)
    except NotFound as exc:
        raise Unauthorized("Mã xác thực không hợp lệ.", code="token_invalid") from exc
    if not user.active:
        raise Unauthorized("Tài khoản đã bị khóa.", code="account_disabled")
    return user


def user_in_transaction(view: F) -> F:
    """Mark a view that reads its caller inside its own unit of work rather than in one of its own before it.

    The view must call ``current_user()`` inside its ``services().uow()`` (or ``read()``) before it reads or writes
    anything else: the account is then read, and refused if unknown or locked, in the very transaction that acts
    (one transaction per request instead of two). Should the request fail before that (its body refused, say),
    ``check_deferred_user`` still refuses an unknown or locked account first, as an eager check would have.
    """
    setattr(view, _IN_TRANSACTION, True)
    return view


def _reads_user_in_transaction(app: Flask, endpoint: str, method: str) -> bool:
    marked: dict[tuple[str, str], bool] = app.extensions.setdefault(_IN_TRANSACTION, {})  # views don't change
    found = marked.get((endpoint, method))
    if found is None:
        view = app.view_functions.get(endpoint)
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            view = getattr(view_class, method.lower(), None)
        found = marked[endpoint, method] = bool(getattr(view, _IN_TRANSACTION, False))
    return found


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions (the web pages' login); a request without the cookie, as every bearer-token
    call is, gets its empty session without the cookie serializer being built for it."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # No Cookie header at all: nothing to parse either (its cookies would be empty).
        if app.secret_key and (
            "HTTP_COOKIE" not in request.environ or not request.cookies.get(self.get_cookie_name(app))
        ):
            return self.session_class()
        return super().open_session(app, request)


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
    req = request._get_current_object()  # type: ignore[attr-defined]  # read several times: the proxy once
    endpoint = req.endpoint
    if endpoint in PUBLIC_ENDPOINTS or endpoint is None or not req.path.startswith("/api/"):
        return
    if req.method == "OPTIONS":
        return
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer ") and header[7:].strip():
        named = _token_username(header[7:].strip())
        if _reads_user_in_transaction(current_app, endpoint, req.method):
            setattr(g, _DEFERRED, named)  # read by current_user(), inside the view's transaction
        else:
            g.user = load_active_user(named)
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
    """The authenticated user of this request (a deferred one is read now, in the unit of work open if any)."""
    user = g.get("user")
    if user is None:
        username = str(g.pop(_DEFERRED))  # authenticate_request ran: a request without a user never gets here
        session = current_session.get()
        user = g.user = load_active_user(username) if session is None else _active_user(session, username)
    return cast(UserView, user)


def check_deferred_user(response: Response) -> Response:
    """After a request whose view was to read its caller but did not get that far (an early error): refuse an
    unknown or locked account now, as if it had been checked before the view (its 401 replaces the answer)."""
    username = g.pop(_DEFERRED, None)
    if username is None:
        return response
    try:
        g.user = load_active_user(username)
    except Unauthorized as exc:
        return current_app.make_response(current_app.handle_user_exception(exc))
    return response


def require(rule: Rule) -> Callable[[F], F]:
    """Refuse the call (403) unless the user's roles satisfy ``rule`` — checked before the body is read."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            rule.check(current_user().actor)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator
