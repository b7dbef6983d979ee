"""measure and impact review: how the board will know an action worked, and when it is checked

Revision ID: 0016_measure_impact_review
Revises: 0013_event_notices
Create Date: 2026-12-01 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_measure_impact_review'
down_revision: str | None = '0013_event_notices'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measure', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('impact_review_on', sa.Date(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_action_impact_review_on'), ['impact_review_on'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_impact_review_on'))
        batch_op.drop_column('impact_review_on')
        batch_op.drop_column('measure')
