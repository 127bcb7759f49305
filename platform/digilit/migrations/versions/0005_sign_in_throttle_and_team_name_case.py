"""sign-in throttle counters; team names unique per commune regardless of letter case

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-22 08:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.Integer(), nullable=False),
    sa.Column('blocked_until', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scope', 'key', name='uq_throttle_scope_key')
    )
    op.create_index('uq_team_commune_lower_name', 'team',
                    ['commune_code', sa.text('lower(name)')], unique=True)


def downgrade():
    op.drop_index('uq_team_commune_lower_name', table_name='team')
    op.drop_table('throttle')
