"""The province view (Tổng hợp toàn tỉnh): roll-ups of the organisations under a province, one year at a time.

Per organisation: its plan of the year with the activities by status (``PlanFacts.overall``, the plan page's own
counts), its steps past their deadline, and the index (Chỉ số CCHC). Index rule (docs/province.md): the rank of a
unit inside a round is the organisation's own business; across organisations the province ranks each one by the
index % of its own top unit (its UBND: the unit of the organisation without a parent inside it) in the latest
published round of the year, in scope, that scored that unit — usually the province's round over its communes.
An organisation whose UBND no round scored is listed without a rank. Read in a fixed number of queries whatever
the number of organisations. Who reads it: ``access.province_organisations``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import HumanTask, ProcessInstance
from engine.views import Actor

from . import access
from .deadline_rules import start_of_local_day
from .models import Organisation, Plan, Unit
from .plan.facts import PlanFacts
from .plan.progress import OVERDUE, STATUS_LABELS, STATUSES, counts
from .plan.queries import activity_ids_of_plans
from .scoring_results import GROUP_FILLS, ranked_units
from .xlsx_style import AREA_FILL, BOLD, bordered_row, fill, finish, header, workbook_bytes

KIND_LABELS = {
    "tinh": "Tỉnh",
    "thanh_pho_tw": "Thành phố trực thuộc Trung ương",
    "huyen": "Huyện",
    "thanh_pho": "Thành phố",
    "thi_xa": "Thị xã",
    "xa": "Xã",
    "phuong": "Phường",
    "dac_khu": "Đặc khu",
    "so": "Sở",
    "other": "Khác",
}
SHEET_PROGRESS = "Tiến độ theo tổ chức"
SHEET_OVERDUE = "Quá hạn theo tổ chức"
SHEET_RANKING = "Xếp hạng Chỉ số CCHC"
NO_PLAN = "Chưa có kế hoạch"
NO_INDEX = "Chưa có kết quả"


@dataclass(frozen=True)
class PlanRef:
    id: int
    title: str
    number: str | None


@dataclass(frozen=True)
class IndexEntry:
    """An organisation's index: its top unit's result in a published round."""

    unit_code: str
    unit_name: str
    index_percent: float
    group: str
    group_label: str
    round_id: int
    round_title: str


@dataclass(frozen=True)
class RoundRef:
    """The latest published round of the organisation's own (its internal ranking stays on the round's page)."""

    instance_id: int
    title: str
    units: int


@dataclass
class OrganisationRollup:
    code: str
    name: str
    kind: str
    parent_code: str | None
    plan: PlanRef | None = None
    progress: dict[str, int] = field(default_factory=lambda: counts(()))
    total: int = 0
    overdue_steps: int = 0
    late_steps: int = 0
    index: IndexEntry | None = None
    rank: int | None = None
    own_round: RoundRef | None = None

    @property
    def overdue_activities(self) -> int:
        return self.progress[OVERDUE]


@dataclass(frozen=True)
class ProvinceOverview:
    year: int
    today: date
    organisations: list[OrganisationRollup]
    totals: OrganisationRollup

    @property
    def ranking(self) -> list[OrganisationRollup]:
        """Organisations with an index, best first (equal indexes share a rank)."""
        return sorted((o for o in self.organisations if o.rank is not None), key=lambda o: (o.rank, o.name))


def province_overview(session: Session, actor: Actor, *, year: int, today: date) -> ProvinceOverview:
    """The roll-ups of every organisation the actor oversees (``access.province_organisations``) for ``year``."""
    codes = access.province_organisations(session, actor)
    rows = {
        org.code: OrganisationRollup(org.code, org.name, org.kind, org.parent_code)
        for org in session.scalars(select(Organisation).where(Organisation.code.in_(codes)))
    }
    _plans(session, rows, year, today)
    _steps(session, rows, year)
    _index(session, rows, year)
    ordered = sorted(rows.values(), key=lambda o: (o.parent_code in rows, o.name, o.code))
    totals = OrganisationRollup("", "Tổng cộng", "", None)
    for row in ordered:
        totals.total += row.total
        totals.overdue_steps += row.overdue_steps
        totals.late_steps += row.late_steps
        for status in STATUSES:
            totals.progress[status] += row.progress[status]
    return ProvinceOverview(year, today, ordered, totals)


def _plans(session: Session, rows: Mapping[str, OrganisationRollup], year: int, today: date) -> None:
    """Each organisation's plan of the year (the last imported when it has several) and its activities by status."""
    chosen: dict[str, Plan] = {}
    query = select(Plan).where(Plan.organisation_code.in_(list(rows)), Plan.year == year).order_by(Plan.id)
    for plan in session.scalars(query):
        chosen[plan.organisation_code] = plan
    plans = list(chosen.values())
    facts = PlanFacts.of_plans(session, plans, today)
    activities = activity_ids_of_plans(session, [p.id for p in plans])
    for code, plan in chosen.items():
        row = rows[code]
        row.plan = PlanRef(plan.id, plan.title, plan.number)
        row.progress = facts[plan.id].overall(activities[plan.id])
        row.total = len(activities[plan.id])


