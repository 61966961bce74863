"""A workbook that opens as a CCHC plan but holds no activity table: ``plan_appendix_missing``, as a Markdown text
gets; any other workbook without the table stays ``not_a_plan``."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook

from tests.unit.test_plan_import import ORG_FILE, _xlsx
from workflows.org_data import OrgData, load_org_file
from workflows.plan.parsed_plan import APPENDIX_MISSING_MESSAGE, NotAPlan, PlanAppendixMissing
from workflows.plan.xlsx_import import parse_plan_xlsx


@pytest.fixture(scope="module")
def org() -> OrgData:
    return load_org_file(ORG_FILE)


# The opening of a real plan as a workbook holds it: caption, number, title, its sections — and no activity table.
PLAN_OPENING_ROWS = [
    ["ỦY BAN NHÂN DÂN", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["XÃ BÌNH THÀNH", "", "Độc lập - Tự do - Hạnh phúc"],
    ["Số: 12/KH-UBND", "", "Bình Thành, ngày 10 tháng 01 năm 2025"],
    ["KẾ HOẠCH"],
    ["Cải cách hành chính năm 2025"],
    ["I. MỤC ĐÍCH, YÊU CẦU"],
    ["Tiếp tục đẩy mạnh cải cách hành chính, trọng tâm là cải cách thủ tục hành chính."],
    ["II. NHIỆM VỤ TRỌNG TÂM"],
    ["(Chi tiết tại Phụ lục kèm theo)"],
]


@pytest.mark.parametrize(
    "rows",
    [
        PLAN_OPENING_ROWS,
        [["KẾ HOẠCH Cải cách hành chính năm 2025"], ["(Ban hành kèm theo Quyết định số 5/QĐ-UBND)"]],
        [["**KẾ HOẠCH**"], ["CCHC năm 2024 của UBND xã"]],
    ],
    ids=["opening", "title-row", "cchc"],
)
def test_xlsx_of_a_plan_without_its_appendix_says_so(rows: list[list[str]], org: OrgData) -> None:
    with pytest.raises(PlanAppendixMissing) as caught:
        parse_plan_xlsx(_xlsx(rows), org)
    assert caught.value.code == "plan_appendix_missing"
    assert caught.value.message == APPENDIX_MISSING_MESSAGE
    assert caught.value.message.startswith("Kế hoạch không có phụ lục danh mục hoạt động (bảng)")


@pytest.mark.parametrize(
    "rows",
    [
        [["KẾ HOẠCH"], ["Tổ chức hội nghị tổng kết năm 2024"]],  # a plan, but not of administrative reform
        [["Báo cáo"], ["Kết quả cải cách hành chính năm 2024"]],  # of reform, but no plan
        [["Danh sách"], *[[f"Dòng {n}"] for n in range(60)], ["KẾ HOẠCH cải cách hành chính"]],  # title far below
    ],
    ids=["other-plan", "report", "late-title"],
)
def test_xlsx_that_only_resembles_a_plan_is_not_one(rows: list[list[str]], org: OrgData) -> None:
    with pytest.raises(NotAPlan) as caught:
        parse_plan_xlsx(_xlsx(rows), org)
    assert caught.value.code == "not_a_plan"
    assert caught.value.message.startswith("Tệp không phải kế hoạch CCHC: không tìm thấy bảng phụ lục")


def test_xlsx_plan_opening_on_one_sheet_and_no_table_anywhere(org: OrgData) -> None:
    """The opening on a first sheet, a note on a second: still a plan without its appendix."""
    book = Workbook()
    first = book.active
    assert first is not None
    for row in PLAN_OPENING_ROWS:
        first.append(row)
    book.create_sheet("Ghi chú").append(["Phụ lục sẽ gửi sau."])
    buffer = BytesIO()
    book.save(buffer)
    with pytest.raises(PlanAppendixMissing):
        parse_plan_xlsx(buffer.getvalue(), org)
