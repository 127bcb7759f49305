"""a learner's attempts at a course found newest first through the index

The pause after two failed attempts, the quiz form's next draw and the pages that list the
latest attempts read a learner's newest attempts at a course. Ordered by the index, that
read takes the newest rows; ordered after it, it read and sorted every attempt the learner
ever made (a cost that grew with their history).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 09:00:00
"""
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quizattempt') as batch:
        batch.drop_index('ix_attempt_user_course')
        batch.create_index('ix_attempt_user_course_time',
                           ['user_id', 'course_slug', 'submitted_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('quizattempt') as batch:
        batch.drop_index('ix_attempt_user_course_time')
        batch.create_index('ix_attempt_user_course', ['user_id', 'course_slug'], unique=False)
