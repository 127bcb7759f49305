"""Quiz attempts: shuffling, reading answers, grading, and what a pass brings."""
import json
import random
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, update
from sqlmodel import select

from ..models import Certificate, Enrolment, QuizAttempt
from . import rollup
from .certificates import new_code
from .db_helpers import insert_new, run
from .errors import DomainError
from .progress import ENROLMENT, noted_lately
from .standing import course_progress
from .quiz_rules import (attempt_params, drawn_questions, insert_unless_paused,
                         record_unless_paused, retry_at, token_matches)
from .. import clock
from ..prepared import prepare


def new_attempt_token():
    """A one-time token carried by one quiz form: its submission is recorded once."""
    return secrets.token_urlsafe(24)


def shuffled_quiz(course, token):
    """The attempt's drawn questions and their choices, in an order fixed by its token.

    ``order`` questions never show their choices already in the right order."""
    rng = random.Random(token)
    questions = list(drawn_questions(course, token))
    rng.shuffle(questions)
    shuffled = []
    for question in questions:
        choices = list(question.choices)
        rng.shuffle(choices)
        if question.type == "order" and [c.id for c in choices] == list(question.correct_ids):
            choices = choices[1:] + choices[:1]
        shuffled.append((question, choices))
    return shuffled


class ForeignQuestion(DomainError):
    """The form answers a question that the attempt did not draw."""


def read_answers(course, form, token=None):
    """Answers from a form (``q-<question id>``) to the questions the attempt ``token``
    drew, as ``{id: [choice ids]}``, and field errors. Raises ``ForeignQuestion`` when the
    form carries a question outside the draw."""
    questions = drawn_questions(course, token) if token else course.questions
    drawn = {question.id for question in questions}
    if any(key.startswith("q-") and key[2:] not in drawn for key in form.keys()):
        raise ForeignQuestion(_l("This form answers questions that are not part of your quiz. "
                                 "Nothing was recorded; please answer the questions shown."))
    answers, errors = {}, {}
    for question in questions:
        values = [v for raw in form.getlist(f"q-{question.id}") for v in raw.split(",") if v]
        valid_ids = {choice.id for choice in question.choices}
        if not values:
            errors[question.id] = _l("Answer this question.")
        elif any(value not in valid_ids for value in values):
            errors[question.id] = _l("Choose from the answers shown.")
        elif question.type in ("single", "true_false") and len(values) != 1:
            errors[question.id] = _l("Choose one answer.")
        elif question.type == "order" and len(set(values)) != len(values):
            errors[question.id] = _l("A step is chosen twice: each step goes in one place only.")
        elif question.type == "order" and sorted(values) != sorted(valid_ids):
            errors[question.id] = _l("Use every step exactly once.")
        answers[question.id] = values
    return answers, errors


def is_correct(question, given):
    if question.type == "order":
        return tuple(given) == question.correct_ids
    return frozenset(given) == question.correct_ids


@dataclass(frozen=True)
class Grade:
    score: int
    max_score: int

    @property
    def percent(self):
        return 100 * self.score // self.max_score if self.max_score else 0

    def passes(self, pass_percent):
        return self.score * 100 >= pass_percent * self.max_score


def grade(questions, answers):
    """The grade of ``answers`` over the drawn ``questions`` only."""
    score = sum(1 for q in questions if is_correct(q, answers.get(q.id, ())))
    return Grade(score=score, max_score=len(questions))


_COMPLETED_COURSES = (select(func.aggregate_strings(Enrolment.course_slug, " "))
                      .where(Enrolment.user_id == QuizAttempt.user_id,
                             Enrolment.completed_at.is_not(None)).scalar_subquery())
