"""Importing the seed plan's appendix (Markdown and Excel): real rows, repairs and warnings."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook

from workflows.org_data import OrgData, load_org_file
from workflows.plan.markdown_import import (
    ImportResult,
    ParsedPlan,
    PlanActivity,
    PlanTask,
    markdown_rows,
    output_kinds,
    parse_plan_markdown,
)
from workflows.plan.xlsx_import import parse_plan_xlsx

ROOT = Path(__file__).parents[2]
SEED = ROOT / "processes/plans/ke-hoach-cchc-2024.md"  # the seed, kept in the repository
SHARED_SEED = ROOT.parent / "shared/seed/ke-hoach-cchc-2024.md"
ORG_FILE = ROOT / "processes/org/sa-dec-2024.yaml"

CQCM = ("PNV", "PTP", "VP", "PVHTT", "PTCKH", "PTNMT", "PQLDT", "PGDDT", "PKT", "PLDTBXH", "TTRA")
XA = ("P1", "P2", "P3", "P4", "PAH", "PTQD", "XTQT", "XTPD", "XTKD")
HEADER = ("STT", "1- Mục tiêu", "2- Nhiệm vụ", "3- Hoạt động", "4- Kết quả/ sản phẩm", "5-Chủ trì", "6- Phối hợp",
          "7- Thời gian", "8- Kinh phí")  # fmt: skip
PREAMBLE = (
    "KẾ HOẠCH",
    "Cải cách hành chính năm 2024",
    "(Ban hành kèm theo Kế hoạch số /KH-UBND ngày tháng năm của UBND thành phố Sa Đéc)",
)


@pytest.fixture(scope="module")
def org() -> OrgData:
    return load_org_file(ORG_FILE)


@pytest.fixture(scope="module")
def seed_markdown() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def result(seed_markdown: str, org: OrgData) -> ImportResult:
    return parse_plan_markdown(seed_markdown, org)


@pytest.fixture(scope="module")
def plan(result: ImportResult) -> ParsedPlan:
    return result.plan


def activities(plan: ParsedPlan, numeral: str, code: str) -> list[tuple[str, str, PlanActivity]]:
    """(objective code, task code, activity) for every activity ``code`` of area ``numeral``."""
    return [
        (o.code, t.code, a) for area, o, t, a in plan.iter_activities() if area.numeral == numeral and a.code == code
    ]


def one(plan: ParsedPlan, numeral: str, code: str) -> PlanActivity:
    found = activities(plan, numeral, code)
    assert len(found) == 1, found
    return found[0][2]


def task(plan: ParsedPlan, numeral: str, code: str) -> PlanTask:
    area = next(a for a in plan.areas if a.numeral == numeral)
    found = [t for o in area.objectives for t in o.tasks if t.code == code]
    assert len(found) == 1, found
    return found[0]


# --- Header and structure --------------------------------------------------------------------------


def test_header(plan: ParsedPlan) -> None:
    assert plan.title == "Cải cách hành chính năm 2024"
    assert plan.year == 2024
    assert plan.number is None  # "Kế hoạch số /KH-UBND": not numbered yet
    assert plan.issuer_text == "UBND thành phố Sa Đéc"


def test_seven_areas_with_their_titles(plan: ParsedPlan) -> None:
    assert [(a.numeral, a.title) for a in plan.areas] == [
        ("I", "CẢI CÁCH THỂ CHẾ"),
        ("II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"),
        ("III", "CẢI CÁCH TỔ CHỨC BỘ MÁY HÀNH CHÍNH NHÀ NƯỚC"),
        ("IV", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ"),
        ("V", "CẢI CÁCH TÀI CHÍNH CÔNG"),
        ("VI", "XÂY DỰNG PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ"),
        ("VII", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH"),
    ]


def test_activity_counts_per_area(result: ImportResult) -> None:
    assert result.report.counts == {"I": 4, "II": 9, "III": 4, "IV": 6, "V": 2, "VI": 4, "VII": 14}
    assert sum(1 for _ in result.plan.iter_activities()) == 43


def test_codes_in_order_per_area_duplicates_kept(plan: ParsedPlan) -> None:
    def codes(numeral: str) -> list[tuple[str, str, str]]:
        return [(o.code, t.code, a.code) for ar, o, t, a in plan.iter_activities() if ar.numeral == numeral]

    assert codes("IV") == [
        ("1.1", "2.1", "3.1"), ("1.1", "2.1", "3.2"), ("1.1", "2.2", "3.3"), ("1.1", "2.3", "3.3"),
        ("1.1", "2.4", "3.4"), ("1.2", "2.4", "3.5"),
    ]  # fmt: skip
    assert [a for *_, a in codes("VII")] == [
        "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.11", "3.12", "3.13",
    ]  # fmt: skip
    assert [(o, t) for o, t, _ in codes("VII")][-4:] == [("1.2", "2.3"), ("1.3", "2.4"), ("1.3", "2.4"), ("1.3", "2.4")]
    for area in plan.areas:
        orders = [a.order for ar, *_, a in plan.iter_activities() if ar is area]
        assert orders == list(range(1, len(orders) + 1))


def test_objectives_and_tasks_of_area_ii(plan: ParsedPlan) -> None:
    area = plan.areas[1]
    assert [(o.code, [t.code for t in o.tasks]) for o in area.objectives] == [
        ("1.1", ["2.1"]), ("1.2", ["2.2", "2.3"]), ("1.3", ["2.4", "2.5"]), ("1.4", ["2.6"]), ("1.5", ["2.7"]),
    ]  # fmt: skip


# --- Rows cut by page breaks -----------------------------------------------------------------------


def test_area_ii_3_5_merged_across_the_page_break(plan: ParsedPlan) -> None:
    [(objective, task_code, activity)] = activities(plan, "II", "3.5")
    assert (objective, task_code) == ("1.2", "2.3")
    assert activity.text == (
        "Thực hiện Quyết định chính thức thực hiện việc giao cho Bưu điện Thành phố đảm nhận nhiệm vụ hướng dẫn, "
        "tiếp nhận, số hoá hồ sơ và trả kết quả giải quyết TTHC trên địa bàn Thành phố."
    )
    assert activity.lead_text == "Văn phòng HĐND và UBND Thành phố"
    assert activity.lead_units == ("VP",)
    assert activity.coordinating_text == "Các cơ quan, ngành Thành phố; UBND cấp xã"
    assert activity.coordinating_units == CQCM + XA
    assert (activity.output_text, activity.output_kinds) == ("Báo cáo", ("Báo cáo",))
    assert (activity.time_text, activity.budget_text, activity.order) == ("Theo Quyết định", "", 5)
    assert task(plan, "II", "2.3").text == (
        "Tiếp tục triển khai thực hiện cơ chế giao doanh nghiệp cung ứng dịch vụ bưu chính công ích đảm nhận "
        "một số công đoạn trong quá trình tiếp nhận, trả kết quả giải quyết TTHC."
    )


def test_area_i_3_4_lead_units_split_over_two_pages(plan: ParsedPlan) -> None:
    activity = one(plan, "I", "3.4")
    assert activity.text == "Thực hiện theo dõi thi hành pháp luật."
    assert activity.lead_text == "Phòng Tư pháp, UBND cấp xã"
    assert activity.lead_units == ("PTP", *XA)
    assert activity.coordinating_units == CQCM
    assert (activity.time_text, activity.output_kinds) == ("Theo Kế hoạch", ("Báo cáo",))


def test_area_v_3_1_every_cell_split(plan: ParsedPlan) -> None:
    objective = plan.areas[4].objectives[0]
    assert objective.code == "1"
    assert objective.text == (
        "Thực hiện bảo đảm các quy định về giao quyền tự chủ về biên chế và kinh phí quản lý hành chính đối với "
        "các cơ quan hành chính (kể cả cấp xã) và đơn vị sự nghiệp."
    )
    assert task(plan, "V", "2.1").text == (
        "Tiếp tục triển khai Nghị định của Chính phủ về thực hiện cơ chế tự chủ, tự chịu trách nhiệm về sử dụng "
        "biên chế và kinh phí quản lý hành chính đối với cơ quan hành chính, cơ chế tự chủ đối với đơn vị sự "
        "nghiệp công lập và tổ chức khoa học và công nghệ công lập."
    )
    activity = one(plan, "V", "3.1")
    assert activity.text == (
        "Tiếp tục thực hiện khoán biên chế và kinh phí quản lý hành chính tại các cơ quan hành chính và đơn vị "
        "sự nghiệp công lập."
    )
    assert activity.lead_text == "Phòng Tài chính – Kế hoạch Thành phố"
    assert activity.lead_units == ("PTCKH",)
    assert activity.coordinating_text == "Các cơ quan, ngành Thành phố; UBND cấp xã"
    assert (activity.time_text, activity.budget_text) == ("Thường xuyên", "Kinh phí tự chủ")


def test_area_vii_3_9_coordinating_list_split_inside_a_unit_name(plan: ParsedPlan) -> None:
    activity = one(plan, "VII", "3.9")
    assert activity.text == (
        "Tổ chức kiểm tra tình hình, kết quả triển khai thực hiện công tác CCHC tại các cơ quan, địa phương "
        "bằng các hình thức thích hợp."
    )
    assert activity.coordinating_text == (
        "Văn phòng HĐND và UBND; Phòng Tư pháp; Phòng Tài chính – Kế hoạch; Phòng Văn hóa - Thông tin; "
        "Trung tâm tin học Thành phố; Trung tâm Văn hóa – Thể thao và Truyền thanh Thành phố; Công an Thành phố; "
        "UBMTTQ VN Thành phố; Ban pháp chế Hội đồng nhân dân Thành phố;."
    )
    assert activity.coordinating_units == ("VP", "PTP", "PTCKH", "PVHTT", "TTTH", "TTVHTT", "CA", "MTTQ", "BPC")
    assert activity.lead_units == ("PNV",)
    assert (activity.time_text, activity.budget_text) == ("Theo Kế hoạch và đột xuất theo yêu cầu", "Kinh phí kiểm tra")


def test_area_vii_both_3_11(plan: ParsedPlan) -> None:
    first, second = activities(plan, "VII", "3.11")
    assert first[:2] == ("1.2", "2.3")
    assert first[2].text == (
        "Triển khai thực hiện hiệu quả mô hình CCHC với mục tiêu xây dựng chính quyền thân thiện, phục vụ Nhân "
        "dân giai đoạn 2021 – 2026."
    )
    assert first[2].lead_units == CQCM + XA
    assert first[2].coordinating_units == ("PNV",)
    assert second[:2] == ("1.3", "2.4")
    assert second[2].text == "Triển khai công tác tự đánh giá chấm điểm Chỉ số CCHC của các cơ quan, địa phương."
    assert (second[2].output_text, second[2].lead_text, second[2].time_text) == (
        "Công văn",
        "Phòng Nội vụ",
        "Quý IV/2024",
    )
    assert (first[2].order, second[2].order) == (11, 12)


def test_other_split_rows(plan: ParsedPlan) -> None:
    assert one(plan, "III", "3.1").text == (
        "Ban hành mới quy định chức năng, nhiệm vụ và mối quan hệ công tác của các cơ quan, đơn vị sau khi rà soát."
    )
    assert task(plan, "III", "2.1").text == (
        "Cập nhật, triển khai thực hiện kịp thời các văn bản của Chính phủ, Bộ, ngành Trung ương, Tỉnh về công "
        "tác tổ chức bộ máy."
    )
    iv_3_1 = one(plan, "IV", "3.1")
    assert iv_3_1.text == "Phối hợp các cơ sở đào tạo ngoài Thành phố tổ chức đào tạo, bồi dưỡng cho CBCCVC."
    assert iv_3_1.coordinating_text == "Các cơ quan, ngành Thành phố; UBND cấp xã"
    assert plan.areas[3].objectives[0].text.endswith("vị trí việc làm và khung năng lực theo quy định.")
    assert task(plan, "IV", "2.1").text == "Xây dựng, ban hành Kế hoạch đào tạo, bồi dưỡng CBCCVC của Thành phố."
    assert task(plan, "IV", "2.3").text.endswith(
        "khung năng lực cho từng vị trí việc làm theo danh mục đã được phê duyệt."
    )


# --- Cells in the wrong column ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "text", "output", "lead_units", "time", "budget"),
    [
        ("3.4", "Duy trì và nâng cao chất lượng chuyên mục CCHC và cuộc sống trên sóng phát thanh Thành phố.",
         "Các chuyên mục", ("TTVHTT",), "Mỗi tháng 02 kỳ", "Theo Kế hoạch"),
        ("3.5", "Cập nhật thường xuyên bài viết, thông tin hoạt động CCHC trên Trang Thông tin điện tử Thành phố.",
         "Tin tức, bài viết", ("PNV", "VP"), "Trong năm 2024", "Theo Kế hoạch"),
        ("3.6", "Gửi các bài viết, thông tin hoạt động CCHC trên Chuyên mục CCHC của Tỉnh.",
         "Tin tức, bài viết", ("VP", "PNV", "PVHTT"), "02 tháng 01 kỳ", ""),
        ("3.12", "Hỗ trợ điều tra xã hội học xác định Chỉ số CCHC.",
         "Phối hợp với Sở Nội vụ", ("PNV",), "Tháng 11/2024", ""),
        ("3.13", "Tổ chức Hội nghị công bố Chỉ số CCHC của các cơ quan, địa phương.",
         "Hội nghị", ("PNV",), "Quý I/2025", ""),
    ],
)  # fmt: skip
def test_area_vii_misplaced_cells_put_back(
    plan: ParsedPlan, code: str, text: str, output: str, lead_units: tuple[str, ...], time: str, budget: str
) -> None:
    activity = one(plan, "VII", code)
    assert (activity.text, activity.output_text, activity.lead_units) == (text, output, lead_units)
    assert activity.coordinating_units == CQCM + XA
    assert (activity.time_text, activity.budget_text) == (time, budget)


def test_misplaced_rows_inherit_the_current_task(plan: ParsedPlan) -> None:
    assert [t for _, t, _ in activities(plan, "VII", "3.4")] == ["2.2"]
    assert [t for _, t, _ in activities(plan, "VII", "3.12")] == ["2.4"]
    assert one(plan, "VII", "3.6").lead_text == (
        "Văn Phòng HĐND và UBND, Phòng Nội vụ Thành phố, Phòng Văn hóa - Thông tin Thành phố ¹"
    )


# --- Tasks without activities, sub-items -----------------------------------------------------------


def test_area_vi_tasks_with_sub_items_and_no_activity(plan: ParsedPlan) -> None:
    digitise = task(plan, "VI", "2.4")
    assert digitise.text == "Triển khai số hóa TTHC"
    assert digitise.activities == []
    assert [(s.code, s.text) for s in digitise.subtasks] == [
        ("2.4.1", "Hoàn thành việc số hóa kết quả giải quyết TTHC của cấp Thành phố còn hiệu lực"),
        ("2.4.2", "Hoàn thành việc số hóa kết quả giải quyết TTHC của cấp Xã còn hiệu lực"),
        ("2.4.3", "Số hóa hồ sơ, kết quả giải quyết TTHC trong tiếp nhận và giải quyết TTHC thuộc thẩm quyền "
                  "cấp Thành phố"),
        ("2.4.4", "Số hóa hồ sơ, kết quả giải quyết TTHC trong tiếp nhận và giải quyết TTHC thuộc thẩm quyền "
                  "cấp Xã"),
    ]  # fmt: skip
    assert digitise.lead_text == (
        "Phòng Văn hóa - Thông tin Thành phố, Văn phòng HĐND và UBND Thành phố; "
        "Phòng Nội vụ Thành phố, Phòng Tư pháp Thành phố"
    )
    assert digitise.lead_units == ("PVHTT", "VP", "PNV", "PTP")
    payment = task(plan, "VI", "2.5")
    assert payment.text == "Triển khai thực hiện thanh toán trực tuyến đối với các TTHC đủ điều kiện được tích hợp"
    assert [s.code for s in payment.subtasks] == ["2.5.1", "2.5.2"]
    assert payment.lead_units == ("PVHTT", "VP")
    assert [t.code for t in plan.areas[5].objectives[1].tasks] == ["2.3", "2.4", "2.5"]


def test_area_vi_objective_1_4_keeps_its_units(plan: ParsedPlan) -> None:
    objective = plan.areas[5].objectives[-1]
    assert (objective.code, objective.tasks) == ("1.4", [])
    assert objective.text == "Nâng cao chất lượng cung cấp thông tin trên Trang tin điện tử của địa phương"
    assert objective.lead_units == ("VP", "PVHTT", "PNV")
    assert objective.coordinating_units == CQCM + XA


def test_activity_without_lead_unit_is_kept_empty(plan: ParsedPlan) -> None:
    activity = one(plan, "II", "3.4")
    assert activity.text == "Tập huấn về thực hiện cơ chế, cơ chế một cửa liên thông."
    assert (activity.lead_text, activity.lead_units, activity.time_text) == ("", (), "")


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Kế hoạch, Báo cáo", ("Kế hoạch", "Báo cáo")),
        ("Quyết định công bố văn bản", ("Quyết định",)),
        ("Quyết định, quyết định phân cấp, ủy quyền", ("Quyết định",)),
        ("Đề án, Quyết định, Báo cáo", ("Đề án", "Quyết định", "Báo cáo")),
        ("Tin tức, bài viết", ("Tin tức/bài viết",)),
        ("Công văn đăng ký Hội thi", ("Công văn",)),
        ("Các chuyên mục", ("Chuyên mục",)),
        ("Bảng niêm yết TTHC và các hình thức khác phù hợp", ("Khác",)),
        ("", ()),
    ],
)
def test_output_kinds(text: str, kinds: tuple[str, ...]) -> None:
    assert output_kinds(text) == kinds


# --- The report ------------------------------------------------------------------------------------


def test_report_names_each_repair(result: ImportResult) -> None:
    moved = "các ô từ cột Kết quả/sản phẩm trở đi dời sang phải 1 cột."
    assert result.report.repairs == [
        "Lĩnh vực I, nhiệm vụ 2.2, hoạt động 3.4: dòng bị ngắt trang, đã ghép phần tiếp theo (bảng 2, dòng 1) "
        "vào cột Chủ trì.",
        "Lĩnh vực II, nhiệm vụ 2.3, hoạt động 3.5: dòng bị ngắt trang, đã ghép phần tiếp theo (bảng 3, dòng 1) "
        "vào cột Nhiệm vụ, Hoạt động, Chủ trì, Phối hợp.",
        "Lĩnh vực III, nhiệm vụ 2.1, hoạt động 3.1: dòng bị ngắt trang, đã ghép phần tiếp theo (bảng 5, dòng 1) "
        "vào cột Nhiệm vụ, Hoạt động.",
        "Lĩnh vực IV, nhiệm vụ 2.1, hoạt động 3.1: dòng bị ngắt trang, đã ghép phần tiếp theo (bảng 6, dòng 1) "
        "vào cột Mục tiêu, Nhiệm vụ, Hoạt động, Phối hợp.",
        "Lĩnh vực IV, nhiệm vụ 2.3, hoạt động 3.3: dòng bị ngắt trang, đã ghép phần tiếp theo (bảng 7, dòng 1) "
        "vào cột Nhiệm vụ.",
        "Lĩnh vực V, nhiệm vụ 2.1, hoạt động 3.1: dòng bị ngắt trang, đã ghép phần tiếp theo (bảng 8, dòng 1) "
        "vào cột Mục tiêu, Nhiệm vụ, Hoạt động, Chủ trì, Phối hợp.",
        "Lĩnh vực VI, nhiệm vụ 2.4: dòng bị ngắt trang, đã ghép phần tiếp theo (bảng 10, dòng 1) "
        "vào cột Nhiệm vụ, Chủ trì.",
        f"Lĩnh vực VII, nhiệm vụ 2.2, hoạt động 3.4: ô «3.4» nằm ở cột Mục tiêu, đã chuyển sang cột Hoạt động; {moved}",
        f"Lĩnh vực VII, nhiệm vụ 2.2, hoạt động 3.5: ô «3.5» nằm ở cột Mục tiêu, đã chuyển sang cột Hoạt động; {moved}",
        f"Lĩnh vực VII, nhiệm vụ 2.2, hoạt động 3.6: ô «3.6» nằm ở cột Mục tiêu, đã chuyển sang cột Hoạt động; {moved}",
        "Lĩnh vực VII, nhiệm vụ 2.3, hoạt động 3.9: dòng bị ngắt trang, đã ghép phần tiếp theo (bảng 14, dòng 1) "
        "vào cột Hoạt động, Phối hợp.",
        "Lĩnh vực VII, nhiệm vụ 2.3, hoạt động 3.11: dòng bị ngắt trang, đã ghép phần tiếp theo (bảng 15, dòng 1) "
        "vào cột Hoạt động.",
        f"Lĩnh vực VII, nhiệm vụ 2.4, hoạt động 3.12: ô «3.12» nằm ở cột STT, đã chuyển sang cột Hoạt động; {moved}",
        f"Lĩnh vực VII, nhiệm vụ 2.4, hoạt động 3.13: ô «3.13» nằm ở cột STT, đã chuyển sang cột Hoạt động; {moved}",
    ]


def test_report_warnings(result: ImportResult) -> None:
    assert result.report.warnings == [
        "Kế hoạch chưa có số: phụ lục ghi «Ban hành kèm theo Kế hoạch số /KH-UBND ngày tháng năm của UBND "
        "thành phố Sa Đéc».",
        "Lĩnh vực II, nhiệm vụ 2.2, hoạt động 3.4: không ghi đơn vị chủ trì, thời gian.",
        "Lĩnh vực III, nhiệm vụ 2.1, hoạt động 3.2: không ghi thời gian.",
        "Lĩnh vực V, mục tiêu 1: mục tiêu đánh số «1.», không theo dạng 1.x.",
        "Lĩnh vực VI, nhiệm vụ 2.5: nội dung 2.5.1 và 2.5.2 giống hệt nhau («Thực hiện thanh toán trực tuyến đối "
        "với các TTHC cấp Thành phố đủ điều kiện»).",
        "Lĩnh vực IV: nhiệm vụ 2.4 xuất hiện 2 lần (mục tiêu 1.1, mục tiêu 1.2); giữ cả 2 theo thứ tự.",
        "Lĩnh vực IV: hoạt động 3.3 xuất hiện 2 lần (nhiệm vụ 2.2, nhiệm vụ 2.3); giữ cả 2 theo thứ tự.",
        "Lĩnh vực VI, mục tiêu 1.4: không có nhiệm vụ, hoạt động; giữ mục tiêu cùng đơn vị chủ trì, phối hợp.",
        "Lĩnh vực VI, nhiệm vụ 2.4: không có hoạt động; giữ nhiệm vụ cùng đơn vị chủ trì.",
        "Lĩnh vực VI, nhiệm vụ 2.5: không có hoạt động; giữ nhiệm vụ cùng đơn vị chủ trì.",
        "Lĩnh vực VII: hoạt động 3.11 xuất hiện 2 lần (nhiệm vụ 2.3, nhiệm vụ 2.4); giữ cả 2 theo thứ tự.",
    ]


def test_every_unit_of_the_seed_resolves(result: ImportResult) -> None:
    assert result.report.unresolved_units == []
    for *_, activity in result.plan.iter_activities():
        assert activity.lead_units or not activity.lead_text
        assert activity.coordinating_units or not activity.coordinating_text


def test_reparsing_gives_an_equal_result(result: ImportResult, seed_markdown: str, org: OrgData) -> None:
    assert parse_plan_markdown(seed_markdown, org) == result


# --- Excel -----------------------------------------------------------------------------------------


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Phụ lục"
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_of_the_raw_rows_gives_the_same_plan(result: ImportResult, seed_markdown: str, org: OrgData) -> None:
    """The appendix as pasted into Excel, header repeated on every printed page."""
    raw_rows, _, _ = markdown_rows(seed_markdown.splitlines())
    rows: list[list[str]] = [[line] for line in PREAMBLE]
    for raw in raw_rows:
        if raw.starts_table:
            rows.append(list(HEADER))
        rows.append([cell.strip() for cell in raw.cells])
    from_xlsx = parse_plan_xlsx(_xlsx(rows), org)
    assert from_xlsx.plan == result.plan
    assert from_xlsx.report.counts == result.report.counts
    assert from_xlsx.report.warnings == result.report.warnings

    def without_place(text: str) -> str:
        return re.sub(r" \((bảng|trang tính)[^)]*\)", "", text)

    assert [without_place(r) for r in from_xlsx.report.repairs] == [without_place(r) for r in result.report.repairs]
    assert "(trang tính «Phụ lục», dòng 11)" in from_xlsx.report.repairs[0]


def _clean_rows(plan: ParsedPlan) -> list[list[str]]:
    """One row per activity, as an export would write it: each code and text once, in its own column."""
    rows: list[list[str]] = []
    for area in plan.areas:
        rows.append([area.numeral, area.title, "", "", "", "", "", "", ""])
        for objective in area.objectives:
            objective_cell = f"{objective.code}. {objective.text}"
            if not objective.tasks:
                rows.append(["", objective_cell, "", "", "", objective.lead_text, objective.coordinating_text, "", ""])
            for task_ in objective.tasks:
                task_cell = " ".join([f"{task_.code}. {task_.text}", *(f"{s.code} {s.text}" for s in task_.subtasks)])
                if not task_.activities:
                    rows.append(
                        ["", objective_cell, task_cell, "", "", task_.lead_text, task_.coordinating_text, "", ""]
                    )
                for a in task_.activities:
                    rows.append([
                        "", objective_cell, task_cell, f"{a.code}. {a.text}", a.output_text, a.lead_text,
                        a.coordinating_text, a.time_text, a.budget_text,
                    ])  # fmt: skip
                    objective_cell = task_cell = ""
                objective_cell = ""
    return rows


def test_xlsx_of_the_parsed_rows_round_trips(result: ImportResult, org: OrgData) -> None:
    data = _xlsx([[line] for line in PREAMBLE] + [list(HEADER)] + _clean_rows(result.plan))
    again = parse_plan_xlsx(data, org)
    assert again.plan == result.plan
    assert again.report.repairs == []
    assert again.report.counts == result.report.counts


def test_xlsx_merged_cells_apply_to_every_row_they_span(org: OrgData) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [
        list(PREAMBLE[:2]),
        list(HEADER),
        ["I", "CẢI CÁCH THỂ CHẾ"],
        ["", "1.1. Mục tiêu", "2.1. Nhiệm vụ", "3.1. Việc một.", "Kế hoạch", "Phòng Nội vụ Thành phố", "UBND cấp xã",
         "Quý I/2024", "Theo Kế hoạch"],
        ["", None, None, "3.2. Việc hai.", "Báo cáo"],
    ]:  # fmt: skip
        sheet.append(row)
    for column in "BCFGHI":  # objective, task, lead, coordinating, time, budget span both activity rows
        sheet.merge_cells(f"{column}4:{column}5")
    buffer = BytesIO()
    book.save(buffer)
    imported = parse_plan_xlsx(buffer.getvalue(), org)
    [objective] = imported.plan.areas[0].objectives
    [task_] = objective.tasks
    assert [(a.code, a.text, a.lead_units, a.time_text, a.budget_text) for a in task_.activities] == [
        ("3.1", "Việc một.", ("PNV",), "Quý I/2024", "Theo Kế hoạch"),
        ("3.2", "Việc hai.", ("PNV",), "Quý I/2024", "Theo Kế hoạch"),
    ]
    assert task_.activities[1].coordinating_units == XA
    assert (imported.plan.title, imported.plan.year) == ("Cải cách hành chính năm 2024", 2024)


def test_repository_copy_is_the_shared_seed() -> None:
    """``make run`` imports the repository's copy; it must be the project's seed document, unchanged."""
    if not SHARED_SEED.exists():  # a clone outside the workspace has only the repository's copy
        pytest.skip("no ../shared/seed beside this clone")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()
