"""criteria sets: an organisation's own bộ tiêu chí Chỉ số CCHC (NULL organisation = shared by every one)

Revision ID: 0009
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "criteria_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_code", sa.String(length=50), nullable=True),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_kind", sa.String(length=30), nullable=False),
        sa.Column("tree", sa.JSON(), nullable=False),
        sa.Column("max_points", sa.Numeric(precision=10, scale=2, asdecimal=False), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_code"], ["organisation.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_code", "code", "year", name="uq_criteria_set_organisation_code_year"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("criteria_set", schema=None) as batch_op:
        batch_op.create_index("ix_criteria_set_organisation_code", ["organisation_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("criteria_set", schema=None) as batch_op:
        batch_op.drop_index("ix_criteria_set_organisation_code")
    op.drop_table("criteria_set")
