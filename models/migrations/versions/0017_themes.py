"""themes: the taxonomy, the themes findings and actions carry, and what was last scanned

A theme on a finding or action is suggested (from its text, with the words that made it),
confirmed or removed (by a person).

Revision ID: 0017_themes
Revises: 0015_slack_deliveries
Create Date: 2026-12-01 11:10:21.159271
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.schema


revision: str = '0017_themes'
down_revision: str | None = '0015_slack_deliveries'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme')),
    sa.UniqueConstraint('code', name=op.f('uq_theme_code'))
    )
    op.create_table('theme_scan',
    sa.Column('kind', sa.String(length=1), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=40), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'item_id', name=op.f('pk_theme_scan'))
    )
    op.create_table('action_theme',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('suggested', 'confirmed', 'removed', name='theme_state', native_enum=False, length=20), nullable=False),
    sa.Column('words', sa.Text(), nullable=True),
    sa.Column('by_label', sa.String(length=200), nullable=True),
    sa.Column('at', models.schema.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_theme_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_action_theme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'theme_id', name=op.f('pk_action_theme'))
    )
    with op.batch_alter_table('action_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_theme_theme_id'), ['theme_id'], unique=False)

    op.create_table('finding_theme',
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('suggested', 'confirmed', 'removed', name='theme_state', native_enum=False, length=20), nullable=False),
    sa.Column('words', sa.Text(), nullable=True),
    sa.Column('by_label', sa.String(length=200), nullable=True),
    sa.Column('at', models.schema.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_theme_finding_id_finding'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_finding_theme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('finding_id', 'theme_id', name=op.f('pk_finding_theme'))
    )
    with op.batch_alter_table('finding_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_theme_theme_id'), ['theme_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('finding_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_theme_theme_id'))

    op.drop_table('finding_theme')
    with op.batch_alter_table('action_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_theme_theme_id'))

    op.drop_table('action_theme')
    op.drop_table('theme_scan')
    op.drop_table('theme')
