"""Progress of a team's members: the member × course grid, the stalled list, and how much
learning happened assisted (at a venue session) rather than self-paced.

Everything is computed by grouped SQL queries over a page of members at a time: the members,
their enrolments, their lesson counts per course (three queries, whatever the page size), and
aggregates for the team's totals. Nothing here runs a query per member.

A cell (one member, one course) is:

- ``passed`` when the enrolment is completed (the quiz was passed), shown with its date;
- ``in_progress`` when at least one of the course's lessons is done and it is not passed;
- ``not_enrolled`` when the member is not enrolled in the course and has done nothing in it;
- ``not_started`` when enrolled with no lesson done;
- and, besides, ``stalled`` when the member is enrolled, has not passed, and has done nothing
  in the course for ``STALLED_DAYS`` days (``Enrolment.last_activity_at``).

Dates are calendar days in Vietnam's time (UTC+7, see ``venue``).
"""
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, and_, case, exists, func, not_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import select

from ..models import (Enrolment, LessonProgress, QuizAttempt, TeamMember, User,
                      VenueAttendance, VenueSession)
from .. import clock, collation
from .errors import DomainError
from .rollup_rebuild import day_expression
from .venue import vn_date

STATUSES = ("not_enrolled", "not_started", "in_progress", "passed", "stalled")
STATUS_LABELS = {
    "not_enrolled": _l("Not enrolled"),
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "passed": _l("Passed"),
    "stalled": _l("Stalled"),
}
STALLED_DAYS = 14
PAGE_SIZE = 100


# --- the Vietnamese calendar day of a stored UTC timestamp, in SQL --------------------------

class vn_day(FunctionElement):  # noqa: N801 - used like an SQL function
    """``vn_day(timestamp column)``: its calendar date in Vietnam (UTC+7), as an SQL
    expression, comparable with a ``Date`` column on SQLite and PostgreSQL alike."""

    type = Date()
    name = "vn_day"
    inherit_cache = True


@compiles(vn_day)
def _vn_day(element, compiler, **kw):
    return day_expression(compiler.dialect.name, compiler.process(element.clauses, **kw))


# --- the grid ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One member's standing in one course."""

    course: object
    done: int = 0
    enrolled: bool = False
    completed_at: Optional[object] = None
    last_activity_at: Optional[object] = None
    stalled: bool = False

    @property
    def total(self):
        return len(self.course.lessons)

    @property
    def passed(self):
        return self.completed_at is not None

    @property
    def passed_on(self):
        return vn_date(self.completed_at)

    @property
    def status(self):
        if self.passed:
            return "passed"
        if self.done:
            return "in_progress"
        return "not_started" if self.enrolled else "not_enrolled"

    def matches(self, status):
        if status is None:
            return True
        if status == "stalled":
            return self.stalled
        return self.status == status


@dataclass
class GridRow:
    member: User
    cells: list

    def matching(self, status):
        return [cell for cell in self.cells if cell.matches(status)]


@dataclass(frozen=True)
class CourseTotals:
    enrolled: int = 0
    passed: int = 0
    stalled: int = 0


@dataclass
class Grid:
    courses: list
    rows: list
    members: int  # members matching the filters, over all pages
    offset: int = 0
    limit: Optional[int] = None
    status: Optional[str] = None
    totals: dict = field(default_factory=dict)  # course slug -> CourseTotals

    @property
    def has_next(self):
        return self.limit is not None and self.offset + self.limit < self.members

    @property
    def has_previous(self):
        return self.offset > 0


def _courses(course_slug):
    from ..content import get_catalog

    catalog = get_catalog()
    if not course_slug:
        return list(catalog)
    course = catalog.get(course_slug)
    if course is None:
        raise DomainError(_l("Choose a course from the list."), field="course")
    return [course]


def _check_status(status):
    if status and status not in STATUSES:
        raise DomainError(_l("Choose a status from the list."), field="status")
    return status or None


def _cutoff(days, now):
    return (now or clock.now()) - timedelta(days=days)


def _lessons_of(course):
    return and_(LessonProgress.course_slug == course.slug,
                LessonProgress.lesson_slug.in_(course.lesson_slugs))


def _cell_filter(status, course, cutoff):
    """An SQL condition on ``User``: their cell in ``course`` has ``status``."""
    started = exists().where(LessonProgress.user_id == User.id, _lessons_of(course))
    passed = exists().where(Enrolment.user_id == User.id, Enrolment.course_slug == course.slug,
                            Enrolment.completed_at.is_not(None))
    if status == "passed":
        return passed
    if status == "in_progress":
        return and_(started, not_(passed))
    enrolled = exists().where(Enrolment.user_id == User.id, Enrolment.course_slug == course.slug)
    if status == "not_started":
        return and_(enrolled, not_(started), not_(passed))
    if status == "not_enrolled":
        return and_(not_(enrolled), not_(started))
    return exists().where(Enrolment.user_id == User.id, Enrolment.course_slug == course.slug,
                          Enrolment.completed_at.is_(None), Enrolment.last_activity_at < cutoff)


