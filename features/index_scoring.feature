# language: vi
Tính năng: Xác định Chỉ số CCHC của các đơn vị
  Đầu mối CCHC Phòng Nội vụ mở đợt chấm điểm theo bộ tiêu chí của năm; chuyên viên mỗi đơn vị tự chấm điểm từng
  tiêu chí thành phần kèm tài liệu kiểm chứng, lãnh đạo đơn vị ký duyệt; Hội đồng thẩm định chấm lại; đơn vị giải
  trình trong thời hạn; Hội đồng quyết định điểm thẩm định; Phòng Nội vụ nhập điểm điều tra xã hội học; hệ thống
  tính chỉ số = điểm đạt / điểm tối đa × 100, xếp nhóm (A từ 90 %, B từ 80 %, C từ 70 %, D dưới 70 %) và xếp hạng;
  lãnh đạo UBND phê duyệt; Phòng Nội vụ công bố.

  Bộ tiêu chí "par-index-2024-xa" (UBND phường, xã): các lĩnh vực cộng lại 80 điểm, điều tra xã hội học 20 điểm,
  tổng 100 điểm; tiêu chí thành phần 1.1.1 có điểm tối đa 1.

  Bối cảnh:
    Cho hôm nay là ngày 01/03/2024 lúc 08:00
    Và quản trị viên đã tạo tài khoản "cv.p3" (Công chức UBND Phường 3) với vai trò chuyên viên của đơn vị "P3"
    Và quản trị viên đã tạo tài khoản "ct.p3" (Chủ tịch UBND Phường 3) với vai trò lãnh đạo đơn vị của đơn vị "P3"
    Và "cchc.pnv" khởi tạo quy trình "index_scoring" cho đơn vị "PNV"

  Kịch bản: Đợt chấm điểm ba phường, từ tự đánh giá đến xếp hạng và công bố
    # Thứ Sáu 01/03 + 3 ngày làm việc: 04, 05, 06/03
    Thì bước "Mở đợt chấm điểm Chỉ số CCHC" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 06/03/2024
    Khi "cchc.pnv" hoàn thành bước "Mở đợt chấm điểm Chỉ số CCHC" với dữ liệu:
      """
      {"year": 2024, "criteria_code": "par-index-2024-xa", "units": ["P1", "P2", "P3"],
       "self_assessment_deadline": "2024-03-29"}
      """
    # chuyên viên chấm xong trước hạn tự đánh giá 2 ngày làm việc: Thứ Sáu 29/03 lùi 28, 27/03
    Thì các bước đang mở của hồ sơ là:
      | bước                   | vai trò     | đơn vị | hạn        |
      | Tự đánh giá, chấm điểm | chuyên viên | P1     | 27/03/2024 |
      | Tự đánh giá, chấm điểm | chuyên viên | P2     | 27/03/2024 |
      | Tự đánh giá, chấm điểm | chuyên viên | P3     | 27/03/2024 |
    Và dữ liệu hồ sơ "survey_max_points" là 20.0
    Khi "cv.p1" tự chấm điểm cho đơn vị "P1" theo bộ tiêu chí "par-index-2024-xa" với 100 % điểm tối đa ở mọi tiêu chí thành phần
    Và "cv.p2" tự chấm điểm cho đơn vị "P2" theo bộ tiêu chí "par-index-2024-xa" với 80 % điểm tối đa ở mọi tiêu chí thành phần
    Và "cv.p3" tự chấm điểm cho đơn vị "P3" theo bộ tiêu chí "par-index-2024-xa" với 90 % điểm tối đa ở mọi tiêu chí thành phần
    Thì các bước đang mở của hồ sơ là:
      | bước                            | vai trò         | đơn vị | hạn        |
      | Ký duyệt kết quả tự đánh giá    | lãnh đạo đơn vị | P1     | 29/03/2024 |
      | Ký duyệt kết quả tự đánh giá    | lãnh đạo đơn vị | P2     | 29/03/2024 |
      | Ký duyệt kết quả tự đánh giá    | lãnh đạo đơn vị | P3     | 29/03/2024 |
    Khi "ct.p1" ký duyệt bước "Ký duyệt kết quả tự đánh giá" của đơn vị "P1"
    Và "ct.p2" ký duyệt bước "Ký duyệt kết quả tự đánh giá" của đơn vị "P2"
    Và "ct.p3" ký duyệt bước "Ký duyệt kết quả tự đánh giá" của đơn vị "P3"
    # 100 %, 80 %, 90 % của 80 điểm
    Thì tổng điểm tự đánh giá của các đơn vị là:
      | đơn vị | tổng điểm |
      | P1     | 80        |
      | P2     | 64        |
      | P3     | 72        |
    # Hội đồng thẩm định: 29/03 + 10 ngày làm việc: 01–05/04, 08–12/04
    Và các bước đang mở của hồ sơ là:
      | bước                                 | vai trò            | đơn vị | hạn        |
      | Thẩm định, chấm lại điểm của đơn vị | hội đồng thẩm định | PNV    | 12/04/2024 |
      | Thẩm định, chấm lại điểm của đơn vị | hội đồng thẩm định | PNV    | 12/04/2024 |
      | Thẩm định, chấm lại điểm của đơn vị | hội đồng thẩm định | PNV    | 12/04/2024 |
    Và hộp công việc của "hdtd.pnv" có bước "Thẩm định, chấm lại điểm của đơn vị"
    Khi hôm nay là ngày 10/04/2024 lúc 09:00
    Và "hdtd.pnv" hoàn thành bước "Thẩm định, chấm lại điểm của đơn vị" về đơn vị "P1" với dữ liệu:
      """
      {"changes": [{"criterion": "1.1.1", "points": 0.5, "reason": "Ban hành kế hoạch chậm 5 ngày"}]}
      """
    Và "hdtd.pnv" hoàn thành bước "Thẩm định, chấm lại điểm của đơn vị" về đơn vị "P2" với dữ liệu:
      """
      {"changes": []}
      """
    Và "hdtd.pnv" hoàn thành bước "Thẩm định, chấm lại điểm của đơn vị" về đơn vị "P3" với dữ liệu:
      """
      {"changes": []}
      """
    # chưa có điểm điều tra xã hội học: P1 79,5 / 80 = 99,375 → 99,38; P2 64 / 80 = 80; P3 72 / 80 = 90
    Thì chỉ số tạm tính sau thẩm định là:
      | đơn vị | chỉ số tạm tính |
      | P1     | 99,38           |
      | P2     | 80              |
      | P3     | 90              |
    # Thứ Tư 10/04 + 5 ngày làm việc: 11, 12, 15, 16, 17/04
    Và các bước đang mở của hồ sơ là:
      | bước                          | vai trò         | đơn vị | hạn        |
      | Giải trình kết quả thẩm định | lãnh đạo đơn vị | P1     | 17/04/2024 |
      | Giải trình kết quả thẩm định | lãnh đạo đơn vị | P2     | 17/04/2024 |
      | Giải trình kết quả thẩm định | lãnh đạo đơn vị | P3     | 17/04/2024 |
    Khi "ct.p1" hoàn thành bước "Giải trình kết quả thẩm định" của đơn vị "P1" với dữ liệu:
      """
      {"agree": false, "items": [{"criterion": "1.1.1", "explanation": "Kế hoạch ban hành đúng hạn theo văn bản số 12",
                                  "requested_points": 1}]}
      """
    Và "ct.p2" hoàn thành bước "Giải trình kết quả thẩm định" của đơn vị "P2" với dữ liệu:
      """
      {"agree": true}
      """
    # Phường 3 không giải trình: nhắc 2 ngày làm việc trước hạn (15/04), hết hạn 17/04 thì đóng
    Và đồng hồ chuyển đến 17:01 ngày 15/04/2024 và bộ xử lý hẹn giờ chạy
    Thì hồ sơ có các cảnh báo:
      | bước         | loại        | đơn vị | hạn        | gửi đến                       |
      | Task_explain | sắp đến hạn | P3     | 17/04/2024 | lãnh đạo đơn vị, đầu mối CCHC |
    Khi đồng hồ chuyển đến 17:01 ngày 17/04/2024 và bộ xử lý hẹn giờ chạy
    Thì các đơn vị đã gửi giải trình là:
      | đơn vị | đã gửi |
      | P1     | có     |
      | P2     | có     |
      | P3     | không  |
    # 17/04 + 5 ngày làm việc, nghỉ Giỗ Tổ Hùng Vương 18/04: 19, 22, 23, 24, 25/04
    Và các bước đang mở của hồ sơ là:
      | bước                                             | vai trò            | đơn vị | hạn        |
      | Xem xét giải trình, quyết định điểm thẩm định | hội đồng thẩm định | PNV    | 25/04/2024 |
    Khi "hdtd.pnv" hoàn thành bước "Xem xét giải trình, quyết định điểm thẩm định" với dữ liệu:
      """
      {"adjustments": [{"unit_code": "P1", "criterion": "1.1.1", "points": 0.75, "reason": "Chấp nhận một phần giải trình"}]}
      """
    # 17/04 + 3 ngày làm việc: 19, 22, 23/04
    Thì bước "Nhập điểm điều tra xã hội học" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 23/04/2024
    Khi "cchc.pnv" hoàn thành bước "Nhập điểm điều tra xã hội học" với dữ liệu:
      """
      {"survey_points": [{"unit_code": "P1", "points": 18}, {"unit_code": "P2", "points": 15},
                         {"unit_code": "P3", "points": 16}]}
      """
    # P1: 80 − 1 + 0,75 + 18 = 97,75; P2: 64 + 15 = 79; P3: 72 + 16 = 88 (trên 100 điểm)
    Thì kết quả Chỉ số CCHC là:
      | đơn vị | điểm đạt | điểm tối đa | chỉ số | nhóm |
      | P1     | 97,75    | 100         | 97,75  | A    |
      | P2     | 79       | 100         | 79     | C    |
      | P3     | 88       | 100         | 88     | B    |
    Và bảng xếp hạng Chỉ số CCHC là:
      | hạng | đơn vị | chỉ số | nhóm | xếp loại |
      | 1    | P1     | 97,75  | A    | Xuất sắc |
      | 2    | P3     | 88     | B    | Tốt      |
      | 3    | P2     | 79     | C    | Khá      |
    Và bước "Phê duyệt kết quả Chỉ số CCHC" thuộc về lãnh đạo UBND của đơn vị "UBND"
    Khi "chutich" phê duyệt bước "Phê duyệt kết quả Chỉ số CCHC"
    Thì bước "Công bố kết quả Chỉ số CCHC" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 23/04/2024
    Khi "cchc.pnv" hoàn thành bước "Công bố kết quả Chỉ số CCHC" với dữ liệu:
      """
      {"decision_number": "88/QĐ-UBND", "published_on": "2024-04-22", "decision_file": ["quyet-dinh-cong-bo.pdf"], "channels": ["Hội nghị"]}
      """
    Thì hồ sơ đã hoàn thành

  Kịch bản: Phường 3 tự chấm điểm trễ hạn thì lãnh đạo phường và đầu mối CCHC được cảnh báo
    Cho "cchc.pnv" hoàn thành bước "Mở đợt chấm điểm Chỉ số CCHC" với dữ liệu:
      """
      {"year": 2024, "criteria_code": "par-index-2024-xa", "units": ["P1", "P2", "P3"],
       "self_assessment_deadline": "2024-03-29"}
      """
    Khi "cv.p1" tự chấm điểm cho đơn vị "P1" theo bộ tiêu chí "par-index-2024-xa" với 100 % điểm tối đa ở mọi tiêu chí thành phần
    Và "cv.p2" tự chấm điểm cho đơn vị "P2" theo bộ tiêu chí "par-index-2024-xa" với 80 % điểm tối đa ở mọi tiêu chí thành phần
    Và đồng hồ chuyển đến 17:01 ngày 27/03/2024 và bộ xử lý hẹn giờ chạy
    Thì hồ sơ có các cảnh báo:
      | bước            | loại    | đơn vị | hạn        | gửi đến                       | lúc              |
      | Task_self_score | quá hạn | P3     | 27/03/2024 | lãnh đạo đơn vị, đầu mối CCHC | 17:01 27/03/2024 |
    Và các bước đang mở của hồ sơ là:
      | bước                         | đơn vị |
      | Ký duyệt kết quả tự đánh giá | P1     |
      | Ký duyệt kết quả tự đánh giá | P2     |
      | Tự đánh giá, chấm điểm       | P3     |
    Khi hôm nay là ngày 28/03/2024
    Và "cv.p3" thử tự chấm điểm cho đơn vị "P3" theo bộ tiêu chí "par-index-2024-xa" với 90 % điểm tối đa ở mọi tiêu chí thành phần
    Thì yêu cầu bị từ chối với mã 422 "late_reason_required"
    Khi "cv.p3" tự chấm điểm cho đơn vị "P3" theo bộ tiêu chí "par-index-2024-xa" với 90 % điểm tối đa ở mọi tiêu chí thành phần, kèm giải trình trễ hạn "Công chức phụ trách nghỉ ốm"
    Thì bước "Ký duyệt kết quả tự đánh giá" của đơn vị "P3" thuộc về lãnh đạo đơn vị của đơn vị "P3" với hạn ngày 29/03/2024
    Và hộp công việc của "ct.p3" có bước "Ký duyệt kết quả tự đánh giá"

  Kịch bản: Lãnh đạo phường trả lại bảng tự chấm điểm, hạn chấm điểm ban đầu được giữ
    Cho "cchc.pnv" hoàn thành bước "Mở đợt chấm điểm Chỉ số CCHC" với dữ liệu:
      """
      {"year": 2024, "criteria_code": "par-index-2024-xa", "units": ["P1", "P2", "P3"],
       "self_assessment_deadline": "2024-03-29"}
      """
    Và "cv.p3" tự chấm điểm cho đơn vị "P3" theo bộ tiêu chí "par-index-2024-xa" với 90 % điểm tối đa ở mọi tiêu chí thành phần
    Khi hôm nay là ngày 20/03/2024
    Và "ct.p3" trả lại bước "Ký duyệt kết quả tự đánh giá" của đơn vị "P3" với lý do "Bổ sung minh chứng tiêu chí 2.1"
    Thì bước "Tự đánh giá, chấm điểm" của đơn vị "P3" thuộc về chuyên viên của đơn vị "P3" với hạn ngày 27/03/2024
    Và hộp công việc của "cv.p3" có bước "Tự đánh giá, chấm điểm"

  Kịch bản: Điểm tự đánh giá vượt điểm tối đa bị biểu mẫu từ chối, thiếu minh chứng bị bước từ chối
    Cho "cchc.pnv" hoàn thành bước "Mở đợt chấm điểm Chỉ số CCHC" với dữ liệu:
      """
      {"year": 2024, "criteria_code": "par-index-2024-xa", "units": ["P1", "P2"],
       "self_assessment_deadline": "2024-03-29"}
      """
    Khi "cv.p2" thử tự chấm điểm cho đơn vị "P2" theo bộ tiêu chí "par-index-2024-xa" với 80 % điểm tối đa ở mọi tiêu chí thành phần, trừ:
      | tiêu chí | điểm |
      | 1.1.1    | 5    |
    Thì yêu cầu bị từ chối với mã 422 "form_invalid"
    Và lỗi của trường "entries.1.1.1.points" là "Giá trị phải nhỏ hơn hoặc bằng 1.0."
    Khi "cv.p2" thử tự chấm điểm cho đơn vị "P2" theo bộ tiêu chí "par-index-2024-xa" với 80 % điểm tối đa ở mọi tiêu chí thành phần, trừ:
      | tiêu chí | minh chứng |
      | 1.2.1    | không      |
    Thì yêu cầu bị từ chối với mã 422 "step_refused"
    Và thông báo lỗi có nội dung "Tiêu chí thành phần 1.2.1 cần tài liệu kiểm chứng"
    Và bước "Tự đánh giá, chấm điểm" của đơn vị "P2" vẫn đang mở
    Khi "cv.p2" thử tự chấm điểm cho đơn vị "P2" theo bộ tiêu chí "par-index-2024-cqcm" với 80 % điểm tối đa ở mọi tiêu chí thành phần
    Thì yêu cầu bị từ chối với mã 422 "step_refused"
    Và thông báo lỗi có nội dung "Bảng điểm phải dùng bộ tiêu chí của đợt chấm điểm: par-index-2024-xa."

  Kịch bản: Hội đồng thẩm định chấm vượt điểm tối đa thì bị từ chối
    Cho "cchc.pnv" hoàn thành bước "Mở đợt chấm điểm Chỉ số CCHC" với dữ liệu:
      """
      {"year": 2024, "criteria_code": "par-index-2024-xa", "units": ["P1", "P2"],
       "self_assessment_deadline": "2024-03-29"}
      """
    Và "cv.p1" tự chấm điểm cho đơn vị "P1" theo bộ tiêu chí "par-index-2024-xa" với 100 % điểm tối đa ở mọi tiêu chí thành phần
    Và "cv.p2" tự chấm điểm cho đơn vị "P2" theo bộ tiêu chí "par-index-2024-xa" với 80 % điểm tối đa ở mọi tiêu chí thành phần
    Và "ct.p1" ký duyệt bước "Ký duyệt kết quả tự đánh giá" của đơn vị "P1"
    Và "ct.p2" ký duyệt bước "Ký duyệt kết quả tự đánh giá" của đơn vị "P2"
    Khi "hdtd.pnv" thử hoàn thành bước "Thẩm định, chấm lại điểm của đơn vị" về đơn vị "P2" với dữ liệu:
      """
      {"changes": [{"criterion": "1.1.1", "points": 3, "reason": "Nhập nhầm điểm"}]}
      """
    Thì yêu cầu bị từ chối với mã 422 "step_refused"
    Và thông báo lỗi có nội dung "Tiêu chí thành phần 1.1.1: điểm 3 vượt điểm tối đa 1."
    Và bước "Thẩm định, chấm lại điểm của đơn vị" về đơn vị "P2" vẫn đang mở
    Và nhật ký hồ sơ có 0 sự kiện "hẹn giờ kích hoạt"

  Kịch bản: Người ngoài làn không chấm điểm, không thẩm định được
    Cho "cchc.pnv" hoàn thành bước "Mở đợt chấm điểm Chỉ số CCHC" với dữ liệu:
      """
      {"year": 2024, "criteria_code": "par-index-2024-xa", "units": ["P1"],
       "self_assessment_deadline": "2024-03-29"}
      """
    Khi "ct.p1" thử tự chấm điểm cho đơn vị "P1" theo bộ tiêu chí "par-index-2024-xa" với 100 % điểm tối đa ở mọi tiêu chí thành phần
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Và thông báo lỗi là "Bạn không được phân công xử lý bước này."
    Khi "cv.p1" tự chấm điểm cho đơn vị "P1" theo bộ tiêu chí "par-index-2024-xa" với 100 % điểm tối đa ở mọi tiêu chí thành phần
    Và "ct.p1" ký duyệt bước "Ký duyệt kết quả tự đánh giá"
    Và "cchc.pnv" thử hoàn thành bước "Thẩm định, chấm lại điểm của đơn vị" với dữ liệu:
      """
      {"changes": []}
      """
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Và hộp công việc của "cchc.pnv" không có bước "Thẩm định, chấm lại điểm của đơn vị"
    Và hộp công việc của "hdtd.pnv" có bước "Thẩm định, chấm lại điểm của đơn vị"
