"""The signed-in account as each request reads it, and its entity for the services that
change it."""
from sqlalchemy import bindparam
from sqlmodel import select

from ..models import User
from .db_helpers import run
from ..prepared import prepare

_USERS = User.__table__


class SignedInUser:
    """The signed-in account as each request reads it: its columns as plain values, and what
    Flask-Login asks of a user. Loading it as an ORM entity cost more than the query itself,
    on every signed-in request; a service that changes the account takes its entity
    (``entity``)."""

    __slots__ = tuple(_USERS.c.keys())
    is_authenticated, is_active, is_anonymous = True, True, False

    def __init__(self, names, values):
        for name, value in zip(names, values):
            setattr(self, name, value)

    def get_id(self):
        return f"{self.id}:{self.session_version}"


# Built once: every signed-in request runs it.
_SIGNED_IN_USER = prepare(select(*_USERS.c).where(
    _USERS.c.id == bindparam("user_id"), _USERS.c.session_version == bindparam("version"),
    _USERS.c.suspended_at.is_(None)))


def load_user(*, session, token):
    """The user behind a session token ``"<id>:<session version>"``, if still valid, as a
    ``SignedInUser``."""
    try:
        user_id, version = (int(part) for part in token.split(":", 1))
    except (ValueError, AttributeError):
        return None
    rows = run(session, _SIGNED_IN_USER, {"user_id": user_id, "version": version})
    return SignedInUser(rows.keys, rows.rows[0]) if rows.rows else None


def entity(*, session, user):
    """The ORM entity of ``user`` (a ``SignedInUser`` or an entity already), for a service
    that changes the account."""
    return user if isinstance(user, User) else session.get(User, user.id)
