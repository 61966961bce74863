# language: vi
Tính năng: Thực hiện một hoạt động của kế hoạch CCHC
  Chuyên viên đơn vị chủ trì thực hiện hoạt động và đính kèm sản phẩm, có thể lấy ý kiến các đơn vị phối hợp,
  lãnh đạo đơn vị xác nhận kết quả hoặc trả lại kèm lý do (có thể gia hạn).

  Dữ liệu khởi tạo mẫu: hoạt động VII.3.9, sản phẩm "Báo cáo", hạn hoàn thành 28/06/2024, đơn vị phối hợp VP và PTP.
  Hạn thực hiện = hạn hoạt động lùi 2 ngày làm việc (để lãnh đạo kịp xác nhận), không sớm hơn hôm nay; không có
  hạn hoặc hạn đã qua thì 10 ngày làm việc. Cho ý kiến 3, xác nhận 2 ngày làm việc, không muộn hơn hạn hoạt động.

  Bối cảnh:
    Cho hôm nay là ngày 02/01/2024 lúc 08:00

  Kịch bản: Hoạt động có lấy ý kiến phối hợp được lãnh đạo phòng xác nhận hoàn thành
    Cho "cv.pnv" khởi tạo quy trình "generic_activity" cho đơn vị "PNV"
    # Thứ Sáu 28/06 lùi 2 ngày làm việc: 27, 26/06
    Thì bước "Thực hiện, đính kèm sản phẩm" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 26/06/2024
    Và dữ liệu hồ sơ "output_kind" là "Báo cáo"
    Khi hôm nay là ngày 20/06/2024
    Và "cv.pnv" hoàn thành bước "Thực hiện, đính kèm sản phẩm" với dữ liệu:
      """
      {"output_title": "Báo cáo kết quả kiểm tra CCHC năm 2024", "output_reference": "45/BC-PNV",
       "output_date": "2024-06-20", "result_summary": "Đã kiểm tra 6 cơ quan, đơn vị",
       "attachments": ["bao-cao-kiem-tra.pdf", "bien-ban.pdf"], "ask_coordinating_units": true}
      """
    # Thứ Năm 20/06 + 3 ngày làm việc: 21, 24, 25/06
    Thì các bước đang mở của hồ sơ là:
      | bước       | vai trò     | đơn vị | hạn        |
      | Cho ý kiến | chuyên viên | VP     | 25/06/2024 |
      | Cho ý kiến | chuyên viên | PTP    | 25/06/2024 |
    Khi "cv.vp" hoàn thành bước "Cho ý kiến" của đơn vị "VP" với dữ liệu:
      """
      {"coord_opinion": "agree", "coord_content": "Thống nhất"}
      """
    Và hôm nay là ngày 27/06/2024
    # hạn cho ý kiến 25/06 đã qua: phải giải trình
    Và "cv.ptp" hoàn thành bước "Cho ý kiến" của đơn vị "PTP" kèm giải trình trễ hạn "Chờ ý kiến lãnh đạo Phòng Tư pháp", với dữ liệu:
      """
      {"coord_opinion": "agree_with_comments", "coord_content": "Bổ sung căn cứ pháp lý"}
      """
    # Thứ Năm 27/06 + 2 ngày làm việc = 01/07, muộn hơn hạn hoạt động 28/06: lấy 28/06
    Thì bước "Xác nhận kết quả" thuộc về lãnh đạo đơn vị của đơn vị "PNV" với hạn ngày 28/06/2024
    # vòng ý kiến hạn 25/06: lần chạy kế tiếp của hồ sơ (08:00 27/06) đã ghi cảnh báo
    Và hồ sơ có các cảnh báo:
      | bước         | đơn vị          | hạn        | gửi đến         | lúc              |
      | Task_comment | đơn vị phối hợp | 25/06/2024 | lãnh đạo đơn vị | 08:00 27/06/2024 |
    Khi "tp.pnv" xác nhận bước "Xác nhận kết quả"
    Thì hồ sơ đã hoàn thành
    Và sản phẩm của hồ sơ là các tệp "bao-cao-kiem-tra.pdf", "bien-ban.pdf", số "45/BC-PNV", ngày ban hành 20/06/2024
    Và dữ liệu hồ sơ "completed_date" là "2024-06-27"
    Và dữ liệu hồ sơ "completed_on_time" là true
    Và dữ liệu hồ sơ "coordination_comments" là [{"unit": "VP", "opinion": "agree", "content": "Thống nhất"}, {"unit": "PTP", "opinion": "agree_with_comments", "content": "Bổ sung căn cứ pháp lý"}]
    Và nhật ký hồ sơ ghi lần lượt:
      | sự kiện           | phần tử       | người thực hiện |
      | khởi tạo hồ sơ    |               | cv.pnv          |
      | hoàn thành bước   | Task_perform  | cv.pnv          |
      | hoàn thành bước   | Task_comment  | cv.vp           |
      | hoàn thành bước   | Task_comment  | cv.ptp          |
      | hẹn giờ kích hoạt | Timer_comment |                 |
      | giải trình trễ hạn | Task_comment | cv.ptp          |
      | hoàn thành bước   | Task_confirm  | tp.pnv          |
      | kết thúc hồ sơ    |               | tp.pnv          |

  Kịch bản: Không lấy ý kiến thì lãnh đạo phòng xác nhận ngay
    Cho "cv.pnv" khởi tạo quy trình "generic_activity" cho đơn vị "PNV"
    Khi "cv.pnv" hoàn thành bước "Thực hiện, đính kèm sản phẩm" với dữ liệu:
      """
      {"output_title": "Báo cáo kết quả kiểm tra CCHC năm 2024", "result_summary": "Đã kiểm tra 6 cơ quan, đơn vị",
       "attachments": ["bao-cao-kiem-tra.pdf"], "ask_coordinating_units": false}
      """
    # Thứ Ba 02/01 + 2 ngày làm việc: 03, 04/01
    Thì các bước đang mở của hồ sơ là:
      | bước             | vai trò         | đơn vị | hạn        |
      | Xác nhận kết quả | lãnh đạo đơn vị | PNV    | 04/01/2024 |
    Và dữ liệu hồ sơ "coordination_comments" là []

  Khung kịch bản: Hạn thực hiện tính từ hạn của hoạt động
    Cho "cv.pnv" khởi tạo quy trình "generic_activity" cho đơn vị "PNV" với dữ liệu:
      """
      {"deadline": <hạn hoạt động>}
      """
    Thì bước "Thực hiện, đính kèm sản phẩm" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày <hạn thực hiện>

    Dữ liệu:
      | hạn hoạt động | hạn thực hiện | ghi chú                                           |
      | null          | 16/01/2024    | không có hạn: 10 ngày làm việc từ 02/01           |
      | "2023-12-29"  | 16/01/2024    | hạn đã qua: 10 ngày làm việc từ 02/01             |
      | "2024-01-03"  | 02/01/2024    | lùi 2 ngày làm việc là 01/01 (nghỉ), không trước hôm nay |
      | "2024-01-31"  | 29/01/2024    | Thứ Tư 31/01 lùi 2 ngày làm việc: 30, 29/01       |

  Kịch bản: Trả lại giữ hạn cũ, chuyên viên lấy ý kiến lại, lần trả lại thứ hai có gia hạn
    Cho "cv.pnv" khởi tạo quy trình "generic_activity" cho đơn vị "PNV" với dữ liệu:
      """
      {"deadline": "2024-01-31"}
      """
    Và "cv.pnv" hoàn thành bước "Thực hiện, đính kèm sản phẩm" với dữ liệu:
      """
      {"output_title": "Báo cáo kết quả kiểm tra CCHC năm 2024", "result_summary": "Đã kiểm tra 6 cơ quan, đơn vị",
       "attachments": ["bao-cao-kiem-tra.pdf"], "ask_coordinating_units": false}
      """
    Khi hôm nay là ngày 04/01/2024
    Và "tp.pnv" trả lại bước "Xác nhận kết quả" với lý do "Sản phẩm chưa đạt yêu cầu"
    Thì bước "Thực hiện, đính kèm sản phẩm" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 29/01/2024
    Khi "cv.pnv" hoàn thành bước "Thực hiện, đính kèm sản phẩm" với dữ liệu:
      """
      {"output_title": "Báo cáo kết quả kiểm tra CCHC năm 2024", "result_summary": "Đã kiểm tra 6 cơ quan, đơn vị",
       "attachments": ["bao-cao-kiem-tra-v2.pdf"], "ask_coordinating_units": true, "revision_note": "Đã sửa theo ý kiến"}
      """
    # Thứ Năm 04/01 + 3 ngày làm việc: 05, 08, 09/01
    Thì các bước đang mở của hồ sơ là:
      | bước       | đơn vị | hạn        |
      | Cho ý kiến | VP     | 09/01/2024 |
      | Cho ý kiến | PTP    | 09/01/2024 |
    Khi "cv.vp" hoàn thành bước "Cho ý kiến" của đơn vị "VP" với dữ liệu:
      """
      {"coord_opinion": "disagree", "coord_content": "Chưa thống nhất số liệu"}
      """
    Và "cv.ptp" hoàn thành bước "Cho ý kiến" của đơn vị "PTP" với dữ liệu:
      """
      {"coord_opinion": "disagree", "coord_content": "Chưa thống nhất căn cứ"}
      """
    # Thứ Năm 04/01 + 2 ngày làm việc: 05, 08/01
    Thì bước "Xác nhận kết quả" có hạn ngày 08/01/2024
    Khi hôm nay là ngày 08/01/2024
    Và "tp.pnv" trả lại bước "Xác nhận kết quả" với lý do "Cần thống nhất với đơn vị phối hợp" và gia hạn 5 ngày làm việc với lý do "Chờ ý kiến thống nhất"
    # hạn cũ 29/01 + 5 ngày làm việc: 30, 31/01, 01, 02, 05/02
    Thì bước "Thực hiện, đính kèm sản phẩm" thuộc về chuyên viên của đơn vị "PNV" với hạn ngày 05/02/2024
    Và hồ sơ ghi nhận các lần gia hạn:
      | bước    | hạn cũ     | hạn mới    | lý do                 |
      | perform | 29/01/2024 | 05/02/2024 | Chờ ý kiến thống nhất |
    Và hồ sơ ghi nhận các lần trả lại:
      | lý do                              |
      | Sản phẩm chưa đạt yêu cầu          |
      | Cần thống nhất với đơn vị phối hợp |
    Khi "cv.pnv" hoàn thành bước "Thực hiện, đính kèm sản phẩm" với dữ liệu:
      """
      {"output_title": "Báo cáo kết quả kiểm tra CCHC năm 2024", "result_summary": "Đã thống nhất với các đơn vị",
       "attachments": ["bao-cao-kiem-tra-v3.pdf"], "ask_coordinating_units": false}
      """
    # Thứ Hai 08/01 + 2 ngày làm việc: 09, 10/01; lãnh đạo phòng xác nhận muộn thì phải giải trình
    Thì bước "Xác nhận kết quả" có hạn ngày 10/01/2024
    Khi hôm nay là ngày 02/02/2024
    Và "tp.pnv" thử xác nhận bước "Xác nhận kết quả"
    Thì yêu cầu bị từ chối với mã 422 "late_reason_required"
    Và thông báo lỗi là "Bước "Xác nhận kết quả" đã quá hạn xử lý (hạn 17:00 ngày 10/01/2024). Vui lòng nhập lý do giải trình để hoàn thành."
    Khi "tp.pnv" xác nhận bước "Xác nhận kết quả" kèm giải trình trễ hạn "Chờ đơn vị phối hợp ký xác nhận"
    Thì hồ sơ đã hoàn thành
    Và dữ liệu hồ sơ "completed_date" là "2024-02-02"
    Và dữ liệu hồ sơ "completed_on_time" là false

  Kịch bản: Lãnh đạo phòng không làm thay chuyên viên, quản trị viên không hoàn thành bước của người khác
    Cho "cv.pnv" khởi tạo quy trình "generic_activity" cho đơn vị "PNV"
    Khi "tp.pnv" thử hoàn thành bước "Thực hiện, đính kèm sản phẩm" với dữ liệu:
      """
      {"output_title": "Báo cáo", "result_summary": "Đã kiểm tra 6 cơ quan, đơn vị",
       "attachments": ["bao-cao.pdf"], "ask_coordinating_units": false}
      """
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Và thông báo lỗi là "Bạn không được phân công xử lý bước này."
    Khi "admin" thử hoàn thành bước "Thực hiện, đính kèm sản phẩm" với dữ liệu:
      """
      {"output_title": "Báo cáo", "result_summary": "Đã kiểm tra 6 cơ quan, đơn vị",
       "attachments": ["bao-cao.pdf"], "ask_coordinating_units": false}
      """
    Thì yêu cầu bị từ chối với mã 403 "not_your_task"
    Và bước "Thực hiện, đính kèm sản phẩm" vẫn đang mở

  Kịch bản: Quá hạn thực hiện và quá hạn cho ý kiến đều được cảnh báo, các bước vẫn mở
    Cho "cv.pnv" khởi tạo quy trình "generic_activity" cho đơn vị "PNV" với dữ liệu:
      """
      {"deadline": "2024-01-10"}
      """
    # Thứ Tư 10/01 lùi 2 ngày làm việc: 09, 08/01
    Thì bước "Thực hiện, đính kèm sản phẩm" có hạn ngày 08/01/2024
    Khi đồng hồ chuyển đến 17:05 ngày 08/01/2024 và bộ xử lý hẹn giờ chạy
    Thì hồ sơ có các cảnh báo:
      | bước         | đơn vị | hạn        | gửi đến         | lúc              |
      | Task_perform | PNV    | 08/01/2024 | lãnh đạo đơn vị | 17:05 08/01/2024 |
    Khi "cv.pnv" hoàn thành bước "Thực hiện, đính kèm sản phẩm" kèm giải trình trễ hạn "Chờ số liệu của các phường", với dữ liệu:
      """
      {"output_title": "Báo cáo kết quả", "result_summary": "Đã kiểm tra 6 cơ quan, đơn vị",
       "attachments": ["bao-cao.pdf"], "ask_coordinating_units": true}
      """
    # Thứ Hai 08/01 + 3 = 11/01, muộn hơn hạn hoạt động 10/01: lấy 10/01
    Thì các bước đang mở của hồ sơ là:
      | bước       | đơn vị | hạn        |
      | Cho ý kiến | VP     | 10/01/2024 |
      | Cho ý kiến | PTP    | 10/01/2024 |
    Khi đồng hồ chuyển đến 17:05 ngày 10/01/2024 và bộ xử lý hẹn giờ chạy
    Thì hồ sơ có các cảnh báo:
      | bước         | đơn vị          | hạn        | gửi đến         |
      | Task_perform | PNV             | 08/01/2024 | lãnh đạo đơn vị |
      | Task_comment | đơn vị phối hợp | 10/01/2024 | lãnh đạo đơn vị |
    Và các bước đang mở của hồ sơ là:
      | bước       | đơn vị |
      | Cho ý kiến | VP     |
      | Cho ý kiến | PTP    |

  Kịch bản: Sản phẩm thiếu thông tin bị biểu mẫu từ chối
    Cho "cv.pnv" khởi tạo quy trình "generic_activity" cho đơn vị "PNV"
    Khi "cv.pnv" thử hoàn thành bước "Thực hiện, đính kèm sản phẩm" với dữ liệu:
      """
      {"output_title": "BC", "output_date": "20/06/2024", "attachments": []}
      """
    Thì yêu cầu bị từ chối với mã 422 "form_invalid"
    Và lỗi chỉ ra các trường "output_title", "output_date", "result_summary", "attachments", "ask_coordinating_units"
