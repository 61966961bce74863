# language: vi
Tính năng: Ban hành kế hoạch CCHC
  Đơn vị chủ trì soạn thảo kế hoạch, lấy ý kiến các đơn vị phối hợp, Phòng Tư pháp thẩm định khi cần,
  lãnh đạo đơn vị xem xét và lập tờ trình, lãnh đạo UBND ký ban hành, văn thư cấp số theo năm và cơ quan
  ban hành rồi phát hành đến Nơi nhận. Mỗi lần duyệt đều có thể trả lại kèm lý do.

  Dữ liệu khởi tạo mẫu: hoạt động I.3.1, hạn hoàn thành 15/01/2024, đơn vị phối hợp Phòng Tư pháp (PTP) và
  Văn phòng HĐND và UBND (VP), cơ quan ban hành UBND Thành phố. Thời hạn chuẩn (ngày làm việc): soạn thảo 5,
  cho ý kiến 3, thẩm định 3, xem xét 2, tờ trình 2, phê duyệt 3 — không muộn hơn hạn của hoạt động.

  Bối cảnh:
    Cho hôm nay là ngày 02/01/2024 lúc 08:00

  Kịch bản: Kế hoạch đi trọn quy trình và được cấp số 1/KH-UBND
    Cho "cv.pnv" khởi tạo quy trình "plan_issuance" cho đơn vị "PNV"
    # Thứ Ba 02/01 + 5 ngày làm việc: 03, 04, 05, 08, 09/01
    Thì bước "Soạn thảo dự thảo kế hoạch" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 09/01/2024
    Và hộp công việc của "cv.pnv" có bước "Soạn thảo dự thảo kế hoạch"
    Và hộp công việc của "tp.pnv" không có bước "Soạn thảo dự thảo kế hoạch"
    Khi hôm nay là ngày 04/01/2024
    Và "cv.pnv" hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC của Thành phố",
       "attachments": ["du-thao.docx"], "needs_legal_review": true}
      """
    # Thứ Năm 04/01 + 3 ngày làm việc: 05, 08, 09/01
    Thì các bước đang mở của hồ sơ là:
      | bước               | vai trò     | đơn vị | hạn        |
      | Cho ý kiến dự thảo | chuyên viên | PTP    | 09/01/2024 |
      | Cho ý kiến dự thảo | chuyên viên | VP     | 09/01/2024 |
    Và hộp công việc của "cv.ptp" có bước "Cho ý kiến dự thảo" của đơn vị "PTP"
    Khi "cv.ptp" hoàn thành bước "Cho ý kiến dự thảo" của đơn vị "PTP" với dữ liệu:
      """
      {"coord_opinion": "agree", "coord_content": "Thống nhất với dự thảo"}
      """
    Và hôm nay là ngày 08/01/2024
    Và "cv.vp" hoàn thành bước "Cho ý kiến dự thảo" của đơn vị "VP" với dữ liệu:
      """
      {"coord_opinion": "agree_with_comments", "coord_content": "Bổ sung mục 3"}
      """
    # Thứ Hai 08/01 + 3 ngày làm việc: 09, 10, 11/01
    Thì bước "Thẩm định dự thảo" thuộc về chuyên viên của đơn vị "PTP" với hạn ngày 11/01/2024
    Khi hôm nay là ngày 12/01/2024
    # hạn thẩm định 11/01 đã qua: Phòng Tư pháp phải giải trình
    Và "cv.ptp" hoàn thành bước "Thẩm định dự thảo" kèm giải trình trễ hạn "Chờ ý kiến của Sở Tư pháp", với dữ liệu:
      """
      {"legal_conclusion": "eligible", "legal_opinion": "Dự thảo đủ điều kiện ban hành"}
      """
    # Thứ Sáu 12/01 + 2 ngày làm việc = 16/01, muộn hơn hạn hoạt động 15/01: lấy 15/01
    Thì bước "Xem xét dự thảo" thuộc về lãnh đạo đơn vị của đơn vị "PNV" với hạn ngày 15/01/2024
    Khi "tp.pnv" duyệt bước "Xem xét dự thảo"
    Thì bước "Lập tờ trình UBND" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 15/01/2024
    Khi "cv.pnv" hoàn thành bước "Lập tờ trình UBND" với dữ liệu:
      """
      {"memo_content": "Kính trình UBND Thành phố ban hành kế hoạch", "memo_attachments": ["to-trinh.docx"]}
      """
    Thì bước "Phê duyệt, ký ban hành" thuộc về lãnh đạo UBND của đơn vị "UBND" với hạn ngày 15/01/2024
    Và hộp công việc của "pct" có bước "Phê duyệt, ký ban hành"
    Khi hôm nay là ngày 15/01/2024
    Và "chutich" phê duyệt bước "Phê duyệt, ký ban hành" với thẩm quyền ký "TM"
    Thì bước "Cấp số, ngày ban hành" thuộc về văn thư của đơn vị "UBND" với hạn ngày 15/01/2024
    Và số văn bản đề xuất cho văn thư là "1/KH-UBND"
    Khi "vanthu" cấp số đề xuất với ngày ban hành 15/01/2024
    Thì bước "Phát hành đến Nơi nhận" thuộc về văn thư của đơn vị "UBND" với hạn ngày 15/01/2024
    Khi "vanthu" hoàn thành bước "Phát hành đến Nơi nhận" với dữ liệu:
      """
      {"recipients": ["Sở Nội vụ", "Các cơ quan, ngành Thành phố"], "distributed_date": "2024-01-15"}
      """
    Thì hồ sơ đã hoàn thành
    Và kế hoạch được ban hành với số "1/KH-UBND" ngày 15/01/2024
    # văn thư đính kèm bản kế hoạch đã ký, đóng dấu khi cấp số: đó là sản phẩm của hồ sơ
    Và sản phẩm của hồ sơ là tệp "ke-hoach-da-ky.pdf", số "1/KH-UBND", ngày ban hành 15/01/2024
    Và bước "Soạn thảo dự thảo kế hoạch" đã ghi nhận các tệp "du-thao.docx"
    Và bước "Lập tờ trình UBND" đã ghi nhận các tệp "to-trinh.docx"
    Và dữ liệu hồ sơ "signing_authority" là "TM"
    Và hồ sơ chưa có cảnh báo nào
    Và nhật ký hồ sơ ghi lần lượt:
      | sự kiện          | phần tử         | người thực hiện |
      | khởi tạo hồ sơ   |                 | cv.pnv          |
      | hoàn thành bước  | Task_draft      | cv.pnv          |
      | hoàn thành bước  | Task_comment    | cv.ptp          |
      | hoàn thành bước  | Task_comment    | cv.vp           |
      | hoàn thành bước  | Task_legal      | cv.ptp          |
      | giải trình trễ hạn | Task_legal    | cv.ptp          |
      | hoàn thành bước  | Task_review     | tp.pnv          |
      | hoàn thành bước  | Task_memo       | cv.pnv          |
      | hoàn thành bước  | Task_approval   | chutich         |
      | hoàn thành bước  | Task_number     | vanthu          |
      | hoàn thành bước  | Task_distribute | vanthu          |
      | kết thúc hồ sơ   |                 | vanthu          |

  Khung kịch bản: Số kế hoạch tăng dần theo năm và theo cơ quan ban hành
    Cho Phòng Nội vụ đã ban hành một kế hoạch do "<cơ quan 1>" ban hành trong ngày <ngày 1>
    Và Phòng Nội vụ đã ban hành một kế hoạch do "<cơ quan 2>" ban hành trong ngày <ngày 2>
    Thì kế hoạch được ban hành với số "<số>" ngày <ngày 2>

    Dữ liệu:
      | cơ quan 1 | ngày 1     | cơ quan 2 | ngày 2     | số        |
      | UBND      | 15/01/2024 | UBND      | 20/03/2024 | 2/KH-UBND |
      | UBND      | 15/01/2024 | PNV       | 20/03/2024 | 1/KH-PNV  |
      | UBND      | 27/12/2024 | UBND      | 02/01/2025 | 1/KH-UBND |

  Kịch bản: Kế hoạch thứ ba trong năm được đề xuất số 3/KH-UBND
    Cho Phòng Nội vụ đã ban hành một kế hoạch do "UBND" ban hành trong ngày 10/01/2024
    Và Phòng Nội vụ đã ban hành một kế hoạch do "UBND" ban hành trong ngày 11/01/2024
    Và hôm nay là ngày 12/01/2024
    Và "cv.pnv" khởi tạo quy trình "plan_issuance" cho đơn vị "PNV" với dữ liệu:
      """
      {"coordinating_units": []}
      """
    Và "cv.pnv" hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch tuyên truyền CCHC", "summary": "Dự thảo kế hoạch tuyên truyền CCHC", "attachments": ["kh.docx"],
       "needs_legal_review": false}
      """
    Và "tp.pnv" duyệt bước "Xem xét dự thảo"
    Và "cv.pnv" hoàn thành bước "Lập tờ trình UBND" với dữ liệu:
      """
      {"memo_content": "Kính trình UBND", "memo_attachments": ["to-trinh.docx"]}
      """
    Khi "pct" phê duyệt bước "Phê duyệt, ký ban hành" với thẩm quyền ký "KT"
    Thì số văn bản đề xuất cho văn thư là "3/KH-UBND"
    Và dữ liệu hồ sơ "signing_authority" là "KT"

  Kịch bản: Lãnh đạo phòng trả lại dự thảo kèm lý do, hạn soạn thảo ban đầu được giữ nguyên
    Cho "cv.pnv" khởi tạo quy trình "plan_issuance" cho đơn vị "PNV" với dữ liệu:
      """
      {"coordinating_units": []}
      """
    Và hôm nay là ngày 04/01/2024
    Và "cv.pnv" hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "attachments": ["du-thao.docx"],
       "needs_legal_review": false}
      """
    # Thứ Năm 04/01 + 2 ngày làm việc: 05, 08/01
    Thì bước "Xem xét dự thảo" thuộc về lãnh đạo đơn vị của đơn vị "PNV" với hạn ngày 08/01/2024
    Khi hôm nay là ngày 05/01/2024
    Và "tp.pnv" trả lại bước "Xem xét dự thảo" với lý do "Bổ sung chỉ tiêu năm 2024"
    Thì bước "Soạn thảo dự thảo kế hoạch" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 09/01/2024
    Và hồ sơ ghi nhận các lần trả lại:
      | bước   | trả về | lý do                     | lúc              |
      | review | draft  | Bổ sung chỉ tiêu năm 2024 | 08:00 05/01/2024 |
    Và hồ sơ không có lần gia hạn nào
    # Dự thảo sửa lại không lấy ý kiến lần nữa: về thẳng lãnh đạo phòng, Thứ Hai 08/01 + 2 = 10/01
    Khi hôm nay là ngày 08/01/2024
    Và "cv.pnv" hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "attachments": ["du-thao-2.docx"],
       "needs_legal_review": false, "revision_note": "Đã bổ sung chỉ tiêu"}
      """
    Thì các bước đang mở của hồ sơ là:
      | bước            | vai trò         | đơn vị | hạn        |
      | Xem xét dự thảo | lãnh đạo đơn vị | PNV    | 10/01/2024 |
    # mỗi lần soạn thảo giữ tệp dự thảo của lần đó
    Và bước "Soạn thảo dự thảo kế hoạch" đã ghi nhận các tệp "du-thao.docx", "du-thao-2.docx"

  Kịch bản: Trả lại kèm gia hạn cho chuyên viên
    Cho "cv.pnv" khởi tạo quy trình "plan_issuance" cho đơn vị "PNV" với dữ liệu:
      """
      {"coordinating_units": []}
      """
    Và "cv.pnv" hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "attachments": ["du-thao.docx"],
       "needs_legal_review": false}
      """
    Khi hôm nay là ngày 04/01/2024
    Và "tp.pnv" trả lại bước "Xem xét dự thảo" với lý do "Cần số liệu quý IV" và gia hạn 3 ngày làm việc với lý do "Chờ số liệu của Chi cục Thống kê"
    # hạn cũ 09/01 + 3 ngày làm việc: 10, 11, 12/01
    Thì bước "Soạn thảo dự thảo kế hoạch" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 12/01/2024
    Và hồ sơ ghi nhận các lần gia hạn:
      | bước  | hạn cũ     | hạn mới    | lý do                            |
      | draft | 09/01/2024 | 12/01/2024 | Chờ số liệu của Chi cục Thống kê |
    Và hồ sơ ghi nhận các lần trả lại:
      | bước   | trả về | lý do              |
      | review | draft  | Cần số liệu quý IV |

  Kịch bản: Trả lại mà không ghi lý do thì bị từ chối
    Cho "cv.pnv" khởi tạo quy trình "plan_issuance" cho đơn vị "PNV" với dữ liệu:
      """
      {"coordinating_units": []}
      """
    Và "cv.pnv" hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "attachments": ["du-thao.docx"],
       "needs_legal_review": false}
      """
    Khi "tp.pnv" thử trả lại bước "Xem xét dự thảo"
    Thì yêu cầu bị từ chối với mã 422 "form_invalid"
    Và lỗi chỉ ra các trường "return_reason"
    Và bước "Xem xét dự thảo" vẫn đang mở
    Và hồ sơ ghi nhận các lần trả lại:
      | bước | trả về | lý do |

  Kịch bản: Người không đúng vai trò không xử lý được bước soạn thảo
    Cho "cv.pnv" khởi tạo quy trình "plan_issuance" cho đơn vị "PNV"
    Khi "tp.pnv" thử hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "attachments": ["du-thao.docx"],
       "needs_legal_review": false}
      """
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Và thông báo lỗi là "Bạn không được phân công xử lý bước này."
    Khi "chutich" thử hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "attachments": ["du-thao.docx"],
       "needs_legal_review": false}
      """
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    # Chuyên viên đơn vị khác không nhìn thấy bước của Phòng Nội vụ
    Khi "cv.ptp" thử hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "attachments": ["du-thao.docx"],
       "needs_legal_review": false}
      """
    Thì yêu cầu bị từ chối với mã 404 "task_not_found"
    Và thông báo lỗi là "Không tìm thấy bước xử lý."
    Và bước "Soạn thảo dự thảo kế hoạch" vẫn đang mở
    Và nhật ký hồ sơ có 0 sự kiện "hoàn thành bước"

  Kịch bản: Quá hạn soạn thảo thì cảnh báo lãnh đạo phòng, quá hạn xem xét thì cảnh báo lãnh đạo UBND
    Cho "cv.pnv" khởi tạo quy trình "plan_issuance" cho đơn vị "PNV" với dữ liệu:
      """
      {"coordinating_units": [], "deadline": "2024-01-31"}
      """
    Khi đồng hồ chuyển đến 16:59 ngày 09/01/2024 và bộ xử lý hẹn giờ chạy
    Thì bộ xử lý hẹn giờ đã xử lý 0 hồ sơ
    Và hồ sơ chưa có cảnh báo nào
    Khi đồng hồ chuyển đến 17:01 ngày 09/01/2024 và bộ xử lý hẹn giờ chạy
    Thì bộ xử lý hẹn giờ đã xử lý 1 hồ sơ
    Và hồ sơ có các cảnh báo:
      | bước       | đơn vị | hạn        | gửi đến         | lúc              |
      | Task_draft | PNV    | 09/01/2024 | lãnh đạo đơn vị | 17:01 09/01/2024 |
    # cảnh báo không làm gián đoạn bước: chuyên viên vẫn làm tiếp
    Và bước "Soạn thảo dự thảo kế hoạch" vẫn đang mở
    Khi đồng hồ chuyển đến 07:00 ngày 10/01/2024 và bộ xử lý hẹn giờ chạy
    Thì bộ xử lý hẹn giờ đã xử lý 0 hồ sơ
    Khi hôm nay là ngày 10/01/2024
    Và "cv.pnv" hoàn thành bước "Soạn thảo dự thảo kế hoạch" kèm giải trình trễ hạn "Chờ chỉ tiêu của Sở Nội vụ", với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "attachments": ["du-thao.docx"],
       "needs_legal_review": false}
      """
    # Thứ Tư 10/01 + 2 ngày làm việc: 11, 12/01
    Thì bước "Xem xét dự thảo" thuộc về lãnh đạo đơn vị của đơn vị "PNV" với hạn ngày 12/01/2024
    Khi đồng hồ chuyển đến 17:30 ngày 12/01/2024 và bộ xử lý hẹn giờ chạy
    Thì hồ sơ có các cảnh báo:
      | bước        | đơn vị | hạn        | gửi đến         |
      | Task_draft  | PNV    | 09/01/2024 | lãnh đạo đơn vị |
      | Task_review | cấp trên | 12/01/2024 | lãnh đạo UBND   |
    Và nhật ký hồ sơ ghi lần lượt:
      | sự kiện           | phần tử      | người thực hiện |
      | hẹn giờ kích hoạt | Timer_draft  | system          |
      | hoàn thành bước   | Task_draft   | cv.pnv          |
      | hẹn giờ kích hoạt | Timer_review | system          |

  Kịch bản: Hạn soạn thảo bỏ qua kỳ nghỉ Tết Nguyên đán
    # Tết Giáp Thìn: công chức nghỉ từ 08/02 đến 14/02/2024
    Cho hôm nay là ngày 05/02/2024
    Và "cv.pnv" khởi tạo quy trình "plan_issuance" cho đơn vị "PNV" với dữ liệu:
      """
      {"deadline": "2024-03-31"}
      """
    # Thứ Hai 05/02 + 5 ngày làm việc: 06, 07, 15, 16, 19/02
    Thì bước "Soạn thảo dự thảo kế hoạch" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 19/02/2024

  Kịch bản: Mỗi đơn vị phối hợp có bước cho ý kiến riêng
    Cho "cv.pnv" khởi tạo quy trình "plan_issuance" cho đơn vị "PNV" với dữ liệu:
      """
      {"coordinating_units": ["PTP", "VP", "P1"]}
      """
    Khi "cv.pnv" hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "attachments": ["du-thao.docx"],
       "needs_legal_review": false}
      """
    # Thứ Ba 02/01 + 3 ngày làm việc: 03, 04, 05/01
    Thì các bước đang mở của hồ sơ là:
      | bước               | vai trò     | đơn vị | hạn        |
      | Cho ý kiến dự thảo | chuyên viên | PTP    | 05/01/2024 |
      | Cho ý kiến dự thảo | chuyên viên | VP     | 05/01/2024 |
      | Cho ý kiến dự thảo | chuyên viên | P1     | 05/01/2024 |
    Khi "cv.p1" hoàn thành bước "Cho ý kiến dự thảo" của đơn vị "P1" với dữ liệu:
      """
      {"coord_opinion": "disagree", "coord_content": "Chưa phù hợp với phường"}
      """
    Và "cv.ptp" hoàn thành bước "Cho ý kiến dự thảo" của đơn vị "PTP" với dữ liệu:
      """
      {"coord_opinion": "agree", "coord_content": "Thống nhất"}
      """
    Thì hộp công việc của "tp.pnv" không có bước "Xem xét dự thảo"
    Khi "cv.vp" hoàn thành bước "Cho ý kiến dự thảo" của đơn vị "VP" với dữ liệu:
      """
      {"coord_opinion": "agree", "coord_content": "Đồng ý"}
      """
    Thì hộp công việc của "tp.pnv" có bước "Xem xét dự thảo"
    Và dữ liệu hồ sơ "coordination_comments" là [{"unit": "P1", "opinion": "disagree", "content": "Chưa phù hợp với phường"}, {"unit": "PTP", "opinion": "agree", "content": "Thống nhất"}, {"unit": "VP", "opinion": "agree", "content": "Đồng ý"}]

  Kịch bản: Lãnh đạo UBND trả lại tờ trình, hạn tờ trình cũ đã qua nên cảnh báo ngay và phải giải trình
    Cho "cv.pnv" khởi tạo quy trình "plan_issuance" cho đơn vị "PNV" với dữ liệu:
      """
      {"coordinating_units": []}
      """
    Và "cv.pnv" hoàn thành bước "Soạn thảo dự thảo kế hoạch" với dữ liệu:
      """
      {"title": "Kế hoạch CCHC năm 2024", "summary": "Dự thảo kế hoạch CCHC năm 2024", "attachments": ["du-thao.docx"],
       "needs_legal_review": false}
      """
    Và "tp.pnv" duyệt bước "Xem xét dự thảo"
    # Thứ Ba 02/01 + 2 ngày làm việc: 03, 04/01
    Thì bước "Lập tờ trình UBND" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 04/01/2024
    Khi "cv.pnv" hoàn thành bước "Lập tờ trình UBND" với dữ liệu:
      """
      {"memo_content": "Kính trình UBND Thành phố ban hành kế hoạch", "memo_attachments": ["to-trinh.docx"]}
      """
    # 02/01 + 3 ngày làm việc: 03, 04, 05/01
    Thì bước "Phê duyệt, ký ban hành" thuộc về lãnh đạo UBND của đơn vị "UBND" với hạn ngày 05/01/2024
    # phê duyệt phải chọn thẩm quyền ký
    Khi "chutich" thử hoàn thành bước "Phê duyệt, ký ban hành" với dữ liệu:
      """
      {"decision": "approve", "extend": false}
      """
    Thì yêu cầu bị từ chối với mã 422 "form_invalid"
    Và lỗi chỉ ra các trường "signing_authority"
    Khi hôm nay là ngày 05/01/2024
    Và "chutich" trả lại bước "Phê duyệt, ký ban hành" với lý do "Sửa căn cứ pháp lý của tờ trình"
    Thì bước "Lập tờ trình UBND" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 04/01/2024
    Và hồ sơ ghi nhận các lần trả lại:
      | bước     | trả về | lý do                           | lúc              |
      | approval | memo   | Sửa căn cứ pháp lý của tờ trình | 08:00 05/01/2024 |
    Và hồ sơ có các cảnh báo:
      | bước      | đơn vị | hạn        | gửi đến         | lúc              |
      | Task_memo | PNV    | 04/01/2024 | lãnh đạo đơn vị | 08:00 05/01/2024 |
    Và "tp.pnv" nhận được thông báo "Cảnh báo quá hạn: Lập tờ trình UBND"
    Và "cv.pnv" nhận được thông báo "Bị trả lại: Lập tờ trình UBND" với nội dung có "Lý do: Sửa căn cứ pháp lý của tờ trình."
    Khi "cv.pnv" thử hoàn thành bước "Lập tờ trình UBND" với dữ liệu:
      """
      {"memo_content": "Kính trình UBND Thành phố ban hành kế hoạch (sửa căn cứ)", "memo_attachments": ["to-trinh-2.docx"]}
      """
    Thì yêu cầu bị từ chối với mã 422 "late_reason_required"
    Khi "cv.pnv" hoàn thành bước "Lập tờ trình UBND" kèm giải trình trễ hạn "Tờ trình bị trả lại sau hạn", với dữ liệu:
      """
      {"memo_content": "Kính trình UBND Thành phố ban hành kế hoạch (sửa căn cứ)", "memo_attachments": ["to-trinh-2.docx"]}
      """
    # Thứ Sáu 05/01 + 3 ngày làm việc: 08, 09, 10/01
    Thì bước "Phê duyệt, ký ban hành" thuộc về lãnh đạo UBND của đơn vị "UBND" với hạn ngày 10/01/2024
