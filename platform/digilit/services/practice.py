"""Practices: a learner's current step, answering it, and finishing; lesson self-checks."""
from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, update
from sqlmodel import select

from .. import clock
from ..models import LessonCheckAnswer, PracticeProgress
from .db_helpers import insert_new, insert_once, run
from .errors import DomainError
from .progress import enroll, get_enrolment

PRACTICE_PROGRESS = PracticeProgress.__table__

RESTART = "restart"  # the "practise again" button of an end step


@dataclass(frozen=True)
class Outcome:
    """What answering a step did: ``mistake`` (nothing moved), ``feedback`` or ``moved`` (the
    learner is now on ``choice.next``), ``restarted``; ``completed`` the first time an end
    step is reached; ``done``, whether the practice is done (once) after the answer."""

    kind: str
    step: object
    choice: Optional[object] = None
    completed: bool = False
    done: bool = False


# Built once: every practice page and answer reads the learner's place with it.
_PLACE = select(PracticeProgress.id, PracticeProgress.step_id, PracticeProgress.course_version,
                PracticeProgress.completed_at).where(
    PracticeProgress.user_id == bindparam("user_id"),
    PracticeProgress.course_slug == bindparam("course_slug"),
    PracticeProgress.practice_slug == bindparam("practice_slug"))


@dataclass(frozen=True)
class Place:
    """Where a learner stands in a practice: the ``step`` they are on, whether they have
    ``done`` it once, and their row as read (``row``: step id and course version; None
    before their first move)."""

    step: object
    done: bool = False
    row: Optional[tuple] = None


def place(*, session, user_id, course, practice):
    """The learner's ``Place`` in ``practice``, from one read: the first step on a fresh
    start, or when the course has changed version since they stood there."""
    row = run(session, _PLACE, {"user_id": user_id, "course_slug": course.slug,
                               "practice_slug": practice.slug}).first()
    if row is None:
        return Place(practice.first)
    step = practice.first if row.course_version != course.version else (
        practice.step(row.step_id) or practice.first)
    return Place(step, row.completed_at is not None, (row.step_id, row.course_version))


def is_done(*, session, user, course, practice):
    return place(session=session, user_id=user.id, course=course, practice=practice).done


def _version(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def answer(*, session, user, course, practice, step_id, choice_id, version, begin_writes=None):
    """Answer the learner's current step with ``choice_id``. Raises ``DomainError`` (nothing
    recorded) for a form of another step, another version, or a choice the step lacks.

    Everything is read first; a mistake writes nothing. A move calls ``begin_writes`` (the
    view passes ``db.begin_writes``) and then only writes: on SQLite the write lock is held
    for one or two statements."""
    if _version(version) != course.version:
        raise DomainError(_l("This screen is from an older version of the course. Nothing was "
                             "recorded; here is your current step."))
    here = place(session=session, user_id=user.id, course=course, practice=practice)
    step = here.step
    if step_id != step.id:
        raise _not_current_step()
    if step.end:
        if choice_id != RESTART:
            raise DomainError(_l("Choose one of the answers shown."))
        _move(session, user, course, practice, here, practice.first.id, begin_writes)
        return Outcome("restarted", step, done=here.done)
    choice = step.choice(choice_id)
    if choice is None:
        raise DomainError(_l("Choose one of the answers shown."))
    if choice.mistake:
        return Outcome("mistake", step, choice, done=here.done)
    completed = _move(session, user, course, practice, here, choice.next, begin_writes,
                      finishing=practice.step(choice.next).end and not here.done)
    return Outcome("feedback" if choice.feedback else "moved", step, choice, completed,
                   done=here.done or completed)


def _not_current_step():
    return DomainError(_l("This screen is not your current step (a page sent twice or an old "
                          "page). Nothing was recorded; here is where you are."))


def _move(session, user, course, practice, here, step_id, begin_writes, finishing=False):
    """Put the learner on ``step_id`` (enrolling them on their first move) if they still
    stand where ``here`` was read, else raise (a request that raced this one moved them);
    with ``finishing``, mark the practice done unless it is: whether this request did."""
    enrolled = here.row is not None or get_enrolment(session=session, user_id=user.id,
                                                     course_slug=course.slug) is not None
    if begin_writes is not None:
        begin_writes()
    if not enrolled:
        enroll(session=session, user=user, course=course)
    now = clock.now()
    keys = {"user_id": user.id, "course_slug": course.slug, "practice_slug": practice.slug}
    values = {"step_id": step_id, "course_version": course.version, "updated_at": now}
    if here.row is None:
        if insert_new(session, PracticeProgress, **keys, **values, started_at=now) is None:
            raise _not_current_step()
    else:
        read_step, read_version = here.row
        moved = run(session, update(PRACTICE_PROGRESS).filter_by(
            **keys, step_id=read_step, course_version=read_version).values(**values))
        if moved.rowcount != 1:
            raise _not_current_step()
    if not finishing:
        return False
    marked = run(session, update(PRACTICE_PROGRESS).filter_by(**keys)
                 .where(PRACTICE_PROGRESS.c.completed_at.is_(None))
                 .values(completed_at=now))
    return marked.rowcount == 1


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
