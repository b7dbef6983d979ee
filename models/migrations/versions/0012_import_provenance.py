"""import provenance: what a document said about each field of an action at its last import

Revision ID: 0012_import_provenance
Revises: 0003
Create Date: 2026-12-01 11:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.schema

revision: str = '0012_import_provenance'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'imported_value',
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=32), nullable=False),
        sa.Column('value', sa.Text(), nullable=True),
        sa.Column('imported_at', models.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ['action_id'],
            ['action.id'],
            name=op.f('fk_imported_value_action_id_action'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('action_id', 'field', name=op.f('pk_imported_value')),
    )


def downgrade() -> None:
    op.drop_table('imported_value')
