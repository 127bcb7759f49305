"""Counters per nation, province, commune and team, per day and in total, bumped in the
event's own transaction.

Every event is counted for the learner's commune, its province and the nation, and for each
team the learner is a member of (a team's parent is its commune). Teams count only their
members, so a commune's teams add up to at most the commune: people outside any team are
counted in the commune alone."""
from collections import Counter

from sqlalchemy import ARRAY, JSON, Integer, String, bindparam, func, true
from sqlmodel import select

from ..models import TeamMember
from ..models.stats import (COMMUNE, NATION, NATION_CODE, PROVINCE, TEAM, StatDaily,
                            StatTotal)
from ..clock import local_day
from ..prepared import prepare
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


_UPSERTS = {}  # (dialect, counters) -> the statements that count them, built once
TOTAL_KEYS = ["level", "unit_code", "course_slug"]  # a row's unit; a day's row: and the day
DAY_KEYS = [*TOTAL_KEYS, "day"]


def count(*, session, province_code, commune_code, course_slug="", when=None, team_ids=(),
          **increments):
    """Add ``increments`` (e.g. ``lessons=1``) to the counters of the learner's commune,
    province, the nation and the teams ``team_ids``, for the day and in the totals: two
    upserts (on PostgreSQL one statement), no read."""
    count_with(session=session, counters=counter_params(
        province_code=province_code, commune_code=commune_code, course_slug=course_slug,
        when=when, team_ids=team_ids, **increments))


def count_with(*, session, counters):
    """``count`` with its arguments made ``counters`` (``counter_params``; None counts
    nothing)."""
    if counters is None:
        return
    increments = counted(counters)
    key = (session.get_bind().dialect.name, increments)
    statements = _UPSERTS.get(key)
    if statements is None:
        day, total = counter_upserts(session, increments)
        # PostgreSQL runs both as one (the day's a writable CTE of the total's); SQLite has
        # no writable CTE.
        statements = (total.add_cte(day.cte("day_counters")),) \
            if key[0] == "postgresql" else (day, total)
        statements = _UPSERTS[key] = tuple(prepare(statement) for statement in statements)
    for statement in statements:
        run(session, statement, counters)


def counter_params(*, province_code, commune_code, course_slug="", when=None, team_ids=(),
                   **increments):
    """The bound values of ``counter_upserts`` for ``count``'s arguments (the units as three
    lists, the counters as ``k_<name>``), or None when nothing is to be counted: no
    increment, or someone outside any commune (only people of a commune are counted, so that
    every breakdown sums to its total). Raises ``ValueError`` for a counter that is not one,
    or that does not belong to (or needs) a course."""
    unknown = set(increments) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    increments = {k: v for k, v in increments.items() if v}
    misplaced = [c for c in increments if (c in COURSE_FREE) == bool(course_slug)]
    if misplaced:
        raise ValueError(f"counters {misplaced} do not belong to course {course_slug!r}")
    if not increments or commune_code is None or province_code is None:
        return None
    levels, codes, parents = zip(*_units(province_code, commune_code, team_ids))
    return dict(k_levels=list(levels), k_codes=list(codes), k_parents=list(parents),
                k_course_slug=course_slug or "", k_day=local_day(when),
                **{f"k_{c}": increments.get(c, 0) for c in COUNTERS})


def counted(params):
    """The names of the counters ``params`` (``counter_params``) adds to, sorted."""
    return tuple(c for c in COUNTERS if params[f"k_{c}"])


def _bound_units(session):
    """The units of ``counter_params`` as a table (level, unit_code, parent_code): on
    PostgreSQL its three arrays unnested, on SQLite its three JSON lists."""
    if session.get_bind().dialect.name == "postgresql":
        return func.unnest(*(bindparam(name, type_=ARRAY(Integer))
                             for name in ("k_levels", "k_codes", "k_parents"))) \
            .table_valued("level", "unit_code", "parent_code").render_derived("units")
    # The same three lists, bound as JSON (SQLite has no arrays), read side by side by index.
    levels, codes, parents = (
        func.json_each(bindparam(name, type_=JSON)).table_valued("key", "value").alias(alias)
        for name, alias in (("k_levels", "l"), ("k_codes", "c"), ("k_parents", "p")))
    return select(levels.c.value.label("level"), codes.c.value.label("unit_code"),
                  parents.c.value.label("parent_code")) \
        .join_from(levels, codes, codes.c.key == levels.c.key) \
        .join(parents, parents.c.key == levels.c.key).subquery("units")


def counter_upserts(session, increments, after=None):
    """The upserts of the day's and the total counters ``increments`` (names) of the units
    bound by ``counter_params``, one statement each whatever the number of units (on
    PostgreSQL to be run as one: the day's a writable CTE of the total's, or both CTEs of a
    third). With ``after`` (a CTE of an ``INSERT ... RETURNING``), they count only when it
    inserted a row."""
    units = _bound_units(session)
    counters = [bindparam(f"k_{c}", type_=Integer) for c in COUNTERS]
    names = ["level", "unit_code", "parent_code", "course_slug", *COUNTERS]

    def upsert(model, keys, *extra):
        rows = select(units.c.level, units.c.unit_code, units.c.parent_code,
                      bindparam("k_course_slug", type_=String), *counters,
                      *(bindparam(f"k_{name}", type_=model.__table__.c[name].type)
                        for name in extra))
        # (SQLite reads an upsert's SELECT without a WHERE as a join's ON.)
        rows = rows.where(true() if after is None else select(after).exists())
        insert = dialect_insert(session, model).from_select([*names, *extra], rows)
        return insert.on_conflict_do_update(index_elements=keys, set_={
            c: model.__table__.c[c] + insert.excluded[c] for c in increments})

    return upsert(StatDaily, DAY_KEYS, "day"), upsert(StatTotal, TOTAL_KEYS)


_COUNTED_INSERTS = {}  # (insert, counters, updates) -> the statement, built once


def counted_insert(*, session, insert, params, counters, updates=()):
    """PostgreSQL: ``insert`` (an ``INSERT ... RETURNING`` of one row, run with ``params``)
    and, only when it inserted its row, in the same statement, the ``counters``
    (``counter_params``, or None) and the ``updates`` (statements built once, bound by
    ``params`` too): the row's first returned column, or None. One statement is atomic on its
    own: it needs no transaction around it (``db.begin_writes(one_statement=True)``), so an
    event costs one round trip for all its writes."""
    increments = counted(counters) if counters else ()
    key = (insert, increments, tuple(updates))
    statement = _COUNTED_INSERTS.get(key)
    if statement is None:
        inserted = insert.cte("inserted")
        writes = [upsert.cte(f"counters_{n}") for n, upsert in
                  enumerate(counter_upserts(session, increments, after=inserted))
                  ] if increments else []
        writes += [update.where(select(inserted).exists()).cte(f"update_{n}")
                   for n, update in enumerate(updates)]
        statement = _COUNTED_INSERTS[key] = prepare(select(*inserted.c).add_cte(*writes))
    return run(session, statement, {**params, **(counters or {})}).scalar()


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
