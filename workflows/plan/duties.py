"""Duties written in the plan's main text rather than its appendix.

- every unit (cơ quan chuyên môn, UBND xã/phường) issues its own CCHC plan by the date the text gives
  ("chậm nhất ngày 15 tháng 01 năm 2024");
- every unit reports quarterly, 6-monthly and yearly to the UBND through the unit the text names
  ("báo cáo về UBND Thành phố (Qua Phòng Nội vụ Thành phố)");
- units post CCHC news on the monthly rotation of the footnote ("… UBND Phường 1 đăng tin tháng 01 năm 2024").

Each duty becomes an activity of section "duty" whose occurrences are per unit. Who leads, and through whom
reports go, come from the organisation's units and the plan's own text, never from names written here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
_ROUTE_RE = re.compile(
    r"báo cáo (?:về|cho|gửi) (?P<to>[^(.;]{1,80}?)\s*\(\s*(?:thông qua|qua) (?P<via>[^)]{1,80}?)\s*\)", re.I
)
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
    coordinating_text: str = ""
    coordinating_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Route:
    """Where the units' reports go: "UBND Thành phố", through "Phòng Nội vụ Thành phố" (its unit codes)."""

    to: str
    via: str
    via_units: tuple[str, ...]


@dataclass
class DutiesResult:
    duties: list[Duty] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # names not recognised (the reports' route, the news rotation) → the duties they belong to
    unresolved_units: dict[str, list[str]] = field(default_factory=dict)

    def unresolved(self, name: str, *codes: str) -> None:
        where = self.unresolved_units.setdefault(name, [])
        where.extend(code for code in codes if code not in where)


def _fold(text: str) -> str:
    return re.sub(r"[*_]+", "", unicodedata.normalize("NFC", text))


def duty_units(org: OrgData, year: int) -> tuple[str, ...]:
    """Units that must issue a plan and report in ``year`` (valid on 1 January)."""
    first = date(year, 1, 1)
    return tuple(
        code for kind in DUTY_UNIT_KINDS for code in org.codes_of_kind(kind) if org.unit(code).is_valid_on(first)
    )


def duty_lead_text(org: OrgData) -> str:
    """The lead text of the duties, "Các cơ quan chuyên môn thuộc <its UBND>; UBND cấp xã", from the units."""
    top = next((u for u in org.units if u.kind == "ubnd" and u.parent is None), None)
    parts = []
    if org.codes_of_kind("cqcm"):
        parts.append(f"Các cơ quan chuyên môn thuộc {top.short_name}" if top else "Các cơ quan chuyên môn")
    if org.codes_of_kind("ubnd_xa"):
        parts.append("UBND cấp xã")
    return "; ".join(parts)


def _route(text: str, org: OrgData, result: DutiesResult) -> _Route | None:
    match = _ROUTE_RE.search(text)
    if match is None:
        return None
    codes, unresolved = resolve_units(match["via"], org)
    for name in unresolved:
        result.unresolved(name, "NV.1", "NV.2")
    return _Route(match["to"].strip(), match["via"].strip(), tuple(codes))


def _unit_plans(text: str, units: Sequence[str], year: int, lead: str, route: _Route | None) -> Duty | None:
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
        lead_text=lead,
        lead_units=tuple(units),
        time_text=f"Chậm nhất ngày {due:%d/%m/%Y}",
        activity_type="plan_issuance",
        occurrences=tuple(UnitOccurrence(unit, occurrence) for unit in units),
        coordinating_text=route.via if route else "",
        coordinating_units=route.via_units if route else (),
    )


def _unit_reports(
    text: str, units: Sequence[str], year: int, config: ScheduleConfig, lead: str, route: _Route | None
) -> Duty | None:
    if not _REPORTS_RE.search(text):
        return None
    time_text = f"Định kỳ hằng quý, 6 tháng và năm {year}"
    schedule = parse_time_text(time_text, year, config)
    recipient = f" gửi {route.to} (qua {route.via})" if route else ""
    return Duty(
        code="NV.2",
        text=f"Báo cáo định kỳ quý, 6 tháng và năm về công tác CCHC{recipient}",
        output_text="Báo cáo",
        output_kinds=("Báo cáo",),
        lead_text=lead,
        lead_units=tuple(units),
        time_text=time_text,
        activity_type="periodic_report",
        occurrences=tuple(UnitOccurrence(unit, occ) for occ in schedule.occurrences for unit in units),
        coordinating_text=route.via if route else "",
        coordinating_units=route.via_units if route else (),
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
            result.unresolved(fragment, "NV.3")
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


def _with_route(duty: Duty | None, route: _Route | None) -> Duty | None:
    if duty is None or route is None:
        return duty
    return replace(duty, coordinating_text=route.via, coordinating_units=route.via_units)


def main_text_duties(text: str, year: int, org: OrgData, config: ScheduleConfig) -> DutiesResult:
    """The duties of the plan's main text (Markdown of the whole document)."""
    result = DutiesResult()
    folded = re.sub(r"\s+", " ", _fold(text))
    units = duty_units(org, year)
    lead = duty_lead_text(org)
    route = _route(folded, org, result)
    for duty, missing in (
        (_unit_plans(folded, units, year, lead, route), "hạn ban hành kế hoạch CCHC của các cơ quan, đơn vị"),
        (_unit_reports(folded, units, year, config, lead, route), "chế độ báo cáo định kỳ quý, 6 tháng và năm"),
        (_with_route(_news_rotation(text.splitlines(), org, result), route), "lịch luân phiên đăng tin"),
    ):
        if duty is None:
            result.warnings.append(f"Phần tổ chức thực hiện không nêu {missing}; không tạo nhiệm vụ tương ứng.")
        else:
            result.duties.append(duty)
    return result
