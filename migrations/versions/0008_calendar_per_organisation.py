"""calendar per organisation: an override per (organisation, day); plans no longer unique by title

``calendar_override`` gets a surrogate ``id``: one override per organisation and day
(``uq_calendar_override_organisation_day``) and one per day for every organisation (the partial unique index
``ix_calendar_override_shared_day`` on ``day`` where ``organisation_code`` IS NULL — a UNIQUE treats NULLs as
distinct). Existing rows are kept. ``plan`` drops ``uq_plan_identity`` (year, issuing unit, title): a plan is
identified by organisation, year and number since 0006, and two organisations may issue plans of the same title.

Downgrading keeps one override per day (the shared one, else the first organisation's by code) and restores
``uq_plan_identity`` (it fails while two plans share year, issuing unit and title).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "calendar_override"
SHARED = sa.text("organisation_code IS NULL")


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("organisation_code", sa.String(length=50), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
    ]


def _table() -> sa.TableClause:
    return sa.table(TABLE, *(sa.column(c.name, c.type) for c in _columns()))


def _read_rows() -> list[dict[str, Any]]:
    """Every override (a handful per organisation and year): the table is rebuilt around a new key."""
    table = _table()
    return [dict(row._mapping) for row in op.get_bind().execute(sa.select(table).order_by(table.c.day))]


def _write_rows(rows: list[dict[str, Any]]) -> None:
    if rows:
        op.bulk_insert(_table(), rows)


def upgrade() -> None:
    rows = _read_rows()
    op.drop_index("ix_calendar_override_organisation_code", table_name=TABLE)
    op.drop_table(TABLE)
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        *_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_code", "day", name="uq_calendar_override_organisation_day"),
    )
    op.create_index(
        "ix_calendar_override_shared_day", TABLE, ["day"], unique=True, sqlite_where=SHARED, postgresql_where=SHARED
    )
    _write_rows(rows)
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint("uq_plan_identity", type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_plan_identity", ["year", "issuing_unit_code", "title"])
    kept: dict[Any, dict[str, Any]] = {}
    for row in sorted(_read_rows(), key=lambda r: (r["organisation_code"] is not None, r["organisation_code"] or "")):
        kept.setdefault(row["day"], row)  # the shared override of a day first, else the first organisation's
    op.drop_index("ix_calendar_override_shared_day", table_name=TABLE)
    op.drop_table(TABLE)
    op.create_table(TABLE, *_columns(), sa.PrimaryKeyConstraint("day"))
    op.create_index("ix_calendar_override_organisation_code", TABLE, ["organisation_code"], unique=False)
    _write_rows(sorted(kept.values(), key=lambda r: r["day"]))
