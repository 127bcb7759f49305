"""Quiz attempts: shuffling, reading answers, grading, and what a pass brings."""
import json
import random
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import select

from ..models import Enrolment, QuizAttempt
from . import rollup
from .certificates import issue_certificate
from .db_helpers import insert_once
from .errors import DomainError
from .progress import course_progress, enroll
from .quiz_rules import drawn_questions, retry_at, token_matches
from .. import clock


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


def _may_submit(session, user, course, token, secret, pause):
    """The attempt already recorded for ``token`` (a form sent twice), or None when a new one
    may be recorded; raises ``DomainError`` when it may not."""
    if not token or len(token) > 64:
        raise _expired()
    existing = find_attempt(session=session, token=token)
    if existing is not None:
        if existing.user_id != user.id or existing.course_slug != course.slug:
            raise _expired()
        return existing
    if secret is not None and not token_matches(secret=secret, token=token, user_id=user.id,
                                                course=course):
        raise _expired()
    if not course_progress(session=session, user=user, course=course).quiz_open:
        raise DomainError(_l("Finish every lesson and practice first: the quiz opens then."))
    until = retry_at(session=session, user_id=user.id, course_slug=course.slug, pause=pause)
    if until is not None:
        raise QuizPaused(until)
    return None


def submit_attempt(*, session, user, course, token, answers, secret=None, pause=0):
    """Record one attempt (once per token), graded over the questions its token drew;
    complete the course and issue a certificate on a pass. Returns the attempt.

    With ``secret``, the token must have been issued to this learner for this version of the
    course. Raises ``DomainError`` if the quiz is not open, the token is foreign, or
    (``QuizPaused``) the pause of ``pause`` seconds after two failures is not over."""
    existing = _may_submit(session, user, course, token, secret, pause)
    if existing is not None:
        return existing
    questions = drawn_questions(course, token)
    answers = {q.id: list(answers.get(q.id, [])) for q in questions}
    result = grade(questions, answers)
    attempt = QuizAttempt(
        token=token, user_id=user.id, course_slug=course.slug, course_version=course.version,
        score=result.score, max_score=result.max_score, percent=result.percent,
        passed=result.passes(course.pass_percent), answers=json.dumps(answers),
    )
    if not insert_once(session, attempt):
        return find_attempt(session=session, token=token)
    enrolment = enroll(session=session, user=user, course=course)
    enrolment.last_activity_at = clock.now()
    counts = {"attempts": 1, "passes": int(attempt.passed)}
    if attempt.passed and enrolment.completed_at is None:
        counts["trained"] = int(not _has_completed_any(session, user.id))
        enrolment.completed_at = attempt.submitted_at
        counts["completions"] = 1
        certificate = issue_certificate(session=session, user=user, course=course,
                                        attempt=attempt)
        counts["certificates"] = int(certificate.attempt_id == attempt.id)
    session.add(enrolment)
    session.flush()
    trained = counts.pop("trained", 0)
    rollup.count_for_user(session=session, user=user, course_slug=course.slug,
                          when=attempt.submitted_at, **counts)
    if trained:  # counted once per person, in the course-free rows
        rollup.count_for_user(session=session, user=user, when=attempt.submitted_at,
                              trained=trained)
    return attempt


def _has_completed_any(session, user_id):
    return session.exec(select(Enrolment.id).where(
        Enrolment.user_id == user_id, Enrolment.completed_at.is_not(None))).first() is not None
