"""Accounts' lifecycle, by a national or province administrator (or the command line):
suspend, re-enable, change role and area, delete. An administrator acts only on accounts of
a lower rank in their area, and may give only a lower role in their area; every change ends
the account's sessions."""
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_
from sqlmodel import select

from ..models import Commune, Role, TeamLeader, User
from .. import clock
from . import accounts, permissions, personal_data, rollup, security_events
from .errors import DomainError
from .scope import scope_for

PAGE = 50


def _overseen(actor):
    """A filter on ``User``: the accounts ``actor`` may manage (None: the command line)."""
    if actor is None:
        return True
    below = permissions.roles_below(actor)
    return User.role.in_(below) & scope_for(actor).people()


def find_accounts(*, session, actor, query=""):
    """Up to ``PAGE`` accounts ``actor`` manages whose username or name contains ``query``."""
    condition = _overseen(actor)
    query = " ".join((query or "").split())[:60].lower()
    if query:
        pattern = f"%{query}%"
        condition = condition & or_(User.username.like(pattern),
                                    func.lower(User.full_name).like(pattern))
    return session.exec(select(User).where(condition).order_by(User.username)
                        .limit(PAGE)).all()


def account_for(*, session, actor, user_id=None, username=None):
    """The account ``actor`` manages, by id or username; None otherwise."""
    where = User.id == user_id if user_id is not None else \
        User.username == accounts.username_key(username)
    return session.exec(select(User).where(where, _overseen(actor))).first()


def find_learner(*, session, actor, full_name, phone):
    """Learners of ``actor``'s area with exactly this name (any letter case) and phone: a
    commune office finds a self-registered person who forgot their password. Both are
    needed, so that the form cannot list people."""
    name = _folded(full_name)
    try:
        phone = accounts.normalise_phone(phone)
    except DomainError:
        return []
    if not name:
        return []
    # The phone is unique: one row at most, whose name is compared here (SQLite's lower()
    # knows no Vietnamese letters).
    found = session.exec(select(User).where(
        User.role.in_(permissions.OFFICE_PIN_ROLES), scope_for(actor).people(),
        User.phone == phone)).all()
    return [user for user in found if _folded(user.full_name) == name]


def _folded(name):
    return unicodedata.normalize("NFC", " ".join((name or "").split())).casefold()


def set_suspended(*, session, user, suspended, actor=None):
    """Suspend (no sign-in, sessions ended) or re-enable ``user``; re-enabling is told at
    their next sign-in (suspended, they cannot sign in to be told). ``actor`` is the
    administrator (None: the command line)."""
    was_suspended = user.suspended_at is not None
    user.suspended_at = clock.now() if suspended else None
    accounts.end_sessions(session=session, user=user)
    if was_suspended and not suspended:
        security_events.record(session=session, user=user, kind=security_events.RE_ENABLED,
                               actor=actor)
    return user


def change_role(*, session, actor, user, role, province_code=None, commune_code=None):
    """Give ``user`` another role and area: a role below ``actor``'s, in ``actor``'s area.
    Team leadership ends with the role; the figures count learners by role. The person is
    told at their next sign-in."""
    try:
        role = Role(role)
    except ValueError:
        raise DomainError(_l("Choose a role from the list."), field="role") from None
    if actor is not None and role.value not in permissions.roles_below(actor):
        raise DomainError(_l("Choose a role from the list."), field="role")
    province_code, commune_code = accounts.check_area(session, role, province_code,
                                                      commune_code)
    if actor is not None and not _covers(session, actor, province_code, commune_code):
        raise DomainError(_l("Choose an area within yours."), field="commune")
    was_learner = permissions.counts_as_learner(user)
    if was_learner:
        rollup.count_for_user(session=session, user=user, when=user.created_at, learners=-1)
    user.role, user.province_code, user.commune_code = role.value, province_code, commune_code
    if not permissions.may_lead_teams_as(role):
        session.execute(delete(TeamLeader).where(TeamLeader.user_id == user.id))
    if permissions.counts_as_learner(user):
        rollup.count_for_user(session=session, user=user, when=user.created_at, learners=1)
    accounts.end_sessions(session=session, user=user)
    security_events.record(session=session, user=user, kind=security_events.ROLE_CHANGED,
                           actor=actor, detail=role.value)
    return user


def _covers(session, actor, province_code, commune_code):
    scope = scope_for(actor)
    if commune_code is not None:
        commune = session.get(Commune, commune_code)
        return commune is not None and scope.covers_commune(commune.code, commune.province_code)
    return province_code is not None and scope.covers_province(province_code)


def delete_account(*, session, user):
    """Delete ``user`` and everything about them (as their own deletion does)."""
    personal_data.remove_account(session=session, user=user)
