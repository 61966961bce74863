"""Vietnamese HTML error pages for the web routes (everything outside ``/api/`` and ``/ui/api/``)."""

from __future__ import annotations

from flask import g, render_template, request, session

from engine.errors import AppError

from ..auth import SESSION_USER_KEY, load_active_user

# status → (page title, what the user reads); an AppError raised by a page brings its own message
PAGE_ERRORS: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ", "Trang không hiểu yêu cầu vừa gửi. Vui lòng quay lại trang trước và thử lại."),
    401: ("Cần đăng nhập", "Bạn cần đăng nhập để xem trang này."),
    403: ("Không có quyền truy cập", "Bạn không có quyền xem trang này."),
    404: (
        "Không tìm thấy trang",
        "Địa chỉ bạn mở không tồn tại hoặc đã được thay đổi. Vui lòng kiểm tra lại đường dẫn.",
    ),
    405: ("Thao tác không được hỗ trợ", "Trang này không nhận thao tác vừa gửi. Vui lòng mở lại trang từ menu."),
    409: ("Dữ liệu đã thay đổi", "Dữ liệu đã bị thay đổi bởi thao tác khác. Vui lòng tải lại trang."),
    413: ("Dữ liệu quá lớn", "Dữ liệu gửi lên vượt quá giới hạn cho phép."),
    415: ("Định dạng không được hỗ trợ", "Định dạng dữ liệu gửi lên không được hỗ trợ."),
    422: ("Dữ liệu không hợp lệ", "Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra lại."),
    429: ("Quá nhiều yêu cầu", "Bạn đã thử quá nhiều lần. Vui lòng đợi vài phút rồi thử lại."),
    500: ("Lỗi hệ thống", "Đã xảy ra lỗi ngoài dự kiến. Vui lòng thử lại sau hoặc báo quản trị viên."),
}
DEFAULT_ERROR = ("Đã xảy ra lỗi", "Không thể hiển thị trang này. Vui lòng thử lại sau.")

# the last resort when even the page template fails (a broken template, the database gone)
BARE_PAGE = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi hệ thống — CCHC Flow</title></head>'
    "<body><h1>Lỗi hệ thống</h1><p>Đã xảy ra lỗi ngoài dự kiến. Vui lòng thử lại sau hoặc báo quản trị viên.</p>"
    '<p><a href="/">Trang chủ</a> · <a href="/login">Đăng nhập</a></p></body></html>'
)


def wants_page() -> bool:
    """A web page asked: the API and the pages' JSON helpers (``/ui/api/``) keep their JSON errors."""
    return not request.path.startswith(("/api/", "/ui/api/"))


def load_page_user() -> None:
    """Name the logged-in user in the header, also on URLs no page route matched (no login check ran there)."""
    if "web_user" in g:
        return
    username = session.get(SESSION_USER_KEY)
    if not username:
        return
    try:
        g.web_user = load_active_user(str(username))
    except AppError:
        g.web_user = None


def render_error_page(status: int, message: str | None = None) -> str:
    """The page for ``status``; ``message`` (Vietnamese) replaces the standard text."""
    title, text = PAGE_ERRORS.get(status, DEFAULT_ERROR)
    if status < 500:  # a 500 may come from the database itself: do not read the user then
        load_page_user()
    return render_template("error.html", title=title, message=message or text, status=status)
