"""The periodic CCHC report (Báo cáo kết quả thực hiện công tác CCHC) as a Word file from a replaceable template.

The template is a .docx with Jinja tags rendered by docxtpl (default: processes/reports/bao-cao-cchc.docx, made
by tools/make_report_template.py; an administrator points CCHC_REPORT_TEMPLATE at another file). The numbers
come from ``queries.plan_export``, the same roll-ups as ``GET /plans/{id}/progress``:

- ``overall`` / ``areas``: every activity's status on the report day (= progress ``overall`` / ``by_area``);
- ``period_counts``: the occurrences whose deadline falls inside the period (= the sum of progress
  ``by_quarter`` over the period's quarters);
- ``late``: activities with an occurrence overdue or finished late (one unit late is enough), with their
  lead units and the giải trình of their late steps;
- ``unit_reports``: the ``report_content`` of the units' completed periodic reports of that period.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate, Listing
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.models import HumanTask, ProcessInstance
from workflows.models import Organisation, Plan, PlanActivityRow, PlanOccurrence, Unit

from .progress import DONE_LATE, OVERDUE, STATUS_LABELS, STATUSES

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "processes" / "reports" / "bao-cao-cchc.docx"
PERIODS = ("quarter", "half", "year")
ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class ReportPeriod:
    """One reporting period of a plan's year."""

    key: str  # the occurrence period key of the matching periodic report: "2024-Q1", "2024-H1", "2024"
    label: str  # "quý I năm 2024"
    start: date
    end: date

    def quarters(self) -> list[str]:
        first = (self.start.month - 1) // 3 + 1
        last = (self.end.month - 1) // 3 + 1
        return [f"{self.start.year}-Q{q}" for q in range(first, last + 1)]


def _bad(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, code="bad_report_period", details={field: [message]})


def report_period(year: int, period: str | None, quarter: str | None, half: str | None) -> ReportPeriod:
    """The period named by the query (``period=quarter&quarter=1``…), or a Vietnamese 422."""
    if period not in PERIODS:
        raise _bad("Kỳ báo cáo phải là quarter (quý), half (6 tháng) hoặc year (năm).", "period")
    if period == "year":
        return ReportPeriod(str(year), f"năm {year}", date(year, 1, 1), date(year, 12, 31))
    if period == "quarter":
        if quarter not in ("1", "2", "3", "4"):
            raise _bad("Cần chọn quý từ 1 đến 4 (tham số quarter).", "quarter")
        q = int(quarter)
        end = date(year, 3 * q, 31 if q in (1, 4) else 30)
        return ReportPeriod(f"{year}-Q{q}", f"quý {ROMAN[q - 1]} năm {year}", date(year, 3 * q - 2, 1), end)
    if half not in ("1", "2"):
        raise _bad("Cần chọn 6 tháng đầu năm (half=1) hoặc cuối năm (half=2).", "half")
    if half == "1":
        return ReportPeriod(f"{year}-H1", f"6 tháng đầu năm {year}", date(year, 1, 1), date(year, 6, 30))
    return ReportPeriod(f"{year}-H2", f"6 tháng cuối năm {year}", date(year, 7, 1), date(year, 12, 31))


