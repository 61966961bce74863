# language: vi
Tính năng: Quy tắc chung của mọi quy trình
  Mọi sơ đồ quy trình được triển khai qua API kèm biểu mẫu và bảng quyết định; mỗi lần sửa sơ đồ là một phiên
  bản mới, hồ sơ mới chạy trên phiên bản mới nhất. Chỉ người đúng vai trò và đơn vị của làn mới xử lý được một
  bước; lãnh đạo đơn vị có thể giao việc; quản trị viên triển khai, hủy hồ sơ nhưng không làm thay người khác.

  Bối cảnh:
    Cho hôm nay là ngày 02/01/2024 lúc 08:00

  Khung kịch bản: Triển khai sơ đồ "<quy trình>" qua API kèm biểu mẫu và bảng quyết định
    # dữ liệu mẫu đã triển khai phiên bản 1 của mọi quy trình trong thư mục processes/
    Khi "admin" triển khai sơ đồ "<quy trình>" kèm biểu mẫu
    Thì hệ thống giữ phiên bản đã có 1 của quy trình "<quy trình>"
    Khi "admin" triển khai sơ đồ "<quy trình>" kèm biểu mẫu có ghi chú sửa đổi "Sửa đổi ngày 02/01/2024"
    Thì hệ thống tạo phiên bản mới 2 của quy trình "<quy trình>"
    Và quy trình "<quy trình>" có 2 phiên bản
    Khi "cchc.pnv" khởi tạo quy trình "<quy trình>" cho đơn vị "PNV"
    Thì hồ sơ chạy trên phiên bản 2 của quy trình
    Và bước "<bước đầu tiên>" thuộc về <vai trò> của đơn vị "PNV"

    Dữ liệu:
      | quy trình           | bước đầu tiên                | vai trò      |
      | plan_issuance       | Soạn thảo dự thảo kế hoạch   | chuyên viên  |
      | inspection          | Soạn kế hoạch kiểm tra CCHC  | đầu mối CCHC |
      | satisfaction_survey | Lập kế hoạch khảo sát        | đầu mối CCHC |
      | index_scoring       | Mở đợt chấm điểm Chỉ số CCHC | đầu mối CCHC |
      | periodic_report     | Soạn báo cáo                 | chuyên viên  |
      | generic_activity    | Thực hiện, đính kèm sản phẩm | chuyên viên  |

  Kịch bản: Sơ đồ thiếu tệp biểu mẫu thì không được triển khai
    Khi "admin" triển khai sơ đồ "periodic_report" kèm biểu mẫu nhưng thiếu tệp "review.schema.json" có ghi chú sửa đổi "Bản thiếu biểu mẫu"
    Thì yêu cầu bị từ chối với mã 422 "definition_invalid"
    Và thông báo lỗi là "Sơ đồ quy trình có 1 lỗi, chưa được triển khai."
    Và lỗi triển khai "form_missing" chỉ ra bước "Task_review" với nội dung "dùng tệp biểu mẫu "review.schema.json" nhưng tệp này không có trong gói triển khai"
    Và quy trình "periodic_report" có 1 phiên bản

  Kịch bản: Chỉ quản trị viên được triển khai sơ đồ
    Khi "tp.pnv" triển khai sơ đồ "periodic_report" kèm biểu mẫu có ghi chú sửa đổi "Lãnh đạo phòng tự sửa"
    Thì yêu cầu bị từ chối với mã 403 "role_required"
    Và thông báo lỗi là "Bạn không có quyền thực hiện thao tác này."
    Và quy trình "periodic_report" có 1 phiên bản

  Kịch bản: Chuyên viên chỉ khởi tạo quy trình cho đơn vị của mình, văn thư không khởi tạo quy trình
    Khi "cv.p1" thử khởi tạo quy trình "periodic_report" cho đơn vị "P2"
    Thì yêu cầu bị từ chối với mã 403 "unit_not_yours"
    Và thông báo lỗi là "Bạn chỉ được khởi tạo quy trình cho đơn vị của mình."
    Khi "vanthu" thử khởi tạo quy trình "generic_activity" cho đơn vị "UBND"
    Thì yêu cầu bị từ chối với mã 403 "role_cannot_start"
    Và thông báo lỗi là "Vai trò của bạn không được khởi tạo quy trình."
    Khi "cv.p1" thử khởi tạo quy trình "periodic_report" cho đơn vị "XYZ"
    Thì yêu cầu bị từ chối với mã 422 "unit_not_found"

  Kịch bản: Lãnh đạo phòng giao bước cho một chuyên viên, người khác không xử lý được nữa
    Cho quản trị viên đã tạo tài khoản "cv2.pnv" (Nguyễn Thị Thu, chuyên viên Phòng Nội vụ) với vai trò chuyên viên của đơn vị "PNV"
    Và "cv.pnv" khởi tạo quy trình "generic_activity" cho đơn vị "PNV"
    Khi "tp.pnv" giao bước "Thực hiện, đính kèm sản phẩm" cho "cv2.pnv"
    Thì hộp công việc của "cv2.pnv" có bước "Thực hiện, đính kèm sản phẩm"
    Và hộp công việc của "cv.pnv" không có bước "Thực hiện, đính kèm sản phẩm"
    Khi "cv.pnv" thử hoàn thành bước "Thực hiện, đính kèm sản phẩm" với dữ liệu:
      """
      {"output_title": "Báo cáo kết quả", "result_summary": "Đã kiểm tra 6 cơ quan, đơn vị",
       "attachments": ["bao-cao.pdf"], "ask_coordinating_units": false}
      """
    Thì yêu cầu bị từ chối với mã 409 "task_claimed_by_other"
    Và thông báo lỗi là "Bước xử lý đang do cv2.pnv thực hiện."
    Khi "cv.pnv" thử giao bước "Thực hiện, đính kèm sản phẩm" cho "cv.pnv"
    Thì yêu cầu bị từ chối với mã 403 "cannot_assign"
    Khi "cv2.pnv" hoàn thành bước "Thực hiện, đính kèm sản phẩm" với dữ liệu:
      """
      {"output_title": "Báo cáo kết quả", "result_summary": "Đã kiểm tra 6 cơ quan, đơn vị",
       "attachments": ["bao-cao.pdf"], "ask_coordinating_units": false}
      """
    Thì bước "Xác nhận kết quả" thuộc về lãnh đạo đơn vị của đơn vị "PNV" với hạn ngày 04/01/2024
    Và nhật ký hồ sơ ghi lần lượt:
      | sự kiện         | phần tử      | người thực hiện |
      | khởi tạo hồ sơ  |              | cv.pnv          |
      | giao việc       | Task_perform | tp.pnv          |
      | hoàn thành bước | Task_perform | cv2.pnv         |

  Kịch bản: Bước quá hạn hiện trong hộp công việc quá hạn của người xử lý
    Cho "cv.pnv" khởi tạo quy trình "periodic_report" cho đơn vị "PNV"
    # Thứ Ba 02/01 + 5 ngày làm việc: 03, 04, 05, 08, 09/01
    Thì bước "Soạn báo cáo" có hạn ngày 09/01/2024
    Và hộp công việc quá hạn của "cv.pnv" không có bước "Soạn báo cáo"
    Khi đồng hồ chuyển đến 17:30 ngày 09/01/2024 và bộ xử lý hẹn giờ chạy
    Thì hộp công việc quá hạn của "cv.pnv" có bước "Soạn báo cáo"
    Và hồ sơ có các cảnh báo:
      | bước       | đơn vị | hạn        | gửi đến         |
      | Task_draft | PNV    | 09/01/2024 | lãnh đạo đơn vị |

  Kịch bản: Hồ sơ đã hủy không còn bước nào và không còn cảnh báo quá hạn
    Cho "cv.pnv" khởi tạo quy trình "periodic_report" cho đơn vị "PNV"
    Khi "admin" hủy hồ sơ với lý do "Khởi tạo nhầm kỳ báo cáo"
    Thì hồ sơ đã hủy
    Và hồ sơ không còn bước nào đang mở
    Và hộp công việc của "cv.pnv" không có bước "Soạn báo cáo"
    Khi đồng hồ chuyển đến 17:30 ngày 09/01/2024 và bộ xử lý hẹn giờ chạy
    Thì bộ xử lý hẹn giờ đã xử lý 0 hồ sơ
    Và hồ sơ chưa có cảnh báo nào
    Và nhật ký hồ sơ ghi lần lượt:
      | sự kiện        | người thực hiện |
      | khởi tạo hồ sơ | cv.pnv          |
      | hủy hồ sơ      | admin           |

  Kịch bản: Phải đăng nhập mới dùng được API
    Khi một người chưa đăng nhập xem danh sách hồ sơ
    Thì yêu cầu bị từ chối với mã 401 "token_missing"
    Khi "cv.pnv" đăng nhập với mật khẩu "sai-mat-khau"
    Thì yêu cầu bị từ chối với mã 401 "invalid_credentials"
    Và thông báo lỗi là "Tên đăng nhập hoặc mật khẩu không đúng."

  Kịch bản: Bước quá hạn được báo lên lãnh đạo đơn vị, quá hạn 2 ngày làm việc thì báo đầu mối CCHC
    Cho hôm nay là ngày 04/03/2024
    Và "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    # Thứ Hai 04/03 + 5 ngày làm việc: 05, 06, 07, 08, 11/03
    Thì bước "Soạn báo cáo" thuộc về chuyên viên của đơn vị "P1" với hạn ngày 11/03/2024
    Khi đồng hồ chuyển đến 17:01 ngày 11/03/2024 và bộ xử lý hẹn giờ chạy
    Thì "ct.p1" nhận được thông báo "Cảnh báo quá hạn: Soạn báo cáo" với nội dung có "(hạn 17:00 ngày 11/03/2024; người xử lý: chưa có người nhận)"
    Và "cchc.pnv" chưa nhận được thông báo "Cảnh báo quá hạn: Soạn báo cáo"
    # quá hạn 1 ngày làm việc (12/03): chưa báo đầu mối CCHC
    Khi đồng hồ chuyển đến 17:01 ngày 12/03/2024 và bộ xử lý hẹn giờ chạy
    Thì "cchc.pnv" chưa nhận được thông báo "Cảnh báo quá hạn: Soạn báo cáo"
    # quá hạn 2 ngày làm việc (12, 13/03)
    Khi đồng hồ chuyển đến 17:01 ngày 13/03/2024 và bộ xử lý hẹn giờ chạy
    Thì "cchc.pnv" nhận được thông báo "Cảnh báo quá hạn: Soạn báo cáo" với nội dung có "đã quá hạn 2 ngày làm việc"
    Và "ct.p1" nhận được thông báo "Cảnh báo quá hạn: Soạn báo cáo"
    Và hồ sơ có các cảnh báo:
      | bước       | đơn vị | hạn        | gửi đến         |
      | Task_draft | P1     | 11/03/2024 | lãnh đạo đơn vị |

  Kịch bản: Lãnh đạo phòng gia hạn bước kèm lý do, chuyên viên hoàn thành trong hạn mới không phải giải trình
    Cho "cv.pnv" khởi tạo quy trình "periodic_report" cho đơn vị "PNV" với dữ liệu:
      """
      {"deadline": "2024-01-31"}
      """
    # Thứ Ba 02/01 + 5 ngày làm việc: 03, 04, 05, 08, 09/01
    Thì bước "Soạn báo cáo" có hạn ngày 09/01/2024
    Khi "cv.pnv" thử gia hạn bước "Soạn báo cáo" đến ngày 12/01/2024 với lý do "Tự gia hạn"
    Thì yêu cầu bị từ chối với mã 403 "cannot_extend"
    Và thông báo lỗi là "Chỉ lãnh đạo đơn vị, đầu mối CCHC hoặc quản trị viên được gia hạn bước này."
    Khi "tp.pnv" gia hạn bước "Soạn báo cáo" đến ngày 12/01/2024 với lý do "Chờ số liệu của Chi cục Thống kê"
    Thì bước "Soạn báo cáo" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 12/01/2024
    Khi đồng hồ chuyển đến 17:01 ngày 09/01/2024 và bộ xử lý hẹn giờ chạy
    Thì "tp.pnv" chưa nhận được thông báo "Cảnh báo quá hạn: Soạn báo cáo"
    Và hộp công việc quá hạn của "cv.pnv" không có bước "Soạn báo cáo"
    Khi hôm nay là ngày 11/01/2024
    Và "cv.pnv" hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Báo cáo kết quả CCHC của Phòng Nội vụ", "attachments": ["bao-cao.docx"]}
      """
    Thì bước "Duyệt báo cáo" thuộc về lãnh đạo đơn vị của đơn vị "PNV"
    Và nhật ký hồ sơ ghi lần lượt:
      | sự kiện         | phần tử    | người thực hiện |
      | gia hạn bước    | Task_draft | tp.pnv          |
      | hoàn thành bước | Task_draft | cv.pnv          |
    Và nhật ký hồ sơ có 0 sự kiện "giải trình trễ hạn"
