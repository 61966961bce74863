"""Login rate limiting per account and address (flask-limiter), counting only failed attempts."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter


def _key() -> str:
    body = request.get_json(silent=True)
    username = body.get("username") if isinstance(body, dict) else None
    return f"{str(username or '')[:100]}|{request.remote_addr}"


limiter = Limiter(key_func=_key, default_limits=[])

login_limit = limiter.limit(
    lambda: str(current_app.config["LOGIN_RATE_LIMIT"]),
    deduct_when=lambda response: isinstance(response, Response) and response.status_code == 401,
)


def init_limiter(app: Flask) -> None:
    limiter.init_app(app)
