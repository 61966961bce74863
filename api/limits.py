"""Login rate limiting (flask-limiter), counting failed attempts only, shared by the API and the web form.

Two limits guard both login endpoints (POST only, so the login page itself always opens):

- per account and address (``LOGIN_RATE_LIMIT``): guessing one account's password; one user's mistakes
  never lock out another user behind the same address;
- per address across accounts (``LOGIN_ADDRESS_RATE_LIMIT``): one password tried on many accounts.

Both count a response only when it is 401 (wrong name or password), and both buckets are shared between
``POST /api/v1/auth/login`` and ``POST /login``: the two doors count as one.
"""

from __future__ import annotations

import math
import time
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

F = TypeVar("F", bound=Callable[..., Any])
ACCOUNT_SCOPE = "login-account"
ADDRESS_SCOPE = "login-address"
_LIMITED = "cchc_login_limited"  # marks the views login_limit decorates
# Configured limits that would apply to every endpoint, not only the decorated ones.
_WIDE_LIMITS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def _address() -> str:
    return get_remote_address() or "unknown"


def submitted_username() -> str:
    """The username of a login attempt (JSON body or form), as the account lookup would see it."""
    if request.is_json:
        body = request.get_json(silent=True)
        value = body.get("username") if isinstance(body, dict) else None
    else:
        value = request.form.get("username")
    text = value if isinstance(value, str) else ""
    return unicodedata.normalize("NFC", text.strip()).casefold()[:100]


def _account_key() -> str:
    return f"{submitted_username()}|{_address()}"


def _failed(response: Response) -> bool:
    return isinstance(response, Response) and response.status_code == 401


limiter = Limiter(key_func=_address, default_limits=[])

_per_account = limiter.shared_limit(
    lambda: str(current_app.config["LOGIN_RATE_LIMIT"]),
    scope=ACCOUNT_SCOPE,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
_per_address = limiter.shared_limit(
    lambda: str(current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]),
    scope=ADDRESS_SCOPE,
    key_func=_address,
    methods=["POST"],
    deduct_when=_failed,
)


def login_limit(view: F) -> F:
    """Both login limits on a view."""
    limited = _per_address(_per_account(view))
    setattr(limited, _LIMITED, True)
    return cast(F, limited)


def init_limiter(app: Flask) -> None:
    """The limiter on ``app``. With the login limits alone (no default, application or meta limits), its request
    hooks run for the login endpoints only: for any other request they would look up limits there are none of."""
    before = list(app.before_request_funcs.get(None, []))
    after = list(app.after_request_funcs.get(None, []))
    teardown = list(app.teardown_request_funcs.get(None, []))
    limiter.init_app(app)
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or any(app.config.get(k) for k in _WIDE_LIMITS):
        return
    logins = _LoginEndpoints(app)
    hooks: Any = app.before_request_funcs  # the limiter's hooks: those init_app added
    hooks[None] = [hook if hook in before else logins.before(hook) for hook in hooks[None]]
    hooks = app.after_request_funcs
    hooks[None] = [hook if hook in after else logins.after(hook) for hook in hooks[None]]
    hooks = app.teardown_request_funcs
    hooks[None] = [hook if hook in teardown else logins.teardown(hook) for hook in hooks[None]]


class _LoginEndpoints:
    """The endpoints whose views ``login_limit`` decorates (found at the first request: every view is known)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.endpoints: frozenset[str] | None = None

    def __contains__(self, endpoint: object) -> bool:
        if self.endpoints is None:
            self.endpoints = frozenset(name for name, view in self.app.view_functions.items() if _limited(view))
        return endpoint in self.endpoints

    def before(self, hook: Callable[[], Any]) -> Callable[[], Any]:
        def gated() -> Any:
            return hook() if request.endpoint in self else None

        return gated

    def after(self, hook: Callable[[Response], Response]) -> Callable[[Response], Response]:
        def gated(response: Response) -> Response:
            return hook(response) if request.endpoint in self else response

        return gated

    def teardown(self, hook: Callable[[BaseException | None], None]) -> Callable[[BaseException | None], None]:
        def gated(exc: BaseException | None) -> None:
            if request.endpoint in self:
                hook(exc)

        return gated


def _limited(view: Any) -> bool:
    view_class = getattr(view, "view_class", None)
    views = [getattr(view_class, m, None) for m in ("get", "post", "put", "patch", "delete")] if view_class else [view]
    return any(getattr(v, _LIMITED, False) for v in views)


def breach(error: RateLimitExceeded) -> tuple[str, int]:
    """The Vietnamese message of a refused login and the seconds until the refusing limits reset."""
    breached = [lim for lim in limiter.current_limits if lim.breached]
    now = time.time()
    wait = max((lim.window[0] - now for lim in breached), default=float(error.limit.limit.get_expiry()))
    seconds = max(1, math.ceil(wait))
    when = f"{math.ceil(seconds / 60)} phút" if seconds >= 60 else f"{seconds} giây"
    if any(ADDRESS_SCOPE in lim.request_args for lim in breached):
        return f"Có quá nhiều lần đăng nhập sai từ địa chỉ của bạn; vui lòng thử lại sau {when}.", seconds
    return f"Bạn đã đăng nhập sai quá nhiều lần; vui lòng thử lại sau {when}.", seconds
