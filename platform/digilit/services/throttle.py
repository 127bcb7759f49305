"""Counting attempts in the database, so that limits hold across gunicorn workers and app nodes.

One ``Throttle`` row per (scope, key): ``hit`` adds an attempt with one atomic upsert (no read
first, so two workers cannot both miss the limit; the row stays locked until the transaction
ends), starting a new window when the old one has passed; the attempt that reaches the limit
blocks that scope and key for a window. Callers do not count blocked attempts, so a block
never extends itself.
"""
import hashlib
import secrets

from sqlalchemy import case, delete
from sqlmodel import select

from .. import clock
from ..models import Throttle
from .db_helpers import dialect_insert

ACCOUNT = "account"  # failed sign-ins of one username
LOGIN_ADDRESS = "login-addr"  # failed sign-ins from one network address
LOGIN_SUCCESS_ADDRESS = "login-ok-addr"  # successful sign-ins from one network address
REGISTER_ADDRESS = "register-addr"  # registrations from one network address
SECOND_FACTOR = "second-factor"  # wrong authenticator or recovery codes of one account
WINDOW = 15 * 60  # seconds
PURGE_AFTER = 24 * 3600
PURGE_ONE_IN = 200  # a hit in this many also deletes rows idle for a day



def digest(scope, value):
    """The stored key: usernames and addresses are kept only as a hash."""
    return hashlib.sha256(f"{scope}\x00{value}".encode("utf-8")).hexdigest()


def is_blocked(*, session, scope, value):
    """Whether attempts of ``scope`` by ``value`` are refused now."""
    until = session.exec(select(Throttle.blocked_until).where(
        Throttle.scope == scope, Throttle.key == digest(scope, value))).first()
    return until is not None and until > clock.timestamp()


def count(*, session, scope, value, window=WINDOW):
    """How many attempts of ``scope`` by ``value`` the current window holds."""
    row = session.exec(select(Throttle.hits, Throttle.window_start).where(
        Throttle.scope == scope, Throttle.key == digest(scope, value))).first()
    if row is None or row[1] <= clock.timestamp() - window:
        return 0
    return row[0]


def hit(*, session, scope, value, limit, window=WINDOW):
    """Count one attempt and return how many the window now holds; the attempt that reaches
    ``limit`` blocks the next ones for ``window`` seconds (a limit that grows or shrinks
    between attempts is compared as it is at each attempt)."""
    moment = clock.timestamp()
    expired = Throttle.window_start <= moment - window
    hits = case((expired, 1), else_=Throttle.hits + 1)
    blocks = limit is not None  # None: only counted (read back with ``count``)
    statement = dialect_insert(session, Throttle).values(
        scope=scope, key=digest(scope, value), hits=1, window_start=moment,
        blocked_until=moment + window if blocks and limit <= 1 else 0)
    statement = statement.on_conflict_do_update(
        index_elements=["scope", "key"],
        set_={"hits": hits,
              "window_start": case((expired, moment), else_=Throttle.window_start),
              "blocked_until": case((hits >= limit, moment + window),
                                    else_=Throttle.blocked_until) if blocks
              else Throttle.blocked_until},
    ).returning(Throttle.hits)
    count = session.execute(statement).scalar_one()
    if secrets.randbelow(PURGE_ONE_IN) == 0:
        purge(session=session)
    return count


def clear(*, session, scope, value):
    """Forget the attempts of ``scope`` by ``value`` (a successful sign-in clears failures)."""
    session.execute(delete(Throttle).where(Throttle.scope == scope,
                                           Throttle.key == digest(scope, value)))


def purge(*, session):
    """Delete counters idle for a day and not blocking anything."""
    cutoff = clock.timestamp() - PURGE_AFTER
    session.execute(delete(Throttle).where(Throttle.window_start < cutoff,
                                           Throttle.blocked_until < clock.timestamp()))
