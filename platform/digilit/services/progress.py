"""Enrolment and lesson progress; what a learner has done in a course."""
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import bindparam, func, update
from sqlmodel import select

from ..models import (Certificate, Enrolment, LessonProgress, PracticeProgress, QuizAttempt,
                      VenueAttendance, VenueSession)
from .. import clock
from . import rollup
from .db_helpers import insert_new, insert_once, run

ENROLMENT = Enrolment.__table__  # updated as a table: no unit of work for one statement
_ACTIVE = update(ENROLMENT).where(ENROLMENT.c.id == bindparam("enrolment_id")).values(
    last_activity_at=bindparam("when"))

# A page shows a learner's latest attempts only, so that no page grows with a long history;
# the rest are a click away (``attempts_page``).
ATTEMPTS_SHOWN = 5
ATTEMPTS_PER_PAGE = 20


@dataclass
class CourseProgress:
    """One learner's standing in one course."""

    course: object
    enrolment: Optional["EnrolmentState"] = None
    done: frozenset = field(default_factory=frozenset)
    attempts: list = field(default_factory=list)  # the latest ATTEMPTS_SHOWN, newest first
    more_attempts: bool = False  # older attempts exist (listed on their own page)
    certificate: Optional["CertificateState"] = None
    practices_done: frozenset = field(default_factory=frozenset)

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
    def lessons_done(self):
        return self.done_count == self.total

    @property
    def practices_left(self):
        """The course's practices not yet finished, in course order."""
        return tuple(p for p in self.course.practices if p.slug not in self.practices_done)

    @property
    def quiz_open(self):
        """The quiz opens once every lesson and every practice is done."""
        return self.lessons_done and not self.practices_left

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


def complete_lesson(*, session, user, course, lesson, enrolment=None, begin_writes=None):
    """Mark ``lesson`` done (enrolling if needed); marking it twice changes nothing.

    Everything read comes first: the enrolment (or ``enrolment``, read by the caller), the
    learner's teams and whether they attended a venue session today. ``begin_writes`` (the
    view passes ``db.begin_writes``) is called then, and only writes follow: on SQLite the
    write lock is held for three statements. The lesson row is inserted unless already there
    (``insert_new``), and counted only if this request inserted it, so a request that raced
    another for the same lesson counts nothing."""
    enrolment = enrolment or get_enrolment(session=session, user_id=user.id,
                                           course_slug=course.slug)
    now = clock.now()
    team_ids = rollup.teams_of_one(session=session, user_id=user.id)
    assisted = attended_session(session=session, user_id=user.id, course_slug=course.slug,
                                day=clock.local_day(now))
    if begin_writes is not None:
        begin_writes()
    if enrolment is None:
        enrolment = enroll(session=session, user=user, course=course)
    if insert_new(session, LessonProgress, user_id=user.id, course_slug=course.slug,
                  lesson_slug=lesson.slug, completed_at=now) is not None:
        rollup.count(session=session, province_code=user.province_code,
                     commune_code=user.commune_code, team_ids=team_ids,
                     course_slug=course.slug, when=now, lessons=1,
                     lessons_assisted=int(assisted))
    run(session, _ACTIVE, {"enrolment_id": enrolment.id, "when": now})
    return enrolment


_ATTENDED = (select(VenueSession.id)
             .join(VenueAttendance, VenueAttendance.session_id == VenueSession.id)
             .where(VenueAttendance.user_id == bindparam("user_id"),
                    VenueSession.course_slug == bindparam("course_slug"),
                    VenueSession.held_on == bindparam("day")).limit(1))


def attended_session(*, session, user_id, course_slug, day):
    """Whether the learner attended a venue session of this course on ``day`` (assisted)."""
    return run(session, _ATTENDED, {"user_id": user_id, "course_slug": course_slug,
                                    "day": day}).first() is not None


def done_lessons(*, session, user_id, course_slug):
    return frozenset(session.exec(select(LessonProgress.lesson_slug).where(
        LessonProgress.user_id == user_id, LessonProgress.course_slug == course_slug)))


