"""notifications and deadline classification

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_state", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("classified_at", engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("late_reason", sa.Text(), nullable=True))
        batch_op.create_index("ix_human_task_deadline_state", ["status", "deadline_state"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_user", ["username", "read_at", "id"], unique=False)

    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("email_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_email_outbox_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "deadline_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("old_due_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("new_due_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("extended_by", sa.String(length=100), nullable=False),
        sa.Column("extended_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deadline_extension", schema=None) as batch_op:
        batch_op.create_index("ix_deadline_extension_task", ["task_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deadline_extension", schema=None) as batch_op:
        batch_op.drop_index("ix_deadline_extension_task")
    op.drop_table("deadline_extension")
    with op.batch_alter_table("email_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_email_outbox_due")
    op.drop_table("email_outbox")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user")
    op.drop_table("notification")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_deadline_state")
        batch_op.drop_column("late_reason")
        batch_op.drop_column("escalation_level")
        batch_op.drop_column("classified_at")
        batch_op.drop_column("deadline_state")
