"""The web pages (Vietnamese): login with a session cookie, then pages whose scripts call the API."""

from __future__ import annotations

from .pages import init_web, web_bp

__all__ = ["init_web", "web_bp"]
