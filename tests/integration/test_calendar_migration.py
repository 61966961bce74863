"""Migration 0008: calendar overrides keyed by (organisation, day), existing rows kept; plans lose uq_plan_identity."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from engine.db import make_engine
from workflows.schema import alembic_config, upgrade

INSERT = (
    "INSERT INTO calendar_override (day, working, reason, organisation_code, created_at)"
    " VALUES (:day, :working, :reason, :org, '2024-01-02 00:00:00')"
)


def _rows(url: str) -> list[tuple[str, bool, str | None, str | None]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT day, working, reason, organisation_code FROM calendar_override ORDER BY day, reason")
        ).all()
    engine.dispose()
    return [(str(day), bool(working), reason, org) for day, working, reason, org in found]


def _unique_constraints(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        names = {str(c["name"]) for c in sa.inspect(conn).get_unique_constraints(table)}
    engine.dispose()
    return names


def _insert_fails(url: str, **row: object) -> bool:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(INSERT), row)
    except IntegrityError:
        return True
    finally:
        engine.dispose()
    return False


def check_calendar_migration(url: str) -> None:
    """Rows stored at 0007 survive 0008; a day holds one shared row and one per organisation; and back to 0007."""
    config = alembic_config(url)
    command.upgrade(config, "0007")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(INSERT), {"day": "2024-01-03", "working": False, "reason": "chung", "org": None})
        conn.execute(text(INSERT), {"day": "2024-01-04", "working": True, "reason": "riêng", "org": "A"})
    engine.dispose()
    assert "uq_plan_identity" in _unique_constraints(url, "plan")

    command.upgrade(config, "0008")
    assert _rows(url) == [("2024-01-03", False, "chung", None), ("2024-01-04", True, "riêng", "A")]
    assert "uq_plan_identity" not in _unique_constraints(url, "plan")
    assert "uq_calendar_override_organisation_day" in _unique_constraints(url, "calendar_override")
    # The same day for another organisation, and for every organisation beside one's own: new rows.
    assert not _insert_fails(url, day="2024-01-03", working=True, reason="b", org="B")
    assert not _insert_fails(url, day="2024-01-04", working=False, reason="chung 2", org=None)
    # A second row of one organisation's day, or a second shared row of a day: refused.
    assert _insert_fails(url, day="2024-01-03", working=True, reason="b2", org="B")
    assert _insert_fails(url, day="2024-01-03", working=True, reason="chung 3", org=None)
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM calendar_override ORDER BY id")).scalars().all()
    engine.dispose()
    assert len(set(ids)) == 4

    command.downgrade(config, "0007")  # one row per day again: the shared one wins
    assert _rows(url) == [("2024-01-03", False, "chung", None), ("2024-01-04", False, "chung 2", None)]
    assert "uq_plan_identity" in _unique_constraints(url, "plan")
    assert _insert_fails(url, day="2024-01-03", working=True, reason="x", org="B")  # the day is the key again


def test_calendar_overrides_per_organisation_on_sqlite(tmp_path: Path) -> None:
    check_calendar_migration(f"sqlite:///{tmp_path / 'calendar.db'}")


def test_two_organisations_may_hold_plans_of_the_same_title_and_year(tmp_path: Path) -> None:
    """A plan is identified by organisation, year and number only: the same title, year and issuing unit twice."""
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    upgrade(url)
    engine = make_engine(url)
    plan = (
        "INSERT INTO plan (year, title, number, issuing_unit_code, organisation_code, content_hash, report,"
        " imported_at) VALUES (2025, 'Kế hoạch CCHC năm 2025', '15/KH-UBND', 'UB', :org, 'x', '{}',"
        " '2025-01-02 00:00:00')"
    )
    with engine.begin() as conn:
        for code in ("A", "B"):
            conn.execute(
                text(
                    "INSERT INTO organisation (code, name, kind, aliases, created_at)"
                    " VALUES (:code, :code, 'xa', '[]', '2025-01-02 00:00:00')"
                ),
                {"code": code},
            )
        conn.execute(
            text(
                "INSERT INTO unit (code, name, kind, aliases, organisation_code) VALUES ('UB', 'UB', 'ubnd', '[]', 'A')"
            )
        )
        conn.execute(text(plan), {"org": "A"})
        conn.execute(text(plan), {"org": "B"})
    with pytest.raises(IntegrityError), engine.begin() as conn:  # one organisation's (year, number) stays unique
        conn.execute(text(plan), {"org": "A"})
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM plan")).scalar() == 2
    engine.dispose()
