"""Paged lists: the page a query asks for and the ``X-Total-Count`` header that answers how many rows in all."""

from __future__ import annotations

from typing import Any

from workflows import lists

TOTAL_HEADER = "X-Total-Count"


def page_of(query: dict[str, Any]) -> lists.Page:
    """The page a loaded ``ListQuerySchema`` asks for."""
    return lists.Page(limit=query["limit"], offset=query["offset"], sort=query.get("sort"))


def total_headers(what: str) -> dict[str, Any]:
    """The OpenAPI description of the header."""
    return {TOTAL_HEADER: {"description": f"Tổng số {what} phù hợp (mọi trang).", "schema": {"type": "integer"}}}
