"""identities at OpenID Connect providers (issuer and subject, unique); revoked certificates

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 21:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('external_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('issuer', 'subject', name='uq_external_identity_issuer_subject'),
    sa.UniqueConstraint('user_id', 'issuer', name='uq_external_identity_user_issuer')
    )
    op.create_index(op.f('ix_external_identity_user_id'), 'external_identity', ['user_id'],
                    unique=False)
    op.create_table('certificate_revocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('revoked_by', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('certificate_id')
    )


def downgrade():
    op.drop_table('certificate_revocation')
    op.drop_index(op.f('ix_external_identity_user_id'), table_name='external_identity')
    op.drop_table('external_identity')
