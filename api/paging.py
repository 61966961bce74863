"""Paged lists: the page a query asks for and the headers that say how many rows in all: ``X-Total-Count`` (the
exact count, up to the app's ``LIST_COUNT_LIMIT``) or ``X-Total-Count-More-Than`` (the list has more rows than
that: counting stopped there), and ``X-Next-Cursor`` (where the next page starts)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from engine.views import Listed
from workflows import lists

TOTAL_HEADER = "X-Total-Count"
MORE_THAN_HEADER = "X-Total-Count-More-Than"
NEXT_HEADER = "X-Next-Cursor"


def count_limit() -> int | None:
    """The app's bound on counting a list (``CCHC_LIST_COUNT_LIMIT``; 0: count every row)."""
    configured = int(current_app.config.get("LIST_COUNT_LIMIT", lists.COUNT_LIMIT))
    return configured if configured > 0 else None


def page_of(query: dict[str, Any]) -> lists.Page:
    """The page a loaded ``ListQuerySchema`` asks for."""
    return lists.Page(
        limit=query["limit"],
        offset=query["offset"],
        sort=query.get("sort"),
        cursor=query.get("cursor"),
        count_limit=count_limit(),
    )


def list_headers(listed: Listed[Any]) -> dict[str, str]:
    """The total of the whole list (not on a page after a cursor) and, when another page follows, its cursor."""
    headers: dict[str, str] = {}
    if listed.total is not None:
        headers[MORE_THAN_HEADER if listed.more_than_total else TOTAL_HEADER] = str(listed.total)
    if listed.next_cursor is not None:
        headers[NEXT_HEADER] = listed.next_cursor
    return headers


def total_headers(what: str) -> dict[str, Any]:
    """The OpenAPI description of the headers."""
    return {
        TOTAL_HEADER: {
            "description": (
                f"Tổng số {what} phù hợp (mọi trang), đếm chính xác khi không vượt quá giới hạn đếm (mặc định "
                f"10.000, CCHC_LIST_COUNT_LIMIT); vượt quá thì không có tiêu đề này mà có {MORE_THAN_HEADER}. "
                "Không có ở trang đọc theo cursor."
            ),
            "schema": {"type": "integer"},
        },
        MORE_THAN_HEADER: {
            "description": (
                f"Có nhiều hơn số {what} này (giới hạn đếm, ví dụ 10000: “hơn 10.000”): danh sách không được đếm "
                "hết; đi tiếp bằng X-Next-Cursor. Chỉ có ở trang đầu (không theo cursor) khi vượt giới hạn đếm."
            ),
            "schema": {"type": "integer"},
        },
        NEXT_HEADER: {
            "description": "Con trỏ của trang sau (tham số cursor); không có khi đây là trang cuối.",
            "schema": {"type": "string"},
        },
    }
