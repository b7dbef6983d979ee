"""slack deliveries: keys of deliveries already taken, so Slack's retries do nothing twice

Revision ID: 0015_slack_deliveries
Revises: 0014_action_life
Create Date: 2026-12-01 11:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.schema

revision: str = '0015_slack_deliveries'
down_revision: str | None = '0014_action_life'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'slack_delivery',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('taken_at', models.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_slack_delivery')),
    )
    with op.batch_alter_table('slack_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_delivery_taken_at'), ['taken_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slack_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_delivery_taken_at'))
    op.drop_table('slack_delivery')
