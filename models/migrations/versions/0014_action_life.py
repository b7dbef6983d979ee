"""action life: source link, evidence links, reopen reason, merged duplicates, org-file people

Revision ID: 0014_action_life
Revises: 0012_import_provenance
Create Date: 2026-12-01 11:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014_action_life'
down_revision: str | None = '0012_import_provenance'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_url', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('evidence_links', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reopen_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_action_duplicate_of_id_action'), 'action', ['duplicate_of_id'], ['id']
        )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('in_org_file', sa.Boolean(), server_default='0', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('in_org_file')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_action_duplicate_of_id_action'), type_='foreignkey')
        batch_op.drop_column('duplicate_of_id')
        batch_op.drop_column('reopen_reason')
        batch_op.drop_column('evidence_links')
        batch_op.drop_column('source_url')
