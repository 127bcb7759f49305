"""Changes to an account's sign-in and role, kept so that the person is told.

A password change, a PIN reset, a new role or re-enabling is recorded where it happens (in
the services that do it). The person's next sign-in lists the changes they have not seen yet
(``unseen``, then ``mark_seen``), and their page lists the latest ones (``recent``).

Who did it is kept as a role only (``actor_role``), never as a name: "a team leader", "the
commune office". An event keeps no secret, phone or name.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, update
from sqlmodel import select

from .. import clock
from ..models import Role, SecurityEvent
from .db_helpers import run

PASSWORD_CHANGED = "password_changed"
PIN_RESET = "pin_reset"
ROLE_CHANGED = "role_changed"
RE_ENABLED = "re_enabled"
SECOND_FACTOR_ON = "second_factor_on"
SECOND_FACTOR_OFF = "second_factor_off"  # turned off by the person, or reset by an admin
RECOVERY_CODES_NEW = "recovery_codes_new"
RECOVERY_CODE_USED = "recovery_code_used"

# What happened, by kind; ``%(detail)s`` is the event's detail (a role's name, for a role).
LABELS = {
    PASSWORD_CHANGED: _l("Your password was changed"),
    PIN_RESET: _l("Your PIN was reset"),
    ROLE_CHANGED: _l("Your role or area was changed (now: %(detail)s)"),
    RE_ENABLED: _l("Your account was re-enabled"),
    SECOND_FACTOR_ON: _l("The second step at sign-in was set up"),
    SECOND_FACTOR_OFF: _l("The second step at sign-in was removed"),
    RECOVERY_CODES_NEW: _l("New recovery codes were made (the old ones no longer work)"),
    RECOVERY_CODE_USED: _l("A recovery code was used to sign in"),
}
OTHER_CHANGE = _l("Your account was changed")  # a kind this release does not know

# Kinds that a person does themselves: with no actor role, these were done by "you"; any
# other kind with no actor role came from the command line, run by the platform's operators.
SELF_KINDS = frozenset({PASSWORD_CHANGED, SECOND_FACTOR_ON, SECOND_FACTOR_OFF,
                        RECOVERY_CODES_NEW, RECOVERY_CODE_USED})

ACTORS = {
    Role.team_leader.value: _l("a team leader"),
    Role.commune_admin.value: _l("the commune office"),
    Role.province_admin.value: _l("an administrator"),
    Role.national_admin.value: _l("an administrator"),
}
YOU = _l("you")
OPERATOR = _l("an administrator")

ROLE_NAMES = {
    Role.learner.value: _l("learner"),
    Role.team_leader.value: _l("team leader"),
    Role.commune_admin.value: _l("commune administrator"),
    Role.province_admin.value: _l("province administrator"),
    Role.national_admin.value: _l("national administrator"),
}

NOTICE_LIMIT = 10  # a sign-in tells at most this many changes (the latest ones)
RECENT_LIMIT = 10


def record(*, session, user, kind, actor=None, detail=None, told=False):
    """Keep that ``kind`` happened to ``user`` now. ``actor`` is the account that did it
    (None: the person themselves, or the command line); its role is kept only when it is
    someone else. ``detail`` must never be a secret, a phone or a name. ``told``: the person
    did it and is being told on the page in front of them, so their next sign-in need not."""
    someone_else = actor is not None and actor.id != user.id
    event = SecurityEvent(user_id=user.id, kind=kind, detail=detail,
                          actor_role=actor.role if someone_else else None,
                          seen_at=clock.now() if told else None)
    session.add(event)
    session.flush()
    return event


def unseen(*, session, user):
    """The latest changes to ``user``'s account not yet told (at most ``NOTICE_LIMIT``),
    oldest first."""
    latest = session.exec(select(SecurityEvent)
                          .where(SecurityEvent.user_id == user.id,
                                 SecurityEvent.seen_at.is_(None))
                          .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc())
                          .limit(NOTICE_LIMIT)).all()
    return list(reversed(latest))


def mark_seen(*, session, user):
    """Every change to ``user``'s account counts as told, from now on."""
    session.execute(update(SecurityEvent)
                    .where(SecurityEvent.user_id == user.id, SecurityEvent.seen_at.is_(None))
                    .values(seen_at=clock.now()))
    session.flush()


_EVENTS = SecurityEvent.__table__
_RECENT = (select(_EVENTS.c.kind, _EVENTS.c.detail, _EVENTS.c.actor_role, _EVENTS.c.created_at,
                  _EVENTS.c.seen_at)
           .where(_EVENTS.c.user_id == bindparam("user_id"))
           .order_by(_EVENTS.c.created_at.desc(), _EVENTS.c.id.desc())
           .limit(bindparam("limit")))


def recent(*, session, user, limit=RECENT_LIMIT):
    """The latest ``limit`` changes to ``user``'s account, newest first (one query), as rows
    with the columns a page shows: ``kind``, ``detail``, ``actor_role``, ``created_at``,
    ``seen_at``."""
    return run(session, _RECENT, {"user_id": user.id, "limit": limit}).all()


def what(event):
    """What happened, in the page's language."""
    label = LABELS.get(event.kind, OTHER_CHANGE)
    detail = ROLE_NAMES.get(event.detail, event.detail or "")
    return label % {"detail": detail}


def who(event):
    """Who did it, as a role: "you", "a team leader", "the commune office"..."""
    if event.actor_role is None:
        return YOU if event.kind in SELF_KINDS else OPERATOR
    return ACTORS.get(event.actor_role, OPERATOR)
