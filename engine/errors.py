"""Errors every layer understands: a stable snake_case code, a Vietnamese message, optional details."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of every expected failure; the API maps subclasses to HTTP statuses in one table."""

    code = "app_error"
    default_message = "Đã xảy ra lỗi."

    def __init__(self, message: str | None = None, *, code: str | None = None, details: Any = None) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details
        super().__init__(self.message)


class NotFound(AppError):
    code = "not_found"
    default_message = "Không tìm thấy dữ liệu yêu cầu."


class Forbidden(AppError):
    code = "forbidden"
    default_message = "Bạn không có quyền thực hiện thao tác này."


class Unauthorized(AppError):
    code = "unauthorized"
    default_message = "Bạn cần đăng nhập."


class Conflict(AppError):
    code = "conflict"
    default_message = "Dữ liệu đã bị thay đổi bởi thao tác khác. Vui lòng tải lại và thử lại."


class InvalidInput(AppError):
    code = "invalid_input"
    default_message = "Dữ liệu không hợp lệ."


class DefinitionInvalid(InvalidInput):
    """A diagram bundle failed validation; ``details`` lists every problem."""

    code = "definition_invalid"
    default_message = "Sơ đồ quy trình không hợp lệ."


class ScriptFailed(AppError):
    """A script or expression of a diagram failed while an instance ran."""

    code = "script_failed"
    default_message = "Tập lệnh trong quy trình bị lỗi."

    def __init__(self, message: str, *, element_id: str | None, line: int | None, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.element_id = element_id
        self.line = line


class DataTooLarge(InvalidInput):
    """What an instance would store is over the instance data cap (``ScriptLimits.data_max_bytes``)."""

    code = "instance_data_too_large"
    default_message = "Dữ liệu của hồ sơ quá lớn."


class TooLarge(AppError):
    """A body or file over its size limit (HTTP 413)."""

    code = "payload_too_large"
    default_message = "Dữ liệu gửi lên quá lớn."


class UnsupportedType(AppError):
    """A body or file of a type that is not accepted (HTTP 415)."""

    code = "unsupported_media_type"
    default_message = "Định dạng tệp không được hỗ trợ."
