"""Rebuild the daily rollups from the raw tables, entirely in SQL.

Used after bulk loads (``demo seed``) and by ``flask stats rebuild`` to repair drift. Only
events of people with a commune are counted, exactly as ``rollup.count`` does, so that every
breakdown sums to its total."""
from sqlalchemy import text

from ..models.stats import COMMUNE, NATION, PROVINCE
from .rollup import COUNTERS

# counter -> (FROM ... , course expression, timestamp expression, province, commune,
#             condition); ``{day}`` in a condition is the timestamp's local day.
SOURCES = {
    "learners": ('"user" u', "''", "u.created_at", "u.province_code", "u.commune_code",
                 "u.role = 'learner'"),
    "enrolments": ("enrolment e", "e.course_slug", "e.enrolled_at", "e.province_code",
                   "e.commune_code", "1 = 1"),
    "completions": ("enrolment e", "e.course_slug", "e.completed_at", "e.province_code",
                    "e.commune_code", "e.completed_at IS NOT NULL"),
    "attempts": ('quizattempt a JOIN "user" u ON u.id = a.user_id', "a.course_slug",
                 "a.submitted_at", "u.province_code", "u.commune_code", "1 = 1"),
    "passes": ('quizattempt a JOIN "user" u ON u.id = a.user_id', "a.course_slug",
               "a.submitted_at", "u.province_code", "u.commune_code", "a.passed"),
    "certificates": ('certificate k JOIN "user" u ON u.id = k.user_id', "k.course_slug",
                     "k.issued_at", "u.province_code", "u.commune_code", "1 = 1"),
    "lessons": ('lessonprogress l JOIN "user" u ON u.id = l.user_id', "l.course_slug",
                "l.completed_at", "u.province_code", "u.commune_code", "1 = 1"),
    # A lesson done on the day of a venue session of its course that the learner attended
    # (``progress.attended_session``); attending two such sessions that day counts it once.
    "lessons_assisted": (
        "(SELECT DISTINCT va.user_id, vs.course_slug, vs.held_on FROM venueattendance va "
        "JOIN venuesession vs ON vs.id = va.session_id) s "
        "JOIN lessonprogress l ON l.user_id = s.user_id AND l.course_slug = s.course_slug "
        'JOIN "user" u ON u.id = l.user_id', "l.course_slug", "l.completed_at",
        "u.province_code", "u.commune_code", "{day} = s.held_on"),
    "trained": ("(SELECT user_id, MIN(completed_at) AS first_done, MIN(province_code) AS p, "
                "MIN(commune_code) AS c FROM enrolment WHERE completed_at IS NOT NULL "
                "GROUP BY user_id) t", "''", "t.first_done", "t.p", "t.c", "1 = 1"),
}


def day_expression(dialect, column):
    """The Vietnam-time calendar day of a stored UTC timestamp, in SQL."""
    if dialect == "postgresql":
        return f"CAST(({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh' AS DATE)"
    return f"date({column}, '+7 hours')"


def _upsert_counter(session, dialect, counter, source):
    table, course, moment, province, commune, condition = source
    day = day_expression(dialect, moment)
    condition = condition.format(day=day)
    # PostgreSQL refuses a constant in GROUP BY: the course-free counters' '' is left out.
    group = ", ".join(e for e in (commune, province, course, day) if e != "''")
    session.execute(text(f"""
        INSERT INTO stat_daily (level, unit_code, parent_code, course_slug, day, {_zeros()})
        SELECT {COMMUNE}, {commune}, {province}, {course}, {day}, {_counter_columns(counter)}
        FROM {table} WHERE {condition} AND {commune} IS NOT NULL AND {province} IS NOT NULL
        GROUP BY {group}
        ON CONFLICT (level, unit_code, course_slug, day)
        DO UPDATE SET {counter} = stat_daily.{counter} + excluded.{counter}"""))


def _zeros():
    return ", ".join(COUNTERS)


def _counter_columns(counter):
    return ", ".join("COUNT(*)" if c == counter else "0" for c in COUNTERS)


def _roll_up(session, level, parent_level_code):
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    session.execute(text(f"""
        INSERT INTO stat_daily (level, unit_code, parent_code, course_slug, day, {_zeros()})
        SELECT {level}, {'parent_code' if level == PROVINCE else '0'}, {parent_level_code},
               course_slug, day, {sums}
        FROM stat_daily WHERE level = {level + 1}
        GROUP BY {'parent_code, ' if level == PROVINCE else ''}course_slug, day"""))


def _totals(session):
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    session.execute(text("DELETE FROM stat_total"))
    session.execute(text(f"""
        INSERT INTO stat_total (level, unit_code, parent_code, course_slug, {_zeros()})
        SELECT level, unit_code, MIN(parent_code), course_slug, {sums}
        FROM stat_daily GROUP BY level, unit_code, course_slug"""))


def rebuild_rollups(*, session):
    """Replace every rollup row (daily and totals) with counts recomputed from the raw
    tables."""
    dialect = session.get_bind().dialect.name
    session.execute(text("DELETE FROM stat_daily"))
    for counter, source in SOURCES.items():
        _upsert_counter(session, dialect, counter, source)
    _roll_up(session, PROVINCE, 0)
    _roll_up(session, NATION, 0)
    _totals(session)
    session.flush()
