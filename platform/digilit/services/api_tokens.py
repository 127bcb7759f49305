"""Read-only API tokens for machine clients: shown once, stored as a SHA-256 digest, limited
to the area of the administrator who created them, revocable, and expiring (90 days unless
chosen otherwise). A token never outlives its creator's role or area: once either changes,
it is refused. An administrator above the creator, in whose area the creator is, sees and may
revoke it."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlmodel import select

from ..models import ApiToken, User
from .. import clock
from . import permissions
from .errors import DomainError
from .scope import scope_for

PREFIX = "dl_"
LIFETIMES = (30, 90, 180, 365)  # days to choose from
DEFAULT_LIFETIME = 90
# "Last used" is written at most this often, not on every request.
USE_RESOLUTION = timedelta(minutes=5)


def _aware(moment):
    return moment.replace(tzinfo=timezone.utc) if moment and moment.tzinfo is None else moment


def _digest(token):
    # A 256-bit random token needs no slow hash: SHA-256 cannot be brute-forced back.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, session, creator, name, days=DEFAULT_LIFETIME):
    """Return ``(ApiToken, secret)``; the secret is shown once and never stored."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DomainError(_l("Write a name of 1 to 100 characters."), field="name")
    if days not in LIFETIMES:
        raise DomainError(_l("Choose how long the token is valid from the list."), field="days")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, prefix=secret[:10], token_hash=_digest(secret),
                     created_by=creator.id, role=creator.role,
                     province_code=creator.province_code, commune_code=creator.commune_code,
                     expires_at=clock.now() + timedelta(days=days))
    session.add(token)
    session.flush()
    return token, secret


def _visible(viewer):
    """Tokens ``viewer`` may list and revoke: their own, and those of people of a lower rank
    in their area."""
    below = permissions.roles_below(viewer)
    return or_(ApiToken.created_by == viewer.id,
               User.role.in_(below) & scope_for(viewer).people() if below else False)


def list_tokens(*, session, viewer):
    """``[(ApiToken, creator)]`` that ``viewer`` may see, newest first."""
    return session.exec(select(ApiToken, User).join(User, User.id == ApiToken.created_by)
                        .where(_visible(viewer)).order_by(ApiToken.created_at.desc(),
                                                          ApiToken.id.desc())).all()


def revoke_token(*, session, viewer, token_id):
    """Revoke a token ``viewer`` may see; False when there is no such token for them."""
    token = session.exec(select(ApiToken).join(User, User.id == ApiToken.created_by)
                         .where(ApiToken.id == token_id, _visible(viewer))).first()
    if token is None:
        return False
    token.revoked_at = token.revoked_at or clock.now()
    session.add(token)
    session.flush()
    return True


@dataclass(frozen=True)
class TokenPrincipal:
    """Who is asking, for a request authenticated by a token: its creator's area at
    creation time. Shaped like a user for the scoping function."""

    id: Optional[int]
    role: str
    province_code: Optional[int]
    commune_code: Optional[int]
    is_authenticated: bool = True


def is_live(token, creator):
    """Unrevoked, unexpired, and its creator still has the role and area it was made with."""
    now = clock.now()
    return (token.revoked_at is None and token.expires_at is not None
            and _aware(token.expires_at) > now and creator is not None
            and (creator.role, creator.province_code, creator.commune_code)
            == (token.role, token.province_code, token.commune_code))


def principal_for(*, session, secret, begin_writes=None):
    """The principal of a live token (``is_live``), or None; notes when it was used (the
    caller commits), calling ``begin_writes`` first when it does."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(secret))).first()
    if token is None or not is_live(token, session.get(User, token.created_by)):
        return None
    now = clock.now()
    if token.last_used_at is None or now - _aware(token.last_used_at) > USE_RESOLUTION:
        if begin_writes is not None:
            begin_writes()
        token.last_used_at = now
        session.add(token)
        session.flush()
    return TokenPrincipal(None, token.role, token.province_code, token.commune_code)