def _members_query(team, courses, status, cutoff):
    query = (select(User).join(TeamMember, TeamMember.user_id == User.id)
             .where(TeamMember.team_id == team.id))
    if status:
        query = query.where(or_(*(_cell_filter(status, c, cutoff) for c in courses)))
    return query


def _ordered_ids(session, query):
    """The ids of the members ``query`` selects, in Vietnamese order of their names (two
    columns per member are read; the collation is not the database's)."""
    rows = session.execute(query.with_only_columns(User.id, User.full_name)
                           .order_by(User.id)).all()
    return [uid for uid, name in sorted(rows, key=lambda row: collation.sort_key(row[1]))]


def _members(session, ids):
    """The members with these ids, in the order given."""
    if not ids:
        return []
    found = {user.id: user for user in session.exec(select(User).where(User.id.in_(ids)))}
    return [found[uid] for uid in ids if uid in found]


def _team_member_ids(team):
    return select(TeamMember.user_id).where(TeamMember.team_id == team.id)


def _rows(session, members, courses, cutoff):
    """Grid rows for ``members`` (one page): two grouped queries, whatever their number."""
    if not members or not courses:
        return [GridRow(member=m, cells=[]) for m in members]
    ids = [m.id for m in members]
    slugs = [c.slug for c in courses]
    enrolments = {
        (uid, slug): (completed_at, last_activity_at)
        for uid, slug, completed_at, last_activity_at in session.exec(
            select(Enrolment.user_id, Enrolment.course_slug, Enrolment.completed_at,
                   Enrolment.last_activity_at)
            .where(Enrolment.user_id.in_(ids), Enrolment.course_slug.in_(slugs)))
    }
    done = {
        (uid, slug): count
        for uid, slug, count in session.exec(
            select(LessonProgress.user_id, LessonProgress.course_slug, func.count())
            .where(LessonProgress.user_id.in_(ids), or_(*(_lessons_of(c) for c in courses)))
            .group_by(LessonProgress.user_id, LessonProgress.course_slug))
    }
    rows = []
    for member in members:
        cells = []
        for course in courses:
            enrolment = enrolments.get((member.id, course.slug))
            completed_at, last_activity = enrolment or (None, None)
            cells.append(Cell(
                course=course, done=done.get((member.id, course.slug), 0),
                enrolled=enrolment is not None, completed_at=completed_at,
                last_activity_at=last_activity,
                stalled=(enrolment is not None and completed_at is None
                         and last_activity < cutoff)))
        rows.append(GridRow(member=member, cells=cells))
    return rows


def course_totals(*, session, team, courses, days=STALLED_DAYS, now=None):
    """``{course slug: CourseTotals}`` over all the team's members, in one aggregate."""
    cutoff = _cutoff(days, now)
    stalled = case((and_(Enrolment.completed_at.is_(None),
                         Enrolment.last_activity_at < cutoff), 1))
    rows = session.exec(
        select(Enrolment.course_slug, func.count(), func.count(Enrolment.completed_at),
               func.count(stalled))
        .where(Enrolment.user_id.in_(_team_member_ids(team)),
               Enrolment.course_slug.in_([c.slug for c in courses]))
        .group_by(Enrolment.course_slug)).all()
    return {slug: CourseTotals(enrolled=n, passed=p, stalled=s) for slug, n, p, s in rows}


def progress_grid(*, session, team, course_slug=None, status=None, offset=0,
                  limit=PAGE_SIZE, days=STALLED_DAYS, now=None):
    """The members × courses grid of ``team`` (one page of members, by name).

    ``course_slug`` keeps one course; ``status`` (one of ``STATUSES``) keeps the members with
    at least one cell in that state. Raises ``DomainError`` for an unknown course or status."""
    courses = _courses(course_slug)
    status = _check_status(status)
    cutoff = _cutoff(days, now)
    ordered = _ordered_ids(session, _members_query(team, courses, status, cutoff))
    offset = max(offset, 0)
    members = _members(session, ordered[offset:None if limit is None else offset + limit])
    return Grid(courses=courses, rows=_rows(session, members, courses, cutoff),
                members=len(ordered), offset=offset, limit=limit, status=status,
                totals=course_totals(session=session, team=team, courses=courses, days=days,
                                     now=now))


