"""One-time PINs: how a team gives an account to someone with no password yet (or who forgot
theirs). A PIN is six digits, lives ``PIN_LIFETIME_DAYS`` days, opens one session and must
then be replaced by a password; a new PIN ends the old password and every open session."""
import secrets
from datetime import timedelta, timezone

from werkzeug.security import generate_password_hash

from .. import clock
from . import security_events, throttle
from .passwords import UNUSABLE_PASSWORD

PIN_DIGITS = 6
PIN_LIFETIME_DAYS = 14
# A PIN lives for days, is single-use and must be replaced by a password at first sign-in,
# and sign-in attempts are limited: a lighter scrypt than for passwords keeps enrolling a
# thousand people in seconds. Real passwords keep the full-strength hash (``hashing``).
PIN_HASH_METHOD = "scrypt:4096:8:1"
# Checked when an account has no PIN, so that every sign-in costs the same.
DUMMY_PIN_HASH = generate_password_hash("000000", method=PIN_HASH_METHOD)


def new_pin():
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def hash_pin(pin):
    return generate_password_hash(pin, method=PIN_HASH_METHOD)


def pin_unexpired(user):
    """Whether ``user`` has a PIN that has not expired."""
    if not user.pin_hash or user.pin_expires_at is None:
        return False
    expires = user.pin_expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=timezone.utc)
    return expires > clock.now()


def set_new_pin(*, session, user, actor=None):
    """Give ``user`` a fresh one-time PIN (returned once, stored hashed); the old password and
    every open session of theirs stop working, a sign-in lock on the account is lifted, and a
    new password is due at sign-in. The person is told at that sign-in that ``actor`` (a team
    leader, the commune office...) reset it."""
    throttle.clear(session=session, scope=throttle.ACCOUNT, value=user.username)
    pin = new_pin()
    user.pin_hash = hash_pin(pin)
    user.pin_expires_at = clock.now() + timedelta(days=PIN_LIFETIME_DAYS)
    user.password_hash = UNUSABLE_PASSWORD
    user.must_change_password = True
    user.session_version += 1
    session.add(user)
    session.flush()
    security_events.record(session=session, user=user, kind=security_events.PIN_RESET,
                           actor=actor)
    return pin


def spend_pin(*, session, user):
    """A PIN opens one session: its first successful sign-in spends it (the person then
    chooses a password, or asks for a new PIN)."""
    if user.pin_hash is not None:
        user.pin_hash = user.pin_expires_at = None
        session.add(user)
        session.flush()