def _steps(session: Session, rows: Mapping[str, OrganisationRollup], year: int) -> None:
    """Steps due in the year still open past their deadline, and those completed late, per organisation."""
    late = ((HumanTask.status == "ready") & (HumanTask.deadline_state == "overdue")) | (
        (HumanTask.status == "completed") & (HumanTask.deadline_state == "late")
    )
    # an instance belongs to the organisation of its unit (the engine's tenant); its steps with it
    organisation = Unit.organisation_code
    query = (
        select(organisation, HumanTask.status, func.count())
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(Unit, Unit.code == ProcessInstance.unit_code)
        .where(
            organisation.in_(list(rows)),
            HumanTask.due_at >= start_of_local_day(date(year, 1, 1)),
            HumanTask.due_at < start_of_local_day(date(year + 1, 1, 1)),
            late,
        )
        .group_by(organisation, HumanTask.status)
    )
    for tenant, status, number in session.execute(query):
        if status == "ready":
            rows[tenant].overdue_steps = number
        else:
            rows[tenant].late_steps = number


def _top_units(session: Session, codes: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Unit names, and each organisation's top unit: its UBND, the unit without a parent inside the organisation
    (a UBND kind first, then the code, when there are several)."""
    units = session.execute(
        select(Unit.code, Unit.name, Unit.short_name, Unit.parent_code, Unit.kind, Unit.organisation_code).where(
            Unit.organisation_code.in_(codes)
        )
    ).all()
    names = {code: short or name for code, name, short, _parent, _kind, _org in units}
    organisation_of = {code: org for code, *_rest, org in units}
    roots: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    for code, _name, _short, parent, kind, org in units:
        if parent is None or organisation_of.get(parent) != org:
            roots[org].append((not kind.startswith("ubnd"), code))
    return names, {org: min(candidates)[1] for org, candidates in roots.items()}


def _index(session: Session, rows: Mapping[str, OrganisationRollup], year: int) -> None:
    """The index of each organisation's UBND, the cross-organisation rank, and each one's own latest round."""
    codes = list(rows)
    rounds = session.execute(
        select(ProcessInstance.id, Unit.organisation_code, ProcessInstance.title, ProcessInstance.data)
        .join(Unit, Unit.code == ProcessInstance.unit_code)
        .where(
            ProcessInstance.process_key == access.SCORING_PROCESS,
            ProcessInstance.status == "completed",
            Unit.organisation_code.in_(codes),
        )
        .order_by(ProcessInstance.ended_at, ProcessInstance.id)
    ).all()
    if not rounds:
        return
    names, top_unit = _top_units(session, codes)
    entry_of_unit: dict[str, IndexEntry] = {}
    for instance_id, tenant, title, data in rounds:  # oldest first: a later round overrides
        data = data or {}
        units = ranked_units(data, names) if data.get("year") == year else None
        if units is None:
            continue
        label = title or f"Chỉ số CCHC năm {year}"
        rows[tenant].own_round = RoundRef(instance_id, label, len(units))
        for unit in units:
            entry_of_unit[unit.unit_code] = IndexEntry(
                unit.unit_code, unit.unit_name, unit.index_percent, unit.group, unit.group_label, instance_id, label
            )
    for code, row in rows.items():
        row.index = entry_of_unit.get(top_unit.get(code, ""))
    assign_ranks(rows.values())


def assign_ranks(rows: Iterable[OrganisationRollup]) -> None:
    """Rank the organisations with an index by it, best first; equal indexes share a rank (1, 1, 3)."""
    indexed = sorted((r for r in rows if r.index is not None), key=lambda r: -_percent(r))
    for position, row in enumerate(indexed, start=1):
        previous = indexed[position - 2] if position > 1 else None
        same = previous is not None and _percent(previous) == _percent(row)
        row.rank = previous.rank if same and previous is not None else position


def _percent(row: OrganisationRollup) -> float:
    return row.index.index_percent if row.index else 0.0


def rollup_json(row: OrganisationRollup) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "kind": row.kind,
        "kind_label": KIND_LABELS.get(row.kind, row.kind),
        "parent_code": row.parent_code,
        "plan": vars(row.plan) if row.plan else None,
        "progress": dict(row.progress),
        "total": row.total,
        "overdue_activities": row.overdue_activities,
        "overdue_steps": row.overdue_steps,
        "late_steps": row.late_steps,
        "index": vars(row.index) if row.index else None,
        "rank": row.rank,
        "own_round": vars(row.own_round) if row.own_round else None,
    }


def to_json(overview: ProvinceOverview) -> dict[str, Any]:
    """The API's JSON (``GET /province/overview``)."""
    return {
        "year": overview.year,
        "today": overview.today,
        "labels": dict(STATUS_LABELS),
        "organisations": [rollup_json(o) for o in overview.organisations],
        "totals": rollup_json(overview.totals),
        "ranking": [
            {"rank": o.rank, "code": o.code, "name": o.name, "index": vars(o.index) if o.index else None}
            for o in overview.ranking
        ],
    }


# --------------------------------------------------------------------------- the workbook


def _plan_text(row: OrganisationRollup) -> str:
    if row.plan is None:
        return NO_PLAN
    return f"{row.plan.title} (số {row.plan.number})" if row.plan.number else row.plan.title


def _total_row(sheet: Any, values: list[object]) -> None:
    for cell in sheet[bordered_row(sheet, values)]:
        cell.font = BOLD
        cell.fill = AREA_FILL


def build_province_workbook(overview: ProvinceOverview) -> bytes:
    """The .xlsx of the overview: progress, overdue and the index ranking, one sheet each, one row per
    organisation (the first two with the totals row)."""
    book = Workbook()
    progress = book.active
    assert progress is not None
    progress.title = SHEET_PROGRESS
    names = ["STT", "Tổ chức", "Loại", "Kế hoạch", *(STATUS_LABELS[s] for s in STATUSES), "Tổng số hoạt động"]
    header(progress, names, [6, 30, 12, 44, *([13] * len(STATUSES)), 12])
    for number, row in enumerate(overview.organisations, start=1):
        bordered_row(
            progress,
            [number, row.name, KIND_LABELS.get(row.kind, row.kind), _plan_text(row),
             *(row.progress[s] for s in STATUSES), row.total],
        )  # fmt: skip
    totals = overview.totals
    _total_row(progress, ["", totals.name, "", "", *(totals.progress[s] for s in STATUSES), totals.total])
    finish(progress, len(names))

    overdue = book.create_sheet(SHEET_OVERDUE)
    names = ["STT", "Tổ chức", "Hoạt động quá hạn chưa hoàn thành", "Bước xử lý quá hạn đang mở",
             "Bước xử lý hoàn thành quá hạn"]  # fmt: skip
    header(overdue, names, [6, 34, 18, 18, 18])
    for number, row in enumerate(overview.organisations, start=1):
        line = bordered_row(overdue, [number, row.name, row.overdue_activities, row.overdue_steps, row.late_steps])
        if row.overdue_activities or row.overdue_steps:
            overdue.cell(line, 2).fill = fill("FECACA")
    _total_row(overdue, ["", totals.name, totals.overdue_activities, totals.overdue_steps, totals.late_steps])
    finish(overdue, len(names))

    ranking = book.create_sheet(SHEET_RANKING)
    names = ["Xếp hạng", "Tổ chức", "Đơn vị được chấm điểm", "Chỉ số CCHC (%)", "Xếp loại", "Đợt chấm điểm"]
    header(ranking, names, [9, 30, 30, 12, 14, 40])
    ranked = overview.ranking
    for row in [*ranked, *(o for o in overview.organisations if o.rank is None)]:
        entry = row.index
        line = bordered_row(
            ranking,
            [row.rank, row.name, entry.unit_name if entry else NO_INDEX, entry.index_percent if entry else None,
             entry.group_label if entry else None, entry.round_title if entry else None],
        )  # fmt: skip
        ranking.cell(line, 4).number_format = "0.00"
        if entry:
            ranking.cell(line, 5).fill = fill(GROUP_FILLS.get(entry.group, "FFFFFF"))
    finish(ranking, len(names))
    title = f"TỔNG HỢP TOÀN TỈNH NĂM {overview.year}"
    for sheet in book.worksheets:
        sheet.oddHeader.center.text = title
    book.properties.title = f"Tổng hợp toàn tỉnh năm {overview.year}"
    return workbook_bytes(book)
