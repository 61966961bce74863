"""Store an imported plan: the appendix tree, the main text's duties and every unit's occurrences.

Re-importing the same file changes nothing. A changed file replaces a plan that has not been launched;
once instances run, a changed file is refused (409) rather than silently orphaning them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.db import UnitOfWork
from engine.errors import Conflict, InvalidInput
from workflows.models import (
    Plan,
    PlanActivityRow,
    PlanArea,
    PlanObjectiveRow,
    PlanOccurrence,
    PlanTaskRow,
    Unit,
)
from workflows.org_data import OrgData, resolve_units

from .activity_types import PLANS_DIR, TypeRules, load_type_rules
from .duties import main_text_duties
from .import_limits import MAX_UPLOAD_BYTES, MB, too_large, vietnamese_number
from .markdown_import import ImportResult, NotAPlan, PlanTask, parse_plan_markdown
from .schedule import Occurrence, Schedule, ScheduleConfig, parse_time_text
from .xlsx_import import parse_plan_xlsx

SEED_PLAN = PLANS_DIR / "ke-hoach-cchc-2024.md"
SCHEDULE_CONFIG = PLANS_DIR / "schedule.yaml"
MAX_PLAN_BYTES = MAX_UPLOAD_BYTES


@dataclass(frozen=True)
class ImportOutcome:
    plan: Plan
    report: dict[str, Any]
    created: bool


def load_schedule_config(path: Path = SCHEDULE_CONFIG) -> ScheduleConfig:
    return ScheduleConfig.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def parse_plan_file(data: bytes, filename: str, org: OrgData) -> tuple[ImportResult, str | None]:
    """The parsed plan and, for Markdown, its whole text (the main text holds duties)."""
    if not data.strip():
        raise NotAPlan("Tệp kế hoạch trống.")
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return parse_plan_xlsx(data, org), None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotAPlan(
            "Tệp không phải kế hoạch CCHC: chỉ nhận Markdown (UTF-8) hoặc Excel (.xlsx).", code="not_a_plan"
        ) from exc
    return parse_plan_markdown(text, org), text


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    return {
        "kind": schedule.kind,
        "reference": schedule.reference,
        "remark": schedule.remark,
        "on_demand": schedule.on_demand,
        "warnings": list(schedule.warnings),
        "occurrences": [
            {
                "label": o.label,
                "period": o.period,
                "start": o.period_start.isoformat(),
                "end": o.period_end.isoformat(),
                "due": o.due.isoformat(),
            }
            for o in schedule.occurrences
        ],
    }


_REFERENCE_LABELS = {
    "plan": "Theo Kế hoạch",
    "decision": "Theo Quyết định",
    "provincial_plan": "Theo Kế hoạch của Tỉnh",
    "after_inspection": "Sau khi kiểm tra",
}


def _occurrence_row(unit: str, occurrence: Occurrence, position: int, calendar: WorkingCalendar) -> PlanOccurrence:
    return PlanOccurrence(
        unit_code=unit,
        period=occurrence.period,
        label=occurrence.label,
        position=position,
        period_start=occurrence.period_start,
        period_end=occurrence.period_end,
        planned_due=occurrence.due,
        # A deadline on a day off ends on the next working day (Bộ luật Dân sự 2015, Điều 148).
        due_date=calendar.next_working_day(occurrence.due),
    )


def _hand_set_occurrences(schedule: Schedule, units: tuple[str, ...]) -> list[PlanOccurrence]:
    """Relative or unknown schedules: one occurrence per unit, due date to be set by hand."""
    label = _REFERENCE_LABELS.get(schedule.reference or "", "Đặt hạn thủ công")
    return [PlanOccurrence(unit_code=u, period="manual", label=label, position=i) for i, u in enumerate(units)]


class _Builder:
    def __init__(self, plan: Plan, rules: TypeRules, config: ScheduleConfig, calendar: WorkingCalendar) -> None:
        self.plan = plan
        self.rules = rules
        self.config = config
        self.calendar = calendar
        self.position = 0
        self.occurrences = 0
        self.schedule_warnings: list[str] = []
        self.types: dict[str, int] = {}

    def activity(self, **fields: Any) -> PlanActivityRow:
        self.position += 1
        row = PlanActivityRow(position=self.position, **fields)
        self.plan.activities.append(row)
        self.types[row.activity_type] = self.types.get(row.activity_type, 0) + 1
        return row

    def appendix_activity(self, area: PlanArea, task: PlanTaskRow, parsed: Any) -> PlanActivityRow:
        schedule = parse_time_text(parsed.time_text, self.plan.year, self.config)
        for warning in schedule.warnings:
            self.schedule_warnings.append(f"Lĩnh vực {area.code}, hoạt động {parsed.code}: {warning}")
        activity_type, rule = self.rules.classify(parsed.text, parsed.output_kinds, schedule.kind)
        row = self.activity(
            area=area,
            task=task,
            section="appendix",
            code=parsed.code,
            text=parsed.text,
            output_text=parsed.output_text,
            output_kinds=list(parsed.output_kinds),
            lead_text=parsed.lead_text,
            lead_units=list(parsed.lead_units),
            coordinating_text=parsed.coordinating_text,
            coordinating_units=list(parsed.coordinating_units),
            time_text=parsed.time_text,
            schedule=schedule_json(schedule),
            budget_text=parsed.budget_text,
            activity_type=activity_type,
            activity_type_source="rule",
            type_rule=rule,
        )
        units = tuple(parsed.lead_units)
        if schedule.occurrences:
            rows = [
                _occurrence_row(unit, occ, i, self.calendar)
                for i, (occ, unit) in enumerate((o, u) for o in schedule.occurrences for u in units)
            ]
        else:
            rows = _hand_set_occurrences(schedule, units)
        row.occurrences.extend(rows)
        self.occurrences += len(rows)
        return row


def _task_row(objective: PlanObjectiveRow, task: PlanTask, position: int, parent: PlanTaskRow | None) -> PlanTaskRow:
    row = PlanTaskRow(
        code=task.code,
        text=task.text,
        position=position,
        lead_units=list(task.lead_units or (parent.lead_units if parent else ())),
        coordinating_units=list(task.coordinating_units or (parent.coordinating_units if parent else ())),
        parent=parent,
    )
    objective.tasks.append(row)
    return row


def _issuer(issuer_text: str, org: OrgData) -> str:
    codes, _ = resolve_units(issuer_text, org) if issuer_text else ([], [])
    if codes:
        return codes[0]
    return next(iter(org.codes_of_kind("ubnd")), "UBND")


def import_plan(
    uow: UnitOfWork,
    data: bytes,
    filename: str,
    *,
    org: OrgData,
    calendar: WorkingCalendar,
    actor: str,
    now: datetime,
    rules: TypeRules | None = None,
    config: ScheduleConfig | None = None,
    organisation_code: str | None = None,
) -> ImportOutcome:
    """Parse and store a plan in the caller's transaction (nothing is stored when the file is refused).

    The plan belongs to ``organisation_code``, else to its issuing unit's organisation.
    """
    if len(data) > MAX_PLAN_BYTES:
        raise too_large(
            f"tệp có {vietnamese_number(len(data))} byte", "upload_bytes", MAX_PLAN_BYTES, f"{MAX_PLAN_BYTES // MB} MB"
        )
    parsed, text = parse_plan_file(data, filename, org)
    rules = rules or load_type_rules()
    config = config or load_schedule_config()
    source = parsed.plan
    issuer = _issuer(source.issuer_text, org)
    content_hash = hashlib.sha256(data).hexdigest()
    session = uow.session
    title = source.title or f"Kế hoạch CCHC năm {source.year}"
    existing = session.scalars(
        select(Plan).where(Plan.year == source.year, Plan.issuing_unit_code == issuer, Plan.title == title)
    ).one_or_none()
    if existing is not None:
        if existing.content_hash == content_hash:
            return ImportOutcome(existing, existing.report, created=False)
        if launched(session, existing.id):
            raise Conflict(
                "Kế hoạch này đã được triển khai (đã có hồ sơ quy trình); không thể thay bằng tệp khác.",
                code="plan_already_launched",
                details={"plan_id": existing.id},
            )
        session.delete(existing)
        session.flush()

    owner = organisation_code or session.scalar(select(Unit.organisation_code).where(Unit.code == issuer))
    if owner is None:
        raise InvalidInput(
            "Không xác định được tổ chức của kế hoạch.",
            code="organisation_required",
            details={"issuing_unit_code": issuer},
        )
    plan = Plan(
        year=source.year,
        organisation_code=owner,
        title=title,
        number=source.number,
        issued_on=source.issued_on,
        issuing_unit_code=issuer,
        source_name=filename[:300] or None,
        content_hash=content_hash,
        imported_by=actor,
        imported_at=now,
        report={},
    )
    session.add(plan)
    builder = _Builder(plan, rules, config, calendar)
    for area_pos, area in enumerate(source.areas):
        area_row = PlanArea(code=area.numeral, title=area.title, position=area_pos)
        plan.areas.append(area_row)
        task_pos = 0
        for obj_pos, objective in enumerate(area.objectives):
            obj_row = PlanObjectiveRow(
                code=objective.code,
                text=objective.text,
                position=obj_pos,
                lead_units=list(objective.lead_units),
                coordinating_units=list(objective.coordinating_units),
            )
            area_row.objectives.append(obj_row)
            for task in objective.tasks:
                task_row = _task_row(obj_row, task, task_pos, None)
                task_pos += 1
                for sub in task.subtasks:
                    _task_row(obj_row, sub, task_pos, task_row)
                    task_pos += 1
                for activity in task.activities:
                    builder.appendix_activity(area_row, task_row, activity)

    duties_warnings: list[str] = []
    duties_count = 0
    if text is not None:
        duties = main_text_duties(text, source.year, org, config)
        duties_warnings = duties.warnings
        for duty in duties.duties:
            row = builder.activity(
                area=None,
                task=None,
                section="duty",
                code=duty.code,
                text=duty.text,
                output_text=duty.output_text,
                output_kinds=list(duty.output_kinds),
                lead_text=duty.lead_text,
                lead_units=list(duty.lead_units),
                coordinating_text="Phòng Nội vụ",
                coordinating_units=["PNV"] if "PNV" in {u.code for u in org.units} else [],
                time_text=duty.time_text,
                schedule={"kind": "per_unit", "occurrences": []},
                budget_text="",
                activity_type=duty.activity_type,
                activity_type_source="rule",
                type_rule="Nhiệm vụ của phần Tổ chức thực hiện",
            )
            row.occurrences.extend(
                _occurrence_row(item.unit_code, item.occurrence, i, calendar) for i, item in enumerate(duty.occurrences)
            )
            builder.occurrences += len(duty.occurrences)
            duties_count += 1
    else:
        duties_warnings.append(
            "Tệp Excel chỉ có bảng phụ lục: không đọc được các nhiệm vụ ở phần Tổ chức thực hiện "
            "(ban hành kế hoạch của đơn vị, báo cáo định kỳ, lịch đăng tin)."
        )

    report = parsed.report
    plan.report = {
        "counts_per_area": dict(report.counts),
        "activities": sum(report.counts.values()),
        "duties": duties_count,
        "occurrences": builder.occurrences,
        "activity_types": builder.types,
        "repairs": list(report.repairs),
        "warnings": [*report.warnings, *builder.schedule_warnings, *duties_warnings],
        "unresolved_units": list(report.unresolved_units),
    }
    session.flush()
    return ImportOutcome(plan, plan.report, created=True)


def launched(session: Session, plan_id: int) -> bool:
    """Whether any occurrence of the plan has a process instance."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    PlanOccurrence.activity_id == PlanActivityRow.id,
                    PlanActivityRow.plan_id == plan_id,
                    PlanOccurrence.instance_id.is_not(None),
                )
            )
        )
    )


def set_manual_due(activity: PlanActivityRow, due: date | None, calendar: WorkingCalendar) -> int:
    """Set (or clear) the hand-set deadline of an activity whose schedule gives none; returns rows changed."""
    activity.manual_due = due
    changed = 0
    for occurrence in activity.occurrences:
        if occurrence.period != "manual" or occurrence.instance_id is not None:
            continue
        occurrence.planned_due = due
        occurrence.due_date = calendar.next_working_day(due) if due else None
        changed += 1
    return changed