@dataclass(frozen=True)
class EnrolmentState:
    """What a page needs of an enrolment (read as plain columns, not as an entity)."""

    id: int
    completed_at: Optional[object]


@dataclass(frozen=True)
class CertificateState:
    code: str
    issued_at: object


# Built once: the hot pages run them with the learner's and course's values bound. One row
# per lesson done (or one row), each with the enrolment and the certificate beside it
# (lessons are only ever done by enrolled learners: ``complete_lesson`` enrols first).
_PROGRESS = (
    select(Enrolment.id, Enrolment.completed_at, LessonProgress.lesson_slug, Certificate.code,
           Certificate.issued_at)
    .outerjoin(LessonProgress, (LessonProgress.user_id == Enrolment.user_id)
               & (LessonProgress.course_slug == Enrolment.course_slug))
    .outerjoin(Certificate, (Certificate.user_id == Enrolment.user_id)
               & (Certificate.course_slug == Enrolment.course_slug))
    .where(Enrolment.user_id == bindparam("user_id"),
           Enrolment.course_slug == bindparam("course_slug")))
_PRACTICES_DONE = select(PracticeProgress.practice_slug).where(
    PracticeProgress.user_id == bindparam("user_id"),
    PracticeProgress.course_slug == bindparam("course_slug"),
    PracticeProgress.completed_at.is_not(None))


def course_progress(*, session, user, course, with_attempts=False, with_practices=True):
    """Everything the course page shows about ``user`` in ``course`` (without the practices
    finished when ``with_practices`` is false: ``practices_done`` reads them later)."""
    progress = CourseProgress(course=course)
    if user is None or not user.is_authenticated:
        return progress
    keys = {"user_id": user.id, "course_slug": course.slug}
    rows = run(session, _PROGRESS, keys).all()
    if rows:
        first = rows[0]
        progress.enrolment = EnrolmentState(first[0], first[1])
        if first[3] is not None:
            progress.certificate = CertificateState(first[3], first[4])
        progress.done = frozenset(row[2] for row in rows if row[2] is not None)
    if with_practices:
        progress.practices_done = practices_done(session=session, user_id=user.id,
                                                 course=course)
    if with_attempts:
        latest = run(session, _LATEST_ATTEMPTS, keys).all()
        progress.attempts = latest[:ATTEMPTS_SHOWN]
        progress.more_attempts = len(latest) > ATTEMPTS_SHOWN
    return progress


def practices_done(*, session, user_id, course):
    """The slugs of the course's practices that the learner finished."""
    if not course.practices:
        return frozenset()
    return frozenset(run(session, _PRACTICES_DONE, {"user_id": user_id,
                                                     "course_slug": course.slug}).scalars())


# What a page shows of an attempt (read as plain columns: rows with these names).
ATTEMPT_COLUMNS = (QuizAttempt.id, QuizAttempt.submitted_at, QuizAttempt.percent,
                   QuizAttempt.passed)


_ATTEMPTS = (select(*ATTEMPT_COLUMNS)
             .where(QuizAttempt.user_id == bindparam("user_id"),
                    QuizAttempt.course_slug == bindparam("course_slug"))
             .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc()))
_LATEST_ATTEMPTS = _ATTEMPTS.limit(ATTEMPTS_SHOWN + 1)  # one more: are there older ones?
_ATTEMPTS_PAGE = _ATTEMPTS.offset(bindparam("skip")).limit(ATTEMPTS_PER_PAGE + 1)


def attempts_page(*, session, user_id, course_slug, page):
    """``(attempts, has_next)``: one page (1-based) of a learner's attempts, newest first."""
    page = max(1, page)
    rows = run(session, _ATTEMPTS_PAGE, {"user_id": user_id, "course_slug": course_slug,
                                          "skip": (page - 1) * ATTEMPTS_PER_PAGE}).all()
    return rows[:ATTEMPTS_PER_PAGE], len(rows) > ATTEMPTS_PER_PAGE


