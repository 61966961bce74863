"""The one place where errors become HTTP responses: ``{"error": {"code", "message", "details"}}`` for the API
(``/api/...``, ``/ui/api/...``), a Vietnamese HTML page (``web/error_pages.py``) for every other address."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, make_response
from flask_limiter import RateLimitExceeded
from flask_smorest import Api
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from engine.errors import (
    AppError,
    Conflict,
    DefinitionInvalid,
    Forbidden,
    InvalidInput,
    NotFound,
    ScriptFailed,
    TooLarge,
    Unauthorized,
    UnsupportedType,
)

from .limits import breach
from .web.error_pages import BARE_PAGE, render_error_page, wants_page

log = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[AppError], int]] = [
    (DefinitionInvalid, 422),
    (InvalidInput, 422),
    (ScriptFailed, 422),
    (NotFound, 404),
    (Forbidden, 403),
    (Unauthorized, 401),
    (Conflict, 409),
    (TooLarge, 413),
    (UnsupportedType, 415),
    (AppError, 400),
]

HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ (dữ liệu JSON sai cú pháp?)."),
    401: ("unauthorized", "Bạn cần đăng nhập."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy địa chỉ yêu cầu."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ tại địa chỉ này."),
    409: ("conflict", "Dữ liệu đã bị thay đổi bởi thao tác khác."),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn."),
    415: ("unsupported_media_type", "Định dạng dữ liệu không được hỗ trợ; hãy gửi JSON (application/json)."),
    422: ("validation_error", "Dữ liệu không hợp lệ. Vui lòng kiểm tra các trường được đánh dấu."),
    429: ("too_many_requests", "Bạn đã thử quá nhiều lần. Vui lòng đợi vài phút rồi thử lại."),
    500: ("internal_error", "Lỗi hệ thống. Vui lòng thử lại sau hoặc báo quản trị viên."),
}


def error_response(status: int, code: str, message: str, details: Any = None) -> tuple[Response, int]:
    """The error body every endpoint uses."""
    return jsonify({"error": {"code": code, "message": message, "details": details}}), status


def page_response(status: int, message: str | None = None) -> Response:
    """A web page's error: the Vietnamese HTML page (never JSON), or a bare page if even that fails to render."""
    try:
        body = render_error_page(status, message)
    except Exception:  # the error page must not fail: a broken template or database still gets an answer
        log.exception("error page failed")
        body = BARE_PAGE
    return make_response(body, status)


def _validation_details(data: dict[str, Any] | None) -> Any:
    """webargs puts errors under their location (``json``, ``query``); callers want the fields."""
    if not data:
        return None
    messages = data.get("messages") or data.get("errors")
    if isinstance(messages, dict) and len(messages) == 1:
        [(location, fields)] = messages.items()
        if location in {"json", "query", "form", "files", "view_args", "headers"}:
            return _vietnamese(fields)
    return _vietnamese(messages)


_MARSHMALLOW_VI = {
    "Missing data for required field.": "Trường này là bắt buộc.",
    "Unknown field.": "Trường không được phép.",
    "Not a valid string.": "Phải là chuỗi ký tự.",
    "Not a valid integer.": "Phải là số nguyên.",
    "Not a valid number.": "Phải là số.",
    "Not a valid boolean.": "Phải là đúng/sai.",
    "Not a valid date.": "Ngày không hợp lệ (YYYY-MM-DD).",
    "Not a valid datetime.": "Ngày giờ không hợp lệ.",
    "Not a valid list.": "Phải là danh sách.",
    "Not a valid mapping type.": "Phải là đối tượng JSON.",
    "Field may not be null.": "Không được để trống.",
    "Invalid input type.": "Kiểu dữ liệu không hợp lệ.",
    "Invalid JSON body.": "Dữ liệu JSON sai cú pháp.",
}


def _vietnamese(messages: Any) -> Any:
    if isinstance(messages, dict):
        return {k: _vietnamese(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [_vietnamese(m) for m in messages]
    if isinstance(messages, str):
        if messages in _MARSHMALLOW_VI:
            return _MARSHMALLOW_VI[messages]
        if messages.startswith("Must be one of"):
            return "Giá trị không nằm trong danh sách cho phép."
        if messages.startswith("Length must be") or messages.startswith("Shorter than"):
            return "Độ dài không hợp lệ."
        if messages.startswith("Must be greater") or messages.startswith("Must be less"):
            return "Giá trị nằm ngoài khoảng cho phép."
    return messages


class CchcApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with our error body for every HTTP error."""

    def handle_http_exception(self, error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        code, message = HTTP_ERRORS.get(status, ("http_error", error.description or "Lỗi."))
        data = getattr(error, "data", None)
        details = None
        if status == 422:
            details = _validation_details(data)
        elif status == 400 and data:
            code, message = "malformed_json", "Dữ liệu JSON sai cú pháp."
            details = _validation_details(data)
        if status >= 500:
            log.exception("server error", exc_info=getattr(error, "original_exception", None) or error)
        retry_after = None
        page_message = None
        if isinstance(error, RateLimitExceeded):
            message, retry_after = breach(error)
            details = {"retry_after": retry_after}
            page_message = message
        if wants_page():
            response = page_response(status, page_message)
        else:
            response, status = error_response(status, code, message, details)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        allowed = getattr(error, "valid_methods", None)
        if status == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response, status


def register_error_handlers(app: Flask) -> None:
    """Domain errors and marshmallow errors → our body (a page's: the HTML page); anything unexpected → a 500."""

    @app.errorhandler(AppError)
    def _app_error(error: AppError) -> tuple[Response, int]:
        status = next(s for cls, s in STATUS_BY_ERROR if isinstance(error, cls))
        if wants_page():
            return page_response(status, error.message), status
        return error_response(status, error.code, error.message, error.details)

    @app.errorhandler(ValidationError)
    def _marshmallow(error: ValidationError) -> tuple[Response, int]:
        if wants_page():
            return page_response(422), 422
        code, message = HTTP_ERRORS[422]
        return error_response(422, code, message, _vietnamese(error.messages))
