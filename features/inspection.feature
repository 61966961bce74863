# language: vi
Tính năng: Kiểm tra công tác CCHC tại các đơn vị
  Đầu mối CCHC Phòng Nội vụ lập kế hoạch kiểm tra, lãnh đạo UBND phê duyệt và ký quyết định thành lập Đoàn,
  Phòng Nội vụ gửi thông báo trước ngày kiểm tra, mỗi đơn vị được kiểm tra gửi báo cáo tự kiểm tra, Đoàn kiểm
  tra thực tế và lập biên bản, ban hành thông báo kết luận, đơn vị khắc phục và Phòng Nội vụ xác nhận.

  Thời hạn (ngày làm việc, cấu hình trong dữ liệu khởi tạo): soạn kế hoạch 5, phê duyệt 3 kể từ hạn soạn,
  dự thảo quyết định 3, ký 3; thông báo gửi trước ngày kiểm tra 5 ngày làm việc; báo cáo tự kiểm tra trước
  ngày kiểm tra 1 ngày làm việc; kết luận 10 ngày sau ngày kết thúc; xác nhận khắc phục 5 ngày sau hạn khắc phục.

  Bối cảnh:
    Cho hôm nay là ngày 01/03/2024 lúc 08:00
    Và "cchc.pnv" khởi tạo quy trình "inspection" cho đơn vị "PNV"

  Kịch bản: Kế hoạch kiểm tra bị trả lại kèm gia hạn, rồi được duyệt và thông báo đến các đơn vị
    # Thứ Sáu 01/03 + 5 ngày làm việc: 04, 05, 06, 07, 08/03
    Thì bước "Soạn kế hoạch kiểm tra CCHC" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 08/03/2024
    Khi "cchc.pnv" hoàn thành bước "Soạn kế hoạch kiểm tra CCHC" với dữ liệu:
      """
      {"title": "Kế hoạch kiểm tra công tác CCHC năm 2024", "year": 2024, "units": ["P1", "P2"],
       "content": "Kiểm tra việc thực hiện kế hoạch CCHC năm 2024", "start_date": "2024-04-01", "end_date": "2024-04-05"}
      """
    # hạn soạn 08/03 + 3 ngày làm việc: 11, 12, 13/03
    Thì bước "Phê duyệt kế hoạch kiểm tra" thuộc về lãnh đạo UBND của đơn vị "UBND" với hạn ngày 13/03/2024
    Và hộp công việc của "chutich" có bước "Phê duyệt kế hoạch kiểm tra"
    Khi "chutich" trả lại bước "Phê duyệt kế hoạch kiểm tra" với lý do "Bổ sung nội dung kiểm tra" và gia hạn đến ngày 15/03/2024
    # kế hoạch sửa hạn 15/03; phê duyệt 15/03 + 3 ngày làm việc: 18, 19, 20/03
    Thì bước "Soạn kế hoạch kiểm tra CCHC" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 15/03/2024
    Khi "cchc.pnv" hoàn thành bước "Soạn kế hoạch kiểm tra CCHC" với dữ liệu:
      """
      {"title": "Kế hoạch kiểm tra công tác CCHC năm 2024", "year": 2024, "units": ["P1", "P2"],
       "content": "Kiểm tra việc thực hiện kế hoạch CCHC và công tác kiểm soát TTHC năm 2024",
       "start_date": "2024-04-01", "end_date": "2024-04-05"}
      """
    Thì bước "Phê duyệt kế hoạch kiểm tra" có hạn ngày 20/03/2024
    Khi "chutich" phê duyệt bước "Phê duyệt kế hoạch kiểm tra"
    # Thứ Sáu 01/03 + 3 ngày làm việc: 04, 05, 06/03
    Thì bước "Dự thảo quyết định thành lập Đoàn kiểm tra" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 06/03/2024
    Khi "cchc.pnv" hoàn thành bước "Dự thảo quyết định thành lập Đoàn kiểm tra" với dữ liệu:
      """
      {"team_lead": {"name": "Trần Thị Mai", "position": "Phó Chủ tịch UBND"},
       "members": [{"name": "Võ Thị Hạnh", "position": "Chuyên viên", "unit_code": "PNV"}],
       "secretary": {"name": "Đặng Quốc Bảo", "position": "Chuyên viên"}}
      """
    # 06/03 + 3 ngày làm việc: 07, 08, 11/03
    Thì bước "Ký quyết định thành lập Đoàn kiểm tra" thuộc về lãnh đạo UBND của đơn vị "UBND" với hạn ngày 11/03/2024
    Khi "pct" hoàn thành bước "Ký quyết định thành lập Đoàn kiểm tra" với dữ liệu:
      """
      {"decision_number": "125/QĐ-UBND", "decision_date": "2024-03-05", "decision_file": ["quyet-dinh-kiem-tra.pdf"]}
      """
    # Thứ Hai 01/04 lùi 5 ngày làm việc: 29, 28, 27, 26, 25/03
    Thì bước "Gửi thông báo kiểm tra và đề cương báo cáo" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 25/03/2024
    Khi "cchc.pnv" hoàn thành bước "Gửi thông báo kiểm tra và đề cương báo cáo" với dữ liệu:
      """
      {"notice_number": "12/TB-PNV", "notice_date": "2024-03-22", "outline": "Đề cương báo cáo tự kiểm tra"}
      """
    # 01/04 lùi 1 ngày làm việc: Thứ Sáu 29/03
    Thì các bước đang mở của hồ sơ là:
      | bước                                           | vai trò         | đơn vị | hạn        |
      | Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng | lãnh đạo đơn vị | P1     | 29/03/2024 |
      | Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng | lãnh đạo đơn vị | P2     | 29/03/2024 |
    # thông báo ngày 22/03, trước ngày kiểm tra 6 ngày làm việc (25, 26, 27, 28, 29/03, 01/04): đúng hạn
    Và dữ liệu hồ sơ "notice_working_days_ahead" là 6
    Và dữ liệu hồ sơ "notice_on_time" là true
    Và hộp công việc của "ct.p1" có bước "Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng" của đơn vị "P1"
    Và hộp công việc của "ct.p1" không có bước "Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng" của đơn vị "P2"

  Kịch bản: Đoàn kiểm tra hai phường, Phường 2 gửi báo cáo tự kiểm tra trễ hạn
    Cho đợt kiểm tra các đơn vị "P1", "P2" từ 01/04/2024 đến 05/04/2024 đã được phê duyệt, có quyết định thành lập Đoàn và đã gửi thông báo ngày 22/03/2024
    Khi hôm nay là ngày 28/03/2024
    Và "ct.p1" hoàn thành bước "Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng" của đơn vị "P1" với dữ liệu:
      """
      {"summary": "Phường 1 đã thực hiện đầy đủ kế hoạch CCHC", "evidence": ["bao-cao-tu-kiem-tra-p1.pdf"]}
      """
    Thì các bước đang mở của hồ sơ là:
      | bước                                           | vai trò         | đơn vị | hạn        |
      | Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng | lãnh đạo đơn vị | P2     | 29/03/2024 |
    Khi đồng hồ chuyển đến 16:59 ngày 29/03/2024 và bộ xử lý hẹn giờ chạy
    Thì bộ xử lý hẹn giờ đã xử lý 0 hồ sơ
    Khi đồng hồ chuyển đến 17:01 ngày 29/03/2024 và bộ xử lý hẹn giờ chạy
    Thì bộ xử lý hẹn giờ đã xử lý 1 hồ sơ
    # chỉ Phường 2 bị cảnh báo: tới lãnh đạo đơn vị, rồi tới đầu mối CCHC
    Và hồ sơ có các cảnh báo:
      | bước             | loại    | đơn vị | hạn        | gửi đến                       | lúc              |
      | Task_self_report | quá hạn | P2     | 29/03/2024 | lãnh đạo đơn vị, đầu mối CCHC | 17:01 29/03/2024 |
    Và bước "Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng" của đơn vị "P2" vẫn đang mở
    Khi hôm nay là ngày 01/04/2024
    Và "ct.p2" hoàn thành bước "Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng" của đơn vị "P2" kèm giải trình trễ hạn "Phường đang tổ chức bầu cử tổ dân phố", với dữ liệu:
      """
      {"summary": "Phường 2 báo cáo kết quả tự kiểm tra", "evidence": ["bao-cao-tu-kiem-tra-p2.pdf"]}
      """
    Thì các báo cáo tự kiểm tra đã nhận là:
      | đơn vị | ngày gửi   | trễ hạn |
      | P1     | 28/03/2024 | không   |
      | P2     | 01/04/2024 | có      |
    # Đoàn kiểm tra thực tế đến hết ngày kết thúc 05/04
    Và các bước đang mở của hồ sơ là:
      | bước                                     | vai trò      | đơn vị | hạn        |
      | Kiểm tra thực tế và lập biên bản kiểm tra | đầu mối CCHC | PNV    | 05/04/2024 |
      | Kiểm tra thực tế và lập biên bản kiểm tra | đầu mối CCHC | PNV    | 05/04/2024 |
    Khi "cchc.pnv" hoàn thành bước "Kiểm tra thực tế và lập biên bản kiểm tra" về đơn vị "P1" với dữ liệu:
      """
      {"inspected_on": "2024-04-02", "findings": "Còn chậm cập nhật thủ tục hành chính",
       "minutes_file": ["bien-ban-kiem-tra.pdf"], "signed_by_team_lead": true, "signed_by_unit_head": true}
      """
    Và "cchc.pnv" hoàn thành bước "Kiểm tra thực tế và lập biên bản kiểm tra" về đơn vị "P2" với dữ liệu:
      """
      {"inspected_on": "2024-04-03", "findings": "Thực hiện tốt", "minutes_file": ["bien-ban-kiem-tra-p2.pdf"], "signed_by_team_lead": true, "signed_by_unit_head": true}
      """
    # 05/04 + 10 ngày làm việc, nghỉ Giỗ Tổ Hùng Vương 18/04: 08–12, 15, 16, 17, 19, 22/04
    Thì bước "Ban hành thông báo kết luận kiểm tra" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 22/04/2024
    Khi "cchc.pnv" hoàn thành bước "Ban hành thông báo kết luận kiểm tra" với dữ liệu:
      """
      {"conclusion_number": "20/TB-UBND", "conclusion_date": "2024-04-10", "conclusion_file": ["ket-luan-kiem-tra.pdf"], "summary": "Kết luận kiểm tra CCHC năm 2024",
       "corrections": [{"unit_code": "P1", "content": "Cập nhật thủ tục hành chính", "deadline": "2024-04-30"},
                       {"unit_code": "P1", "content": "Niêm yết công khai thủ tục", "deadline": "2024-05-10"}]}
      """
    # chỉ Phường 1 phải khắc phục, hạn là hạn muộn nhất của các yêu cầu
    Thì các bước đang mở của hồ sơ là:
      | bước                      | vai trò         | đơn vị | hạn        |
      | Báo cáo kết quả khắc phục | lãnh đạo đơn vị | P1     | 10/05/2024 |
    Khi "ct.p1" hoàn thành bước "Báo cáo kết quả khắc phục" với dữ liệu:
      """
      {"report": "Đã khắc phục các tồn tại", "items": [{"content": "Cập nhật thủ tục hành chính", "status": "done"}]}
      """
    # 10/05 + 5 ngày làm việc: 13, 14, 15, 16, 17/05
    Thì bước "Kiểm tra, xác nhận kết quả khắc phục" thuộc về đầu mối CCHC của đơn vị "PNV" với hạn ngày 17/05/2024
    Khi "cchc.pnv" hoàn thành bước "Kiểm tra, xác nhận kết quả khắc phục" với dữ liệu:
      """
      {"summary": "Phường 1 đã khắc phục", "results": [{"unit_code": "P1", "verdict": "completed"}]}
      """
    Thì hồ sơ đã hoàn thành
    Và nhật ký hồ sơ ghi lần lượt:
      | sự kiện           | phần tử          | người thực hiện |
      | hoàn thành bước   | Task_self_report | ct.p1           |
      | hẹn giờ kích hoạt | Timer_self_report | system         |
      | hoàn thành bước   | Task_self_report | ct.p2           |
      | giải trình trễ hạn | Task_self_report | ct.p2          |
      | hoàn thành bước   | Task_onsite      | cchc.pnv        |
      | hoàn thành bước   | Task_onsite      | cchc.pnv        |
      | hoàn thành bước   | Task_conclusion  | cchc.pnv        |
      | hoàn thành bước   | Task_remediation | ct.p1           |
      | hoàn thành bước   | Task_verify      | cchc.pnv        |
      | kết thúc hồ sơ    |                  | cchc.pnv        |

  Kịch bản: Kết luận không yêu cầu khắc phục thì đợt kiểm tra kết thúc
    Cho đợt kiểm tra các đơn vị "P1" từ 01/04/2024 đến 05/04/2024 đã được phê duyệt, có quyết định thành lập Đoàn và đã gửi thông báo ngày 22/03/2024
    Và "ct.p1" hoàn thành bước "Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng" với dữ liệu:
      """
      {"summary": "Phường 1 đã thực hiện đầy đủ kế hoạch CCHC", "evidence": ["bao-cao.pdf"]}
      """
    Và "cchc.pnv" hoàn thành bước "Kiểm tra thực tế và lập biên bản kiểm tra" với dữ liệu:
      """
      {"inspected_on": "2024-04-02", "findings": "Thực hiện tốt", "minutes_file": ["bien-ban-kiem-tra.pdf"], "signed_by_team_lead": true, "signed_by_unit_head": true}
      """
    Khi "cchc.pnv" hoàn thành bước "Ban hành thông báo kết luận kiểm tra" với dữ liệu:
      """
      {"conclusion_number": "21/TB-UBND", "conclusion_date": "2024-04-10", "conclusion_file": ["ket-luan-kiem-tra.pdf"], "summary": "Phường 1 thực hiện tốt", "corrections": []}
      """
    Thì hồ sơ đã hoàn thành
    Và hồ sơ không còn bước nào đang mở

  Kịch bản: Kết luận yêu cầu khắc phục với đơn vị không được kiểm tra thì bị từ chối
    Cho đợt kiểm tra các đơn vị "P1" từ 01/04/2024 đến 05/04/2024 đã được phê duyệt, có quyết định thành lập Đoàn và đã gửi thông báo ngày 22/03/2024
    Và "ct.p1" hoàn thành bước "Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng" với dữ liệu:
      """
      {"summary": "Phường 1 đã thực hiện đầy đủ kế hoạch CCHC", "evidence": ["bao-cao.pdf"]}
      """
    Và "cchc.pnv" hoàn thành bước "Kiểm tra thực tế và lập biên bản kiểm tra" với dữ liệu:
      """
      {"inspected_on": "2024-04-02", "findings": "Thực hiện tốt", "minutes_file": ["bien-ban-kiem-tra.pdf"], "signed_by_team_lead": true, "signed_by_unit_head": true}
      """
    Khi "cchc.pnv" thử hoàn thành bước "Ban hành thông báo kết luận kiểm tra" với dữ liệu:
      """
      {"conclusion_number": "21/TB-UBND", "conclusion_date": "2024-04-10", "conclusion_file": ["ket-luan-kiem-tra.pdf"], "summary": "Kết luận kiểm tra",
       "corrections": [{"unit_code": "P3", "content": "Niêm yết thủ tục", "deadline": "2024-05-10"}]}
      """
    Thì yêu cầu bị từ chối với mã 422 "step_refused"
    Và thông báo lỗi có nội dung "Đơn vị P3 không có trong danh sách đơn vị được kiểm tra."
    Và bước "Ban hành thông báo kết luận kiểm tra" vẫn đang mở

  Kịch bản: Ngày kết thúc kiểm tra trước ngày bắt đầu thì kế hoạch bị từ chối
    Khi "cchc.pnv" thử hoàn thành bước "Soạn kế hoạch kiểm tra CCHC" với dữ liệu:
      """
      {"title": "Kế hoạch kiểm tra công tác CCHC năm 2024", "year": 2024, "units": ["P1"],
       "content": "Kiểm tra việc thực hiện kế hoạch CCHC năm 2024", "start_date": "2024-04-05", "end_date": "2024-04-01"}
      """
    Thì yêu cầu bị từ chối với mã 422 "step_refused"
    Và thông báo lỗi có nội dung "Ngày kết thúc kiểm tra phải từ ngày bắt đầu kiểm tra trở đi."
    Và bước "Soạn kế hoạch kiểm tra CCHC" vẫn đang mở

  Kịch bản: Chỉ đúng người của làn mới xử lý được bước kiểm tra
    Khi "tp.pnv" thử hoàn thành bước "Soạn kế hoạch kiểm tra CCHC" với dữ liệu:
      """
      {"title": "Kế hoạch kiểm tra công tác CCHC năm 2024", "year": 2024, "units": ["P1"],
       "content": "Kiểm tra việc thực hiện kế hoạch CCHC năm 2024", "start_date": "2024-04-01", "end_date": "2024-04-05"}
      """
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Và thông báo lỗi là "Bạn không được phân công xử lý bước này."
    Cho đợt kiểm tra các đơn vị "P1", "P2" từ 01/04/2024 đến 05/04/2024 đã được phê duyệt, có quyết định thành lập Đoàn và đã gửi thông báo ngày 22/03/2024
    # lãnh đạo Phường 1 không thấy bước của Phường 2
    Khi "ct.p1" thử hoàn thành bước "Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng" của đơn vị "P2" với dữ liệu:
      """
      {"summary": "Báo cáo thay cho Phường 2", "evidence": ["bao-cao.pdf"]}
      """
    Thì yêu cầu bị từ chối với mã 404 "task_not_found"
    # chuyên viên Phường 2 thấy bước của đơn vị mình nhưng không phải lãnh đạo đơn vị
    Khi "cv.p2" thử hoàn thành bước "Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng" của đơn vị "P2" với dữ liệu:
      """
      {"summary": "Phường 2 báo cáo kết quả tự kiểm tra", "evidence": ["bao-cao.pdf"]}
      """
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Và bước "Gửi báo cáo tự kiểm tra và tài liệu kiểm chứng" của đơn vị "P2" vẫn đang mở

  Kịch bản: Quá hạn soạn kế hoạch kiểm tra thì cảnh báo lãnh đạo và đầu mối CCHC
    Khi đồng hồ chuyển đến 17:01 ngày 08/03/2024 và bộ xử lý hẹn giờ chạy
    Thì hồ sơ có các cảnh báo:
      | bước            | loại    | đơn vị | hạn        | gửi đến                       | lúc              |
      | Task_plan_draft | quá hạn | PNV    | 08/03/2024 | lãnh đạo đơn vị, đầu mối CCHC | 17:01 08/03/2024 |
    Và hộp công việc của "cchc.pnv" có bước "Soạn kế hoạch kiểm tra CCHC"
