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
    return cast(F, _per_address(_per_account(view)))


def init_limiter(app: Flask) -> None:
    limiter.init_app(app)


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
