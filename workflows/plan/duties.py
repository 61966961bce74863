"""Duties written in the plan's main text rather than its appendix.

- every unit (cơ quan chuyên môn, UBND xã/phường) issues its own CCHC plan by the date the text gives
  ("chậm nhất ngày 15 tháng 01 năm 2024");
- every unit reports quarterly, 6-monthly and yearly to the UBND through Phòng Nội vụ;
- units post CCHC news on the monthly rotation of the footnote ("… UBND Phường 1 đăng tin tháng 01 năm 2024").

Each duty becomes an activity of section "duty" whose occurrences are per unit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from workflows.org_data import OrgData, resolve_units

from .schedule import Occurrence, ScheduleConfig, parse_time_text

# Units that run their own plan: the city's specialised agencies and the wards/communes.
DUTY_UNIT_KINDS = ("cqcm", "ubnd_xa")

_PLAN_DEADLINE_RE = re.compile(
    r"ban hành kế hoạch cchc[^.]{0,40}?(?:chậm nhất|trước) ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})", re.I
)
_REPORTS_RE = re.compile(r"định kỳ (?:hằng |hàng )?quý, 6 tháng và năm báo cáo", re.I)
# The leading marks are taken possessively and the units end on a non-space: "[…]*(?P<units>.+?)\s+" let the
# three quantifiers share a run of spaces and backtracked cubically (one line of 1,000 spaces took 5 s).
_NEWS_RE = re.compile(r"^[\s¹²³*]*+(?P<units>.*?\S)\s+đăng tin tháng (?P<month>\d{1,2}) năm (?P<year>\d{4})", re.I)


@dataclass(frozen=True)
class UnitOccurrence:
    unit_code: str
    occurrence: Occurrence


@dataclass(frozen=True)
class Duty:
    """An activity derived from the main text, with each unit's occurrences."""

    code: str
    text: str
    output_text: str
    output_kinds: tuple[str, ...]
    lead_text: str
    lead_units: tuple[str, ...]
    time_text: str
    activity_type: str
    occurrences: tuple[UnitOccurrence, ...]


@dataclass
class DutiesResult:
    duties: list[Duty] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    return re.sub(r"[*_]+", "", unicodedata.normalize("NFC", text))


def duty_units(org: OrgData, year: int) -> tuple[str, ...]:
    """Units that must issue a plan and report in ``year`` (valid on 1 January)."""
    first = date(year, 1, 1)
    return tuple(
        code for kind in DUTY_UNIT_KINDS for code in org.codes_of_kind(kind) if org.unit(code).is_valid_on(first)
    )


def _unit_plans(text: str, units: Sequence[str], year: int) -> Duty | None:
    match = _PLAN_DEADLINE_RE.search(text)
    if not match:
        return None
    day, month, due_year = (int(g) for g in match.groups())
    due = date(due_year, month, day)
    label = f"Hạn {due:%d/%m/%Y}"
    occurrence = Occurrence(label, str(year), date(year, 1, 1), due, due)
    return Duty(
        code="NV.1",
        text=f"Xây dựng, ban hành Kế hoạch CCHC năm {year} của cơ quan, đơn vị",
        output_text="Kế hoạch",
        output_kinds=("Kế hoạch",),
        lead_text="Các cơ quan chuyên môn thuộc UBND Thành phố; UBND các xã, phường",
        lead_units=tuple(units),
        time_text=f"Chậm nhất ngày {due:%d/%m/%Y}",
        activity_type="plan_issuance",
        occurrences=tuple(UnitOccurrence(unit, occurrence) for unit in units),
    )


def _unit_reports(text: str, units: Sequence[str], year: int, config: ScheduleConfig) -> Duty | None:
    if not _REPORTS_RE.search(text):
        return None
    time_text = f"Định kỳ hằng quý, 6 tháng và năm {year}"
    schedule = parse_time_text(time_text, year, config)
    return Duty(
        code="NV.2",
        text="Báo cáo định kỳ quý, 6 tháng và năm về công tác CCHC gửi UBND Thành phố (qua Phòng Nội vụ)",
        output_text="Báo cáo",
        output_kinds=("Báo cáo",),
        lead_text="Các cơ quan chuyên môn thuộc UBND Thành phố; UBND các xã, phường",
        lead_units=tuple(units),
        time_text=time_text,
        activity_type="periodic_report",
        occurrences=tuple(UnitOccurrence(unit, occ) for occ in schedule.occurrences for unit in units),
    )


def _news_rotation(lines: Sequence[str], org: OrgData, result: DutiesResult) -> Duty | None:
    occurrences: list[UnitOccurrence] = []
    leads: list[str] = []
    for line in lines:
        match = _NEWS_RE.match(_fold(line))
        if not match:
            continue
        month, year = int(match["month"]), int(match["year"])
        if not 1 <= month <= 12:
            result.warnings.append(f"Lịch đăng tin: tháng {month} không hợp lệ trong «{line.strip()}».")
            continue
        codes, unresolved = resolve_units(match["units"], org)
        for fragment in unresolved:
            result.warnings.append(f"Lịch đăng tin tháng {month:02d}/{year}: không xác định được đơn vị «{fragment}».")
        occurrence = parse_time_text(f"Tháng {month:02d}/{year}", year).occurrences[0]
        for code in codes:
            occurrences.append(UnitOccurrence(code, occurrence))
            if code not in leads:
                leads.append(code)
    if not occurrences:
        return None
    return Duty(
        code="NV.3",
        text="Đăng tin, bài về hoạt động CCHC trên Chuyên mục CCHC của Tỉnh theo lịch luân phiên hằng tháng",
        output_text="Tin tức, bài viết",
        output_kinds=("Tin tức/bài viết",),
        lead_text="Theo lịch luân phiên (ghi chú của Phụ lục)",
        lead_units=tuple(leads),
        time_text="Hằng tháng theo lịch luân phiên",
        activity_type="generic_activity",
        occurrences=tuple(occurrences),
    )


def main_text_duties(text: str, year: int, org: OrgData, config: ScheduleConfig) -> DutiesResult:
    """The duties of the plan's main text (Markdown of the whole document)."""
    result = DutiesResult()
    folded = re.sub(r"\s+", " ", _fold(text))
    units = duty_units(org, year)
    for duty, missing in (
        (_unit_plans(folded, units, year), "hạn ban hành kế hoạch CCHC của các cơ quan, đơn vị"),
        (_unit_reports(folded, units, year, config), "chế độ báo cáo định kỳ quý, 6 tháng và năm"),
        (_news_rotation(text.splitlines(), org, result), "lịch luân phiên đăng tin"),
    ):
        if duty is None:
            result.warnings.append(f"Phần tổ chức thực hiện không nêu {missing}; không tạo nhiệm vụ tương ứng.")
        else:
            result.duties.append(duty)
    return result
