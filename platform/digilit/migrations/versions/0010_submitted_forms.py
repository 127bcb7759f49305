"""forms that create something are claimed once: a double submit creates one account

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 21:50:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submittedform',
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token')
    )
    op.create_index('ix_submittedform_user_id', 'submittedform', ['user_id'], unique=False)


def downgrade():
    op.drop_index('ix_submittedform_user_id', table_name='submittedform')
    op.drop_table('submittedform')
