"""teams, members, pins, venue sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 07:33:05.423210
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('commune_code', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['commune.code'], ),
    sa.ForeignKeyConstraint(['province_code'], ['province.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('commune_code', 'name', name='uq_team_commune_name')
    )
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_province_code'), ['province_code'], unique=False)

    op.create_table('importbatch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    with op.batch_alter_table('importbatch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_importbatch_team_id'), ['team_id'], unique=False)

    op.create_table('teamleader',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id')
    )
    with op.batch_alter_table('teamleader', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teamleader_user_id'), ['user_id'], unique=False)

    op.create_table('teammember',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id')
    )
    with op.batch_alter_table('teammember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teammember_user_id'), ['user_id'], unique=False)

    op.create_table('venuesession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('course_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('venuesession', schema=None) as batch_op:
        batch_op.create_index('ix_venuesession_team_date', ['team_id', 'held_on'], unique=False)

    op.create_table('venueattendance',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['venuesession.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id')
    )
    with op.batch_alter_table('venueattendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venueattendance_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=15), nullable=True))
        batch_op.add_column(sa.Column('birth_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pin_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('pin_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint('uq_user_phone', ['phone'])



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        # WARNING: constraint name is None; this directive will fail as
        # rendered.  Add a name, or use a naming convention; see
        # https://alembic.sqlalchemy.org/en/latest/naming.html
        batch_op.drop_constraint('uq_user_phone', type_='unique')
        batch_op.drop_column('pin_expires_at')
        batch_op.drop_column('pin_hash')
        batch_op.drop_column('birth_year')
        batch_op.drop_column('phone')

    with op.batch_alter_table('venueattendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venueattendance_user_id'))

    op.drop_table('venueattendance')
    with op.batch_alter_table('venuesession', schema=None) as batch_op:
        batch_op.drop_index('ix_venuesession_team_date')

    op.drop_table('venuesession')
    with op.batch_alter_table('teammember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teammember_user_id'))

    op.drop_table('teammember')
    with op.batch_alter_table('teamleader', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teamleader_user_id'))

    op.drop_table('teamleader')
    with op.batch_alter_table('importbatch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_importbatch_team_id'))

    op.drop_table('importbatch')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_province_code'))
        batch_op.drop_index(batch_op.f('ix_team_commune_code'))

    op.drop_table('team')
