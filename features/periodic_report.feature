# language: vi
Tính năng: Báo cáo CCHC định kỳ của đơn vị
  Chuyên viên đơn vị soạn báo cáo (quý, 6 tháng, năm), lãnh đạo đơn vị duyệt, đầu mối CCHC Phòng Nội vụ
  tiếp nhận. Lãnh đạo đơn vị và Phòng Nội vụ đều có thể trả lại kèm lý do, có thể gia hạn.

  Dữ liệu khởi tạo mẫu: hoạt động VII.3.2, kỳ "Quý I/2024", hạn gửi báo cáo 15/03/2024. Thời hạn chuẩn
  (ngày làm việc): soạn 5, duyệt 2 (không muộn hơn hạn gửi), Phòng Nội vụ tiếp nhận 3 kể từ ngày đơn vị gửi.

  Bối cảnh:
    Cho hôm nay là ngày 04/03/2024 lúc 08:00

  Kịch bản: Báo cáo quý của Phường 1 được duyệt và Phòng Nội vụ tiếp nhận đúng hạn
    Cho "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    # Thứ Hai 04/03 + 5 ngày làm việc: 05, 06, 07, 08, 11/03
    Thì bước "Soạn báo cáo" thuộc về chuyên viên của đơn vị "P1" với hạn ngày 11/03/2024
    Và hộp công việc của "cv.p1" có bước "Soạn báo cáo"
    Và hộp công việc của "cv.p2" không có bước "Soạn báo cáo"
    Khi hôm nay là ngày 06/03/2024
    Và "cv.p1" hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": ["bao-cao-quy-1.pdf"]}
      """
    # Thứ Tư 06/03 + 2 ngày làm việc: 07, 08/03
    Thì bước "Duyệt báo cáo" thuộc về lãnh đạo đơn vị của đơn vị "P1" với hạn ngày 08/03/2024
    Và hộp công việc của "ct.p1" có bước "Duyệt báo cáo"
    Khi "ct.p1" duyệt bước "Duyệt báo cáo"
    # gửi ngày 06/03 + 3 ngày làm việc: 07, 08, 11/03
    Thì bước "Tiếp nhận báo cáo" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 11/03/2024
    Và hộp công việc của "cchc.pnv" có bước "Tiếp nhận báo cáo"
    Khi "cchc.pnv" tiếp nhận bước "Tiếp nhận báo cáo"
    Thì hồ sơ đã hoàn thành
    Và hồ sơ không còn bước nào đang mở
    Và dữ liệu hồ sơ "submitted_date" là "2024-03-06"
    Và dữ liệu hồ sơ "submitted_on_time" là true
    Và hồ sơ chưa có cảnh báo nào
    Và nhật ký hồ sơ ghi lần lượt:
      | sự kiện         | phần tử         | người thực hiện |
      | khởi tạo hồ sơ  |                 | cv.p1           |
      | hoàn thành bước | Task_draft      | cv.p1           |
      | hoàn thành bước | Task_review     | ct.p1           |
      | hoàn thành bước | Task_acceptance | cchc.pnv        |
      | kết thúc hồ sơ  |                 | cchc.pnv        |

  Kịch bản: Phòng Nội vụ trả lại báo cáo, hạn soạn ban đầu được giữ và báo cáo sửa phải qua lãnh đạo đơn vị
    Cho "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    Và "cv.p1" hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": ["bao-cao-quy-1.pdf"]}
      """
    Và "ct.p1" duyệt bước "Duyệt báo cáo"
    Khi hôm nay là ngày 07/03/2024
    Và "cchc.pnv" trả lại bước "Tiếp nhận báo cáo" với lý do "Thiếu số liệu thủ tục hành chính"
    Thì bước "Soạn báo cáo" thuộc về chuyên viên của đơn vị "P1" với hạn ngày 11/03/2024
    Và hồ sơ ghi nhận các lần trả lại:
      | bước       | trả về | lý do                            | lúc              |
      | acceptance | draft  | Thiếu số liệu thủ tục hành chính | 08:00 07/03/2024 |
    Khi "cv.p1" hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1 (bổ sung)", "attachments": ["bao-cao-quy-1.pdf"],
       "revision_note": "Bổ sung số liệu thủ tục hành chính"}
      """
    Thì bước "Duyệt báo cáo" thuộc về lãnh đạo đơn vị của đơn vị "P1"
    Và hộp công việc của "cchc.pnv" không có bước "Tiếp nhận báo cáo"

  Kịch bản: Phòng Nội vụ trả lại và gia hạn 2 ngày làm việc
    Cho "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    Và "cv.p1" hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": ["bao-cao-quy-1.pdf"]}
      """
    Và "ct.p1" duyệt bước "Duyệt báo cáo"
    # báo cáo gửi Thứ Hai 04/03: Phòng Nội vụ tiếp nhận hạn 05, 06, 07/03
    Thì bước "Tiếp nhận báo cáo" có hạn ngày 07/03/2024
    Khi hôm nay là ngày 12/03/2024
    Và "cchc.pnv" trả lại bước "Tiếp nhận báo cáo" với lý do "Số liệu chưa khớp" và gia hạn 2 ngày làm việc với lý do "Đơn vị cần đối chiếu lại", kèm giải trình trễ hạn "Chờ đối chiếu số liệu với Văn phòng"
    # hạn cũ 11/03 đã qua: tính từ hôm nay Thứ Ba 12/03 + 2 ngày làm việc: 13, 14/03
    Thì bước "Soạn báo cáo" thuộc về chuyên viên của đơn vị "P1" với hạn ngày 14/03/2024
    Và hồ sơ ghi nhận các lần gia hạn:
      | bước  | hạn cũ     | hạn mới    | lý do                    |
      | draft | 11/03/2024 | 14/03/2024 | Đơn vị cần đối chiếu lại |
    Và nhật ký hồ sơ ghi lần lượt:
      | sự kiện            | phần tử         | người thực hiện |
      | hoàn thành bước    | Task_acceptance | cchc.pnv        |
      | giải trình trễ hạn | Task_acceptance | cchc.pnv        |

  Kịch bản: Lãnh đạo đơn vị trả lại báo cáo, hạn soạn giữ nguyên
    Cho "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    Và "cv.p1" hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": ["bao-cao-quy-1.pdf"]}
      """
    Khi hôm nay là ngày 06/03/2024
    Và "ct.p1" trả lại bước "Duyệt báo cáo" với lý do "Bổ sung phụ lục số liệu"
    Thì bước "Soạn báo cáo" thuộc về chuyên viên của đơn vị "P1" với hạn ngày 11/03/2024
    Và hồ sơ ghi nhận các lần trả lại:
      | bước   | trả về | lý do                   |
      | review | draft  | Bổ sung phụ lục số liệu |

  Kịch bản: Báo cáo gửi sau hạn được ghi nhận quá hạn, Phòng Nội vụ vẫn có đủ thời gian tiếp nhận
    Cho "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    Và "cv.p1" hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": ["bao-cao-quy-1.pdf"]}
      """
    # chuyên viên gửi Thứ Hai 04/03: lãnh đạo duyệt trong 05, 06/03
    Thì bước "Duyệt báo cáo" có hạn ngày 06/03/2024
    Khi hôm nay là ngày 18/03/2024
    Và "ct.p1" thử duyệt bước "Duyệt báo cáo"
    Thì yêu cầu bị từ chối với mã 422 "late_reason_required"
    Và lỗi của trường "late_reason" là "Cần nhập lý do giải trình khi hoàn thành bước quá hạn."
    Và bước "Duyệt báo cáo" vẫn đang mở
    Khi "ct.p1" duyệt bước "Duyệt báo cáo" kèm giải trình trễ hạn "Lãnh đạo phường đi tập huấn"
    # gửi Thứ Hai 18/03, sau hạn 15/03; Phòng Nội vụ: 19, 20, 21/03
    Thì bước "Tiếp nhận báo cáo" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 21/03/2024
    Và dữ liệu hồ sơ "submitted_date" là "2024-03-18"
    Và dữ liệu hồ sơ "submitted_on_time" là false
    Và nhật ký hồ sơ ghi lần lượt:
      | sự kiện            | phần tử     | người thực hiện |
      | hoàn thành bước    | Task_review | ct.p1           |
      | giải trình trễ hạn | Task_review | ct.p1           |

  Kịch bản: Quá hạn từng bước được cảnh báo lần lượt lên lãnh đạo đơn vị, lãnh đạo UBND và Phòng Nội vụ
    Cho "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    Khi đồng hồ chuyển đến 17:01 ngày 11/03/2024 và bộ xử lý hẹn giờ chạy
    Thì hồ sơ có các cảnh báo:
      | bước       | đơn vị | hạn        | gửi đến         | lúc              |
      | Task_draft | P1     | 11/03/2024 | lãnh đạo đơn vị | 17:01 11/03/2024 |
    Khi "cv.p1" hoàn thành bước "Soạn báo cáo" kèm giải trình trễ hạn "Chờ số liệu của Bộ phận Một cửa", với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": ["bao-cao-quy-1.pdf"]}
      """
    # Thứ Hai 11/03 + 2 ngày làm việc: 12, 13/03
    Thì bước "Duyệt báo cáo" thuộc về lãnh đạo đơn vị của đơn vị "P1" với hạn ngày 13/03/2024
    Khi đồng hồ chuyển đến 17:01 ngày 13/03/2024 và bộ xử lý hẹn giờ chạy
    Và "ct.p1" duyệt bước "Duyệt báo cáo" kèm giải trình trễ hạn "Họp Hội đồng nhân dân phường"
    # Thứ Tư 13/03 + 3 ngày làm việc: 14, 15, 18/03
    Thì bước "Tiếp nhận báo cáo" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 18/03/2024
    Khi đồng hồ chuyển đến 09:00 ngày 19/03/2024 và bộ xử lý hẹn giờ chạy
    Thì bộ xử lý hẹn giờ đã xử lý 1 hồ sơ
    Và hồ sơ có các cảnh báo:
      | bước            | đơn vị   | hạn        | gửi đến         |
      | Task_draft      | P1       | 11/03/2024 | lãnh đạo đơn vị |
      | Task_review     | cấp trên | 13/03/2024 | lãnh đạo UBND   |
      | Task_acceptance | PNV      | 18/03/2024 | lãnh đạo đơn vị |
    Và nhật ký hồ sơ có 3 sự kiện "hẹn giờ kích hoạt"
    Khi "cchc.pnv" tiếp nhận bước "Tiếp nhận báo cáo" kèm giải trình trễ hạn "Chuyên viên đầu mối nghỉ phép"
    Thì hồ sơ đã hoàn thành
    Và dữ liệu hồ sơ "submitted_on_time" là true
    Và nhật ký hồ sơ có 3 sự kiện "giải trình trễ hạn"

  Kịch bản: Người ngoài làn của bước không xử lý được báo cáo
    Cho "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    Khi "ct.p1" thử hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": ["bao-cao-quy-1.pdf"]}
      """
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Và thông báo lỗi là "Bạn không được phân công xử lý bước này."
    Khi "cchc.pnv" thử hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": ["bao-cao-quy-1.pdf"]}
      """
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Khi "cv.p2" thử hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 2", "attachments": ["bao-cao-quy-1.pdf"]}
      """
    Thì yêu cầu bị từ chối với mã 404 "task_not_found"
    Và bước "Soạn báo cáo" vẫn đang mở

  Kịch bản: Báo cáo thiếu nội dung bị biểu mẫu từ chối
    Cho "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    Khi "cv.p1" thử hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "ngắn", "attachments": []}
      """
    Thì yêu cầu bị từ chối với mã 422 "form_invalid"
    Và lỗi chỉ ra các trường "report_content", "attachments"
    Và bước "Soạn báo cáo" vẫn đang mở

  Kịch bản: Hạn soạn báo cáo năm bỏ qua kỳ nghỉ Tết
    Cho hôm nay là ngày 06/02/2024
    Và "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1" với dữ liệu:
      """
      {"period_label": "Năm 2023", "period_kind": "year", "deadline": "2024-02-28"}
      """
    # Thứ Ba 06/02 + 5 ngày làm việc, nghỉ Tết 08–14/02: 07, 15, 16, 19, 20/02
    Thì bước "Soạn báo cáo" thuộc về chuyên viên của đơn vị "P1" với hạn ngày 20/02/2024

  Kịch bản: Tệp chạy đổi đuôi thành .pdf không được nhận làm tệp báo cáo
    Cho "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    Khi "cv.p1" tải lên tệp "bao-cao-quy-1.pdf" có nội dung của một tệp chạy (.exe)
    Thì yêu cầu bị từ chối với mã 415 "file_type_not_allowed"
    Và thông báo lỗi có nội dung "nhận biết theo nội dung tệp, không theo tên"
    Khi "cv.p1" thử hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": []}
      """
    Thì yêu cầu bị từ chối với mã 422 "form_invalid"
    Và lỗi của trường "attachments" là "Cần ít nhất 1 mục."
    Và bước "Soạn báo cáo" vẫn đang mở
    # tệp PDF thật thì được nhận và ghi vào bước
    Khi "cv.p1" hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": ["bao-cao-quy-1.pdf"]}
      """
    Thì bước "Soạn báo cáo" đã ghi nhận các tệp "bao-cao-quy-1.pdf"
    Và bước "Duyệt báo cáo" thuộc về lãnh đạo đơn vị của đơn vị "P1" với hạn ngày 06/03/2024

  Kịch bản: Không dùng được tệp do đơn vị khác tải lên
    Cho "cv.p2" đã tải lên tệp "bao-cao-phuong-2.pdf"
    Và "cv.p1" khởi tạo quy trình "periodic_report" cho đơn vị "P1"
    Khi "cv.p1" thử hoàn thành bước "Soạn báo cáo" với dữ liệu:
      """
      {"report_content": "Kết quả thực hiện CCHC quý I/2024 của Phường 1", "attachments": ["cv.p2:bao-cao-phuong-2.pdf"]}
      """
    Thì yêu cầu bị từ chối với mã 422 "document_not_usable"
    Và thông báo lỗi có nội dung "không có quyền dùng"
    Và bước "Soạn báo cáo" vẫn đang mở
    Và bước "Soạn báo cáo" chưa ghi nhận tệp nào
