"""API tokens expire: existing tokens get 90 days from their creation

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 21:40:00
"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('apitoken', sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(),
                                        nullable=True))
    token = sa.table('apitoken', sa.column('id', sa.Integer()),
                     sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()),
                     sa.column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    connection = op.get_bind()
    for token_id, created in connection.execute(sa.select(token.c.id, token.c.created_at)):
        connection.execute(token.update().where(token.c.id == token_id)
                           .values(expires_at=created + timedelta(days=90)))


def downgrade():
    op.drop_column('apitoken', 'expires_at')  # SQLite 3.35+ drops a column in place
