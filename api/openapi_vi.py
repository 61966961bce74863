"""The API documentation in Vietnamese: a summary (and, where it helps, a description) for every operation.

Route docstrings stay the developers' English notes; what the OpenAPI document and the docs page
(``/api/v1/docs``) show comes from this table, applied by an apispec plugin as each route is registered. A
route missing here keeps its docstring, and ``tests/api/test_openapi_vi.py`` fails until it is added.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin

P = "/api/v1"
DEFS = f"{P}/process-definitions"
INST = f"{P}/process-instances"
PLAN = f"{P}/plans/{{plan_id}}"
# (method, path) -> summary, or (summary, description)
OPERATIONS: dict[tuple[str, str], str | tuple[str, str]] = {
    ("get", f"{P}/health"): "Tình trạng dịch vụ (không cần đăng nhập)",
    ("post", f"{P}/auth/login"): ("Đăng nhập", "Gửi tên đăng nhập và mật khẩu; nhận mã truy cập (bearer token)."),
    ("get", f"{P}/me"): "Người dùng đang đăng nhập",
    ("get", f"{P}/units"): (
        "Danh sách đơn vị",
        "Các đơn vị của tổ chức người gọi (hoặc còn hiệu lực vào ngày ``on``); ``startable=true``: các đơn vị "
        "người gọi được khởi tạo hồ sơ hôm nay.",
    ),
    ("post", f"{P}/units"): "Thêm đơn vị (quản trị viên)",
    ("patch", f"{P}/units/{{code}}"): "Đổi tên hoặc kết thúc hiệu lực đơn vị (quản trị viên)",
    ("get", f"{P}/users"): "Danh sách tài khoản (quản trị viên)",
    ("post", f"{P}/users"): (
        "Tạo tài khoản (quản trị viên)",
        "Mật khẩu có ít nhất 8 ký tự, khác tên đăng nhập và không thuộc danh sách mật khẩu phổ biến "
        "(422 ``password_too_short``, ``password_like_username``, ``password_too_common``).",
    ),
    ("patch", f"{P}/users/{{username}}"): (
        "Sửa tài khoản, đặt lại mật khẩu, khóa hoặc mở khóa (quản trị viên)",
        "Mật khẩu mới theo cùng quy tắc khi tạo tài khoản; không thể tự khóa tài khoản của mình "
        "(422 ``cannot_deactivate_self``).",
    ),
    ("get", f"{P}/organisations"): "Danh sách tổ chức",
    ("post", f"{P}/organisations"): "Thêm tổ chức",
    ("get", f"{P}/organisations/{{code}}"): "Thông tin một tổ chức",
    ("patch", f"{P}/organisations/{{code}}"): "Sửa thông tin tổ chức",
    ("post", f"{P}/organisations/{{code}}/units/import"): "Nhập danh sách đơn vị của tổ chức (CSV, Excel, YAML)",
    ("get", DEFS): "Phiên bản mới nhất của mỗi quy trình",
    ("post", DEFS): (
        "Triển khai sơ đồ quy trình",
        "Thân yêu cầu là tệp BPMN (XML) hoặc multipart gồm sơ đồ cùng các tệp DMN và biểu mẫu; sơ đồ có lỗi "
        "bị từ chối (422) với từng lỗi trên phần tử của nó.",
    ),
    ("get", f"{DEFS}/{{key}}"): "Phiên bản mới nhất của một quy trình, kèm biểu mẫu khởi tạo",
    ("get", f"{DEFS}/{{key}}/versions/{{version}}"): "Một phiên bản của quy trình, kèm biểu mẫu khởi tạo",
    ("get", f"{DEFS}/{{key}}/versions"): "Các phiên bản của một quy trình, mới nhất trước",
    ("get", f"{DEFS}/{{key}}/versions/{{version}}/bpmn"): "Tệp BPMN (XML) của một phiên bản",
    ("post", f"{DEFS}/validate"): (
        "Kiểm tra sơ đồ mà không triển khai",
        "Mọi lỗi kèm mã phần tử và dòng: cấu trúc, làn và vai trò, phần tử không đến được từ sự kiện bắt đầu "
        "hoặc không dẫn tới sự kiện kết thúc, biểu thức, biểu mẫu…",
    ),
    ("get", f"{DEFS}/{{key}}/versions/{{version}}/files"): "Các tệp biểu mẫu và DMN triển khai cùng một phiên bản",
    ("get", INST): (
        "Danh sách hồ sơ quy trình người gọi được xem",
        "Mới nhất trước; tìm với ``q``, phân trang với ``limit`` (50, tối đa 200) và ``offset`` hoặc ``cursor``, "
        "tổng số trong tiêu đề ``X-Total-Count`` (quá 10.000 thì ``X-Total-Count-More-Than: 10000``: “hơn "
        "10.000”); ``plan_id``/``activity_id``: các hồ sơ khởi tạo từ một kế hoạch, hoạt động.",
    ),
    ("post", INST): "Khởi tạo hồ sơ quy trình cho một đơn vị",
    ("get", f"{INST}/{{instance_id}}"): "Một hồ sơ: trạng thái, phiên bản, dữ liệu, các bước đang mở và đã xong",
    ("get", f"{INST}/{{instance_id}}/events"): "Nhật ký của một hồ sơ, cũ nhất trước",
    ("post", f"{INST}/{{instance_id}}/cancel"): "Hủy một hồ sơ đang xử lý (quản trị viên)",
    ("post", f"{INST}/{{instance_id}}/retry"): "Chạy lại bước bị lỗi sau khi sửa dữ liệu (quản trị viên)",
    ("get", f"{P}/tasks"): (
        "Việc cần làm, hoặc việc của đơn vị",
        "``scope=mine`` (mặc định): việc của người gọi và việc chung họ được nhận; ``scope=unit``: mọi bước "
        "đang mở của đơn vị. Tìm với ``q``, phân trang với ``limit`` và ``offset`` hoặc ``cursor``, sắp xếp với "
        "``sort``; tổng số trong ``X-Total-Count`` (quá 10.000 thì ``X-Total-Count-More-Than: 10000``).",
    ),
    ("get", f"{P}/tasks/{{task_id}}"): "Một công việc: hướng dẫn, biểu mẫu, hồ sơ và các lần xử lý trước",
    ("post", f"{P}/tasks/{{task_id}}/claim"): "Nhận xử lý",
    ("post", f"{P}/tasks/{{task_id}}/unclaim"): "Trả lại hàng chờ",
    ("get", f"{P}/tasks/{{task_id}}/candidates"): "Những người có thể được giao công việc",
    ("post", f"{P}/tasks/{{task_id}}/assign"): "Giao việc cho một người (lãnh đạo đơn vị, quản trị viên)",
    ("post", f"{P}/tasks/{{task_id}}/complete"): (
        "Hoàn thành công việc với dữ liệu biểu mẫu",
        "Bước quá hạn cần ``late_reason`` (giải trình); kết quả là hồ sơ với các bước tiếp theo.",
    ),
    ("post", f"{P}/tasks/{{task_id}}/extend"): "Gia hạn công việc, kèm lý do",
    ("get", f"{P}/plans"): "Các kế hoạch đã nhập, năm mới nhất trước",
    ("post", f"{P}/plans/import"): "Nhập kế hoạch từ tệp Markdown hoặc Excel",
    ("get", f"{P}/plans/import/organisations"): "Các tổ chức người gọi được nhập kế hoạch",
    ("post", f"{P}/organisations/{{code}}/plans/import"): (
        "Nhập kế hoạch cho một tổ chức",
        "``dry_run=1`` xem trước (không lưu); lần xác nhận gửi ``mapping`` cho mọi tên đơn vị tổ chức chưa có.",
    ),
    ("get", PLAN): "Cây kế hoạch (lĩnh vực, mục tiêu, nhiệm vụ, hoạt động) với trạng thái từng hoạt động",
    ("get", f"{PLAN}/activities"): "Các hoạt động, lọc theo lĩnh vực, đơn vị chủ trì, trạng thái, loại, thời hạn",
    ("get", f"{PLAN}/activities/{{activity_id}}"): "Một hoạt động với từng lần thực hiện của các đơn vị",
    ("patch", f"{PLAN}/activities/{{activity_id}}"): "Đổi loại hoạt động hoặc thời hạn đặt tay",
    ("post", f"{PLAN}/launch"): "Khởi tạo hồ sơ cho các lần thực hiện đến hạn (chạy lại không tạo trùng)",
    ("get", f"{PLAN}/progress"): "Tiến độ: số hoạt động theo trạng thái, lĩnh vực, đơn vị chủ trì và quý",
    ("get", f"{PLAN}/export"): "Xuất Excel tiến độ kế hoạch",
    ("get", f"{PLAN}/report"): "Xuất Word báo cáo CCHC định kỳ (quý, 6 tháng, năm)",
    ("get", f"{P}/calendar/due-date"): "Ngày sau N ngày làm việc (bỏ qua cuối tuần, ngày lễ, ngày điều chỉnh)",
    ("get", f"{P}/calendar/overrides"): "Các ngày nghỉ bổ sung và ngày làm bù",
    ("post", f"{P}/calendar/overrides"): "Khai báo ngày nghỉ bổ sung hoặc ngày làm bù",
    ("delete", f"{P}/calendar/overrides/{{day}}"): "Xóa ngày điều chỉnh (áp dụng lại lịch chính thức)",
    ("get", f"{P}/notifications"): "Thông báo của người gọi, mới nhất trước, và số chưa đọc",
    ("post", f"{P}/notifications/{{notification_id}}/read"): "Đánh dấu một thông báo đã đọc",
    ("post", f"{P}/notifications/read-all"): "Đánh dấu mọi thông báo đã đọc",
    ("get", f"{P}/reports/deadlines"): "Số công việc theo tình trạng thời hạn, theo đơn vị, quy trình hoặc tháng",
    ("get", f"{INST}/{{instance_id}}/scoring-results"): "Kết quả chấm điểm Chỉ số CCHC của một đợt",
    ("get", f"{INST}/{{instance_id}}/scoring-results/export"): "Xuất Excel kết quả chấm điểm Chỉ số CCHC",
    ("get", f"{P}/reports/overdue"): "Danh sách công việc quá hạn",
    ("get", f"{P}/reports/overdue/export"): "Xuất Excel danh sách công việc quá hạn",
    ("get", f"{P}/province/overview"): "Tổng hợp toàn tỉnh theo từng tổ chức",
    ("get", f"{P}/province/overview/export"): "Xuất Excel tổng hợp toàn tỉnh",
    ("post", f"{P}/documents"): "Tải lên một tệp (loại tệp nhận biết theo nội dung)",
    ("get", f"{P}/documents/{{document_id}}"): "Thông tin một tài liệu",
    ("delete", f"{P}/documents/{{document_id}}"): "Xóa tài liệu đã tải lên mà chưa bước nào dùng",
    ("get", f"{P}/documents/{{document_id}}/content"): "Tải xuống tệp của tài liệu (có ghi nhật ký)",
    ("post", f"{DEFS}/test"): (
        "Chạy kịch bản với bản nháp (quản trị viên)",
        "Chạy các kịch bản tiếng Việt (tệp .feature) của quy trình với sơ đồ gửi lên, trong một máy chạy riêng "
        "(cơ sở dữ liệu trong bộ nhớ, đồng hồ riêng), không chạm vào dữ liệu thật; trả về kết quả từng kịch bản, "
        "từng bước (passed, failed, undefined) với phần tử BPMN liên quan và độ bao phủ làn, bước.",
    ),
    ("get", f"{DEFS}/{{key}}/features"): "Các tệp kịch bản (.feature) của một quy trình (quản trị viên)",
    ("get", f"{DEFS}/{{key}}/migrations"): "Các lần chuyển phiên bản gần nhất của quy trình (quản trị viên)",
    ("post", f"{DEFS}/{{key}}/migrations"): (
        "Chuyển hồ sơ đang chạy sang phiên bản khác (quản trị viên)",
        "Thử (``dry_run``) hoặc chạy chuyển hồ sơ từ ``from_version`` sang ``to_version``: từng hồ sơ chuyển được "
        "hay không kèm lý do; khi chạy, mỗi hồ sơ chuyển trong một giao dịch riêng, theo lô.",
    ),
    ("get", f"{DEFS}/{{key}}/migrations/{{run_id}}"): "Một lần chuyển phiên bản với kết quả của từng hồ sơ",
    ("get", f"{P}/organisations/{{code}}/criteria-sets"): "Bộ tiêu chí Chỉ số CCHC của tổ chức",
    ("post", f"{P}/organisations/{{code}}/criteria-sets"): (
        "Nhập bộ tiêu chí (YAML, JSON, Excel)",
        "``dry_run=1``: chỉ kiểm tra và xem trước cây tiêu chí; lỗi từng dòng trả về 422 kèm mã lỗi.",
    ),
    ("get", f"{P}/organisations/{{code}}/criteria-sets/{{set_id}}"): "Một bộ tiêu chí của tổ chức, với cây tiêu chí",
    ("delete", f"{P}/organisations/{{code}}/criteria-sets/{{set_id}}"): "Xóa bộ tiêu chí chưa được dùng",
}


class VietnameseSummaries(BasePlugin):  # type: ignore[misc]
    """Put each operation's Vietnamese summary and description in place of its docstring's English."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any) -> None:
        for method, operation in (operations or {}).items():
            text = OPERATIONS.get((method, path or ""))
            if text is None:
                continue
            summary, description = (text, "") if isinstance(text, str) else text
            operation["summary"] = summary
            if description:
                operation["description"] = description
            else:
                operation.pop("description", None)
