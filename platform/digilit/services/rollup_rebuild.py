"""Rebuild the rollups (daily rows and totals) from the raw tables, entirely in SQL.

Used after bulk loads (``demo seed``) and by ``flask stats rebuild`` to repair drift. Events
are counted exactly as ``rollup.count`` counts them: only people with a commune, for their
commune (then its province and the nation) and for each team they are a member of, so that
every breakdown sums to its total."""
from sqlalchemy import text

from ..models.stats import COMMUNE, NATION, PROVINCE, TEAM
from .rollup import COUNTERS

# counter -> (FROM ..., person, course, timestamp, province, commune, condition); ``{day}``
# in a condition is the timestamp's local day.
SOURCES = {
    "learners": ('"user" u', "u.id", "''", "u.created_at", "u.province_code", "u.commune_code",
                 "u.role = 'learner'"),
    "enrolments": ("enrolment e", "e.user_id", "e.course_slug", "e.enrolled_at",
                   "e.province_code", "e.commune_code", "1 = 1"),
    "completions": ("enrolment e", "e.user_id", "e.course_slug", "e.completed_at",
                    "e.province_code", "e.commune_code", "e.completed_at IS NOT NULL"),
    "attempts": ('quizattempt a JOIN "user" u ON u.id = a.user_id', "a.user_id",
                 "a.course_slug", "a.submitted_at", "u.province_code", "u.commune_code",
                 "1 = 1"),
    "passes": ('quizattempt a JOIN "user" u ON u.id = a.user_id', "a.user_id", "a.course_slug",
               "a.submitted_at", "u.province_code", "u.commune_code", "a.passed"),
    "certificates": ('certificate k JOIN "user" u ON u.id = k.user_id', "k.user_id",
                     "k.course_slug", "k.issued_at", "u.province_code", "u.commune_code",
                     "1 = 1"),
    "lessons": ('lessonprogress l JOIN "user" u ON u.id = l.user_id', "l.user_id",
                "l.course_slug", "l.completed_at", "u.province_code", "u.commune_code",
                "1 = 1"),
    # A lesson done on the day of a venue session of its course that the learner attended
    # (``standing.course_progress(for_lesson_on=...)``); attending two such sessions that
    # day counts it once.
    "lessons_assisted": (
        "(SELECT DISTINCT va.user_id, vs.course_slug, vs.held_on FROM venueattendance va "
        "JOIN venuesession vs ON vs.id = va.session_id) s "
        "JOIN lessonprogress l ON l.user_id = s.user_id AND l.course_slug = s.course_slug "
        'JOIN "user" u ON u.id = l.user_id', "l.user_id", "l.course_slug", "l.completed_at",
        "u.province_code", "u.commune_code", "{day} = s.held_on"),
    "trained": ("(SELECT user_id, MIN(completed_at) AS first_done, MIN(province_code) AS p, "
                "MIN(commune_code) AS c FROM enrolment WHERE completed_at IS NOT NULL "
                "GROUP BY user_id) t", "t.user_id", "''", "t.first_done", "t.p", "t.c",
                "1 = 1"),
}
TEAM_JOIN = " JOIN teammember tm ON tm.user_id = {person} JOIN team tt ON tt.id = tm.team_id"


def day_expression(dialect, column):
    """The Vietnam-time calendar day of a stored UTC timestamp, in SQL."""
    if dialect == "postgresql":
        return f"CAST(({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh' AS DATE)"
    return f"date({column}, '+7 hours')"


