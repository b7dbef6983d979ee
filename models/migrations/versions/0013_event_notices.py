"""event notices: each person's choice of how they hear, and owners' date requests

Revision ID: 0013_event_notices
Revises: 0017_themes
Create Date: 2026-12-01 11:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.schema

revision: str = '0013_event_notices'
down_revision: str | None = '0017_themes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_mode', sa.String(length=16), nullable=True))
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('requested_due_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('requested_due_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                'requested_due_at', models.schema.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_action_requested_due_by_id_person'),
            'person',
            ['requested_due_by_id'],
            ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_action_requested_due_by_id_person'), type_='foreignkey'
        )
        batch_op.drop_column('requested_due_at')
        batch_op.drop_column('requested_due_by_id')
        batch_op.drop_column('requested_due_reason')
        batch_op.drop_column('requested_due_date')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('notice_mode')
