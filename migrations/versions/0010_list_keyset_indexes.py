"""list indexes at scale: the done view (completed_by), the open steps by deadline then id (keyset pages), an
organisation's instances newest first (issue #16, docs/benchmarks.md "A million steps")

Revision ID: 0010
Revises: 0007
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index("ix_human_task_completed_by", ["completed_by", "status"], unique=False)
        batch_op.drop_index("ix_human_task_due")
        batch_op.create_index("ix_human_task_due", ["status", "due_at", "id"], unique=False)
        batch_op.drop_index("ix_human_task_tenant_due")
        batch_op.create_index("ix_human_task_tenant_due", ["tenant", "status", "due_at", "id"], unique=False)
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.create_index("ix_instance_tenant_id", ["tenant", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_index("ix_instance_tenant_id")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_tenant_due")
        batch_op.create_index("ix_human_task_tenant_due", ["tenant", "status", "due_at"], unique=False)
        batch_op.drop_index("ix_human_task_due")
        batch_op.create_index("ix_human_task_due", ["status", "due_at"], unique=False)
        batch_op.drop_index("ix_human_task_completed_by")
