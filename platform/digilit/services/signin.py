"""Signing in with limits that hold across workers and app nodes (counted in ``Throttle``).

- An account: ``LOGIN_MAX_FAILURES`` (5) wrong passwords within ``THROTTLE_WINDOW`` (15
  minutes) lock it for that long; a locked account refuses even the right password, and says
  only what a wrong password says. The attempt is counted *before* the password is checked,
  in the same transaction, so parallel guesses wait for each other and cannot exceed the
  limit. Unknown usernames are counted alike, so a lock tells nothing about existence.
- A network address: ``LOGIN_FAILURES_PER_ADDRESS`` (20) failed sign-ins in the window, plus
  ``LOGIN_FAILURE_CREDIT`` (2) for every successful sign-in from it in the window, at most
  ``LOGIN_FAILURES_PER_ADDRESS_MAX`` (200); past that it may not try for the window. A
  commune hall puts 30-60 people behind one shared address, each signing in once, some after
  a typo: every success there makes room for the next person's typo. Guessing over many
  usernames from one address earns no successes and is refused at the 20th failure; even
  with accounts of one's own, at the 200th.
- Registrations per address: ``REGISTRATIONS_PER_ADDRESS`` (80) in the window: a hall of 60
  registers together.
"""
from dataclasses import dataclass
from typing import Optional

from . import accounts, pins, throttle

SUCCESS, FAILURE, LOCKOUT, LOCKED, THROTTLED = "success", "failure", "lockout", "locked", \
    "throttled"


@dataclass(frozen=True)
class Limits:
    """The numbers, read from the app's configuration by the view."""

    account: int = 5
    address: int = 20
    credit: int = 2
    address_max: int = 200
    registrations: int = 80
    window: int = throttle.WINDOW

    def address_failures(self, successes):
        """Failed sign-ins an address may make, given its successful ones in the window."""
        return min(self.address_max, self.address + self.credit * successes)

    @classmethod
    def from_config(cls, config):
        """The limits configured for an app."""
        return cls(account=config["LOGIN_MAX_FAILURES"],
                   address=config["LOGIN_FAILURES_PER_ADDRESS"],
                   credit=config["LOGIN_FAILURE_CREDIT"],
                   address_max=config["LOGIN_FAILURES_PER_ADDRESS_MAX"],
                   registrations=config["REGISTRATIONS_PER_ADDRESS"],
                   window=config["THROTTLE_WINDOW"])


@dataclass(frozen=True)
class Attempt:
    """What became of a sign-in: ``user`` is set only on success; ``user_id`` names the
    account concerned, if it exists (for the audit log, never for the page)."""

    outcome: str
    user: object = None
    user_id: Optional[int] = None

    @property
    def ok(self):
        return self.outcome == SUCCESS


def _user_id(session, key):
    user = accounts.find_user(session=session, username=key)
    return user.id if user else None


def sign_in(*, session, username, password, address, limits=Limits(), checkpoint=None):
    """Check the credentials within the limits; flushes the counters (the caller commits
    whatever the outcome).

    ``checkpoint`` (the sign-in page passes its commit) is called once the attempt is counted
    and the account read, before the password is hashed: on SQLite a write request holds the
    database's write lock from its first statement (``BEGIN IMMEDIATE``), and hashing under it
    made every sign-in wait for all the others' hashing (200 at once: a minute, worker
    timeouts and 500s). The count is then committed before the check, so parallel guesses
    still cannot pass the limit."""
    if throttle.is_blocked(session=session, scope=throttle.LOGIN_ADDRESS, value=address):
        return Attempt(THROTTLED)
    key = accounts.username_key(username)
    tries = 0
    if key is not None:
        if throttle.is_blocked(session=session, scope=throttle.ACCOUNT, value=key):
            return Attempt(LOCKED, user_id=_user_id(session, key))
        tries = throttle.hit(session=session, scope=throttle.ACCOUNT, value=key,
                             limit=limits.account, window=limits.window)
        if tries > limits.account:  # parallel guesses got there first
            return Attempt(LOCKED, user_id=_user_id(session, key))
    user = accounts.find_user(session=session, username=key)
    if checkpoint is not None:
        checkpoint()
    user, valid = accounts.check_credentials(session=session, username=key, password=password,
                                             user=user)
    if valid:
        accounts.upgrade_password_hash(user, password)  # still outside the write lock
        throttle.clear(session=session, scope=throttle.ACCOUNT, value=key)
        throttle.hit(session=session, scope=throttle.LOGIN_SUCCESS_ADDRESS, value=address,
                     limit=None, window=limits.window)
        pins.spend_pin(session=session, user=user)
        return Attempt(SUCCESS, user=user, user_id=user.id)
    successes = throttle.count(session=session, scope=throttle.LOGIN_SUCCESS_ADDRESS,
                               value=address, window=limits.window)
    throttle.hit(session=session, scope=throttle.LOGIN_ADDRESS, value=address,
                 limit=limits.address_failures(successes), window=limits.window)
    return Attempt(LOCKOUT if tries >= limits.account else FAILURE,
                   user_id=user.id if user else None)


def registration_blocked(*, session, address):
    """Whether this address has registered as many accounts as the window allows."""
    return throttle.is_blocked(session=session, scope=throttle.REGISTER_ADDRESS, value=address)


def count_registration(*, session, address, limits=Limits()):
    """Count one registration attempt from ``address``."""
    throttle.hit(session=session, scope=throttle.REGISTER_ADDRESS, value=address,
                 limit=limits.registrations, window=limits.window)


def forget_account(*, session, username):
    """Drop the sign-in counters of ``username`` (its account is deleted)."""
    throttle.clear(session=session, scope=throttle.ACCOUNT, value=username)
