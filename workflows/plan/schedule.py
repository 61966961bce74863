"""Turn the plan's Vietnamese time texts (appendix column "7- Thời gian") into schedules.

Kinds of schedule:
- "deadline": one period to finish in ("Quý I/2024", "Tháng 11/2024", "Trong năm 2024",
  "6 tháng đầu năm 2024", "Trước ngày 15/01/2024"); due on the last day of the period, or on the date given
  ("Trước ngày X" / "Chậm nhất ngày X" are both read as due on X, the cut-off itself).
- "recurring": one report per period ("Hằng tháng", "Hàng quý và năm 2024", "Định kỳ hằng quý, 6 tháng và
  năm 2024") due on the report days of `ScheduleConfig`; a bigger report replaces the smaller one closing
  in the same month (Q2 → the 6-month report, Q4 → the year report), so no period appears twice. Issues
  ("Mỗi tháng 02 kỳ": 24 a year, "02 tháng 01 kỳ": 6 a year) are due at the end of their window by default.
- "ongoing": continuous work ("Thường xuyên…") with periodic check-ins (quarterly or monthly, from config).
- "relative": set from another plan, decision or activity ("Theo Kế hoạch", "Sau khi kiểm tra").
- "manual": anything else; never an exception, always a Vietnamese warning asking for a deadline by hand.

Dates are calendar dates: moving them to working days is the engine calendar's job.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Literal

__all__ = ["Occurrence", "Schedule", "ScheduleConfig", "ScheduleKind", "parse_time_text"]

ScheduleKind = Literal["deadline", "recurring", "ongoing", "relative", "manual"]
Reference = Literal["plan", "decision", "provincial_plan", "after_inspection"]
CheckinPeriod = Literal["quarter", "month"]

_ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Occurrence:
    """One period of a schedule and the deadline that closes it."""

    label: str  # Vietnamese, e.g. "Quý I/2024", "Kỳ 1 tháng 01/2024"
    period: str  # machine key, e.g. "2024-Q1", "2024-H1", "2024", "2024-01", "2024-01-a"
    period_start: date
    period_end: date
    due: date


@dataclass(frozen=True)
class Schedule:
    """What one time text means: a kind, its occurrences and anything the parser noticed."""

    kind: ScheduleKind
    text: str  # the original text, unchanged
    occurrences: tuple[Occurrence, ...]
    reference: Reference | None = None
    remark: str | None = None  # parenthesised remark, e.g. "Căn cứ tình hình thực tế"
    on_demand: bool = False  # "… và đột xuất theo yêu cầu"
    warnings: tuple[str, ...] = ()


def _check_day(name: str, value: object, *, optional: bool = True) -> None:
    """Raise unless `value` is a day of month (1–31), or None when `optional`."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        raise ValueError(f"Cấu hình lịch không hợp lệ: {name} phải là ngày từ 1 đến 31, nhận {value!r}")


@dataclass(frozen=True)
class ScheduleConfig:
    """Report cut-off days per period; the real dates are not confirmed, so they are configuration."""

    # Defaults follow Nghị định 09/2019/NĐ-CP: a periodic report's data is cut off on the 14th of the
    # period's last month (14/06 for the 6-month report, 14/12 for the year report), so it is due on the
    # 15th. A day of None means the last day of that month; a day past the month's end is clamped
    # (31 → 30/06, or 29/02 in a leap year).
    month_report_day: int | None = 15  # of the month reported on
    quarter_report_day: int | None = 15  # of the quarter's last month
    half_year_report_day: int | None = 15  # of June
    year_report_month: int = 12
    year_report_day: int | None = 15
    ongoing_checkin: CheckinPeriod = "quarter"  # check-ins of "Thường xuyên" work
    twice_monthly_days: tuple[int, int | None] = (15, None)  # "Mỗi tháng 02 kỳ": 1st issue, 2nd issue
    issue_day: int | None = None  # "N tháng 01 kỳ": day of the window's last month
    # Names of the organisation whose plan it is and of its parent (folded: "thanh pho sa dec", "tinh dong thap"),
    # from the organisation's data: "Theo Kế hoạch của UBND <own>" is the plan's own, "… của <parent>" the province's.
    own_names: tuple[str, ...] = ()
    parent_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Reject values that cannot make a date."""
        for name in (
            "month_report_day",
            "quarter_report_day",
            "half_year_report_day",
            "year_report_day",
            "issue_day",
        ):
            _check_day(name, getattr(self, name))
        month = self.year_report_month
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise ValueError(f"Cấu hình lịch không hợp lệ: year_report_month phải từ 1 đến 12, nhận {month!r}")
        if self.ongoing_checkin not in ("quarter", "month"):
            raise ValueError(
                f'Cấu hình lịch không hợp lệ: ongoing_checkin phải là "quarter" hoặc "month", '
                f"nhận {self.ongoing_checkin!r}"
            )
        days = self.twice_monthly_days
        if not isinstance(days, tuple) or len(days) != 2:
            raise ValueError(f"Cấu hình lịch không hợp lệ: twice_monthly_days cần 2 ngày, nhận {days!r}")
        _check_day("twice_monthly_days", days[0], optional=False)
        _check_day("twice_monthly_days", days[1])
        # The first issue must leave room for a second one even in a 28-day February.
        if days[0] > 27 or (days[1] is not None and days[1] <= days[0]):
            raise ValueError(
                f"Cấu hình lịch không hợp lệ: twice_monthly_days {days!r} cần ngày kỳ 1 từ 1 đến 27 "
                "và nhỏ hơn ngày kỳ 2"
            )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ScheduleConfig:
        """Build a config from a parsed YAML mapping; days may be numbers, null or "last"."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise ValueError(f"Cấu hình lịch có khóa không hợp lệ: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, raw in data.items():
            if name == "ongoing_checkin":
                values[name] = raw
            elif name == "twice_monthly_days":
                if not isinstance(raw, list | tuple):
                    raise ValueError(f"Cấu hình lịch không hợp lệ: twice_monthly_days cần 2 ngày, nhận {raw!r}")
                values[name] = tuple(_config_day(item) for item in raw)
            else:
                values[name] = _config_day(raw)
        return cls(**values)