def iter_grid_cells(*, session, team, course_slug=None, status=None, days=STALLED_DAYS,
                    now=None, batch=500):
    """Every ``(member, cell)`` of the grid that matches the filters, a batch of members at a
    time (for exports: memory stays flat however large the team)."""
    courses = _courses(course_slug)
    status = _check_status(status)
    cutoff = _cutoff(days, now)
    ordered = _ordered_ids(session, _members_query(team, courses, status, cutoff))
    for start in range(0, len(ordered), batch):
        members = _members(session, ordered[start:start + batch])
        for row in _rows(session, members, courses, cutoff):
            for cell in row.matching(status):
                yield row.member, cell


# --- stalled members -----------------------------------------------------------------------

@dataclass(frozen=True)
class Stalled:
    member: User
    course: object
    done: int
    last_activity_at: object

    @property
    def total(self):
        return len(self.course.lessons)

    @property
    def last_active_on(self):
        return vn_date(self.last_activity_at)


def stalled_members(*, session, team, days=STALLED_DAYS, now=None, course_slug=None,
                    limit=200):
    """Enrolments of the team's members that are not completed and have seen no activity for
    ``days`` days, the longest idle first, with the lessons done in each."""
    courses = {c.slug: c for c in _courses(course_slug)}
    done = (select(func.count()).select_from(LessonProgress)
            .where(LessonProgress.user_id == Enrolment.user_id,
                   LessonProgress.course_slug == Enrolment.course_slug)
            .correlate(Enrolment).scalar_subquery())
    query = (select(User, Enrolment.course_slug, Enrolment.last_activity_at, done)
             .join(Enrolment, Enrolment.user_id == User.id)
             .join(TeamMember, TeamMember.user_id == User.id)
             .where(TeamMember.team_id == team.id, Enrolment.completed_at.is_(None),
                    Enrolment.last_activity_at < _cutoff(days, now),
                    Enrolment.course_slug.in_(list(courses)))
             .order_by(Enrolment.last_activity_at, User.full_name, User.id))
    if limit is not None:
        query = query.limit(limit)
    result = []
    for member, slug, last_activity, count in session.exec(query):
        course = courses[slug]
        result.append(Stalled(member=member, course=course,
                              done=min(count, len(course.lessons)),
                              last_activity_at=last_activity))
    return result


# --- assisted and self-paced learning ------------------------------------------------------

@dataclass(frozen=True)
class AssistedCounts:
    lessons_assisted: int = 0
    lessons_self_paced: int = 0
    quizzes_assisted: int = 0
    quizzes_self_paced: int = 0

    @property
    def lessons(self):
        return self.lessons_assisted + self.lessons_self_paced

    @property
    def quizzes(self):
        return self.quizzes_assisted + self.quizzes_self_paced


def _attended_that_day(user_col, course_col, moment_col):
    """SQL: the user attended a venue session of the course on the Vietnamese day of
    ``moment_col`` (any team's session: what counts is that they were helped)."""
    return (select(VenueAttendance.user_id)
            .join(VenueSession, VenueSession.id == VenueAttendance.session_id)
            .where(VenueAttendance.user_id == user_col,
                   VenueSession.course_slug == course_col,
                   VenueSession.held_on == vn_day(moment_col))
            .exists())


def assisted_counts(*, session, team, course_slug=None):
    """Lessons done and quizzes passed by the team's members, split into assisted (done on
    the day of a venue session of that course that the member attended, in Vietnamese time)
    and self-paced (all others). Two aggregate queries."""
    members = _team_member_ids(team)
    assisted = _attended_that_day(LessonProgress.user_id, LessonProgress.course_slug,
                                  LessonProgress.completed_at)
    lessons = select(func.count(), func.count(case((assisted, 1)))).where(
        LessonProgress.user_id.in_(members))
    if course_slug:
        lessons = lessons.where(LessonProgress.course_slug == course_slug)
    lesson_total, lesson_assisted = session.exec(lessons).one()

    assisted = _attended_that_day(QuizAttempt.user_id, QuizAttempt.course_slug,
                                  QuizAttempt.submitted_at)
    quizzes = select(func.count(), func.count(case((assisted, 1)))).where(
        QuizAttempt.user_id.in_(members), QuizAttempt.passed.is_(True))
    if course_slug:
        quizzes = quizzes.where(QuizAttempt.course_slug == course_slug)
    quiz_total, quiz_assisted = session.exec(quizzes).one()
    return AssistedCounts(lessons_assisted=lesson_assisted,
                          lessons_self_paced=lesson_total - lesson_assisted,
                          quizzes_assisted=quiz_assisted,
                          quizzes_self_paced=quiz_total - quiz_assisted)
