"""organisations: the tenants that own units, plans and calendar overrides; instances and steps carry a tenant

Adds the ``organisation`` table, ``unit.organisation_code`` and ``plan.organisation_code`` (NOT NULL, indexed;
a plan is identified by organisation, year and number), ``calendar_override.organisation_code`` (NULL = every
organisation) and ``tenant`` on ``process_instance`` and ``human_task``. A database that already holds units,
plans or instances gets one organisation, "DEFAULT" ("Tổ chức mặc định"), owning all of them.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_CODE = "DEFAULT"
DEFAULT_NAME = "Tổ chức mặc định"


def _backfill() -> None:
    """Existing rows belong to the DEFAULT organisation (created only when there are rows)."""
    bind = op.get_bind()
    has_rows = any(
        bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None
        for table in ("unit", "plan", "process_instance")
    )
    if not has_rows:
        return
    organisation = sa.table(
        "organisation",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("kind", sa.String),
        sa.column("aliases", sa.JSON),
        sa.column("created_at", engine.db.UTCDateTime(timezone=True)),
    )
    bind.execute(
        organisation.insert().values(
            code=DEFAULT_CODE, name=DEFAULT_NAME, kind="other", aliases=[], created_at=datetime.now(UTC)
        )
    )
    params = {"code": DEFAULT_CODE}
    bind.execute(sa.text("UPDATE unit SET organisation_code = :code"), params)
    bind.execute(sa.text("UPDATE plan SET organisation_code = :code"), params)
    bind.execute(sa.text("UPDATE process_instance SET tenant = :code"), params)
    bind.execute(sa.text("UPDATE human_task SET tenant = :code"), params)


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("parent_code", sa.String(length=50), nullable=True),
        sa.Column("issuing_body", sa.String(length=300), nullable=True),
        sa.Column("parent_body", sa.String(length=300), nullable=True),
        sa.Column("place_name", sa.String(length=100), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("successor_code", sa.String(length=50), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_code"], ["organisation.code"]),
        sa.ForeignKeyConstraint(["successor_code"], ["organisation.code"]),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("calendar_override", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_code", sa.String(length=50), nullable=True))
        batch_op.create_index("ix_calendar_override_organisation_code", ["organisation_code"], unique=False)
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenant", sa.String(length=50), nullable=True))
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenant", sa.String(length=50), nullable=True))
    for table in ("unit", "plan"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("organisation_code", sa.String(length=50), nullable=True))

    _backfill()

    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.create_index("ix_instance_tenant_updated", ["tenant", "updated_at", "id"], unique=False)
        batch_op.create_index("ix_process_instance_tenant", ["tenant"], unique=False)
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_human_task_tenant_candidates", ["tenant", "status", "role", "unit_code"], unique=False
        )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.alter_column("organisation_code", existing_type=sa.String(length=50), nullable=False)
        batch_op.create_index("ix_unit_organisation_code", ["organisation_code"], unique=False)
        batch_op.create_foreign_key("fk_unit_organisation", "organisation", ["organisation_code"], ["code"])
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.alter_column("organisation_code", existing_type=sa.String(length=50), nullable=False)
        batch_op.create_index("ix_plan_organisation_code", ["organisation_code"], unique=False)
        batch_op.create_unique_constraint("uq_plan_organisation_year_number", ["organisation_code", "year", "number"])
        batch_op.create_foreign_key("fk_plan_organisation", "organisation", ["organisation_code"], ["code"])


def downgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint("fk_plan_organisation", type_="foreignkey")
        batch_op.drop_constraint("uq_plan_organisation_year_number", type_="unique")
        batch_op.drop_index("ix_plan_organisation_code")
        batch_op.drop_column("organisation_code")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_constraint("fk_unit_organisation", type_="foreignkey")
        batch_op.drop_index("ix_unit_organisation_code")
        batch_op.drop_column("organisation_code")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_tenant_candidates")
        batch_op.drop_column("tenant")
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_index("ix_process_instance_tenant")
        batch_op.drop_index("ix_instance_tenant_updated")
        batch_op.drop_column("tenant")
    with op.batch_alter_table("calendar_override", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_override_organisation_code")
        batch_op.drop_column("organisation_code")
    op.drop_table("organisation")
