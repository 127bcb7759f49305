"""Accounts linked to identities at an OpenID Connect provider (``ExternalIdentity``).

A first sign-in with a provider either creates an account from the provider's verified claims
or links the identity to an existing account whose password the person gives. A linked
account keeps its password or PIN. An identity may be unlinked unless it is the account's
only way to sign in.
"""
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from ..models import ExternalIdentity, User
from . import accounts, signin, throttle, usernames
from .db_helpers import insert_once
from .errors import DomainError


def linked_user(*, session, issuer, subject):
    """The account linked to this identity, or None."""
    return session.exec(
        select(User).join(ExternalIdentity, ExternalIdentity.user_id == User.id)
        .where(ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject)).first()


def identities_of(*, session, user_id):
    """The identities linked to an account."""
    return session.exec(select(ExternalIdentity).where(ExternalIdentity.user_id == user_id)
                        .order_by(ExternalIdentity.id)).all()


def may_sign_in(*, session, user):
    """Whether ``user`` may sign in now: not locked by failed passwords, and active (the same
    rules as a sign-in with a password)."""
    if not user.is_active:
        return False
    return not throttle.is_blocked(session=session, scope=throttle.ACCOUNT, value=user.username)


def link(*, session, user, issuer, subject):
    """Link the identity to ``user``; raises ``DomainError`` if it already belongs to an
    account, or ``user`` already has an identity at this provider."""
    identity = ExternalIdentity(user_id=user.id, issuer=issuer, subject=subject)
    if not insert_once(session, identity):
        raise DomainError(_l("This identity or this account is already linked."),
                          field="username")
    return identity


def create_account(*, session, identity, username, province_code, commune_code):
    """A new learner account named as the provider says, without a password, linked to the
    identity; raises ``DomainError`` (nothing is left half-made: the caller rolls back)."""
    user = accounts.create_user(
        session=session, username=username, full_name=identity.name, password=None,
        province_code=province_code, commune_code=commune_code)
    link(session=session, user=user, issuer=identity.issuer, subject=identity.subject)
    return user


def new_username(*, session, full_name):
    """A readable username that is free now (like those made for team members)."""
    return usernames.allocate_usernames(session=session, full_names=[full_name])[0]


def unlink(*, session, user, identity_id, password, address, limits=signin.Limits()):
    """Remove one identity of ``user``. An account with a password must give it (a wrong one
    counts toward the sign-in lockout, so the caller commits either way); one without (or
    with no other way in) keeps its only identity. Raises ``DomainError``."""
    found = session.exec(select(ExternalIdentity).where(
        ExternalIdentity.id == identity_id, ExternalIdentity.user_id == user.id)).first()
    if found is None:
        raise DomainError(_l("This identity is not linked to your account."), field="password")
    others = [i for i in identities_of(session=session, user_id=user.id) if i.id != found.id]
    if not accounts.has_password(user) and not others:
        raise DomainError(_l("This is the only way to sign in to your account: choose a "
                             "password first."), field="password")
    if accounts.has_password(user):
        attempt = signin.sign_in(session=session, username=user.username,
                                 password=password or "", address=address, limits=limits)
        if not attempt.ok or attempt.user.id != user.id:
            raise DomainError(_l("Wrong password."), field="password")
    session.delete(found)
    session.flush()
    return found