def _part(dialect, counter, source, teams, team_id=None):
    """One counter's rows of communes (or of teams; of one team with ``team_id``): ``c, p,
    s, d`` (unit, parent, course, day) and the counters, this one counted and the others 0."""
    table, person, course, moment, province, commune, condition = source
    day = day_expression(dialect, moment)
    unit, parent = (commune, province) if not teams else ("tm.team_id", "tt.commune_code")
    if teams:
        table += TEAM_JOIN.format(person=person)
    if team_id is not None:
        condition += f" AND tm.team_id = {int(team_id)}"
    # PostgreSQL refuses a constant in GROUP BY: the course-free counters' '' is left out.
    group = ", ".join(e for e in (unit, parent, course, day) if e != "''")
    counters = ", ".join(f"{'COUNT(*)' if c == counter else '0'} AS {c}" for c in COUNTERS)
    return f"""
        SELECT {unit} AS c, {parent} AS p, {course} AS s, {day} AS d, {counters}
        FROM {table} WHERE {condition.format(day=day)} AND {commune} IS NOT NULL
          AND {province} IS NOT NULL
        GROUP BY {group}"""


def _units(session, dialect, level):
    """Every commune's (or team's) rows in one insert: each counter aggregated on its own,
    then the parts added up per unit, course and day (no row is written twice)."""
    parts = " UNION ALL ".join(_part(dialect, counter, source, teams=level == TEAM)
                               for counter, source in SOURCES.items())
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    session.execute(text(f"""
        INSERT INTO stat_daily (level, unit_code, parent_code, course_slug, day, {_columns()})
        SELECT {level}, c, p, s, d, {sums} FROM ({parts}) parts GROUP BY c, p, s, d"""))


def _columns():
    return ", ".join(COUNTERS)


def _roll_up(session, level, parent_level_code):
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    session.execute(text(f"""
        INSERT INTO stat_daily (level, unit_code, parent_code, course_slug, day, {_columns()})
        SELECT {level}, {'parent_code' if level == PROVINCE else '0'}, {parent_level_code},
               course_slug, day, {sums}
        FROM stat_daily WHERE level = {level + 1}
        GROUP BY {'parent_code, ' if level == PROVINCE else ''}course_slug, day"""))


def _totals(session):
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    session.execute(text("DELETE FROM stat_total"))
    session.execute(text(f"""
        INSERT INTO stat_total (level, unit_code, parent_code, course_slug, {_columns()})
        SELECT level, unit_code, MIN(parent_code), course_slug, {sums}
        FROM stat_daily GROUP BY level, unit_code, course_slug"""))


def rebuild_rollups(*, session):
    """Replace every rollup row (daily and totals) with counts recomputed from the raw
    tables."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":  # room to aggregate millions of rows in memory, this time
        session.execute(text("SET LOCAL work_mem = '256MB'"))
    session.execute(text("DELETE FROM stat_daily"))
    _units(session, dialect, COMMUNE)
    _units(session, dialect, TEAM)
    _roll_up(session, PROVINCE, 0)
    _roll_up(session, NATION, 0)
    _totals(session)
    session.flush()


def rebuild_team(*, session, team_id):
    """Recount one team's rows (daily and totals) from the raw tables: a team's figures are
    its members' whole history, so a member who joins or leaves changes them all."""
    dialect = session.get_bind().dialect.name
    team_id = int(team_id)
    for table in ("stat_daily", "stat_total"):
        session.execute(text(f"DELETE FROM {table} WHERE level = {TEAM} AND unit_code = :t"),
                        {"t": team_id})
    parts = " UNION ALL ".join(_part(dialect, counter, source, teams=True, team_id=team_id)
                               for counter, source in SOURCES.items())
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    session.execute(text(f"""
        INSERT INTO stat_daily (level, unit_code, parent_code, course_slug, day, {_columns()})
        SELECT {TEAM}, c, p, s, d, {sums} FROM ({parts}) parts GROUP BY c, p, s, d"""))
    session.execute(text(f"""
        INSERT INTO stat_total (level, unit_code, parent_code, course_slug, {_columns()})
        SELECT level, unit_code, MIN(parent_code), course_slug, {sums}
        FROM stat_daily WHERE level = {TEAM} AND unit_code = :t
        GROUP BY level, unit_code, course_slug"""), {"t": team_id})
    session.flush()
