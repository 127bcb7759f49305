"""Counters per nation, province, commune and team, per day and in total, bumped in the
event's own transaction.

Every event is counted for the learner's commune, its province and the nation, and for each
team the learner is a member of (a team's parent is its commune). Teams count only their
members, so a commune's teams add up to at most the commune: people outside any team are
counted in the commune alone."""
from collections import Counter

from sqlalchemy import bindparam
from sqlmodel import select

from ..models import TeamMember
from ..models.stats import (COMMUNE, NATION, NATION_CODE, PROVINCE, TEAM, StatDaily,
                            StatTotal)
from ..clock import local_day
from .db_helpers import dialect_insert, run

COUNTERS = ("learners", "trained", "enrolments", "completions", "attempts", "passes",
            "certificates", "lessons", "lessons_assisted")
# Counted once per person, in the rows of course_slug ''; every other counter belongs to a
# course's rows. Summing every row of a unit therefore gives each figure once.
COURSE_FREE = ("learners", "trained")



def _units(province_code, commune_code, team_ids):
    yield NATION, NATION_CODE, NATION_CODE
    yield PROVINCE, province_code, NATION_CODE
    yield COMMUNE, commune_code, province_code
    for team_id in sorted(set(team_ids)):
        yield TEAM, team_id, commune_code


_UPSERTS = {}  # (dialect, model, counters) -> the statement, built once
TOTAL_KEYS = ["level", "unit_code", "course_slug"]  # a row's unit; a day's row: and the day
DAY_KEYS = [*TOTAL_KEYS, "day"]


def _upsert(session, model, rows, keys, increments):
    """Add the rows' counters to the rows already there (one statement, run for each row:
    compiled once, where rows written into the statement would be compiled every time)."""
    dialect = session.get_bind().dialect.name
    key = (dialect, model, tuple(keys), tuple(sorted(increments)))
    statement = _UPSERTS.get(key)
    if statement is None:
        insert, columns = dialect_insert(session, model), model.__table__.c
        statement = _UPSERTS[key] = insert.on_conflict_do_update(
            index_elements=keys, set_={c: columns[c] + insert.excluded[c] for c in increments})
    run(session, statement, rows)


def count(*, session, province_code, commune_code, course_slug="", when=None, team_ids=(),
          **increments):
    """Add ``increments`` (e.g. ``lessons=1``) to the counters of the learner's commune,
    province, the nation and the teams ``team_ids``, for the day and in the totals: two
    upserts, no read."""
    unknown = set(increments) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    increments = {k: v for k, v in increments.items() if v}
    misplaced = [c for c in increments if (c in COURSE_FREE) == bool(course_slug)]
    if misplaced:
        raise ValueError(f"counters {misplaced} do not belong to course {course_slug!r}")
    # Only people of a commune are counted, so that every breakdown sums to its total.
    if not increments or commune_code is None or province_code is None:
        return
    totals = [dict(level=level, unit_code=code, parent_code=parent, course_slug=course_slug or "",
                   **{c: increments.get(c, 0) for c in COUNTERS})
              for level, code, parent in _units(province_code, commune_code, team_ids)]
    days = [dict(row, day=local_day(when)) for row in totals]
    if session.get_bind().dialect.name == "postgresql":
        _upsert_together(session, days, increments)
        return
    _upsert(session, StatDaily, days, DAY_KEYS, increments)
    _upsert(session, StatTotal, totals, TOTAL_KEYS, increments)


def _upsert_together(session, rows, increments):
    """PostgreSQL: each unit's counters of the day and in total in one statement (the day's
    upsert a writable CTE of the total's), so that an event costs one round trip to the
    server for its counters, not two."""
    key = ("together", tuple(sorted(increments)))
    statement = _UPSERTS.get(key)
    if statement is None:
        names = ["level", "unit_code", "parent_code", "course_slug", *COUNTERS]

        def upsert(model, columns, keys):
            insert = dialect_insert(session, model).values(
                {name: bindparam(f"k_{name}") for name in columns})
            return insert.on_conflict_do_update(index_elements=keys, set_={
                c: model.__table__.c[c] + insert.excluded[c] for c in increments})

        day = upsert(StatDaily, [*names, "day"], DAY_KEYS).cte("day_counters")
        statement = _UPSERTS[key] = upsert(StatTotal, names, TOTAL_KEYS).add_cte(day)
    run(session, statement, [{f"k_{name}": value for name, value in row.items()}
                             for row in rows])


_TEAMS_OF_ONE = select(TeamMember.team_id).where(TeamMember.user_id == bindparam("user_id"))


def teams_of_one(*, session, user_id):
    """The ids of the teams one person is a member of, sorted (a statement built once: every
    lesson done and quiz passed asks)."""
    return tuple(sorted(run(session, _TEAMS_OF_ONE, {"user_id": user_id}).scalars()))


def teams_of(*, session, user_ids):
    """``{user id: (team ids)}`` of the teams these people are members of."""
    found = {}
    user_ids = list(user_ids)
    for start in range(0, len(user_ids), 500):
        for user_id, team_id in session.exec(select(TeamMember.user_id, TeamMember.team_id)
                                             .where(TeamMember.user_id.in_(
                                                 user_ids[start:start + 500]))):
            found.setdefault(user_id, []).append(team_id)
    return {user_id: tuple(sorted(teams)) for user_id, teams in found.items()}


def count_for_user(*, session, user, **kwargs):
    """Count an event of ``user`` for their commune, province, the nation and their teams."""
    team_ids = teams_of_one(session=session, user_id=user.id) if user.id is not None else ()
    count(session=session, province_code=user.province_code, commune_code=user.commune_code,
          team_ids=team_ids, **kwargs)


def count_for_users(*, session, users, **increments):
    """``increments`` for each of ``users`` (e.g. ``enrolments=1``), one upsert per group of
    people with the same commune and teams rather than one per person."""
    users = list(users)
    memberships = teams_of(session=session, user_ids=[u.id for u in users])
    groups = Counter((u.province_code, u.commune_code, memberships.get(u.id, ()))
                     for u in users)
    course_slug = increments.pop("course_slug", "")
    for (province_code, commune_code, team_ids), n in groups.items():
        count(session=session, province_code=province_code, commune_code=commune_code,
              course_slug=course_slug, team_ids=team_ids,
              **{name: value * n for name, value in increments.items()})
