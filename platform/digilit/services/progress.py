"""Enrolment and lesson progress; what a learner has done in a course."""
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import func
from sqlmodel import select

from ..models import (Certificate, Enrolment, LessonProgress, QuizAttempt, VenueAttendance,
                      VenueSession)
from .. import clock
from . import rollup
from .db_helpers import insert_once


@dataclass
class CourseProgress:
    """One learner's standing in one course."""

    course: object
    enrolment: Optional[Enrolment] = None
    done: frozenset = field(default_factory=frozenset)
    attempts: list = field(default_factory=list)
    certificate: Optional[Certificate] = None

    @property
    def total(self):
        return len(self.course.lessons)

    @property
    def done_count(self):
        return sum(1 for slug in self.course.lesson_slugs if slug in self.done)

    @property
    def percent(self):
        return round(100 * self.done_count / self.total) if self.total else 0

    @property
    def next_lesson(self):
        """The first lesson not yet done, or None when all are."""
        return next((lesson for lesson in self.course.lessons if lesson.slug not in self.done), None)

    @property
    def quiz_open(self):
        return self.done_count == self.total

    @property
    def passed(self):
        return self.enrolment is not None and self.enrolment.completed_at is not None


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


def complete_lesson(*, session, user, course, lesson):
    """Mark ``lesson`` done (enrolling if needed); marking it twice changes nothing."""
    enrolment = enroll(session=session, user=user, course=course)
    done = LessonProgress(user_id=user.id, course_slug=course.slug, lesson_slug=lesson.slug)
    if insert_once(session, done):
        rollup.count_for_user(
            session=session, user=user, course_slug=course.slug, when=done.completed_at,
            lessons=1, lessons_assisted=int(attended_session(
                session=session, user_id=user.id, course_slug=course.slug,
                day=clock.local_day(done.completed_at))))
    enrolment.last_activity_at = clock.now()
    session.add(enrolment)
    session.flush()
    return enrolment


def attended_session(*, session, user_id, course_slug, day):
    """Whether the learner attended a venue session of this course on ``day`` (assisted)."""
    return session.exec(
        select(VenueSession.id).join(VenueAttendance, VenueAttendance.session_id == VenueSession.id)
        .where(VenueAttendance.user_id == user_id, VenueSession.course_slug == course_slug,
               VenueSession.held_on == day)).first() is not None


def done_lessons(*, session, user_id, course_slug):
    return frozenset(session.exec(select(LessonProgress.lesson_slug).where(
        LessonProgress.user_id == user_id, LessonProgress.course_slug == course_slug)))


def course_progress(*, session, user, course, with_attempts=False):
    """Everything the course page shows about ``user`` in ``course``."""
    progress = CourseProgress(course=course)
    if user is None or not user.is_authenticated:
        return progress
    progress.enrolment = get_enrolment(session=session, user_id=user.id, course_slug=course.slug)
    progress.done = done_lessons(session=session, user_id=user.id, course_slug=course.slug)
    progress.certificate = session.exec(select(Certificate).where(
        Certificate.user_id == user.id, Certificate.course_slug == course.slug)).first()
    if with_attempts:
        progress.attempts = session.exec(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.course_slug == course.slug)
            .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())
        ).all()
    return progress


def catalogue_progress(*, session, user_id):
    """``{course slug: (lessons done, completed?)}`` for one learner, from two aggregates."""
    done = dict(session.exec(
        select(LessonProgress.course_slug, func.count())
        .where(LessonProgress.user_id == user_id).group_by(LessonProgress.course_slug)).all())
    enrolments = session.exec(select(Enrolment.course_slug, Enrolment.completed_at)
                              .where(Enrolment.user_id == user_id)).all()
    result = {slug: (count, False) for slug, count in done.items()}
    for slug, completed_at in enrolments:
        result[slug] = (done.get(slug, 0), completed_at is not None)
    return result
