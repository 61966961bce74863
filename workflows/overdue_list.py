"""The overdue list: every step behind the deadline report's "quá hạn" counts, one row each, and its .xlsx.

The rows are exactly those ``deadline_report`` counts as ``open.overdue`` and ``finished.late`` for the same
filter (due date in [from, to], overseers every unit, others their own unit): open steps past their deadline
and steps completed late, with the unit, the activity (the instance's title), the step, the deadline, the days
late, who holds or held the step and the giải trình typed when a late step was completed. See docs/exports.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from sqlalchemy import select

from engine.db import UnitOfWork
from engine.errors import InvalidInput
from engine.models import HumanTask, ProcessInstance
from engine.views import Actor

from . import access
from .deadline_rules import STATE_LABELS, local_day, start_of_local_day
from .models import Unit, User
from .xlsx_style import DATE_FORMAT, bordered_row, fill, finish, header, workbook_bytes

MAX_ROWS = 5000  # one export; the page's filters (dates) narrow a larger list
SHEET_TITLE = "Danh sách quá hạn"
NO_REASON = "Chưa có giải trình"
NOT_CLAIMED = "Chưa nhận xử lý"
COLUMNS: tuple[tuple[str, int], ...] = (
    ("STT", 6),
    ("Đơn vị", 26),
    ("Hoạt động", 48),
    ("Bước xử lý", 30),
    ("Hạn xử lý", 13),
    ("Tình trạng", 20),
    ("Ngày hoàn thành", 14),
    ("Số ngày trễ", 10),
    ("Người xử lý", 26),
    ("Giải trình", 44),
)
STATE_FILLS = {"overdue": "FECACA", "late": "FEF3C7"}


@dataclass(frozen=True)
class OverdueStep:
    """One late step: open past its deadline (``overdue``) or completed after it (``late``)."""

    task_id: int
    instance_id: int
    unit_code: str | None
    unit_name: str
    activity: str
    step: str
    due_on: date
    state: str
    state_label: str
    completed_on: date | None
    days_late: int
    assignee: str | None
    assignee_name: str
    late_reason: str | None


@dataclass(frozen=True)
class OverdueList:
    date_from: date | None
    date_to: date | None
    today: date
    items: list[OverdueStep]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.items)


def overdue_list(
    uow: UnitOfWork, actor: Actor, *, date_from: date | None, date_to: date | None, now: datetime
) -> OverdueList:
    """The late steps due in [from, to] the actor may see (the deadline report's rule), most days late first."""
    if date_from and date_to and date_to < date_from:
        raise InvalidInput(
            "Khoảng thời gian không hợp lệ.", code="validation_error", details={"to": ["Phải từ ngày bắt đầu trở đi."]}
        )
    session = uow.session
    query = (
        select(HumanTask, ProcessInstance.title, ProcessInstance.process_key)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(
            HumanTask.due_at.is_not(None),
            ((HumanTask.status == "ready") & (HumanTask.deadline_state == "overdue"))
            | ((HumanTask.status == "completed") & (HumanTask.deadline_state == "late")),
        )
    )
    if date_from:
        query = query.where(HumanTask.due_at >= start_of_local_day(date_from))
    if date_to:
        query = query.where(HumanTask.due_at < start_of_local_day(date.fromordinal(date_to.toordinal() + 1)))
    scoped = access.steps_scope(actor)  # never another organisation's steps
    if scoped is not None:
        query = query.where(scoped)
    if not access.sees_every_unit(actor):
        query = query.where(HumanTask.unit_code == actor.unit_code)
    units = {
        code: short or name for code, name, short in session.execute(select(Unit.code, Unit.name, Unit.short_name))
    }
    people = {name: full for name, full in session.execute(select(User.username, User.full_name))}
    today = local_day(now)
    items = [_item(row, title or key, units, people, today) for row, title, key in session.execute(query)]
    items.sort(key=lambda i: (-i.days_late, i.unit_name, i.due_on, i.task_id))
    return OverdueList(date_from, date_to, today, items[:MAX_ROWS], len(items))


def _item(row: HumanTask, activity: str, units: dict[str, str], people: dict[str, str], today: date) -> OverdueStep:
    assert row.due_at is not None  # filtered by the query
    due_on = local_day(row.due_at)
    completed_on = local_day(row.completed_at) if row.completed_at else None
    state = "late" if row.status == "completed" else "overdue"
    holder = row.completed_by if state == "late" else row.assignee
    return OverdueStep(
        task_id=row.id,
        instance_id=row.instance_id,
        unit_code=row.unit_code,
        unit_name=units.get(row.unit_code, row.unit_code) if row.unit_code else "Không xác định đơn vị",
        activity=activity,
        step=row.name,
        due_on=due_on,
        state=state,
        state_label=STATE_LABELS[state],
        completed_on=completed_on,
        # calendar days past the due day, as the plan's workbook counts them (at least one: it is late)
        days_late=max(1, ((completed_on or today) - due_on).days),
        assignee=holder,
        assignee_name=people.get(holder, holder) if holder else NOT_CLAIMED,
        late_reason=row.late_reason,
    )


def build_overdue_workbook(listed: OverdueList) -> bytes:
    """The .xlsx of the overdue list: one row per late step, in the order of the list."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    header(sheet, [name for name, _ in COLUMNS], [width for _, width in COLUMNS])
    for number, item in enumerate(listed.items, start=1):
        row = bordered_row(
            sheet,
            [
                number,
                item.unit_name,
                item.activity,
                item.step,
                item.due_on,
                item.state_label,
                item.completed_on,
                item.days_late,
                item.assignee_name,
                item.late_reason or NO_REASON,
            ],
        )
        sheet.cell(row, 5).number_format = DATE_FORMAT
        sheet.cell(row, 7).number_format = DATE_FORMAT
        sheet.cell(row, 6).fill = fill(STATE_FILLS[item.state])
    finish(sheet, len(COLUMNS))
    sheet.oddHeader.center.text = f"DANH SÁCH CÁC BƯỚC XỬ LÝ QUÁ HẠN ({_span(listed)})"
    if listed.truncated:
        sheet.oddFooter.left.text = f"{len(listed.items)}/{listed.total} bước; lọc theo thời gian để xem tiếp"
    book.properties.title = f"Danh sách quá hạn {_span(listed)}"
    return workbook_bytes(book)


def _span(listed: OverdueList) -> str:
    start = listed.date_from.strftime("%d/%m/%Y") if listed.date_from else None
    end = listed.date_to.strftime("%d/%m/%Y") if listed.date_to else None
    if start and end:
        return f"hạn từ {start} đến {end}"
    if start:
        return f"hạn từ {start}"
    if end:
        return f"hạn đến {end}"
    return f"đến ngày {listed.today.strftime('%d/%m/%Y')}"