_OWN_ATTEMPT = (
    select(QuizAttempt.id, QuizAttempt.answers, QuizAttempt.passed, QuizAttempt.score,
           QuizAttempt.max_score, QuizAttempt.percent,
           Certificate.code.label("certificate_code"),
           _COMPLETED_COURSES.label("completed_courses"))
    .outerjoin(Certificate, (Certificate.user_id == QuizAttempt.user_id)
               & (Certificate.course_slug == QuizAttempt.course_slug))
    .where(QuizAttempt.id == bindparam("attempt_id"),
           QuizAttempt.user_id == bindparam("user_id"),
           QuizAttempt.course_slug == bindparam("course_slug")))


def own_attempt(*, session, attempt_id, user_id, course_slug):
    """What the result page shows of the learner's attempt at the course (a row: ``answers``,
    ``passed``, ``score``, ``max_score``, ``percent``, ``certificate_code``: the code of the
    learner's certificate for the course, if any, and ``completed_courses``: the slugs of the
    courses they completed, separated by spaces, or None), or None when it is not theirs."""
    return run(session, _OWN_ATTEMPT, {"attempt_id": attempt_id, "user_id": user_id,
                                        "course_slug": course_slug}).first()


def find_attempt(*, session, token):
    return session.exec(select(QuizAttempt).where(QuizAttempt.token == token)).first()


class QuizPaused(DomainError):
    """Two failed attempts in a row: the next one opens at ``until``."""

    def __init__(self, until):
        super().__init__(_l("You can take the quiz again after a short pause."))
        self.until = until


def _expired():
    return DomainError(_l("This quiz form has expired or belongs to someone else, another "
                          "course or an older version of it. Nothing was recorded; please "
                          "answer again."))


@dataclass(frozen=True)
class RecordedAttempt:
    """An attempt as ``submit_attempt`` inserted it (its columns, not an ORM entity: building
    one cost more than the insert)."""

    id: int
    token: str
    user_id: int
    course_slug: str
    course_version: int
    score: int
    max_score: int
    percent: int
    passed: bool
    answers: str
    submitted_at: object


def _may_submit(session, user, course, token, secret, state):
    """The attempt already recorded for ``token`` (a form sent twice), or None when a new one
    may be recorded; raises ``DomainError`` when it may not (``state``: read ``for_token``)."""
    owner = state.token_owner
    if owner is not None:  # the form was sent before
        if tuple(owner) != (user.id, course.slug):
            raise _expired()
        return find_attempt(session=session, token=token)
    if secret is not None and not token_matches(secret=secret, token=token, user_id=user.id,
                                                course=course):
        raise _expired()
    if not state.quiz_open:
        raise DomainError(_l("Finish every lesson and practice first: the quiz opens then."))
    return None