_USER = bindparam("user_id")
_OVERVIEW_ENROLMENTS = select(Enrolment.course_slug, Enrolment.id, Enrolment.completed_at) \
    .where(Enrolment.user_id == _USER)
_OVERVIEW_LESSONS = select(LessonProgress.course_slug, LessonProgress.lesson_slug) \
    .where(LessonProgress.user_id == _USER)
_OVERVIEW_CERTIFICATES = select(Certificate.course_slug, Certificate.code,
                                Certificate.issued_at).where(Certificate.user_id == _USER)
_OVERVIEW_PRACTICES = select(PracticeProgress.course_slug, PracticeProgress.practice_slug) \
    .where(PracticeProgress.user_id == _USER, PracticeProgress.completed_at.is_not(None))
_RANKED = select(QuizAttempt.id, func.row_number().over(
    partition_by=QuizAttempt.course_slug,
    order_by=(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())).label("rank")) \
    .where(QuizAttempt.user_id == _USER).subquery()
_OVERVIEW_ATTEMPTS = (
    select(QuizAttempt.course_slug, *ATTEMPT_COLUMNS)
    .join(_RANKED, _RANKED.c.id == QuizAttempt.id)
    .where(_RANKED.c.rank <= bindparam("shown") + 1)
    .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc()))


def learner_overview(*, session, user, catalog, attempts_each=3):
    """``[CourseProgress]`` of every course the learner started, in catalogue order, from five
    queries whatever the number of courses (enrolments, lessons done, certificates, practices
    finished, and the latest ``attempts_each`` attempts per course)."""
    by_slug = {course.slug: CourseProgress(course=course) for course in catalog}
    keys = {"user_id": user.id, "shown": attempts_each}

    def rows(statement):
        return ((row[0], row) for row in run(session, statement, keys) if row[0] in by_slug)

    for slug, row in rows(_OVERVIEW_ENROLMENTS):
        by_slug[slug].enrolment = EnrolmentState(row[1], row[2])
    for slug, row in rows(_OVERVIEW_LESSONS):
        by_slug[slug].done = by_slug[slug].done | {row[1]}
    for slug, row in rows(_OVERVIEW_CERTIFICATES):
        by_slug[slug].certificate = CertificateState(row[1], row[2])
    for slug, row in rows(_OVERVIEW_PRACTICES):
        by_slug[slug].practices_done = by_slug[slug].practices_done | {row[1]}
    for slug, attempt in rows(_OVERVIEW_ATTEMPTS):
        state = by_slug[slug]
        if len(state.attempts) < attempts_each:
            state.attempts.append(attempt)
        else:
            state.more_attempts = True
    return [state for state in by_slug.values() if state.enrolment is not None or state.done]


_DONE_PER_COURSE = select(LessonProgress.course_slug, func.count()) \
    .where(LessonProgress.user_id == _USER).group_by(LessonProgress.course_slug)
_COMPLETED = select(Enrolment.course_slug) \
    .where(Enrolment.user_id == _USER, Enrolment.completed_at.is_not(None))


def catalogue_progress(*, session, user_id):
    """``{course slug: (lessons done, completed?)}`` for one learner, from two aggregates."""
    keys = {"user_id": user_id}
    done = dict(run(session, _DONE_PER_COURSE, keys).all())
    enrolments = run(session, _OVERVIEW_ENROLMENTS, keys).all()
    result = {slug: (count, False) for slug, count in done.items()}
    for slug, _enrolment_id, completed_at in enrolments:
        result[slug] = (done.get(slug, 0), completed_at is not None)
    return result


def next_course(*, session, user_id, catalog):
    """The first course of ``catalog`` (in its order) that the learner has not completed, or
    None when every one is done: the suggestion shown once a course is passed."""
    completed = set(run(session, _COMPLETED, {"user_id": user_id}).scalars())
    return next((course for course in catalog if course.slug not in completed), None)
