"""practice progress per learner; answers to lesson self-checks

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 21:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practiceprogress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('practice_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('course_version', sa.Integer(), nullable=False),
    sa.Column('step_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('completed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'course_slug', 'practice_slug', name='uq_practice_progress')
    )
    op.create_table('lessoncheckanswer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('lesson_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('check_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('choice_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'course_slug', 'lesson_slug', 'check_id',
                        name='uq_lesson_check_answer')
    )


def downgrade():
    op.drop_table('lessoncheckanswer')
    op.drop_table('practiceprogress')