def submit_attempt(*, session, user, course, token, answers, secret=None, pause=0, state=None,
                   begin_writes=None):
    """Record one attempt (once per token), graded over the questions its token drew;
    complete the course and issue a certificate on a pass. Returns the attempt.

    With ``secret``, the token must have been issued to this learner for this version of the
    course. Raises ``DomainError`` if the quiz is not open, the token is foreign, or
    (``QuizPaused``) the pause of ``pause`` seconds after two failures is not over.

    Reads come first (``state``: the learner's ``course_progress`` read ``for_token``, if the
    caller has it); ``begin_writes`` (the view passes ``db.begin_writes``) is called before
    the writes, which hold whatever happened in between: the attempt is inserted unless its
    token is there already or the pause is not over (one statement, under SQLite's write
    lock), the course is completed only if it was not, and the counters count only what
    this request inserted."""
    if not token or len(token) > 64:
        raise _expired()
    if state is None or state.token != token:
        state = course_progress(session=session, user=user, course=course, for_token=token)
    existing = _may_submit(session, user, course, token, secret, state)
    if existing is not None:
        return existing
    questions = drawn_questions(course, token)
    answers = {q.id: list(answers.get(q.id, [])) for q in questions}
    result = grade(questions, answers)
    passed = result.passes(course.pass_percent)
    # Read before the writes: a course completed stays completed.
    completed, team_ids = state.passed, state.team_ids
    first_ever = passed and not completed and not state.completed_courses
    # An attempt that cannot complete the course writes itself, its counters and the
    # enrolment's activity: on PostgreSQL one statement, which needs no transaction around it.
    one_statement = not (passed and not completed) and \
        session.get_bind().dialect.name == "postgresql"
    values = dict(
        token=token, user_id=user.id, course_slug=course.slug, course_version=course.version,
        score=result.score, max_score=result.max_score, percent=result.percent,
        passed=passed, answers=json.dumps(answers), submitted_at=clock.now())
    counts = {"attempts": 1, "passes": int(passed)}
    area = dict(province_code=user.province_code, commune_code=user.commune_code,
                team_ids=team_ids, when=values["submitted_at"])
    counters = rollup.counter_params(course_slug=course.slug, **area, **counts)
    active = not noted_lately(state.active_at, values["submitted_at"])
    if begin_writes is not None:  # from here on, statements only: the write lock is held
        begin_writes(one_statement=one_statement)
    if one_statement:
        attempt_id = _record_counted(session, values, pause, counters, active=active)
    else:
        attempt_id = record_unless_paused(session=session, values=values, pause=pause)
    if attempt_id is None:  # the same form, recorded by a request that raced this one...
        existing = find_attempt(session=session, token=token)
        if existing is not None:
            return existing
        raise QuizPaused(retry_at(session=session, user_id=user.id, course_slug=course.slug,
                                  pause=pause) or values["submitted_at"])  # ...or the pause
    attempt = RecordedAttempt(id=attempt_id, **values)
    if one_statement:
        return attempt
    if passed and not completed and _complete(session, user, course, attempt):
        counts.update(completions=1, certificates=int(_certify(session, user, course, attempt)))
        counters = rollup.counter_params(course_slug=course.slug, **area, **counts)
    elif active:
        _note_activity(session, user, course, attempt)
    rollup.count_with(session=session, counters=counters)
    if counts.get("completions") and first_ever:  # once per person, in the course-free rows
        rollup.count(session=session, **area, trained=1)
    return attempt


def _record_counted(session, values, pause, counters, active):
    """PostgreSQL: the attempt ``values`` inserted unless paused or there already
    (``quiz_rules.insert_unless_paused``) and, only if it was, in the same statement, its
    ``counters`` (``rollup.counter_params``, or None) and (``active``) the enrolment's last
    activity: its id, or None."""
    params = attempt_params(values, pause)  # its learner and course: the activity's too
    return rollup.counted_insert(session=session, insert=insert_unless_paused(session, pause > 0),
                                 params={**params, "when": values["submitted_at"]},
                                 counters=counters, updates=(_ACTIVE,) if active else ())


# (Bound names differ from the columns': an UPDATE keeps those for its SET clause.)
_THIS_ENROLMENT = (ENROLMENT.c.user_id == bindparam("learner"),
                   ENROLMENT.c.course_slug == bindparam("course"))
_COMPLETE = prepare(update(ENROLMENT).where(
    *_THIS_ENROLMENT, ENROLMENT.c.completed_at.is_(None)).values(
    completed_at=bindparam("when"), last_activity_at=bindparam("when")))
_ACTIVE = prepare(update(ENROLMENT).where(*_THIS_ENROLMENT).values(
    last_activity_at=bindparam("when")))

def _complete(session, user, course, attempt):
    """Complete the learner's enrolment (there is one: the quiz opens once every lesson is
    done, and doing one enrols) unless it is: whether this attempt completed it."""
    done = run(session, _COMPLETE, {"learner": user.id, "course": course.slug,
                                    "when": attempt.submitted_at})
    return done.rowcount == 1


def _note_activity(session, user, course, attempt):
    run(session, _ACTIVE, {"learner": user.id, "course": course.slug,
                           "when": attempt.submitted_at})


def _certify(session, user, course, attempt):
    """Issue the certificate for ``course``: whether this attempt issued it."""
    return insert_new(session, Certificate, code=new_code(), user_id=user.id,
                      course_slug=course.slug, attempt_id=attempt.id, percent=attempt.percent,
                      issued_at=attempt.submitted_at) is not None

