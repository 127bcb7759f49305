"""statistics: all-time totals beside the daily rollups, and rollups per team

A dashboard without dates (the default) then adds up a few rows per unit, however long the
campaign has run: a province's breakdown reads its communes' totals, not 183 days of them.
Teams get rollup rows too (level 3, their commune as parent), so that a commune's breakdown
and a team's page are sums over a few rows like every other level, not aggregates over the
members' progress. The team rows are computed here from the raw tables (SQL frozen in this
file), then the totals from ``stat_daily``: an existing installation keeps its figures.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 08:20:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

COUNTERS = ('learners', 'trained', 'enrolments', 'completions', 'attempts', 'passes',
            'certificates', 'lessons', 'lessons_assisted')
TEAM = 3
# counter -> (FROM ..., person, course, timestamp, condition), as counted in 0006.
SOURCES = {
    'learners': ('"user" u', 'u.id', "''", 'u.created_at', "u.role = 'learner'"),
    'enrolments': ('enrolment e', 'e.user_id', 'e.course_slug', 'e.enrolled_at', '1 = 1'),
    'completions': ('enrolment e', 'e.user_id', 'e.course_slug', 'e.completed_at',
                    'e.completed_at IS NOT NULL'),
    'attempts': ('quizattempt a', 'a.user_id', 'a.course_slug', 'a.submitted_at', '1 = 1'),
    'passes': ('quizattempt a', 'a.user_id', 'a.course_slug', 'a.submitted_at', 'a.passed'),
    'certificates': ('certificate k', 'k.user_id', 'k.course_slug', 'k.issued_at', '1 = 1'),
    'lessons': ('lessonprogress l', 'l.user_id', 'l.course_slug', 'l.completed_at', '1 = 1'),
    'lessons_assisted': (
        '(SELECT DISTINCT va.user_id, vs.course_slug, vs.held_on FROM venueattendance va '
        'JOIN venuesession vs ON vs.id = va.session_id) s JOIN lessonprogress l ON '
        'l.user_id = s.user_id AND l.course_slug = s.course_slug', 'l.user_id',
        'l.course_slug', 'l.completed_at', '{day} = s.held_on'),
    'trained': ('(SELECT user_id, MIN(completed_at) AS first_done FROM enrolment '
                'WHERE completed_at IS NOT NULL GROUP BY user_id) t', 't.user_id', "''",
                't.first_done', '1 = 1'),
}


def _day(dialect, column):
    if dialect == 'postgresql':
        return f"CAST(({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh' AS DATE)"
    return f"date({column}, '+7 hours')"


def _team_part(dialect, counter, source):
    table, person, course, moment, condition = source
    day = _day(dialect, moment)
    group = ', '.join(e for e in ('tm.team_id', 'tt.commune_code', course, day) if e != "''")
    counters = ', '.join(f"{'COUNT(*)' if c == counter else '0'} AS {c}" for c in COUNTERS)
    return f"""
        SELECT tm.team_id AS c, tt.commune_code AS p, {course} AS s, {day} AS d, {counters}
        FROM {table} JOIN teammember tm ON tm.user_id = {person}
        JOIN team tt ON tt.id = tm.team_id JOIN "user" pu ON pu.id = {person}
        WHERE {condition.format(day=day)} AND pu.commune_code IS NOT NULL
          AND pu.province_code IS NOT NULL
        GROUP BY {group}"""


def upgrade():
    op.create_table('stat_total',
    sa.Column('learners', sa.Integer(), nullable=False),
    sa.Column('trained', sa.Integer(), nullable=False),
    sa.Column('enrolments', sa.Integer(), nullable=False),
    sa.Column('completions', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('passes', sa.Integer(), nullable=False),
    sa.Column('certificates', sa.Integer(), nullable=False),
    sa.Column('lessons', sa.Integer(), nullable=False),
    sa.Column('lessons_assisted', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.Integer(), nullable=False),
    sa.Column('parent_code', sa.Integer(), nullable=False),
    sa.Column('course_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('level', 'unit_code', 'course_slug', name='uq_stat_total')
    )
    with op.batch_alter_table('stat_total', schema=None) as batch_op:
        batch_op.create_index('ix_stat_total_parent', ['level', 'parent_code', 'unit_code'],
                              unique=False)
    columns = ', '.join(COUNTERS)
    sums = ', '.join(f'SUM({c})' for c in COUNTERS)
    dialect = op.get_bind().dialect.name
    parts = ' UNION ALL '.join(_team_part(dialect, c, s) for c, s in SOURCES.items())
    op.execute(f"DELETE FROM stat_daily WHERE level = {TEAM}")
    op.execute(f"""
        INSERT INTO stat_daily (level, unit_code, parent_code, course_slug, day, {columns})
        SELECT {TEAM}, c, p, s, d, {sums} FROM ({parts}) parts GROUP BY c, p, s, d""")
    op.execute(f"""
        INSERT INTO stat_total (level, unit_code, parent_code, course_slug, {columns})
        SELECT level, unit_code, MIN(parent_code), course_slug, {sums}
        FROM stat_daily GROUP BY level, unit_code, course_slug""")


def downgrade():
    op.execute(f"DELETE FROM stat_daily WHERE level = {TEAM}")
    with op.batch_alter_table('stat_total', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_total_parent')

    op.drop_table('stat_total')
