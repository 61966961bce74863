# language: vi
Tính năng: Khảo sát sự hài lòng của người dân, tổ chức (SIPAS)
  Phòng Nội vụ lập kế hoạch khảo sát (kỳ, các Bộ phận Một cửa, số giao dịch, hạn thu phiếu), hệ thống tính cỡ
  mẫu theo công thức Yamane n = N / (1 + N·e²) với e = 5 %, làm tròn lên; lãnh đạo UBND phê duyệt; Bộ phận Một
  cửa của từng đơn vị nhập phiếu đến hạn thu phiếu; hệ thống tính tỷ lệ hài lòng (mức 4 và 5) theo từng yếu tố,
  chỉ số hài lòng chung là trung bình các yếu tố; Phòng Nội vụ lập báo cáo, lãnh đạo UBND duyệt, công bố.

  Bối cảnh:
    Cho hôm nay là ngày 01/03/2024 lúc 08:00
    Và quản trị viên đã tạo tài khoản "cv.p3" (Công chức Bộ phận Một cửa UBND Phường 3) với vai trò chuyên viên của đơn vị "P3"
    Và "cchc.pnv" khởi tạo quy trình "satisfaction_survey" cho đơn vị "PNV"

  Kịch bản: Đợt khảo sát quý I/2024 ở ba phường, Phường 3 không nhập phiếu trước hạn
    # Thứ Sáu 01/03 + 5 ngày làm việc: 04–08/03
    Thì bước "Lập kế hoạch khảo sát" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 08/03/2024
    Khi "cchc.pnv" hoàn thành bước "Lập kế hoạch khảo sát" với dữ liệu:
      """
      {"title": "Kế hoạch khảo sát sự hài lòng quý I/2024", "period_from": "2024-01-01", "period_to": "2024-03-31",
       "desks": [{"unit_code": "P1", "transactions": 1000}, {"unit_code": "P2", "transactions": 500},
                 {"unit_code": "P3", "transactions": 50}],
       "collection_deadline": "2024-03-29"}
      """
    # 1000 / (1 + 1000 × 0,0025) = 285,7 → 286; 500 / 2,25 = 222,2 → 223; 50 / 1,125 = 44,4 → 45
    Thì cỡ mẫu theo công thức Yamane là:
      | đơn vị | số giao dịch | cỡ mẫu |
      | P1     | 1000         | 286    |
      | P2     | 500          | 223    |
      | P3     | 50           | 45     |
    Và tổng cỡ mẫu là 554 phiếu
    # hạn lập kế hoạch 08/03 + 3 ngày làm việc: 11, 12, 13/03
    Và bước "Phê duyệt kế hoạch khảo sát" thuộc về lãnh đạo UBND của đơn vị "UBND" với hạn ngày 13/03/2024
    Khi "cchc.pnv" thử phê duyệt bước "Phê duyệt kế hoạch khảo sát"
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Khi "chutich" phê duyệt bước "Phê duyệt kế hoạch khảo sát"
    Thì các bước đang mở của hồ sơ là:
      | bước                           | vai trò     | đơn vị | hạn        |
      | Nhập phiếu khảo sát của đơn vị | chuyên viên | P1     | 29/03/2024 |
      | Nhập phiếu khảo sát của đơn vị | chuyên viên | P2     | 29/03/2024 |
      | Nhập phiếu khảo sát của đơn vị | chuyên viên | P3     | 29/03/2024 |
    Và hộp công việc của "cv.p3" có bước "Nhập phiếu khảo sát của đơn vị" của đơn vị "P3"
    Khi "cv.p1" nhập các phiếu khảo sát của đơn vị "P1":
      | tiếp cận | thủ tục | công chức | kết quả | góp ý | chung |
      | 5        | 5       | 5         | 5       | 5     | 5     |
      | 4        | 3       | 5         | 2       | -     | 4     |
      | 2        | 2       | 2         | 2       | 2     | 3     |
    Và "cv.p2" nhập các phiếu khảo sát của đơn vị "P2":
      | tiếp cận | thủ tục | công chức | kết quả | góp ý | chung |
      | 4        | 4       | 4         | 4       | 4     | 4     |
      | 1        | 5       | 4         | 4       | 5     | 2     |
    # nhắc việc 2 ngày làm việc trước hạn thu phiếu: 17:00 ngày 27/03
    Khi đồng hồ chuyển đến 17:01 ngày 27/03/2024 và bộ xử lý hẹn giờ chạy
    Thì hồ sơ có các cảnh báo:
      | bước         | loại        | đơn vị | hạn        | gửi đến                       |
      | Task_collect | sắp đến hạn | P3     | 29/03/2024 | lãnh đạo đơn vị, đầu mối CCHC |
    Khi đồng hồ chuyển đến 17:01 ngày 29/03/2024 và bộ xử lý hẹn giờ chạy
    # hết hạn thu phiếu: bước của Phường 3 đóng lại; 29/03 + 5 ngày làm việc: 01–05/04
    Thì các bước đang mở của hồ sơ là:
      | bước                               | vai trò      | đơn vị | hạn        |
      | Xây dựng báo cáo kết quả khảo sát | đầu mối CCHC | PNV    | 05/04/2024 |
    Và tình trạng nhập phiếu của các đơn vị là:
      | đơn vị | số phiếu | cỡ mẫu | đã gửi |
      | P1     | 3        | 286    | có     |
      | P2     | 2        | 223    | có     |
      | P3     | 0        | 45     | không  |
    Và dữ liệu hồ sơ "skipped_units" là ["P3"]
    # hài lòng = mức 4 hoặc 5; phiếu bỏ trống một yếu tố không tính vào yếu tố đó
    Và kết quả khảo sát theo từng yếu tố là:
      | yếu tố                                      | số phiếu trả lời | hài lòng | tỷ lệ |
      | Tiếp cận dịch vụ                            | 5                | 3        | 60,00 |
      | Thủ tục hành chính                          | 5                | 3        | 60,00 |
      | Công chức trực tiếp giải quyết công việc    | 5                | 4        | 80,00 |
      | Kết quả cung ứng dịch vụ                    | 5                | 3        | 60,00 |
      | Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị | 4                | 3        | 75,00 |
    # (60 + 60 + 80 + 60 + 75) / 5 = 67; câu hỏi chung: 5, 4, 4 hài lòng trên 5 phiếu = 60 %
    Và chỉ số hài lòng chung là 67,00 %, câu hỏi chung đạt 60,00 % trên 5 phiếu
    # Phường 1: (2/3 + 1/3 + 2/3 + 1/3 + 1/2) / 5 = 50 %; Phường 2: (1/2 + 1 + 1 + 1 + 1) / 5 = 90 %
    Và chỉ số hài lòng theo đơn vị là:
      | đơn vị | số phiếu | chỉ số |
      | P1     | 3        | 50,00  |
      | P2     | 2        | 90,00  |
    Khi "cchc.pnv" hoàn thành bước "Xây dựng báo cáo kết quả khảo sát" với dữ liệu:
      """
      {"report_file": ["bao-cao-khao-sat.docx"], "report_title": "Báo cáo kết quả khảo sát quý I/2024", "findings": "Chỉ số hài lòng đạt 67 %",
       "recommendations": "Cải thiện việc tiếp nhận góp ý tại Phường 1"}
      """
    # hạn báo cáo 05/04 + 3 ngày làm việc: 08, 09, 10/04
    Thì bước "Phê duyệt báo cáo kết quả khảo sát" thuộc về lãnh đạo UBND của đơn vị "UBND" với hạn ngày 10/04/2024
    Khi "pct" phê duyệt bước "Phê duyệt báo cáo kết quả khảo sát"
    # Thứ Sáu 29/03 + 3 ngày làm việc: 01, 02, 03/04
    Thì bước "Công bố kết quả khảo sát" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 03/04/2024
    Khi "cchc.pnv" hoàn thành bước "Công bố kết quả khảo sát" với dữ liệu:
      """
      {"published_on": "2024-04-02", "channels": ["Cổng thông tin điện tử"], "url": "https://sadec.dongthap.gov.vn/sipas"}
      """
    Thì hồ sơ đã hoàn thành
    Và dữ liệu hồ sơ "sipas_result.index" là 67.0

  Khung kịch bản: Cỡ mẫu theo công thức Yamane với sai số 5 %
    Khi "cchc.pnv" hoàn thành bước "Lập kế hoạch khảo sát" với dữ liệu:
      """
      {"title": "Kế hoạch khảo sát", "period_from": "2024-01-01", "period_to": "2024-03-31",
       "desks": [{"unit_code": "P1", "transactions": <N>}], "collection_deadline": "2024-03-29"}
      """
    Thì cỡ mẫu theo công thức Yamane là:
      | đơn vị | số giao dịch | cỡ mẫu |
      | P1     | <N>          | <n>    |

    Dữ liệu:
      | N     | n   | cách tính                                 |
      | 100   | 80  | 100 / 1,25 = 80 (đúng số nguyên)          |
      | 400   | 200 | 400 / 2 = 200                             |
      | 1000  | 286 | 1000 / 3,5 = 285,71 → làm tròn lên 286    |
      | 10000 | 385 | 10000 / 26 = 384,6 → 385                  |
      | 30    | 28  | 30 / 1,075 = 27,9 → 28                    |

  Kịch bản: Mỗi đơn vị chỉ được khai báo một lần trong kế hoạch khảo sát
    Khi "cchc.pnv" thử hoàn thành bước "Lập kế hoạch khảo sát" với dữ liệu:
      """
      {"title": "Kế hoạch khảo sát", "period_from": "2024-01-01", "period_to": "2024-03-31",
       "desks": [{"unit_code": "P1", "transactions": 100}, {"unit_code": "P1", "transactions": 200}],
       "collection_deadline": "2024-03-29"}
      """
    Thì yêu cầu bị từ chối với mã 422 "step_refused"
    Và thông báo lỗi có nội dung "Mỗi đơn vị chỉ được khai báo một lần trong kế hoạch khảo sát."

  Kịch bản: Lãnh đạo UBND trả lại kế hoạch khảo sát và gia hạn
    Khi "cchc.pnv" hoàn thành bước "Lập kế hoạch khảo sát" với dữ liệu:
      """
      {"title": "Kế hoạch khảo sát", "period_from": "2024-01-01", "period_to": "2024-03-31",
       "desks": [{"unit_code": "P1", "transactions": 100}], "collection_deadline": "2024-03-29"}
      """
    Và "chutich" trả lại bước "Phê duyệt kế hoạch khảo sát" với lý do "Bổ sung Phường 2" và gia hạn đến ngày 14/03/2024
    # kế hoạch sửa hạn Thứ Năm 14/03; phê duyệt 14/03 + 3 ngày làm việc: 15, 18, 19/03
    Thì bước "Lập kế hoạch khảo sát" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 14/03/2024
    Khi "cchc.pnv" hoàn thành bước "Lập kế hoạch khảo sát" với dữ liệu:
      """
      {"title": "Kế hoạch khảo sát", "period_from": "2024-01-01", "period_to": "2024-03-31",
       "desks": [{"unit_code": "P1", "transactions": 100}, {"unit_code": "P2", "transactions": 400}],
       "collection_deadline": "2024-03-29"}
      """
    Thì bước "Phê duyệt kế hoạch khảo sát" có hạn ngày 19/03/2024
    Và cỡ mẫu theo công thức Yamane là:
      | đơn vị | số giao dịch | cỡ mẫu |
      | P1     | 100          | 80     |
      | P2     | 400          | 200    |

  Kịch bản: Phiếu có mức hài lòng ngoài thang 1–5 bị từ chối, người ngoài đơn vị không nhập được phiếu
    Cho "cchc.pnv" hoàn thành bước "Lập kế hoạch khảo sát" với dữ liệu:
      """
      {"title": "Kế hoạch khảo sát", "period_from": "2024-01-01", "period_to": "2024-03-31",
       "desks": [{"unit_code": "P1", "transactions": 100}], "collection_deadline": "2024-03-29"}
      """
    Và "chutich" phê duyệt bước "Phê duyệt kế hoạch khảo sát"
    Khi "cv.p1" thử nhập các phiếu khảo sát của đơn vị "P1":
      | tiếp cận | thủ tục | công chức | kết quả | góp ý | chung |
      | 5        | 5       | 5         | 5       | 5     | 6     |
    Thì yêu cầu bị từ chối với mã 422 "form_invalid"
    Và lỗi chỉ ra các trường "responses.0.overall"
    Khi "ct.p1" thử nhập các phiếu khảo sát của đơn vị "P1":
      | tiếp cận | thủ tục | công chức | kết quả | góp ý | chung |
      | 5        | 5       | 5         | 5       | 5     | 5     |
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Khi "cv.p2" thử nhập các phiếu khảo sát của đơn vị "P1":
      | tiếp cận | thủ tục | công chức | kết quả | góp ý | chung |
      | 5        | 5       | 5         | 5       | 5     | 5     |
    Thì yêu cầu bị từ chối với mã 404 "task_not_found"
    Và bước "Nhập phiếu khảo sát của đơn vị" của đơn vị "P1" vẫn đang mở
