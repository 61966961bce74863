"""Activity types by rule, the main text's duties, and the derivation of progress statuses."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.org_data import load_org_file
from workflows.organisation import ORG_DIR
from workflows.plan.activity_types import load_type_rules, rules_from_mapping
from workflows.plan.duties import main_text_duties
from workflows.plan.progress import (
    DONE_EARLY,
    DONE_LATE,
    DONE_ON_TIME,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    OccurrenceFacts,
    combine,
    occurrence_status,
)
from workflows.plan.schedule import ScheduleConfig
from workflows.plan.store import SEED_PLAN

SADEC = load_org_file(ORG_DIR / "sa-dec-2024.yaml")
RULES = load_type_rules()


@pytest.mark.parametrize(
    ("text", "outputs", "schedule", "expected"),
    [
        (
            "Triển khai công tác tự đánh giá chấm điểm Chỉ số CCHC của các cơ quan",
            ("Công văn",),
            "deadline",
            "index_scoring",
        ),
        (
            "Thực hiện khảo sát đo lường sự hài lòng của người dân, doanh nghiệp",
            ("Kế hoạch", "Báo cáo"),
            "deadline",
            "satisfaction_survey",
        ),
        (
            "Tổ chức kiểm tra tình hình, kết quả triển khai thực hiện công tác CCHC",
            ("Kế hoạch", "Báo cáo"),
            "relative",
            "inspection",
        ),
        (
            "Tổ chức thanh tra, kiểm tra đột xuất tại các cơ quan, đơn vị",
            ("Quyết định", "Báo cáo"),
            "ongoing",
            "inspection",
        ),
        ("Xây dựng Báo cáo kết quả thực hiện công tác CCHC năm 2024.", ("Báo cáo",), "recurring", "periodic_report"),
        ("Xây dựng Báo cáo kết quả đào tạo, bồi dưỡng CBCCVC năm 2024.", ("Báo cáo",), "deadline", "generic_activity"),
        ("Xây dựng Kế hoạch tuyển dụng công chức, viên chức.", ("Kế hoạch",), "ongoing", "plan_issuance"),
        ("Tiếp tục sử dụng và cấp phát chữ ký số.", ("Kế hoạch", "Báo cáo"), "ongoing", "generic_activity"),
        ("Xây dựng Báo cáo kết quả kiểm tra, rà soát VBQPPL.", ("Báo cáo",), "deadline", "generic_activity"),
    ],
)
def test_activity_types_by_rule(text: str, outputs: tuple[str, ...], schedule: str, expected: str) -> None:
    assert RULES.classify(text, outputs, schedule)[0] == expected


def test_rules_file_errors_are_explained() -> None:
    with pytest.raises(ValueError, match="loại hoạt động không hợp lệ"):
        rules_from_mapping({"rules": [{"type": "meeting"}]})
    with pytest.raises(ValueError, match="khóa không hợp lệ"):
        rules_from_mapping({"rules": [{"type": "inspection", "txt": ["x"]}]})
    assert rules_from_mapping({}).classify("bất kỳ", (), "manual") == ("generic_activity", None)


def test_duties_of_the_seed_main_text() -> None:
    result = main_text_duties(SEED_PLAN.read_text(encoding="utf-8"), 2024, SADEC, ScheduleConfig())
    assert result.warnings == []
    plans, reports, news = result.duties
    assert (plans.code, plans.activity_type, len(plans.occurrences)) == ("NV.1", "plan_issuance", 20)
    assert {o.occurrence.due for o in plans.occurrences} == {date(2024, 1, 15)}
    assert {o.unit_code for o in plans.occurrences} >= {"PNV", "TTRA", "P1", "XTKD"}
    assert "TTVHTT" not in {o.unit_code for o in plans.occurrences}  # a public service unit, not a CQCM
    assert (reports.code, reports.activity_type, len(reports.occurrences)) == ("NV.2", "periodic_report", 80)
    assert sorted({(o.occurrence.period, o.occurrence.due) for o in reports.occurrences}) == [
        ("2024", date(2024, 12, 15)),
        ("2024-H1", date(2024, 6, 15)),
        ("2024-Q1", date(2024, 3, 15)),
        ("2024-Q3", date(2024, 9, 15)),
    ]
    rotation = sorted((o.occurrence.period, o.unit_code) for o in news.occurrences)
    assert rotation[:4] == [("2024-01", "P1"), ("2024-01", "PNV"), ("2024-02", "P2"), ("2024-02", "PVHTT")]
    assert ("2024-05", "PAH") in rotation and ("2024-09", "XTKD") in rotation
    assert rotation[-2:] == [("2024-10", "TTRA"), ("2024-11", "VP")]


def test_a_text_without_duties_warns() -> None:
    result = main_text_duties("KẾ HOẠCH\n\nKhông có phần tổ chức thực hiện.", 2024, SADEC, ScheduleConfig())
    assert result.duties == [] and len(result.warnings) == 3
    assert any("lịch luân phiên đăng tin" in w for w in result.warnings)


DUE = date(2024, 3, 15)


@pytest.mark.parametrize(
    ("status", "ended", "today", "expected"),
    [
        (None, None, date(2024, 3, 15), NOT_STARTED),
        (None, None, date(2024, 3, 18), OVERDUE),
        ("running", None, date(2024, 3, 1), IN_PROGRESS),
        ("waiting", None, date(2024, 3, 16), OVERDUE),
        ("completed", date(2024, 3, 14), date(2024, 4, 1), DONE_EARLY),
        ("completed", date(2024, 3, 15), date(2024, 4, 1), DONE_ON_TIME),
        ("completed", date(2024, 3, 18), date(2024, 4, 1), DONE_LATE),
        ("cancelled", None, date(2024, 3, 1), NOT_STARTED),
    ],
)
def test_occurrence_status(status: str | None, ended: date | None, today: date, expected: str) -> None:
    facts = OccurrenceFacts(1, "P1", DUE, None if status == "cancelled" else status, ended)
    assert occurrence_status(facts, today) == expected


def test_activity_status_combines_its_occurrences() -> None:
    assert combine([]) == NOT_STARTED
    assert combine([NOT_STARTED, NOT_STARTED]) == NOT_STARTED
    assert combine([DONE_EARLY, NOT_STARTED]) == IN_PROGRESS
    assert combine([DONE_EARLY, DONE_ON_TIME]) == DONE_ON_TIME
    assert combine([DONE_EARLY, DONE_LATE, DONE_ON_TIME]) == DONE_LATE
    assert combine([DONE_EARLY, OVERDUE, IN_PROGRESS]) == OVERDUE
