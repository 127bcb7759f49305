"""Practices: a learner's current step, answering it, and finishing; lesson self-checks."""
from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlmodel import select

from .. import clock
from ..models import LessonCheckAnswer, PracticeProgress
from .db_helpers import insert_once
from .errors import DomainError
from .progress import enroll

RESTART = "restart"  # the "practise again" button of an end step


@dataclass(frozen=True)
class Outcome:
    """What answering a step did: ``mistake`` (nothing moved), ``feedback`` or ``moved`` (the
    learner is now on ``choice.next``), ``restarted``; ``completed`` the first time an end
    step is reached."""

    kind: str
    step: object
    choice: Optional[object] = None
    completed: bool = False


def _progress(session, user_id, course, practice):
    return session.exec(select(PracticeProgress).where(
        PracticeProgress.user_id == user_id, PracticeProgress.course_slug == course.slug,
        PracticeProgress.practice_slug == practice.slug)).first()


def current_step(*, session, user, course, practice):
    """The step the learner is on: the first one on a fresh start, or when the course has
    changed version since they stood there."""
    found = _progress(session, user.id, course, practice)
    if found is None or found.course_version != course.version:
        return practice.first
    return practice.step(found.step_id) or practice.first


def is_done(*, session, user, course, practice):
    found = _progress(session, user.id, course, practice)
    return found is not None and found.completed_at is not None


def _version(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def answer(*, session, user, course, practice, step_id, choice_id, version):
    """Answer the learner's current step with ``choice_id``. Raises ``DomainError`` (nothing
    recorded) for a form of another step, another version, or a choice the step lacks."""
    if _version(version) != course.version:
        raise DomainError(_l("This screen is from an older version of the course. Nothing was "
                             "recorded; here is your current step."))
    step = current_step(session=session, user=user, course=course, practice=practice)
    if step_id != step.id:
        raise DomainError(_l("This screen is not your current step (a page sent twice or an "
                             "old page). Nothing was recorded; here is where you are."))
    if step.end:
        if choice_id != RESTART:
            raise DomainError(_l("Choose one of the answers shown."))
        _move(session, user, course, practice, practice.first.id)
        return Outcome("restarted", step)
    choice = step.choice(choice_id)
    if choice is None:
        raise DomainError(_l("Choose one of the answers shown."))
    if choice.mistake:
        return Outcome("mistake", step, choice)
    progress = _move(session, user, course, practice, choice.next)
    completed = practice.step(choice.next).end and progress.completed_at is None
    if completed:
        progress.completed_at = clock.now()
        session.add(progress)
        session.flush()
    return Outcome("feedback" if choice.feedback else "moved", step, choice, completed)


def _move(session, user, course, practice, step_id):
    enroll(session=session, user=user, course=course)
    progress = _progress(session, user.id, course, practice)
    if progress is None:
        progress = PracticeProgress(user_id=user.id, course_slug=course.slug,
                                    practice_slug=practice.slug, course_version=course.version,
                                    step_id=step_id)
        if insert_once(session, progress):
            return progress
        progress = _progress(session, user.id, course, practice)
    progress.step_id, progress.course_version = step_id, course.version
    progress.updated_at = clock.now()
    session.add(progress)
    session.flush()
    return progress


def check_answers(*, session, user_id, course_slug, lesson_slug):
    """``{check id: LessonCheckAnswer}`` of one learner in one lesson."""
    rows = session.exec(select(LessonCheckAnswer).where(
        LessonCheckAnswer.user_id == user_id, LessonCheckAnswer.course_slug == course_slug,
        LessonCheckAnswer.lesson_slug == lesson_slug)).all()
    return {row.check_id: row for row in rows}


def answer_check(*, session, user, course, lesson, check_id, choice_id):
    """Record the learner's answer to a lesson self-check (the latest one counts; never
    graded). Raises ``NotFound``-like ``DomainError`` for an unknown check or choice."""
    check = next((c for c in lesson.checks if c.id == check_id), None)
    if check is None:
        raise DomainError(_l("This question is not part of the lesson."))
    choice = check.choice(choice_id)
    if choice is None:
        raise DomainError(_l("Choose one of the answers shown."), field=check.id)
    enroll(session=session, user=user, course=course)
    existing = check_answers(session=session, user_id=user.id, course_slug=course.slug,
                             lesson_slug=lesson.slug).get(check.id)
    row = existing or LessonCheckAnswer(user_id=user.id, course_slug=course.slug,
                                        lesson_slug=lesson.slug, check_id=check.id,
                                        choice_id=choice.id, correct=choice.correct)
    if existing is None and insert_once(session, row):
        return row
    row = existing or check_answers(session=session, user_id=user.id, course_slug=course.slug,
                                    lesson_slug=lesson.slug)[check.id]
    row.choice_id, row.correct, row.answered_at = choice.id, choice.correct, clock.now()
    session.add(row)
    session.flush()
    return row
