"""accounts can be suspended by an administrator

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 22:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch copy of "user" would trip over the tables referring to it.
    op.add_column('user', sa.Column('suspended_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                    nullable=True))


def downgrade():
    op.drop_column('user', 'suspended_at')  # SQLite 3.35+ drops a column in place