def date_line(day: date) -> str:
    """ "ngày 05 tháng 02 năm 2024" — NĐ 30/2020: a leading zero for days below 10 and months below 3."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _late_reasons(session: Session, plan: Plan) -> dict[int, list[str]]:
    rows = session.execute(
        select(PlanOccurrence.activity_id, PlanOccurrence.unit_code, HumanTask.name, HumanTask.late_reason)
        .join(PlanActivityRow, PlanOccurrence.activity_id == PlanActivityRow.id)
        .join(HumanTask, HumanTask.instance_id == PlanOccurrence.instance_id)
        .where(PlanActivityRow.plan_id == plan.id, HumanTask.late_reason.is_not(None))
        .order_by(HumanTask.completed_at)
    ).all()
    reasons: dict[int, list[str]] = {}
    for activity_id, unit, step, reason in rows:
        reasons.setdefault(activity_id, []).append(f"{unit} ({step}): {reason}")
    return reasons


def _unit_reports(session: Session, plan: Plan, period: ReportPeriod, names: dict[str, str]) -> list[dict[str, Any]]:
    rows = session.execute(
        select(PlanOccurrence.unit_code, ProcessInstance.data)
        .join(PlanActivityRow, PlanOccurrence.activity_id == PlanActivityRow.id)
        .join(ProcessInstance, ProcessInstance.id == PlanOccurrence.instance_id)
        .where(
            PlanActivityRow.plan_id == plan.id,
            PlanOccurrence.period == period.key,
            ProcessInstance.process_key == "periodic_report",
            ProcessInstance.status == "completed",
        )
        .order_by(PlanOccurrence.unit_code)
    ).all()
    reports = []
    for unit, data in rows:
        text = str((data or {}).get("report_content") or "").strip()
        if text:
            reports.append({"unit": names.get(unit, unit), "text": Listing(text)})
    return reports


def _counts_text(counts: dict[str, int]) -> str:
    return "; ".join(f"{STATUS_LABELS[s].lower()}: {counts[s]}" for s in STATUSES)


def report_context(
    session: Session, plan: Plan, export: dict[str, Any], period: ReportPeriod, today: date, place: str
) -> dict[str, Any]:
    """Everything the template may use (documented in docs/exports.md).

    The địa danh is the plan's organisation's ``place_name`` (else ``place``, the deployment's CCHC_REPORT_PLACE);
    a plan of the organisation's top unit (its UBND) carries the organisation's ``issuing_body`` and
    ``parent_body``; a plan of a unit below it (a phòng), that unit's name under its parent unit's.
    """
    owner = session.get(Organisation, plan.organisation_code)
    body = session.get(Unit, plan.issuing_unit_code)
    top = owner if owner is not None and body is not None and body.parent_code is None else None
    parent = session.get(Unit, body.parent_code) if body is not None and body.parent_code else None
    names = {u.code: u.short_name or u.name for u in session.scalars(select(Unit))}
    progress = export["progress"]
    in_period = set(period.quarters())
    period_counts = {s: 0 for s in STATUSES}
    for row in progress["by_quarter"]:
        if row["quarter"] in in_period:
            for status in STATUSES:
                period_counts[status] += row["counts"][status]
    reasons = _late_reasons(session, plan)
    facts = export["facts"]
    late = [
        {
            "ref": item["ref"],
            "text": item["text"],
            "lead": ", ".join(u["name"] for u in item["lead_units"]) or (item["lead_text"] or ""),
            "due": item["due_date"].strftime("%d/%m/%Y") if item["due_date"] else "",
            "status": item["status_label"],
            "late_days": item["late_days"],
            "reason": "; ".join(reasons.get(item["id"], [])) or "Chưa có giải trình",
        }
        for item in export["activities"]
        if any(state in (OVERDUE, DONE_LATE) for _, state in facts.by_activity.get(item["id"], ()))
    ]
    body_name = body.name if body is not None else plan.issuing_unit_code
    is_council = body is not None and body.kind in ("ubnd", "ubnd_xa")
    return {
        "parent_body": (top.parent_body if top else None) or (parent.name.upper() if parent is not None else ""),
        "issuing_body": (top.issuing_body if top else None) or body_name.upper(),
        "issuing_name": body_name,
        "symbol": f"BC-{plan.issuing_unit_code}",
        "place": (owner.place_name if owner else None) or place,
        "date_text": date_line(today),
        "today": today.strftime("%d/%m/%Y"),
        "period": period.label,
        "period_start": period.start.strftime("%d/%m/%Y"),
        "period_end": period.end.strftime("%d/%m/%Y"),
        "subject": f"Kết quả thực hiện công tác cải cách hành chính {period.label}",
        "plan_title": plan.title,
        "plan_number": plan.number or "",
        "total": progress["total"],
        "overall": progress["overall"],
        "overall_text": _counts_text(progress["overall"]),
        "areas": [
            {
                "number": i + 1,
                "code": row["code"],
                "title": row["title"],
                "total": row["total"],
                "counts": row["counts"],
                "counts_text": _counts_text(row["counts"]),
            }
            for i, row in enumerate(progress["by_area"])
        ],
        "period_total": sum(period_counts.values()),
        "period_counts": period_counts,
        "period_counts_text": _counts_text(period_counts),
        "late": late,
        "unit_reports": reports if (reports := _unit_reports(session, plan, period, names)) else [],
        "recipients": ["Cơ quan cấp trên (để báo cáo)", f"Các cơ quan, đơn vị thuộc {body_name}", "Lưu: VT"],
        "signer_authority": f"TM. {'ỦY BAN NHÂN DÂN' if is_council else body_name.upper()}",
        "signer_title": "CHỦ TỊCH" if is_council else "THỦ TRƯỞNG",
        "signer_name": "",
    }


def render_report(template: Path | None, context: dict[str, Any]) -> bytes:
    """The filled-in .docx bytes."""
    path = template or DEFAULT_TEMPLATE
    if not path.is_file():
        raise InvalidInput(
            "Không tìm thấy tệp mẫu báo cáo; kiểm tra cấu hình CCHC_REPORT_TEMPLATE.",
            code="report_template_missing",
            details={"template": [str(path.name)]},
        )
    document = DocxTemplate(str(path))
    document.render(context, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