def _config_day(raw: Any) -> Any:
    """Read one YAML day value: "last" means None, digit strings become numbers, the rest is checked later."""
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in ("last", "cuối tháng", "ngày cuối tháng"):
            return None
        if word.isdigit():
            return int(word)
    return raw


# ---------------------------------------------------------------------------------------------------
# Dates and occurrences


def _month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _day_of(year: int, month: int, day: int | None) -> date:
    """Day `day` of a month, clamped to its length; None is the last day."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day is None else min(day, last))


def _month(year: int, month: int, due: date | None = None) -> Occurrence:
    """The occurrence of one month."""
    end = _month_end(year, month)
    return Occurrence(f"Tháng {month:02d}/{year}", f"{year}-{month:02d}", date(year, month, 1), end, due or end)


def _quarter(year: int, quarter: int, due: date | None = None) -> Occurrence:
    """The occurrence of one quarter."""
    end = _month_end(year, quarter * 3)
    start = date(year, quarter * 3 - 2, 1)
    return Occurrence(f"Quý {_ROMAN[quarter - 1]}/{year}", f"{year}-Q{quarter}", start, end, due or end)


def _half(year: int, half: int, due: date | None = None) -> Occurrence:
    """The occurrence of one half-year."""
    end = _month_end(year, half * 6)
    label = f"6 tháng {'đầu' if half == 1 else 'cuối'} năm {year}"
    return Occurrence(label, f"{year}-H{half}", date(year, half * 6 - 5, 1), end, due or end)


def _year(year: int, due: date | None = None) -> Occurrence:
    """The occurrence of one year."""
    end = date(year, 12, 31)
    return Occurrence(f"Năm {year}", str(year), date(year, 1, 1), end, due or end)


def _day(day: date) -> Occurrence:
    """The occurrence of a single dated deadline."""
    return Occurrence(f"Ngày {day:%d/%m/%Y}", day.isoformat(), day, day, day)


def _year_report_due(year: int, config: ScheduleConfig) -> date:
    """When the year report of `year` is due."""
    return _day_of(year, config.year_report_month, config.year_report_day)


def _reports(year: int, freqs: frozenset[str], config: ScheduleConfig) -> tuple[Occurrence, ...]:
    """One report per period of the given frequencies ("M", "Q", "H", "Y"), without duplicates."""
    # A period's report is absorbed by the bigger report closing in the same month, as in practice:
    # the Q2 report is the 6-month report, the Q4 (and H2, December) report is the year report.
    result: list[Occurrence] = []
    for month in range(1, 13):
        if month == 12 and "Y" in freqs:
            result.append(_year(year, _year_report_due(year, config)))
        elif month == 6 and "H" in freqs:
            result.append(_half(year, 1, _day_of(year, 6, config.half_year_report_day)))
        elif month == 12 and "H" in freqs:
            result.append(_half(year, 2, _year_report_due(year, config)))
        elif month % 3 == 0 and "Q" in freqs:
            result.append(_quarter(year, month // 3, _day_of(year, month, config.quarter_report_day)))
        elif "M" in freqs:
            result.append(_month(year, month, _day_of(year, month, config.month_report_day)))
    return tuple(result)


def _twice_monthly(year: int, config: ScheduleConfig) -> tuple[Occurrence, ...]:
    """Two issues a month: days 1..first day, then the rest of the month."""
    first, second = config.twice_monthly_days
    result: list[Occurrence] = []
    for month in range(1, 13):
        split = date(year, month, first)
        end = _month_end(year, month)
        result.append(
            Occurrence(f"Kỳ 1 tháng {month:02d}/{year}", f"{year}-{month:02d}-a", date(year, month, 1), split, split)
        )
        result.append(
            Occurrence(
                f"Kỳ 2 tháng {month:02d}/{year}",
                f"{year}-{month:02d}-b",
                date(year, month, first + 1),
                end,
                _day_of(year, month, second),
            )
        )
    return tuple(result)


def _every_months(year: int, months: int, config: ScheduleConfig) -> tuple[Occurrence, ...]:
    """One issue per window of `months` months, due on the configured day of the window's last month."""
    result: list[Occurrence] = []
    for index in range(12 // months):
        last = (index + 1) * months
        due = _day_of(year, last, config.issue_day)
        if months == 1:
            result.append(_month(year, last, due))
        elif months == 3:
            result.append(_quarter(year, index + 1, due))
        elif months == 6:
            result.append(_half(year, index + 1, due))
        elif months == 12:
            result.append(_year(year, due))
        else:
            first = last - months + 1
            result.append(
                Occurrence(
                    f"Tháng {first:02d}-{last:02d}/{year}",
                    f"{year}-{first:02d}..{last:02d}",
                    date(year, first, 1),
                    _month_end(year, last),
                    due,
                )
            )
    return tuple(result)


# ---------------------------------------------------------------------------------------------------
# Text


class _Invalid(ValueError):
    """The text has a schedule's shape but names an impossible period or date."""


@dataclass(frozen=True)
class _Parsed:
    """What one text parser recognised."""

    kind: ScheduleKind
    occurrences: tuple[Occurrence, ...] = ()
    reference: Reference | None = None
    years: tuple[int, ...] = ()


def _fold(text: str) -> str:
    """Lower-case ASCII form for matching: no diacritics (hằng = hàng = hang), one space between words."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").lower().split())


_YEAR = r"(?P<year>\d{4}|\d{2})"
_SEP = r"(?:\s*[/.-]\s*|\s+(?:nam\s+)?)"  # "/2024", "-2024", " 2024", " năm 2024"
_PRE = r"^(?:(?:trong|trong thoi gian|thuc hien trong|hoan thanh trong|cuoi|den het|het|cham nhat|han chot)\s+)?"
_NUMBERS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "sau": 6, "muoi hai": 12}
_NUM = r"(\d{1,2}|mot|hai|ba|bon|sau|muoi hai)"

_QUARTER = re.compile(_PRE + r"quy\s+(?P<q>iv|iii|ii|i|\d+)(?:" + _SEP + _YEAR + r")?$")
_MONTH = re.compile(_PRE + r"thang\s+(?P<m>\d{1,2})(?:" + _SEP + _YEAR + r")?$")
_HALF = re.compile(_PRE + r"(?:0?6|sau) thang(?: (?P<part>dau|cuoi))? nam(?:" + _SEP + _YEAR + r")?$")
_WHOLE_YEAR = re.compile(_PRE + r"(?:ca )?(?:nam(?:" + _SEP + _YEAR + r")?|(?P<bare>\d{4}))$")
_DATE = re.compile(
    r"^(?:(?:truoc|cham nhat|han chot|den|den het|het|vao|trong|hoan thanh truoc)\s+)?(?:ngay\s+)?"
    r"(?P<d>\d{1,2})(?:\s*[/.-]\s*|\s+thang\s+)(?P<m>\d{1,2})(?:(?:\s*[/.-]\s*|\s+nam\s+)" + _YEAR + r")?$"
)
_ONGOING = re.compile(
    r"^(?:(?:duoc )?thuc hien )?(?:thuong xuyen|lien tuc|hang ngay)(?:,? (?:lien tuc|thuong xuyen))?"
    r"(?: (?:trong|ca) nam| nam)?(?:" + _SEP + _YEAR + r")?$"
)
_TWICE_A_MONTH = re.compile(r"^(?:dinh ky )?moi thang " + _NUM + r" ky$")
_EVERY_MONTHS = re.compile(r"^(?:dinh ky |moi )?" + _NUM + r" thang\s*/?\s*(?:0?1|mot) ky$")
_RECURRING_START = re.compile(r"^(?:dinh ky(?: (?:hang|moi))?|hang|moi) ")
_ON_DEMAND_TAIL = re.compile(r"[,;]? (?:va|hoac) (?:dot xuat|khi co yeu cau)(?: theo yeu cau)?$")
_ON_DEMAND_ONLY = re.compile(r"^(?:dot xuat|khi co yeu cau|theo yeu cau)(?: theo yeu cau)?$")
_PROVINCIAL = r"(?:ubnd )?tinh"  # "Theo Kế hoạch của (UBND) tỉnh": the parent province, by its generic name
_RELATIVE_FIXED: tuple[tuple[re.Pattern[str], Reference], ...] = (
    (re.compile(r"^(?:thuc hien )?theo quyet dinh\b.*$"), "decision"),
    (re.compile(r"^sau (?:khi )?(?:co (?:ket qua |ket luan )?)?(?:ket thuc )?kiem tra$"), "after_inspection"),
)


def _to_year(raw: str | None, default: int) -> int:
    """A year from text ("2024", "24") or the plan year."""
    if raw is None:
        return default
    year = 2000 + int(raw) if len(raw) == 2 else int(raw)
    if not 1900 <= year <= 2999:
        raise _Invalid(f"năm {raw} không hợp lệ")
    return year


def _number(raw: str) -> int:
    """A small count written in digits or words ("02", "hai")."""
    return _NUMBERS[raw] if raw in _NUMBERS else int(raw)


def _parse_deadline(text: str, plan_year: int) -> _Parsed | None:
    """A single period or date to finish by."""
    if match := _QUARTER.match(text):
        raw = match["q"]
        quarter = _ROMAN.index(raw.upper()) + 1 if not raw.isdigit() else int(raw)
        if not 1 <= quarter <= 4:
            raise _Invalid(f"không có quý {raw}")
        year = _to_year(match["year"], plan_year)
        return _Parsed("deadline", (_quarter(year, quarter),), years=(year,))
    if match := _MONTH.match(text):
        month = int(match["m"])
        if not 1 <= month <= 12:
            raise _Invalid(f"không có tháng {month}")
        year = _to_year(match["year"], plan_year)
        return _Parsed("deadline", (_month(year, month),), years=(year,))
    if match := _HALF.match(text):
        year = _to_year(match["year"], plan_year)
        return _Parsed("deadline", (_half(year, 2 if match["part"] == "cuoi" else 1),), years=(year,))
    if match := _WHOLE_YEAR.match(text):
        year = _to_year(match["year"] or match["bare"], plan_year)
        return _Parsed("deadline", (_year(year),), years=(year,))
    if match := _DATE.match(text):
        year = _to_year(match["year"], plan_year)
        try:
            day = date(year, int(match["m"]), int(match["d"]))
        except ValueError:
            raise _Invalid(f"không có ngày {match['d']}/{match['m']}/{year}") from None
        return _Parsed("deadline", (_day(day),), years=(year,))
    return None


def _parse_recurring(text: str, plan_year: int, config: ScheduleConfig) -> _Parsed | None:
    """Reports or issues repeating through the year."""
    if match := _TWICE_A_MONTH.match(text):
        issues = _number(match[1])
        if issues == 1:
            return _Parsed("recurring", _every_months(plan_year, 1, config))
        if issues == 2:
            return _Parsed("recurring", _twice_monthly(plan_year, config))
        raise _Invalid(f"chỉ hỗ trợ 1 hoặc 2 kỳ mỗi tháng, không phải {issues}")
    if match := _EVERY_MONTHS.match(text):
        months = _number(match[1])
        if months not in (1, 2, 3, 4, 6, 12):
            raise _Invalid(f"{months} tháng không chia đều một năm")
        return _Parsed("recurring", _every_months(plan_year, months, config))
    if not _RECURRING_START.match(text):
        return None
    body = _RECURRING_START.sub("", text)
    year = plan_year
    if match := re.search(r"(?:\s*/\s*|\s+)(\d{4})$", body):
        year = int(match[1])
        body = body[: match.start()]
    body = re.sub(r" (?:trong|cua) nam$", "", body)
    freqs: set[str] = set()
    for item in re.split(r"\s*(?:,|;|&|\+|\bva\b)\s*", body):
        word = re.sub(r"^(?:dinh ky |hang |moi )", "", item.strip())
        # "Hằng quý năm 2024": a trailing "năm" after a frequency names the year, it is not a year report.
        if word.endswith(" nam") and word != "nam":
            word = word[: -len(" nam")]
        freq = {"thang": "M", "quy": "Q", "nam": "Y", "6 thang": "H", "06 thang": "H", "sau thang": "H"}.get(word)
        if freq is None:
            return None
        freqs.add(freq)
    return _Parsed("recurring", _reports(year, frozenset(freqs), config), years=(year,))


def _parse_ongoing(text: str, plan_year: int, config: ScheduleConfig) -> _Parsed | None:
    """Continuous work with periodic check-ins."""
    match = _ONGOING.match(text)
    if match is None:
        return None
    year = _to_year(match["year"], plan_year)
    if config.ongoing_checkin == "month":
        checkins = tuple(_month(year, m, _day_of(year, m, config.month_report_day)) for m in range(1, 13))
    else:
        checkins = tuple(_quarter(year, q, _day_of(year, q * 3, config.quarter_report_day)) for q in range(1, 5))
    return _Parsed("ongoing", checkins, years=(year,))


def _alternatives(names: tuple[str, ...]) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


def _relative_patterns(config: ScheduleConfig) -> tuple[tuple[re.Pattern[str], Reference], ...]:
    """Patterns of "Theo Kế hoạch [của <parent>]" / "[của <own>]", the names from the organisation's data."""
    parents = _alternatives(config.parent_names)
    parent = f"(?:{_PROVINCIAL}|(?:ubnd )?(?:{parents}))" if parents else _PROVINCIAL
    owns = _alternatives(config.own_names)
    own = rf"(?: (?:cua )?(?:ubnd )?(?:{owns}))?" if owns else ""
    return (
        (re.compile(rf"^(?:thuc hien )?theo ke hoach (?:cua )?{parent}$"), "provincial_plan"),
        (re.compile(rf"^(?:thuc hien )?theo ke hoach{own}$"), "plan"),
        *_RELATIVE_FIXED,
    )


def _parse_relative(text: str, config: ScheduleConfig) -> _Parsed | None:
    """A date set by another plan, decision or activity."""
    for pattern, reference in _relative_patterns(config):
        if pattern.match(text):
            return _Parsed("relative", reference=reference)
    return None


def _split_remarks(text: str) -> tuple[str, str | None]:
    """Take parenthesised remarks out of the text: (core, remark)."""
    remarks = [" ".join(r.split()).strip(" .;,") for r in re.findall(r"\(([^()]*)\)", text)]
    core = re.sub(r"\([^()]*\)", " ", text)
    joined = "; ".join(r for r in remarks if r)
    return core, joined or None


def parse_time_text(text: str, plan_year: int, config: ScheduleConfig | None = None) -> Schedule:
    """Read one plan time text; the year defaults to `plan_year`; unknown text gives a "manual" schedule."""
    config = config or ScheduleConfig()
    original = text if isinstance(text, str) else ""
    cleaned = unicodedata.normalize("NFC", original)
    cleaned = re.sub(r"[\u2010-\u2015\u2212]", "-", cleaned)  # en/em dashes and minus → hyphen
    core, remark = _split_remarks(cleaned)
    shown = " ".join(cleaned.split())
    folded = _fold(core).strip(" .;,:-")

    def manual(warning: str, on_demand: bool = False) -> Schedule:
        """A schedule whose deadline someone must set by hand."""
        return Schedule("manual", original, (), remark=remark, on_demand=on_demand, warnings=(warning,))

    on_demand = False
    if match := _ON_DEMAND_TAIL.search(folded):
        on_demand, folded = True, folded[: match.start()].strip(" .;,")
    elif _ON_DEMAND_ONLY.match(folded):
        return manual(f'Thời gian "{shown}": thực hiện đột xuất theo yêu cầu, cần đặt hạn khi có yêu cầu', True)
    if not shown:
        return manual("Chưa ghi thời gian thực hiện: cần đặt hạn thủ công")
    try:
        parsed = (
            _parse_relative(folded, config)
            or _parse_ongoing(folded, plan_year, config)
            or _parse_recurring(folded, plan_year, config)
            or _parse_deadline(folded, plan_year)
        )
    except _Invalid as problem:
        return manual(f'Thời gian "{shown}" không hợp lệ ({problem}): cần đặt hạn thủ công', on_demand)
    if parsed is None:
        return manual(f'Không hiểu thời gian "{shown}": cần đặt hạn thủ công', on_demand)
    warnings = tuple(
        f'Năm {year} trong thời gian "{shown}" cách xa năm kế hoạch {plan_year}: cần kiểm tra lại'
        for year in sorted(set(parsed.years))
        if abs(year - plan_year) > 1
    )
    return Schedule(parsed.kind, original, parsed.occurrences, parsed.reference, remark, on_demand, warnings)
