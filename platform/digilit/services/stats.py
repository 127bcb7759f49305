"""Figures for an area: headline, breakdown one level down, per course, weekly trend.

Figures of the nation, a province, a commune or a team are sums over the rollups:
``stat_total`` (a few rows per unit) without dates, ``stat_daily`` with them (a few rows per
unit and day), whatever the population."""
from datetime import date, timedelta

from flask import abort
from sqlalchemy import func, true
from sqlmodel import select

from .. import collation
from ..models import Commune, Province, Team
from ..models.stats import (COMMUNE, NATION, NATION_CODE, PROVINCE, TEAM, StatDaily, StatTotal,
                            Target)
from .figures import Figures, Filters, Unit  # noqa: F401 - Filters and Unit are used by callers
from ..clock import local_day
from .rollup import COUNTERS
from . import permissions
from .scope import scope_for

NATION_UNIT = Unit(NATION, NATION_CODE, "Việt Nam")


def resolve_unit(*, session, user, province=None, commune=None, team=None):
    """The unit asked for, if it lies in ``user``'s area; a 404 otherwise. No argument: the
    user's own area. Codes given together must agree (a commune of that province, a team of
    that commune): a contradiction is a unit that does not exist."""
    scope = scope_for(user)
    permissions.require(user, permissions.STATS_UNIT, permissions.READ)
    if team is not None:
        row = session.exec(select(Team).where(Team.id == team, scope.teams())).first()
        if row is None or commune not in (None, row.commune_code) \
                or province not in (None, row.province_code):
            abort(404)
        return Unit(TEAM, row.id, row.name, row.province_code, row.commune_code)
    if commune is None and province is None:
        commune = scope.home_commune
    if commune is not None:
        row = session.get(Commune, commune)
        if row is None or province not in (None, row.province_code) \
                or not scope.covers_commune(row.code, row.province_code):
            abort(404)
        return Unit(COMMUNE, row.code, row.name, row.province_code, row.code)
    if province is None:
        province = scope.home_province
    if province is not None:
        row = session.get(Province, province)
        if row is None or not scope.covers_province(province):
            abort(404)
        return Unit(PROVINCE, row.code, row.name, row.code)
    return NATION_UNIT


def _rollups(filters):
    """Where to add up: the all-time totals, or the daily rows when dates are asked for."""
    return StatDaily if filters.date_from or filters.date_to else StatTotal


def _rollup_filter(query, filters):
    if filters.date_from:
        query = query.where(StatDaily.day >= filters.date_from)
    if filters.date_to:
        query = query.where(StatDaily.day <= filters.date_to)
    return query


def _sums(model):
    return [func.coalesce(func.sum(getattr(model, c)), 0) for c in COUNTERS]


def _figures(row, course=None):
    """Figures from summed counters. A course's own row (``course``) counts as its "learners"
    the learners enrolled in it (one enrolment each): the registrations counter knows no
    course. Elsewhere "learners" are all the area's learners, whatever the course filter."""
    figures = Figures()
    for name, value in zip(COUNTERS, row or ()):
        figures.counts[name] = int(value or 0)
    if course:
        figures.counts["learners"] = figures.counts["enrolments"]
    return figures


def _course_condition(model, filters):
    """Rows to add up. Course counters live only in a course's rows and the course-free ones
    (learners, trained) only in the '' rows (``rollup.count`` enforces it), so without a course
    filter every row is summed, and with one the course's rows and the '' rows: one query."""
    if filters.course:
        return model.course_slug.in_(("", filters.course))
    return true()


def _summed(session, filters, *columns, where, group_by=None):
    """``select(columns, sums)`` of the right rollups over the filters."""
    model = _rollups(filters)
    query = select(*[getattr(model, c) for c in columns], *_sums(model)).where(
        *where(model), _course_condition(model, filters))
    if group_by:
        query = query.group_by(*[getattr(model, c) for c in group_by])
    return session.exec(_rollup_filter(query, filters))


def headline(*, session, unit, filters):
    """The unit's figures over the filters."""
    return _figures(_summed(session, filters, where=lambda m: (
        m.level == unit.level, m.unit_code == unit.code)).one())


def breakdown(*, session, unit, filters):
    """``[(child Unit, Figures)]`` one level down (a commune's: its teams), every child listed,
    even with no figures."""
    if unit.level == TEAM:
        return []
    rows = {row[0]: row[1:] for row in _summed(
        session, filters, "unit_code", group_by=["unit_code"],
        where=lambda m: (m.level == unit.level + 1, m.parent_code == unit.code)).all()}
    return [(child, _figures(rows.get(child.code))) for child in _children(session, unit)]


def _children(session, unit):
    """The units one level down in Vietnamese order of their proper names (columns only: a
    province has up to 168 communes)."""
    if unit.level == NATION:
        units = [Unit(PROVINCE, code, name, code) for code, name in session.exec(
            select(Province.code, Province.name))]
    elif unit.level == PROVINCE:
        units = [Unit(COMMUNE, code, name, unit.code, code) for code, name in session.exec(
            select(Commune.code, Commune.name).where(Commune.province_code == unit.code))]
    else:
        units = [Unit(TEAM, team_id, name, unit.province_code, unit.code) for team_id, name in
                 session.exec(select(Team.id, Team.name).where(Team.commune_code == unit.code)
                              .order_by(Team.id))]
    return collation.sorted_places(units)


def per_course(*, session, unit, filters, catalog):
    """``[(course, Figures)]`` for every course of the catalogue."""
    rows = {row[0]: row[1:] for row in _summed(
        session, filters, "course_slug", group_by=["course_slug"],
        where=lambda m: (m.level == unit.level, m.unit_code == unit.code,
                         m.course_slug != "")).all()}
    return [(course, _figures(rows.get(course.slug), course.slug)) for course in catalog
            if not filters.course or course.slug == filters.course]


def week_start(day):
    return day - timedelta(days=day.weekday())


def weekly(*, session, unit, filters, weeks=26):
    """``[(monday, enrolments, completions)]`` for the ``weeks`` weeks that end with the
    filter's last day (today when it has none); the filter's first day, when later, starts
    the window, and only days within the filter are counted."""
    last = filters.date_to or local_day()
    first = week_start(last) - timedelta(weeks=weeks - 1)
    if filters.date_from and filters.date_from > first:
        first = week_start(filters.date_from)
    counted_from = max(first, filters.date_from or first)
    daily = session.exec(select(
        StatDaily.day, func.sum(StatDaily.enrolments), func.sum(StatDaily.completions))
        .where(StatDaily.level == unit.level, StatDaily.unit_code == unit.code,
               StatDaily.day >= counted_from, StatDaily.day <= last,
               _course_condition(StatDaily, filters))
        .group_by(StatDaily.day)).all()
    mondays = range(((week_start(last) - first).days // 7) + 1)
    buckets = {first + timedelta(weeks=i): [0, 0] for i in mondays}
    for day, enrolments, completions in daily:
        if isinstance(day, str):
            day = date.fromisoformat(day)
        bucket = buckets[week_start(day)]
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
