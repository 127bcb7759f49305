"""Learners certified per competency area, for an administrator's unit.

Which areas a course covers is known in memory, from its files; the handful of (course, area)
pairs goes into the query as a small literal table, so that one SQL aggregate counts each
learner once per area, however many of the area's courses they were certified in."""
from datetime import timedelta

from sqlalchemy import String, func, literal, union_all
from sqlmodel import select

from .. import clock
from ..content.competencies import AREAS, areas_of
from ..models import Certificate, Enrolment, TeamMember
from ..models.stats import COMMUNE, PROVINCE, TEAM


def _in_unit(query, unit):
    """Only certificates of learners in ``unit`` (already resolved within the caller's area)."""
    if unit.level == TEAM:
        return query.where(Certificate.user_id.in_(
            select(TeamMember.user_id).where(TeamMember.team_id == unit.code)))
    if unit.level in (PROVINCE, COMMUNE):
        column = Enrolment.province_code if unit.level == PROVINCE else Enrolment.commune_code
        return query.join(Enrolment, (Enrolment.user_id == Certificate.user_id)
                          & (Enrolment.course_slug == Certificate.course_slug)
                          ).where(column == unit.code)
    return query


def _in_dates(query, filters):
    if filters.date_from:
        query = query.where(Certificate.issued_at >= clock.at_vietnam(filters.date_from))
    if filters.date_to:
        end = clock.at_vietnam(filters.date_to + timedelta(days=1))
        query = query.where(Certificate.issued_at < end)
    return query


def _course_areas(catalog, course_filter):
    """The (course slug, area) pairs as a selectable, or None when there are none."""
    pairs = [select(literal(course.slug, String).label("slug"),
                    literal(area, String).label("area"))
             for course in catalog if not course_filter or course.slug == course_filter
             for area in areas_of(course.competencies)]
    if not pairs:
        return None
    return (union_all(*pairs) if len(pairs) > 1 else pairs[0]).subquery("course_area")


def certified_by_area(*, session, unit, filters, catalog):
    """``[(area code, learners certified in a course covering it)]`` for every area of the
    framework, in order, for ``unit`` and the filters' course and dates."""
    totals = dict.fromkeys(AREAS, 0)
    course_area = _course_areas(catalog, filters.course)
    if course_area is None:
        return list(totals.items())
    query = (select(course_area.c.area, func.count(func.distinct(Certificate.user_id)))
             .select_from(Certificate).join(course_area, course_area.c.slug == Certificate.course_slug)
             .group_by(course_area.c.area))
    for area, learners in session.exec(_in_dates(_in_unit(query, unit), filters)).all():
        totals[area] = int(learners)
    return list(totals.items())
