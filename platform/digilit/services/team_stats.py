"""A team's figures, from aggregates over its members' rows (teams are small)."""
from datetime import date

from sqlalchemy import and_, func, literal_column
from sqlmodel import select

from ..models import (Certificate, Enrolment, LessonProgress, QuizAttempt, Team, TeamMember, User,
                      VenueAttendance, VenueSession)
from .figures import TEAM, Figures, Unit, utc_bounds
from .rollup import COUNTERS
from .rollup_rebuild import day_expression

# counter -> (model, timestamp column, extra condition or None)
SOURCES = {
    "enrolments": (Enrolment, Enrolment.enrolled_at, None),
    "completions": (Enrolment, Enrolment.completed_at, Enrolment.completed_at.is_not(None)),
    "attempts": (QuizAttempt, QuizAttempt.submitted_at, None),
    "passes": (QuizAttempt, QuizAttempt.submitted_at, QuizAttempt.passed.is_(True)),
    "certificates": (Certificate, Certificate.issued_at, None),
    "lessons": (LessonProgress, LessonProgress.completed_at, None),
}


def _grouped(session, counter, filters, group, members):
    """``{group value: count}`` of one counter, for the members selected by ``members``."""
    start, end = utc_bounds(filters)
    if counter == "learners":
        model, moment, extra = User, User.created_at, None
    elif counter == "trained":
        model, moment, extra = Enrolment, Enrolment.completed_at, Enrolment.completed_at.is_not(None)
    elif counter == "lessons_assisted":
        return _assisted(session, filters, group, members)
    else:
        model, moment, extra = SOURCES[counter]
    user_column = model.id if model is User else model.user_id
    counted = func.count(func.distinct(user_column)) if counter == "trained" else func.count()
    query = select(group(model), counted).select_from(model).join(TeamMember, TeamMember.user_id == user_column)
    query = query.where(members)
    conditions = [c for c in (extra, start and moment >= start, end and moment < end) if c is not None]
    if filters.course and model is not User and counter != "trained":
        conditions.append(model.course_slug == filters.course)
    if conditions:
        query = query.where(and_(*conditions))
    return dict(session.exec(query.group_by(group(model))).all())


def _assisted(session, filters, group, members):
    dialect = session.get_bind().dialect.name
    day = literal_column(day_expression(dialect, "lessonprogress.completed_at"))
    start, end = utc_bounds(filters)
    query = (select(group(LessonProgress), func.count()).select_from(LessonProgress)
             .join(TeamMember, TeamMember.user_id == LessonProgress.user_id)
             .join(VenueAttendance, VenueAttendance.user_id == LessonProgress.user_id)
             .join(VenueSession, and_(VenueSession.id == VenueAttendance.session_id,
                                      VenueSession.team_id == TeamMember.team_id,
                                      VenueSession.course_slug == LessonProgress.course_slug,
                                      VenueSession.held_on == day))
             .where(members))
    if start is not None:
        query = query.where(LessonProgress.completed_at >= start)
    if end is not None:
        query = query.where(LessonProgress.completed_at < end)
    if filters.course:
        query = query.where(LessonProgress.course_slug == filters.course)
    return dict(session.exec(query.group_by(group(LessonProgress))).all())


def _figures_by(session, filters, group, members):
    per_counter = {c: _grouped(session, c, filters, group, members) for c in COUNTERS}
    keys = set().union(*per_counter.values())
    result = {}
    for key in keys:
        figures = Figures()
        for counter, values in per_counter.items():
            figures.counts[counter] = int(values.get(key, 0))
        result[key] = figures
    return result


def headline(*, session, team_id, filters):
    figures = _figures_by(session, filters, lambda model: TeamMember.team_id,
                          TeamMember.team_id == team_id)
    return figures.get(team_id, Figures())


def breakdown(*, session, commune_code, filters):
    """Every team of the commune with its figures."""
    teams = session.exec(select(Team).where(Team.commune_code == commune_code)
                         .order_by(Team.name)).all()
    in_commune = TeamMember.team_id.in_(select(Team.id).where(Team.commune_code == commune_code))
    figures = _figures_by(session, filters, lambda model: TeamMember.team_id, in_commune)
    return [(Unit(TEAM, t.id, t.name, t.province_code, t.commune_code),
             figures.get(t.id, Figures())) for t in teams]


def per_course(*, session, team_id, filters, catalog):
    by_course = _figures_by(
        session, filters, lambda model: getattr(model, "course_slug", literal_column("''")),
        TeamMember.team_id == team_id)
    return [(course, by_course.get(course.slug, Figures())) for course in catalog
            if not filters.course or course.slug == filters.course]


def daily(*, session, team_id, filters, since):
    """``[(day, enrolments, completions)]`` of the team's members since ``since``."""
    dialect = session.get_bind().dialect.name
    rows = {}
    for index, (column, extra) in enumerate((("enrolled_at", None), ("completed_at", True))):
        day = literal_column(day_expression(dialect, f"enrolment.{column}"))
        query = (select(day, func.count()).select_from(Enrolment).join(TeamMember, TeamMember.user_id == Enrolment.user_id)
                 .where(TeamMember.team_id == team_id, day >= since.isoformat()))
        if extra:
            query = query.where(Enrolment.completed_at.is_not(None))
        if filters.course:
            query = query.where(Enrolment.course_slug == filters.course)
        for value, count in session.exec(query.group_by(day)).all():
            key = value if isinstance(value, date) else date.fromisoformat(str(value))
            rows.setdefault(key, [0, 0])[index] += count
    return [(day, e, c) for day, (e, c) in sorted(rows.items())]
