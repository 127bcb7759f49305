"""A learner's standing, read: what the pages show of their courses (lessons done, practices
finished, the latest attempts, certificates), in as few statements as the page allows."""
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple, Optional

from sqlalchemy import (Boolean, Integer, String, bindparam, case, cast, func, literal_column,
                        null, union_all)
from sqlmodel import select

from ..models import (Certificate, Enrolment, LessonProgress, PracticeProgress, QuizAttempt,
                      TeamMember, VenueAttendance, VenueSession)
from .db_helpers import run
from ..prepared import prepare

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
    # Every course the learner completed, when read (``course_progress(with_attempts=True)``).
    completed_courses: frozenset = field(default_factory=frozenset)
    # What a write needs, when read with the rest (``course_progress(for_lesson=...)`` and
    # ``for_token=...``): None when not read.
    team_ids: Optional[tuple] = None  # the teams the learner is a member of, sorted
    attended: Optional[bool] = None  # at a venue session of the course on the day given
    token: Optional[str] = None  # the quiz token whose owner was read...
    token_owner: Optional[tuple] = None  # ...and its attempt's (user id, course), if any
    active_at: Optional[object] = None  # the enrolment's last activity noted

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


@dataclass(frozen=True)
class EnrolmentState:
    """What a page needs of an enrolment (read as plain columns, not as an entity)."""

    id: int
    completed_at: Optional[object]


@dataclass(frozen=True)
class CertificateState:
    code: str
    issued_at: object


# A learner's standing in one statement, built once per variant (``_standing``): a row per
# enrolment, lesson done, certificate, practice finished and latest attempt, each tagged with
# its kind, in slots shared by all (course, id, text, moment, percent, passed). The first
# branch's columns type every slot (moments are read as datetimes whichever branch).
ENROLLED, LESSON, CERTIFIED, PRACTISED, ATTEMPTED, ACTIVE, COMPLETED, TEAM, ATTENDED, TOKEN = \
    range(10)
_USER, _COURSE = bindparam("user_id"), bindparam("course_slug")
# What a write reads with the standing (``_standing``'s ``extras``).
TEAMS, ATTENDANCE, TOKEN_OWNER, COMPLETIONS, ACTIVITY, ANSWERS = (
    "teams", "attendance", "token owner", "completions", "activity", "answers")


class Attempt(NamedTuple):
    """What a page shows of an attempt (``answers``, its JSON, for the quiz form's draw)."""

    id: int
    submitted_at: object
    percent: int
    passed: bool
    answers: Optional[str] = None


def _kind(kind):
    return literal_column(str(kind), Integer)


def _of(model, one_course):
    """The rows of ``model`` that are the learner's (in the course, with ``one_course``)."""
    return (model.user_id == _USER,) + ((model.course_slug == _COURSE,) if one_course else ())


def _latest_attempts(one_course, answers, slugs):
    """The latest attempts: ``ATTEMPTS_SHOWN`` + 1 of one course, or ``limit`` of each of
    ``slugs``, each read through the index of a learner's attempts in a course (a page never
    reads a learner's whole history); their ``answers`` (the quiz form's next draw) or null."""
    columns = (*ATTEMPT_COLUMNS, QuizAttempt.course_slug,
               QuizAttempt.answers if answers else cast(null(), String).label("answers"))
    newest_first = (QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())
    if one_course:
        return [select(*columns).where(*_of(QuizAttempt, True)).order_by(*newest_first)
                .limit(ATTEMPTS_SHOWN + 1).subquery()]
    return [select(*columns).where(QuizAttempt.user_id == _USER, QuizAttempt.course_slug == slug)
            .order_by(*newest_first).limit(bindparam("limit")).subquery() for slug in slugs]


def _for_writes(extras):
    """The branches a write reads with the standing: the learner's teams, a venue session
    of the course attended on the day ``day``, the owner of the quiz token ``token``, when
    the enrolment's last activity was noted."""
    nothing = null()
    if ACTIVITY in extras:
        yield select(_kind(ACTIVE), Enrolment.course_slug, Enrolment.id, nothing,
                     Enrolment.last_activity_at, nothing, nothing).where(*_of(Enrolment, True))
    if TEAMS in extras:
        yield select(_kind(TEAM), nothing, TeamMember.team_id, nothing, nothing, nothing,
                     nothing).where(TeamMember.user_id == _USER)
    if ATTENDANCE in extras:
        attended = (select(VenueSession.id)
                    .join(VenueAttendance, VenueAttendance.session_id == VenueSession.id)
                    .where(VenueAttendance.user_id == _USER, VenueSession.course_slug == _COURSE,
                           VenueSession.held_on == bindparam("day")))
        yield select(_kind(ATTENDED), nothing, nothing, nothing, nothing, nothing,
                     nothing).where(attended.exists())
    if TOKEN_OWNER in extras:
        yield select(_kind(TOKEN), QuizAttempt.course_slug, QuizAttempt.user_id, nothing,
                     nothing, nothing, nothing).where(QuizAttempt.token == bindparam("token"))


