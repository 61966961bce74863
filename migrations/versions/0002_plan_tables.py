"""plan tables

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("issuing_unit_code", sa.String(length=50), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=True),
        sa.Column("imported_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuing_unit_code"],
            ["unit.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "issuing_unit_code", "title", name="uq_plan_identity"),
    )
    op.create_table(
        "plan_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_plan_area_plan_id"), "plan_area", ["plan_id"], unique=False)
    op.create_table(
        "plan_objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("lead_units", sa.JSON(), nullable=False),
        sa.Column("coordinating_units", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["plan_area.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_plan_objective_area_id"), "plan_objective", ["area_id"], unique=False)
    op.create_table(
        "plan_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("lead_units", sa.JSON(), nullable=False),
        sa.Column("coordinating_units", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["objective_id"], ["plan_objective.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["plan_task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_plan_task_objective_id"), "plan_task", ["objective_id"], unique=False)
    op.create_table(
        "plan_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("output_text", sa.Text(), nullable=False),
        sa.Column("output_kinds", sa.JSON(), nullable=False),
        sa.Column("lead_text", sa.Text(), nullable=False),
        sa.Column("lead_units", sa.JSON(), nullable=False),
        sa.Column("coordinating_text", sa.Text(), nullable=False),
        sa.Column("coordinating_units", sa.JSON(), nullable=False),
        sa.Column("time_text", sa.Text(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("budget_text", sa.Text(), nullable=False),
        sa.Column("activity_type", sa.String(length=40), nullable=False),
        sa.Column("activity_type_source", sa.String(length=20), nullable=False),
        sa.Column("type_rule", sa.String(length=200), nullable=True),
        sa.Column("manual_due", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["plan_area.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["plan_task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_activity_plan_area", "plan_activity", ["plan_id", "area_id"], unique=False)
    op.create_table(
        "plan_occurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=50), nullable=False),
        sa.Column("period", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("planned_due", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("launched_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["activity_id"], ["plan_activity.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"],
            ["unit.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", "unit_code", "period", name="uq_occurrence"),
    )
    op.create_index("ix_occurrence_due", "plan_occurrence", ["due_date"], unique=False)
    op.create_index(op.f("ix_plan_occurrence_activity_id"), "plan_occurrence", ["activity_id"], unique=False)
    op.create_index(op.f("ix_plan_occurrence_instance_id"), "plan_occurrence", ["instance_id"], unique=False)
    op.create_index(op.f("ix_plan_occurrence_unit_code"), "plan_occurrence", ["unit_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_occurrence_unit_code"), table_name="plan_occurrence")
    op.drop_index(op.f("ix_plan_occurrence_instance_id"), table_name="plan_occurrence")
    op.drop_index(op.f("ix_plan_occurrence_activity_id"), table_name="plan_occurrence")
    op.drop_index("ix_occurrence_due", table_name="plan_occurrence")
    op.drop_table("plan_occurrence")
    op.drop_index("ix_plan_activity_plan_area", table_name="plan_activity")
    op.drop_table("plan_activity")
    op.drop_index(op.f("ix_plan_task_objective_id"), table_name="plan_task")
    op.drop_table("plan_task")
    op.drop_index(op.f("ix_plan_objective_area_id"), table_name="plan_objective")
    op.drop_table("plan_objective")
    op.drop_index(op.f("ix_plan_area_plan_id"), table_name="plan_area")
    op.drop_table("plan_area")
    op.drop_table("plan")
