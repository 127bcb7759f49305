"""Read-only API tokens for machine clients: shown once, stored as a SHA-256 digest, limited
to the area of the administrator who created them, revocable."""
import hashlib
import secrets
from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlmodel import select

from ..models import ApiToken
from .. import clock
from .errors import DomainError

PREFIX = "dl_"


def _digest(token):
    # A 256-bit random token needs no slow hash: SHA-256 cannot be brute-forced back.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, session, creator, name):
    """Return ``(ApiToken, secret)``; the secret is shown once and never stored."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DomainError(_l("Write a name of 1 to 100 characters."), field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, prefix=secret[:10], token_hash=_digest(secret),
                     created_by=creator.id, role=creator.role,
                     province_code=creator.province_code, commune_code=creator.commune_code)
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(*, session, creator):
    return session.exec(select(ApiToken).where(ApiToken.created_by == creator.id)
                        .order_by(ApiToken.created_at.desc())).all()


def revoke_token(*, session, creator, token_id):
    """Revoke one of ``creator``'s tokens; False when there is no such token of theirs."""
    token = session.get(ApiToken, token_id)
    if token is None or token.created_by != creator.id:
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


def principal_for(*, session, secret):
    """The principal of a valid, unrevoked token, or None."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    return TokenPrincipal(None, token.role, token.province_code, token.commune_code)
