"""Venue sessions: a team records an in-person session and who attended it.

What an attendee does in the session's course on the day of the session counts as *assisted*
learning (see ``team_progress.assisted_counts``). "The day" is a calendar day in Vietnam's
time (UTC+7: Vietnam has kept one offset, without daylight saving, since 1975, so a fixed
offset is exact and needs no time-zone database on the server or in SQL).
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func
from sqlmodel import select

from ..models import LessonProgress, TeamMember, User, VenueAttendance, VenueSession
from .. import clock
from . import rollup
from .figures import EARLIEST_DAY
from .errors import DomainError

MAX_PLACE = 200


def vn_date(moment):
    """The calendar date in Vietnam of an aware ``datetime``."""
    return clock.local_day(moment) if moment is not None else None


def vn_day_bounds(day):
    """``[start, end)`` in UTC of the Vietnamese calendar day ``day``."""
    start = clock.at_vietnam(day)
    return start, start + timedelta(days=1)


def _clean_place(place):
    place = " ".join((place or "").split())
    if not place or len(place) > MAX_PLACE:
        raise DomainError(_l("Write the place in 1 to %(n)d characters.", n=MAX_PLACE),
                          field="place")
    return place


def _checked(session, team, held_on, place, course_slug, attendee_ids, now):
    """``(place, attendee ids)`` once every value is checked; raises ``DomainError``."""
    from ..content import get_catalog

    if held_on is None:
        raise DomainError(_l("Choose the date of the session."), field="held_on")
    if held_on > clock.local_day(now):
        raise DomainError(_l("The session cannot be in the future."), field="held_on")
    if held_on < EARLIEST_DAY:
        raise DomainError(_l("Choose a date from 2000 on."), field="held_on")
    place = _clean_place(place)
    if not course_slug or get_catalog().get(course_slug) is None:
        raise DomainError(_l("Choose a course from the list."), field="course")
    ids = sorted({int(i) for i in attendee_ids or ()})
    if not ids:
        raise DomainError(_l("Tick at least one member who attended."), field="attendees")
    members = session.exec(select(func.count()).select_from(TeamMember).where(
        TeamMember.team_id == team.id, TeamMember.user_id.in_(ids))).one()
    if members != len(ids):
        raise DomainError(_l("Only members of this team can be ticked as attendees."),
                          field="attendees")
    return place, ids


def record_session(*, session, team, actor, held_on, place, course_slug, attendee_ids,
                   now=None):
    """Record an in-person session of ``team`` and its attendees; returns the session.

    Raises ``DomainError`` (with the form field at fault) when the date is missing or in the
    future, the place is empty or too long, the course does not exist, or an attendee is not
    a member of the team. Nothing is written then."""
    place, ids = _checked(session, team, held_on, place, course_slug, attendee_ids, now)
    venue = VenueSession(team_id=team.id, held_on=held_on, place=place,
                         course_slug=course_slug, created_by=actor.id)
    session.add(venue)
    session.flush()
    for user_id in ids:
        session.add(VenueAttendance(session_id=venue.id, user_id=user_id))
    session.flush()
    _count_newly_assisted(session, venue, ids)
    return venue


def _count_newly_assisted(session, venue, ids, sign=1):
    """Sessions are often recorded after the day: lessons the attendees already completed that
    day in the course become assisted now, in the statistics rollups too, unless another
    session of the same course and day already made them so. ``sign=-1`` takes them back
    (the session is deleted or corrected)."""
    start, end = vn_day_bounds(venue.held_on)
    already = (select(VenueAttendance.user_id)
               .join(VenueSession, VenueSession.id == VenueAttendance.session_id)
               .where(VenueSession.id != venue.id, VenueSession.held_on == venue.held_on,
                      VenueSession.course_slug == venue.course_slug))
    rows = session.exec(
        select(LessonProgress.user_id, func.count())
        .where(LessonProgress.user_id.in_(ids), LessonProgress.user_id.not_in(already),
               LessonProgress.course_slug == venue.course_slug,
               LessonProgress.completed_at >= start, LessonProgress.completed_at < end)
        .group_by(LessonProgress.user_id)).all()
    for user_id, lessons in rows:  # attendees of one session: a handful of people
        rollup.count_for_user(session=session, user=session.get(User, user_id),
                              course_slug=venue.course_slug, when=start,
                              lessons_assisted=sign * lessons)


def list_sessions(*, session, team, limit=100):
    """``[(VenueSession, number of attendees)]`` of ``team``, the newest first."""
    attendees = (select(func.count()).select_from(VenueAttendance)
                 .where(VenueAttendance.session_id == VenueSession.id).scalar_subquery())
    return session.exec(
        select(VenueSession, attendees)
        .where(VenueSession.team_id == team.id)
        .order_by(VenueSession.held_on.desc(), VenueSession.id.desc())
        .limit(limit)).all()


def attendees_of(*, session, venue):
    """The ids of the members who attended ``venue``."""
    return sorted(session.exec(select(VenueAttendance.user_id)
                               .where(VenueAttendance.session_id == venue.id)))


def may_change_on(venue, today):
    """A session can be corrected or deleted on its day: the day it was held or recorded
    (a mistake is noticed then; later, the figures it made are history)."""
    return today in (venue.held_on, clock.local_day(venue.created_at))


def _changeable(venue, now):
    if not may_change_on(venue, clock.local_day(now)):
        raise DomainError(_l("A session can be corrected or deleted only on its day."),
                          field="held_on")


def update_session(*, session, team, venue, held_on, place, course_slug, attendee_ids,
                   now=None):
    """Correct a session (date, place, course, attendees) on its day; the assisted lessons
    it made are counted again. Raises ``DomainError`` as ``record_session`` does."""
    _changeable(venue, now)
    place, ids = _checked(session, team, held_on, place, course_slug, attendee_ids, now)
    _count_newly_assisted(session, venue, attendees_of(session=session, venue=venue), sign=-1)
    session.execute(delete(VenueAttendance).where(VenueAttendance.session_id == venue.id))
    venue.held_on, venue.place, venue.course_slug = held_on, place, course_slug
    session.add(venue)
    session.flush()
    session.add_all([VenueAttendance(session_id=venue.id, user_id=uid) for uid in ids])
    session.flush()
    _count_newly_assisted(session, venue, ids)
    return venue


def delete_session(*, session, venue, now=None):
    """Delete a session on its day; the lessons it made assisted are self-paced again."""
    _changeable(venue, now)
    _count_newly_assisted(session, venue, attendees_of(session=session, venue=venue), sign=-1)
    session.execute(delete(VenueAttendance).where(VenueAttendance.session_id == venue.id))
    session.delete(venue)
    session.flush()


def session_or_none(*, session, team, session_id):
    """The venue session ``session_id`` of ``team``, or None."""
    return session.exec(select(VenueSession).where(VenueSession.id == session_id,
                                                   VenueSession.team_id == team.id)).first()
