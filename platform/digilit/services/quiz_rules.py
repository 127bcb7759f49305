"""Rules of a quiz attempt: its one-time token (bound to the learner, course and version),
the questions it draws from the course's bank, and the pause after repeated failures."""
import base64
import hashlib
import hmac
import json
import random
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, case, func, literal
from sqlmodel import select

from .. import clock
from ..models import QuizAttempt
from ..prepared import prepare
from .db_helpers import dialect_insert, run

NONCE_BYTES = 18
MAX_REDRAWS = 20


def _signature(secret, nonce, user_id, course):
    message = f"{nonce}|{user_id}|{course.slug}|{course.version}".encode()
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, message, hashlib.sha256).digest()[:15]
    return base64.urlsafe_b64encode(digest).decode()


def signed_token(*, secret, user_id, course, previous=None):
    """A one-time attempt token for ``user_id`` in this version of ``course``.

    Its draw differs from ``previous`` (the question ids of the learner's last attempt)
    whenever the bank allows another draw, so a retake meets other questions."""
    for _ in range(MAX_REDRAWS):
        nonce = secrets.token_urlsafe(NONCE_BYTES)
        token = f"{nonce}.{_signature(secret, nonce, user_id, course)}"
        if not previous or drawn_ids(course, token) != frozenset(previous) \
                or course.draw_size == len(course.questions):
            return token
    return token


def token_matches(*, secret, token, user_id, course):
    """Whether ``token`` was issued to ``user_id`` for this version of ``course``."""
    nonce, _dot, signature = (token or "").partition(".")
    if not nonce or not signature:
        return False
    return hmac.compare_digest(signature, _signature(secret, nonce, user_id, course))


_RECENT_DRAWS = {}  # token -> (course, its draw): a new form draws twice (token, order)
RECENT_DRAWS_KEPT = 64


def drawn_questions(course, token):
    """The questions an attempt draws: ``quiz_size`` of the bank, chosen from the token (so
    grading, and the result page later, find the same ones), in course order."""
    questions = list(course.questions)
    size = course.draw_size
    if size >= len(questions):
        return tuple(questions)
    kept = _RECENT_DRAWS.get(token)
    if kept is not None and kept[0] is course:  # the same course, not one loaded anew
        return kept[1]
    chosen = set(id(q) for q in random.Random(f"draw:{token}").sample(questions, size))
    drawn = tuple(q for q in questions if id(q) in chosen)
    if len(_RECENT_DRAWS) >= RECENT_DRAWS_KEPT:
        _RECENT_DRAWS.clear()
    _RECENT_DRAWS[token] = (course, drawn)
    return drawn


def drawn_ids(course, token):
    return frozenset(q.id for q in drawn_questions(course, token))


# A learner's latest two attempts at a course, newest first: built once, run with values bound.
# (Bound names differ from any column's: in a statement with an UPDATE, values named as its
# table's columns would be SET.)
_LATEST_TWO = (select(QuizAttempt.passed, QuizAttempt.submitted_at)
               .where(QuizAttempt.user_id == bindparam("learner"),
                      QuizAttempt.course_slug == bindparam("course"))
               .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc()).limit(2))


_UNLESS_PAUSED = {}  # (dialect, with the pause) -> the statement, built once


def insert_unless_paused(session, with_pause=True):
    """``INSERT ... SELECT`` of one attempt (``attempt_params``) unless its token is there
    already, ``RETURNING`` its id; ``with_pause``, its ``WHERE`` is the pause: not when the
    two latest attempts failed and the newer was sent after ``opens_after``."""
    key = (session.get_bind().dialect.name, with_pause)
    statement = _UNLESS_PAUSED.get(key)
    if statement is None:
        columns = [c for c in QuizAttempt.__table__.c if c.name != "id"]
        row = select(*(bindparam(f"new_{c.name}", type_=c.type) for c in columns))
        if with_pause:
            row = row.where(~_paused().exists())
        statement = _UNLESS_PAUSED[key] = prepare(
            dialect_insert(session, QuizAttempt).from_select(columns, row)
            .on_conflict_do_nothing().returning(QuizAttempt.id))
    return statement


def _paused():
    latest = _LATEST_TWO.subquery()
    two = select(func.count().label("n"),
                 func.sum(case((latest.c.passed, 1), else_=0)).label("passes"),
                 func.max(latest.c.submitted_at).label("newest")).subquery()
    return select(literal(1)).where(
        two.c.n == 2, two.c.passes == 0,
        two.c.newest > bindparam("opens_after", type_=QuizAttempt.submitted_at.type))


def attempt_params(values, pause):
    """The bound values of ``insert_unless_paused`` for the attempt ``values`` (every column
    but the id) and a pause of ``pause`` seconds."""
    params = {f"new_{name}": value for name, value in values.items()}
    params.update(learner=values["user_id"], course=values["course_slug"],
                  opens_after=values["submitted_at"] - timedelta(seconds=max(pause, 0)))
    return params


def record_unless_paused(*, session, values, pause):
    """Insert the attempt ``values`` (every column but the id) unless its token is recorded
    already or the learner's two latest attempts at the course failed and the pause of
    ``pause`` seconds after them is not over: its id, or None. One statement, so that under
    SQLite's write lock the pause is checked where the attempt is inserted."""
    return run(session, insert_unless_paused(session, pause > 0),
               attempt_params(values, pause)).scalar()


def draw_of(latest):
    """Question ids of the newest of ``latest`` (attempts with their ``answers``, newest
    first: the keys of its answers), or None when there is none."""
    return frozenset(json.loads(latest[0].answers)) if latest else None


def retry_at(*, session, user_id, course_slug, pause):
    """When the next attempt opens after two failed attempts in a row, while that is still
    ahead; None when the learner may take the quiz now."""
    if pause <= 0:
        return None
    return retry_after(run(session, _LATEST_TWO, {"learner": user_id,
                                                  "course": course_slug}).all(), pause)


def retry_after(latest, pause):
    """``retry_at`` from the learner's latest attempts (rows with ``passed`` and
    ``submitted_at``, newest first; a page that lists them already needs no other query)."""
    latest = list(latest)[:2]
    if len(latest) < 2 or any(attempt.passed for attempt in latest) or pause <= 0:
        return None
    opens = latest[0].submitted_at + timedelta(seconds=pause)
    return opens if opens > clock.now() else None