@cache
def _standing(one_course, practices=True, attempts=True, extras=frozenset(), slugs=()):
    """The statement of a learner's standing (in one course, or in every one of ``slugs``),
    with the ``extras`` a write or the quiz form reads (``_for_writes``, ``ANSWERS``)."""
    nothing = null()
    branches = [
        select(_kind(ENROLLED), Enrolment.course_slug, Enrolment.id, cast(nothing, String),
               Enrolment.completed_at, cast(nothing, Integer), cast(nothing, Boolean))
        .where(*_of(Enrolment, one_course)),
        select(_kind(LESSON), LessonProgress.course_slug, nothing, LessonProgress.lesson_slug,
               nothing, nothing, nothing).where(*_of(LessonProgress, one_course)),
        select(_kind(CERTIFIED), Certificate.course_slug, nothing, Certificate.code,
               Certificate.issued_at, nothing, nothing).where(*_of(Certificate, one_course))]
    if practices:
        branches.append(select(_kind(PRACTISED), PracticeProgress.course_slug, nothing,
                               PracticeProgress.practice_slug, nothing, nothing, nothing)
                        .where(*_of(PracticeProgress, one_course),
                               PracticeProgress.completed_at.is_not(None)))
    for latest in _latest_attempts(one_course, ANSWERS in extras, slugs) if attempts else ():
        branches.append(select(_kind(ATTEMPTED), latest.c.course_slug, latest.c.id,
                               latest.c.answers, latest.c.submitted_at, latest.c.percent,
                               latest.c.passed))
    if (attempts and one_course) or COMPLETIONS in extras:  # the next course, once passed
        branches.append(select(_kind(COMPLETED), Enrolment.course_slug, nothing, nothing,
                               nothing, nothing, nothing)
                        .where(*_of(Enrolment, False), Enrolment.completed_at.is_not(None)))
    return prepare(union_all(*branches, *_for_writes(extras)))


def _read_standing(rows, by_slug, shown):
    """Fill the ``CourseProgress`` of ``by_slug`` from the rows of ``_standing``."""
    done, finished, attempts, completed, teams = {}, {}, {}, set(), []
    for kind, slug, row_id, text, moment, percent, passed in rows:
        if kind >= COMPLETED:  # the learner's, whichever course
            _read_learner_row(by_slug, kind, slug, row_id, completed, teams)
            continue
        state = by_slug.get(slug)
        if state is None:
            continue  # a course no longer in the catalogue
        if kind == ENROLLED:
            state.enrolment = EnrolmentState(row_id, moment)
        elif kind == LESSON:
            done.setdefault(slug, set()).add(text)
        elif kind == CERTIFIED:
            state.certificate = CertificateState(text, moment)
        elif kind == PRACTISED:
            finished.setdefault(slug, set()).add(text)
        elif kind == ACTIVE:
            state.active_at = moment
        else:
            attempts.setdefault(slug, []).append(Attempt(row_id, moment, percent, passed, text))
    for slug, lessons in done.items():
        by_slug[slug].done = frozenset(lessons)
    for slug, practices in finished.items():
        by_slug[slug].practices_done = frozenset(practices)
    for state in by_slug.values() if completed or teams else ():
        state.completed_courses = frozenset(completed)
        state.team_ids = tuple(sorted(teams)) if state.team_ids is not None else None
    for slug, latest in attempts.items():
        latest.sort(key=lambda attempt: (attempt.submitted_at, attempt.id), reverse=True)
        by_slug[slug].attempts = latest[:shown]
        by_slug[slug].more_attempts = len(latest) > shown


def _read_learner_row(by_slug, kind, slug, row_id, completed, teams):
    if kind == COMPLETED:
        completed.add(slug)
    elif kind == TEAM:
        teams.append(row_id)
    for state in by_slug.values() if kind in (ATTENDED, TOKEN) else ():
        if kind == ATTENDED:
            state.attended = True
        else:
            state.token_owner = (row_id, slug)


