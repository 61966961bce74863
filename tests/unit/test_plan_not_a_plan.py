"""Importing a plan: what is not a plan (Markdown and Excel), and small synthetic appendix tables."""

from __future__ import annotations

import pytest

from tests.unit.test_plan_import import HEADER, ORG_FILE, _xlsx
from workflows.org_data import OrgData, load_org_file
from workflows.plan.markdown_import import NotAPlan, parse_plan_markdown
from workflows.plan.xlsx_import import parse_plan_xlsx


@pytest.fixture(scope="module")
def org() -> OrgData:
    return load_org_file(ORG_FILE)


def _table(*rows: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# Báo cáo tháng\n\nKhông có bảng nào.",
        "| Tên | Tuổi |\n|---|---|\n| An | 30 |",
    ],
)
def test_text_without_appendix_table_is_not_a_plan(text: str, org: OrgData) -> None:
    with pytest.raises(NotAPlan) as caught:
        parse_plan_markdown(text, org)
    assert caught.value.code == "not_a_plan"
    assert caught.value.message.startswith("Tệp không phải kế hoạch CCHC: không tìm thấy bảng phụ lục")


def test_appendix_without_areas_is_not_a_plan(org: OrgData) -> None:
    text = "KẾ HOẠCH\n\nCCHC năm 2024\n\n" + _table(
        ("", "1.1. Mục tiêu", "2.1. Nhiệm vụ", "3.1. Việc", "", "", "", "", "")
    )
    with pytest.raises(NotAPlan, match="không có lĩnh vực nào"):
        parse_plan_markdown(text, org)


@pytest.mark.parametrize("data", [b"", b"not a workbook", b"PK\x03\x04garbage"])
def test_unreadable_xlsx_is_not_a_plan(data: bytes, org: OrgData) -> None:
    with pytest.raises(NotAPlan, match="không đọc được bảng tính Excel"):
        parse_plan_xlsx(data, org)


def test_xlsx_without_appendix_header_is_not_a_plan(org: OrgData) -> None:
    with pytest.raises(NotAPlan, match="không tìm thấy bảng phụ lục") as caught:
        parse_plan_xlsx(_xlsx([["Tên", "Tuổi"], ["An", "30"]]), org)
    assert caught.value.code == "not_a_plan"


def test_synthetic_plan_with_unknown_unit_hyphen_break_and_numbered_plan(org: OrgData) -> None:
    first = _table(
        ("I", "CẢI CÁCH THỂ CHẾ", "", "", "", "", "", "", ""),
        ("", "1.1. Mục tiêu một", "2.1. Nhiệm vụ một", "3.1. Phối hợp các tổ chức CT-", "Báo cáo",
         "Sở Y tế; Phòng Tư pháp", "", "Quý I/2024", ""),
    )  # fmt: skip
    second = _table(("", "", "", "XH thực hiện.", "", "", "", "", ""))
    text = (
        "**KẾ HOẠCH**\n\nCải cách hành chính năm 2025\n\nPhụ lục\n"
        "(Ban hành kèm theo Kế hoạch số 12/KH-UBND ngày 10 tháng 01 năm 2025 của UBND thành phố Sa Đéc)\n\n"
        f"{first}\n\n{second}\n"
    )
    imported = parse_plan_markdown(text, org)
    assert (imported.plan.year, imported.plan.number) == (2025, "12/KH-UBND")
    [(_, _, _, activity)] = list(imported.plan.iter_activities())
    assert activity.text == "Phối hợp các tổ chức CT-XH thực hiện."
    assert activity.lead_units == ("PTP",)
    assert imported.report.unresolved_units == ["Sở Y tế"]
    assert "Lĩnh vực I, nhiệm vụ 2.1, hoạt động 3.1: không nhận ra đơn vị «Sở Y tế»." in imported.report.warnings
    assert len(imported.report.repairs) == 1
