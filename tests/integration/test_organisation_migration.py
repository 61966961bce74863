"""Migration 0006: a database with data gets the DEFAULT organisation owning every unit, plan and instance."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy import text

from engine.db import make_engine
from workflows.schema import alembic_config


def check_default_backfill(url: str) -> None:
    """Units and a plan stored at 0005 belong to DEFAULT after 0006; downgrading drops the table again."""
    config = alembic_config(url)
    command.upgrade(config, "0005")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO unit (code, name, kind, aliases) VALUES"
                " ('UB', 'Ủy ban nhân dân', 'ubnd', '[]'), ('PNV', 'Phòng Nội vụ', 'cqcm', '[]')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO plan (year, title, issuing_unit_code, content_hash, report, imported_at)"
                " VALUES (2024, 'Kế hoạch CCHC năm 2024', 'UB', 'x', '{}', '2024-01-02 00:00:00')"
            )
        )
    engine.dispose()
    command.upgrade(config, "0006")
    engine = make_engine(url)
    with engine.connect() as conn:
        organisations = conn.execute(text("SELECT code, name, kind FROM organisation")).all()
        units = dict(conn.execute(text("SELECT code, organisation_code FROM unit")).all())
        plans = conn.execute(text("SELECT organisation_code FROM plan")).scalars().all()
    engine.dispose()
    assert [tuple(r) for r in organisations] == [("DEFAULT", "Tổ chức mặc định", "other")]
    assert units == {"UB": "DEFAULT", "PNV": "DEFAULT"}
    assert plans == ["DEFAULT"]
    command.downgrade(config, "0005")  # and back: the columns and the table go
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM unit")).scalar() == 2
        assert not sa.inspect(conn).has_table("organisation")
    engine.dispose()


def test_existing_rows_move_to_the_default_organisation(tmp_path: Path) -> None:
    check_default_backfill(f"sqlite:///{tmp_path / 'orgs.db'}")


def test_an_empty_database_gets_no_organisation(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM organisation")).scalar() == 0
    engine.dispose()
