"""Enrolment and lesson progress: what a learner does in a course (``standing`` reads it)."""
from datetime import timedelta

from sqlalchemy import bindparam, update
from sqlmodel import select

from ..models import Enrolment, LessonProgress
from .. import clock
from ..prepared import prepare
from . import rollup
from .db_helpers import insert_new, insert_once, new_row_insert, run
from .standing import course_progress

# An enrolment's last activity is noted at most this often: pages show it as a day and a
# learner is "stalled" after days without it, while a learner working through a course would
# otherwise rewrite it with every lesson and attempt (a statement each, under SQLite's lock).
ACTIVITY_NOTED_EVERY = timedelta(minutes=10)
ENROLMENT = Enrolment.__table__  # updated as a table: no unit of work for one statement
_ACTIVE = prepare(update(ENROLMENT).where(ENROLMENT.c.id == bindparam("enrolment_id")).values(
    last_activity_at=bindparam("when")))


def get_enrolment(*, session, user_id, course_slug):
    return session.exec(select(Enrolment).where(
        Enrolment.user_id == user_id, Enrolment.course_slug == course_slug)).first()


def enroll(*, session, user, course):
    """Enrol ``user`` in ``course``; enrolling twice changes nothing."""
    enrolment = get_enrolment(session=session, user_id=user.id, course_slug=course.slug)
    if enrolment is None:
        enrolment = Enrolment(user_id=user.id, course_slug=course.slug,
                              province_code=user.province_code, commune_code=user.commune_code)
        if insert_once(session, enrolment):
            rollup.count_for_user(session=session, user=user, course_slug=course.slug,
                                  enrolments=1)
        else:
            enrolment = get_enrolment(session=session, user_id=user.id, course_slug=course.slug)
    return enrolment


def complete_lesson(*, session, user, course, lesson, state=None, begin_writes=None):
    """Mark ``lesson`` done (enrolling if needed); marking it twice changes nothing.

    Everything read comes first: the enrolment, the learner's teams and whether they
    attended a venue session today (``state``: the learner's ``course_progress`` read
    ``for_lesson_on`` today, if the caller has it). ``begin_writes`` (the view passes
    ``db.begin_writes``) is called then, and only writes follow: on SQLite the write lock is
    held for two to four statements, on PostgreSQL a learner already enrolled writes in one
    (``rollup.counted_insert``). The lesson row is inserted unless already there, and
    counted (and the enrolment's activity noted) only if this request inserted it, so a
    request that raced another for the same lesson counts nothing."""
    now = clock.now()
    if state is None or state.attended is None:
        state = course_progress(session=session, user=user, course=course,
                                with_practices=False, for_lesson_on=clock.local_day(now))
    enrolment, fresh = state.enrolment, state.enrolment is None
    one_statement = not fresh and session.get_bind().dialect.name == "postgresql"
    row = dict(user_id=user.id, course_slug=course.slug, lesson_slug=lesson.slug,
               completed_at=now)
    counters = rollup.counter_params(
        province_code=user.province_code, commune_code=user.commune_code,
        team_ids=state.team_ids, course_slug=course.slug, when=now, lessons=1,
        lessons_assisted=int(state.attended))
    updates = () if fresh or noted_lately(state.active_at, now) else (_ACTIVE,)
    if begin_writes is not None:  # from here on, statements only: the write lock is held
        begin_writes(one_statement=one_statement)
    if fresh:
        enrolment = enroll(session=session, user=user, course=course)
    if one_statement:
        rollup.counted_insert(
            session=session, insert=new_row_insert(session, LessonProgress, sorted(row), "new_"),
            params={**{f"new_{name}": value for name, value in row.items()},
                    "enrolment_id": enrolment.id, "when": now},
            counters=counters, updates=updates)
    elif insert_new(session, LessonProgress, **row) is not None:
        rollup.count_with(session=session, counters=counters)
        if updates:
            run(session, _ACTIVE, {"enrolment_id": enrolment.id, "when": now})
    return enrolment


def noted_lately(active_at, now):
    """Whether an enrolment's last activity, noted at ``active_at``, is recent enough to
    stand for ``now`` (``ACTIVITY_NOTED_EVERY``)."""
    return active_at is not None and timedelta(0) <= now - active_at < ACTIVITY_NOTED_EVERY


def done_lessons(*, session, user_id, course_slug):
    return frozenset(session.exec(select(LessonProgress.lesson_slug).where(
        LessonProgress.user_id == user_id, LessonProgress.course_slug == course_slug)))
