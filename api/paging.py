"""Paged lists: the page a query asks for and the ``X-Total-Count`` header that answers how many rows in all."""

from __future__ import annotations

from typing import Any

from engine.views import Listed
from workflows import lists

TOTAL_HEADER = "X-Total-Count"
NEXT_HEADER = "X-Next-Cursor"


def page_of(query: dict[str, Any]) -> lists.Page:
    """The page a loaded ``ListQuerySchema`` asks for."""
    return lists.Page(limit=query["limit"], offset=query["offset"], sort=query.get("sort"), cursor=query.get("cursor"))


def list_headers(listed: Listed[Any]) -> dict[str, str]:
    """The total of the whole list (not on a page after a cursor) and, when another page follows, its cursor."""
    headers = {TOTAL_HEADER: str(listed.total)} if listed.total is not None else {}
    if listed.next_cursor is not None:
        headers[NEXT_HEADER] = listed.next_cursor
    return headers


def total_headers(what: str) -> dict[str, Any]:
    """The OpenAPI description of the headers."""
    return {
        TOTAL_HEADER: {
            "description": f"Tổng số {what} phù hợp (mọi trang); không có ở trang đọc theo cursor.",
            "schema": {"type": "integer"},
        },
        NEXT_HEADER: {
            "description": "Con trỏ của trang sau (tham số cursor); không có khi đây là trang cuối.",
            "schema": {"type": "string"},
        },
    }
