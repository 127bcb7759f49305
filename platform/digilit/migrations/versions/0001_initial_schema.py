"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 07:27:55.385991
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('province',
    sa.Column('code', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('codename', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('commune',
    sa.Column('code', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('codename', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('division_type', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.ForeignKeyConstraint(['province_code'], ['province.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('commune', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commune_province_code'), ['province_code'], unique=False)

    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=True),
    sa.Column('commune_code', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['commune.code'], ),
    sa.ForeignKeyConstraint(['province_code'], ['province.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_province_code'), ['province_code'], unique=False)

    op.create_table('enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=True),
    sa.Column('commune_code', sa.Integer(), nullable=True),
    sa.Column('enrolled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_activity_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('completed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_code'], ['commune.code'], ),
    sa.ForeignKeyConstraint(['province_code'], ['province.code'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'course_slug', name='uq_enrolment_user_course')
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index('ix_enrolment_course_completed', ['course_slug', 'completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_user_id'), ['user_id'], unique=False)

    op.create_table('lessonprogress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('lesson_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('completed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'course_slug', 'lesson_slug', name='uq_progress_lesson')
    )
    op.create_table('quizattempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('course_version', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    with op.batch_alter_table('quizattempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_user_course', ['user_id', 'course_slug'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quizattempt.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('user_id', 'course_slug', name='uq_certificate_user_course')
    )


def downgrade():
    op.drop_table('certificate')
    with op.batch_alter_table('quizattempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_user_course')

    op.drop_table('quizattempt')
    op.drop_table('lessonprogress')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_user_id'))
        batch_op.drop_index(batch_op.f('ix_enrolment_province_code'))
        batch_op.drop_index('ix_enrolment_course_completed')
        batch_op.drop_index(batch_op.f('ix_enrolment_commune_code'))

    op.drop_table('enrolment')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_province_code'))
        batch_op.drop_index(batch_op.f('ix_user_commune_code'))

    op.drop_table('user')
    with op.batch_alter_table('commune', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_province_code'))

    op.drop_table('commune')
    op.drop_table('province')
