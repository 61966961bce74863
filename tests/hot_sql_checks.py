"""``workflows.hot_sql`` against the SQLAlchemy Core statements it replaced, on any database (SQLite and PostgreSQL
tests call these): the same rows in the same order, the same effects, statement listeners still see them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, event, select
from sqlalchemy.orm import Session

from engine.models import HumanTask
from tests.engine_support import EngineRig, actor
from workflows import hot_sql
from workflows.models import Notification, Organisation, Unit, User

NOW = datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
UNITS = {"PNV": "ORG1", "PTP": "ORG1", "XA": "ORG2"}
# username: (unit, roles, email, active)
USERS: dict[str, tuple[str | None, list[str], str | None, bool]] = {
    "cv.pnv": ("PNV", ["staff"], "cv@example.vn", True),
    "tp.pnv": ("PNV", ["head", "staff"], None, True),
    "khoa.pnv": ("PNV", ["staff"], "khoa@example.vn", False),
    "cv.ptp": ("PTP", ["staff"], None, True),
    "cv.xa": ("XA", ["staff", "coordinator"], "xa@example.vn", True),
    "admin": (None, ["admin"], None, True),
    "empty": ("PTP", [], None, True),
}
UNIT_CHOICES = (None, "PNV", "PTP", "XA", "KHONG")
TENANT_CHOICES = (None, "ORG1", "ORG2", "KHONG")


# --------------------------------------------------------------------------- the statements replaced (main, ab2b0b3)


def _users_where(by_unit: bool, by_tenant: bool) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [User.active.is_(True)]
    if by_unit:
        where.append(User.unit_code == bindparam("b_unit"))
    if by_tenant:
        where.append(User.unit_code.in_(select(Unit.code).where(Unit.organisation_code == bindparam("b_tenant"))))
    return where


_REQUEST_USER = (
    select(
        User.username,
        User.full_name,
        User.email,
        User.unit_code,
        Unit.name,
        User.roles,
        User.active,
        Unit.organisation_code,
    )
    .outerjoin(Unit, Unit.code == User.unit_code)
    .where(User.username == bindparam("b_username"))
)
_PREVIOUS_HOLDER = (
    select(HumanTask.completed_by)
    .where(
        HumanTask.instance_id == bindparam("b_instance"),
        HumanTask.element_id == bindparam("b_element"),
        HumanTask.status == "completed",
        HumanTask.id != bindparam("b_id"),
    )
    .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
    .limit(1)
)
_PREVIOUS_ROW = select(_PREVIOUS_HOLDER.scalar_subquery().label("previous")).subquery("previous_holder")


def core_users_of(session: Session, unit: str | None, tenant: str | None) -> list[tuple[Any, ...]]:
    query = select(User.username, User.email, User.roles).where(*_users_where(unit is not None, tenant is not None))
    return [tuple(r) for r in session.connection().execute(query, {"b_unit": unit, "b_tenant": tenant})]


def core_previous_and_users(
    session: Session, instance: int, element: str, step: int, unit: str | None, tenant: str | None
) -> tuple[Any, list[tuple[Any, ...]]]:
    where = _users_where(unit is not None, tenant is not None)
    query = select(_PREVIOUS_ROW.c.previous, User.username, User.email, User.roles).select_from(
        _PREVIOUS_ROW.outerjoin(User, and_(*where))
    )
    params = {"b_instance": instance, "b_element": element, "b_id": step, "b_unit": unit, "b_tenant": tenant}
    found = session.connection().execute(query, params).all()
    return found[0].previous, [tuple(r[1:]) for r in found if r.username is not None]


# --------------------------------------------------------------------------- data


def seed(rig: EngineRig) -> tuple[int, int]:
    """Organisations, units, users; approval5 started and its draft completed by cv.pnv: (instance, review step)."""
    with rig.uow() as uow:
        session = uow.session
        for code in sorted(set(UNITS.values())):
            session.add(Organisation(code=code, name=f"Tổ chức {code}", kind="xa", aliases=[], created_at=NOW))
        session.flush()
        for code, org in UNITS.items():
            session.add(Unit(code=code, name=f"Phòng {code}", kind="phong", organisation_code=org, aliases=[]))
        session.flush()
        for name, (unit, roles, email, active) in USERS.items():
            session.add(
                User(
                    username=name,
                    full_name=f"Người {name}",
                    email=email,
                    password_hash="x",
                    unit_code=unit,
                    roles=roles,
                    active=active,
                    created_at=NOW,
                )
            )
        uow.commit()
    rig.deploy_fixture("approval5")
    with rig.uow() as uow:
        view = rig.engine.start(uow, "approval5", unit_code="PNV", data={"topic": "Kế hoạch"}, actor=actor("cv.pnv"))
        uow.commit()
    with rig.uow() as uow:
        draft = view.open_tasks[0].id
        done = rig.engine.complete(uow, draft, actor("cv.pnv", "staff"), {"title": "Dự thảo"})
        uow.commit()
    return view.id, done.next_tasks[0].id


# --------------------------------------------------------------------------- checks


def check_request_user(rig: EngineRig) -> None:
    with rig.uow() as uow:
        session = uow.session
        for name in [*USERS, "khong.co"]:
            core = session.connection().execute(_REQUEST_USER, {"b_username": name}).first()
            found = hot_sql.request_user_row(session, name)
            assert found == (None if core is None else tuple(core)), name
            if found is not None:
                assert type(found[6]) is bool and type(found[5]) is list


def check_users_of(rig: EngineRig) -> None:
    with rig.uow() as uow:
        session = uow.session
        seen = 0
        for unit in UNIT_CHOICES:
            for tenant in TENANT_CHOICES:
                core = core_users_of(session, unit, tenant)
                assert hot_sql.users_of(session, unit, tenant) == core, (unit, tenant)
                seen += len(core)
        assert seen > 0


def check_previous_holder(rig: EngineRig, instance: int, review: int) -> None:
    with rig.uow() as uow:
        session = uow.session
        cases = [(instance, "Task_draft", review), (instance, "Task_review", review), (instance + 99, "Task_draft", 0)]
        cases.append((instance, "Task_draft", _step_of(session, instance, "Task_draft")))  # itself excluded: none
        answers = set()
        for inst, element, step in cases:
            core = (
                session.connection()
                .execute(_PREVIOUS_HOLDER, {"b_instance": inst, "b_element": element, "b_id": step})
                .scalar()
            )
            assert hot_sql.previous_holder(session, inst, element, step) == core
            answers.add(core)
            for unit in UNIT_CHOICES:
                for tenant in TENANT_CHOICES:
                    expected = core_previous_and_users(session, inst, element, step, unit, tenant)
                    found = hot_sql.previous_and_users(session, inst, element, step, unit, tenant)
                    assert found == expected, (inst, element, step, unit, tenant)
        assert answers == {"cv.pnv", None}


def _step_of(session: Session, instance: int, element: str) -> int:
    query = select(HumanTask.id).where(HumanTask.instance_id == instance, HumanTask.element_id == element)
    return int(session.scalars(query).one())


def check_active_named(rig: EngineRig) -> None:
    with rig.uow() as uow:
        session = uow.session
        for names in (["cv.pnv"], ["khoa.pnv"], ["admin", "cv.pnv", "cv.xa", "khoa.pnv", "khong.co"], sorted(USERS)):
            core = session.execute(
                select(User.username, User.email).where(User.username.in_(names), User.active.is_(True))
            ).all()
            assert hot_sql.active_named(session, names) == [tuple(r) for r in core], names


def check_insert_notifications(rig: EngineRig, instance: int, review: int) -> None:
    """The rows written are what the ORM reads back as the Core INSERT wrote them; listeners see one statement."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(rig.sql, "before_cursor_execute", count)
    try:
        with rig.uow() as uow:
            hot_sql.insert_notifications(
                uow.session,
                ["tp.pnv", "cv.ptp"],
                kind="new_task",
                title="Bạn có việc mới: Thẩm định",
                message='Bước "Thẩm định" đang chờ bạn xử lý.',
                link=f"/tasks/{review}",
                task_id=review,
                instance_id=instance,
                created_at=NOW,
            )
            uow.commit()
    finally:
        event.remove(rig.sql, "before_cursor_execute", count)
    assert [s for s in statements if "notification" in s] == [statements[0]] and len(statements) == 1
    with rig.uow() as uow:
        rows = uow.session.scalars(select(Notification).order_by(Notification.id)).all()
        found = [
            (r.username, r.kind, r.title, r.message, r.link, r.task_id, r.instance_id, r.created_at, r.read_at)
            for r in rows
        ]
    texts = ("new_task", "Bạn có việc mới: Thẩm định", 'Bước "Thẩm định" đang chờ bạn xử lý.', f"/tasks/{review}")
    expected = [(name, *texts, review, instance, NOW, None) for name in ("tp.pnv", "cv.ptp")]
    assert found == expected


def check_all(rig: EngineRig) -> None:
    """Every check above, on one seeded database."""
    instance, review = seed(rig)
    check_request_user(rig)
    check_users_of(rig)
    check_previous_holder(rig, instance, review)
    check_active_named(rig)
    check_insert_notifications(rig, instance, review)