def course_progress(*, session, user, course, with_attempts=False, with_practices=True,
                    with_answers=False, for_lesson_on=None, for_token=None):
    """Everything the course page shows about ``user`` in ``course`` (without the practices
    finished when ``with_practices`` is false: ``practices_done`` reads them later), from one
    statement (the attempts' ``answers`` with ``with_answers``). With it, what a write needs:
    ``for_lesson_on`` (a day) the learner's teams, whether they attended a venue session of
    the course that day and the enrolment's last activity (a lesson done); ``for_token`` its
    attempt's owner, the teams, the courses completed and the last activity (a quiz sent)."""
    progress = CourseProgress(course=course)
    if user is None or not user.is_authenticated:
        return progress
    extras = {ANSWERS} if with_answers else set()
    if for_lesson_on is not None:
        extras |= {TEAMS, ATTENDANCE, ACTIVITY}
    if for_token is not None:
        extras |= {TEAMS, TOKEN_OWNER, COMPLETIONS, ACTIVITY}
    statement = _standing(True, bool(with_practices and course.practices), with_attempts,
                          frozenset(extras))
    if TEAMS in extras:  # none read: none there
        progress.team_ids = ()
    if ATTENDANCE in extras:
        progress.attended = False
    progress.token = for_token
    rows = run(session, statement, {"user_id": user.id, "course_slug": course.slug,
                                    "day": for_lesson_on, "token": for_token})
    _read_standing(rows, {course.slug: progress}, ATTEMPTS_SHOWN)
    return progress


_PRACTICES_DONE = prepare(select(PracticeProgress.practice_slug).where(
    *_of(PracticeProgress, True), PracticeProgress.completed_at.is_not(None)))


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
_ATTEMPTS_PAGE = _ATTEMPTS.offset(bindparam("skip")).limit(ATTEMPTS_PER_PAGE + 1)


def attempts_page(*, session, user_id, course_slug, page):
    """``(attempts, has_next)``: one page (1-based) of a learner's attempts, newest first."""
    page = max(1, page)
    rows = run(session, _ATTEMPTS_PAGE, {"user_id": user_id, "course_slug": course_slug,
                                          "skip": (page - 1) * ATTEMPTS_PER_PAGE}).all()
    return rows[:ATTEMPTS_PER_PAGE], len(rows) > ATTEMPTS_PER_PAGE


def learner_overview(*, session, user, catalog, attempts_each=3):
    """``[CourseProgress]`` of every course the learner started, in catalogue order, from one
    statement whatever the number of courses (enrolments, lessons done, certificates,
    practices finished, and the latest ``attempts_each`` attempts per course)."""
    by_slug = {course.slug: CourseProgress(course=course) for course in catalog}
    statement = _standing(False, slugs=tuple(by_slug))
    rows = run(session, statement, {"user_id": user.id, "limit": attempts_each + 1})
    _read_standing(rows, by_slug, attempts_each)
    return [state for state in by_slug.values() if state.enrolment is not None or state.done]


# Per course: the lessons done (kind LESSON, their number) and the enrolment (ENROLLED,
# 1 once completed), in one statement.
_CATALOGUE_PROGRESS = union_all(
    select(_kind(LESSON), LessonProgress.course_slug, func.count())
    .where(LessonProgress.user_id == _USER).group_by(LessonProgress.course_slug),
    select(_kind(ENROLLED), Enrolment.course_slug,
           case((Enrolment.completed_at.is_(None), 0), else_=1))
    .where(Enrolment.user_id == _USER))
_COMPLETED = select(Enrolment.course_slug) \
    .where(Enrolment.user_id == _USER, Enrolment.completed_at.is_not(None))


def catalogue_progress(*, session, user_id):
    """``{course slug: (lessons done, completed?)}`` for one learner, from one statement."""
    result = {}
    for kind, slug, figure in run(session, _CATALOGUE_PROGRESS, {"user_id": user_id}):
        done, completed = result.get(slug, (0, False))
        result[slug] = (figure, completed) if kind == LESSON else (done, bool(figure))
    return result


def next_course(*, session, user_id, catalog, completed=None):
    """The first course of ``catalog`` (in its order) that the learner has not completed, or
    None when every one is done: the suggestion shown once a course is passed. ``completed``:
    the courses completed, when the caller read them already."""
    if completed is None:
        completed = set(run(session, _COMPLETED, {"user_id": user_id}).scalars())
    return next((course for course in catalog if course.slug not in completed), None)
