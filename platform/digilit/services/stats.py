"""Figures for an area: headline, breakdown one level down, per course, weekly trend.

Nation, province and commune figures are sums over the ``stat_daily`` rollups (a few hundred
rows whatever the population); a team's come from aggregates over its members' rows."""
from datetime import date, timedelta

from flask import abort
from sqlalchemy import func
from sqlmodel import select

from ..models import Commune, Province, Role, Team
from ..models.stats import COMMUNE, NATION, NATION_CODE, PROVINCE, TEAM, StatDaily, Target
from . import team_stats
from .figures import COURSE_FREE, Figures, Filters, Unit, utc_bounds  # noqa: F401
from .rollup import COUNTERS, local_day
from .scope import scope_for

NATION_UNIT = Unit(NATION, NATION_CODE, "Việt Nam")


def resolve_unit(*, session, user, province=None, commune=None, team=None):
    """The unit asked for, if it lies in ``user``'s area; a 404 otherwise. No argument: the
    user's own area."""
    scope = scope_for(user)
    if scope.role not in (Role.national_admin, Role.province_admin, Role.commune_admin):
        abort(404)
    if team is not None:
        row = session.exec(select(Team).where(Team.id == team, scope.teams())).first()
        return Unit(TEAM, row.id, row.name, row.province_code, row.commune_code) if row \
            else abort(404)
    if commune is None and scope.role == Role.commune_admin:
        commune = scope.commune_code
    if commune is not None:
        row = session.get(Commune, commune)
        if row is None or not scope.covers_commune(row.code, row.province_code):
            abort(404)
        return Unit(COMMUNE, row.code, row.name, row.province_code, row.code)
    if province is None and scope.role == Role.province_admin:
        province = scope.province_code
    if province is not None:
        row = session.get(Province, province)
        allowed = scope.role == Role.national_admin or (
            scope.role == Role.province_admin and province == scope.province_code)
        if row is None or not allowed:
            abort(404)
        return Unit(PROVINCE, row.code, row.name, row.code)
    return NATION_UNIT


def _rollup_filter(query, filters):
    if filters.date_from:
        query = query.where(StatDaily.day >= filters.date_from)
    if filters.date_to:
        query = query.where(StatDaily.day <= filters.date_to)
    return query


def _sums():
    return [func.coalesce(func.sum(getattr(StatDaily, c)), 0) for c in COUNTERS]


def _merge(course_rows, free_rows):
    figures = Figures()
    for name, value in zip(COUNTERS, course_rows or ()):
        if name not in COURSE_FREE:
            figures.counts[name] = int(value or 0)
    for name, value in zip(COUNTERS, free_rows or ()):
        if name in COURSE_FREE:
            figures.counts[name] = int(value or 0)
    return figures


def _course_condition(filters):
    if filters.course:
        return StatDaily.course_slug == filters.course
    return StatDaily.course_slug != ""


def headline(*, session, unit, filters):
    """The unit's figures over the filters."""
    if unit.level == TEAM:
        return team_stats.headline(session=session, team_id=unit.code, filters=filters)
    base = lambda: _rollup_filter(select(*_sums()).where(  # noqa: E731
        StatDaily.level == unit.level, StatDaily.unit_code == unit.code), filters)
    course_rows = session.exec(base().where(_course_condition(filters))).one()
    free_rows = session.exec(base().where(StatDaily.course_slug == "")).one()
    return _merge(course_rows, free_rows)


def breakdown(*, session, unit, filters):
    """``[(child Unit, Figures)]`` one level down, every child listed, even with no figures."""
    if unit.level == COMMUNE:
        return team_stats.breakdown(session=session, commune_code=unit.code, filters=filters)
    if unit.level == TEAM:
        return []
    children = _children(session, unit)
    level = unit.level + 1
    grouped = lambda condition: {  # noqa: E731
        row[0]: row[1:] for row in session.exec(_rollup_filter(
            select(StatDaily.unit_code, *_sums()).where(
                StatDaily.level == level, StatDaily.parent_code == unit.code, condition),
            filters).group_by(StatDaily.unit_code)).all()}
    course_rows = grouped(_course_condition(filters))
    free_rows = grouped(StatDaily.course_slug == "")
    return [(child, _merge(course_rows.get(child.code), free_rows.get(child.code)))
            for child in children]


def _children(session, unit):
    if unit.level == NATION:
        return [Unit(PROVINCE, p.code, p.name, p.code)
                for p in session.exec(select(Province).order_by(Province.name))]
    return [Unit(COMMUNE, c.code, c.name, c.province_code, c.code) for c in session.exec(
        select(Commune).where(Commune.province_code == unit.code).order_by(Commune.name))]


def per_course(*, session, unit, filters, catalog):
    """``[(course, Figures)]`` for every course of the catalogue."""
    if unit.level == TEAM:
        return team_stats.per_course(session=session, team_id=unit.code, filters=filters,
                                     catalog=catalog)
    rows = {row[0]: row[1:] for row in session.exec(_rollup_filter(
        select(StatDaily.course_slug, *_sums()).where(
            StatDaily.level == unit.level, StatDaily.unit_code == unit.code,
            StatDaily.course_slug != ""), filters)
        .group_by(StatDaily.course_slug)).all()}
    return [(course, _merge(rows.get(course.slug), None)) for course in catalog
            if not filters.course or course.slug == filters.course]


def week_start(day):
    return day - timedelta(days=day.weekday())


def weekly(*, session, unit, filters, weeks=26, today=None):
    """``[(monday, enrolments, completions)]`` for the last ``weeks`` weeks."""
    first = week_start(today or local_day()) - timedelta(weeks=weeks - 1)
    if unit.level == TEAM:
        daily = team_stats.daily(session=session, team_id=unit.code, filters=filters,
                                 since=first)
    else:
        daily = session.exec(select(
            StatDaily.day, func.sum(StatDaily.enrolments), func.sum(StatDaily.completions))
            .where(StatDaily.level == unit.level, StatDaily.unit_code == unit.code,
                   StatDaily.day >= first, _course_condition(filters))
            .group_by(StatDaily.day)).all()
    buckets = {first + timedelta(weeks=i): [0, 0] for i in range(weeks)}
    for day, enrolments, completions in daily:
        if isinstance(day, str):
            day = date.fromisoformat(day)
        bucket = buckets.get(week_start(day))
        if bucket is not None:
            bucket[0] += int(enrolments or 0)
            bucket[1] += int(completions or 0)
    return [(monday, e, c) for monday, (e, c) in sorted(buckets.items())]


def targets_for(*, session, units):
    """``{(level, code): citizens}`` for the given units."""
    if not units:
        return {}
    levels = {u.level for u in units}
    codes = [u.code for u in units]
    rows = session.exec(select(Target).where(Target.level.in_(levels),
                                             Target.unit_code.in_(codes))).all()
    wanted = {(u.level, u.code) for u in units}
    return {(t.level, t.unit_code): t.citizens for t in rows if (t.level, t.unit_code) in wanted}
