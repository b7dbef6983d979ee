"""action list index: one covering index for list filters and BRAG counts

Replaces the single-column index on action.status, which is its first column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIST_COLUMNS = [
    'status',
    'due_date',
    'owner_id',
    'owner_rating',
    'last_update_at',
    'committee_id',
    'review_id',
    'number',
]


def upgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index('ix_action_list', LIST_COLUMNS, unique=False)
        batch_op.drop_index(batch_op.f('ix_action_status'))


def downgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_status'), ['status'], unique=False)
        batch_op.drop_index('ix_action_list')
