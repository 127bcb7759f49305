"""Telling people what changed on their account: at their next sign-in, and on their page.

The notice hangs on Flask-Login's ``user_logged_in`` signal, so that every way of signing in
(password or PIN, an identity provider, any later step) tells it without each view doing so.
A view that signs someone in commits after ``login_user``, so that "told" is kept.
"""
from flask import flash
from flask_babel import gettext as _
from flask_login import user_logged_in

from ..db import begin_writes, get_session
from ..i18n import format_datetime
from ..services import security_events


def describe(event, when=None):
    """One change as a sentence: what, by whom (as a role) and when (Vietnam time; ``when``
    is that time's text if the caller has it, or its hole in a kept fragment)."""
    return _("%(what)s by %(who)s on %(when)s",
             what=security_events.what(event), who=security_events.who(event),
             when=format_datetime(event.created_at, "short") if when is None else when)


def tell_at_sign_in(_app, user, **_extra):
    """On every sign-in: one message listing the changes not told yet, which are then
    marked as told (the signing-in view commits)."""
    db = get_session()
    events = security_events.unseen(session=db, user=user)
    if not events:
        return  # the usual case: nothing is written
    flash(_("Since your last sign-in (Vietnam time): %(changes)s. If this was not you or "
            "your team, ask your team leader or the commune office for help.",
            changes="; ".join(describe(event) for event in events)), "info")
    # A sign-in through an identity provider ends in a GET: the write lock is asked for
    # explicitly (a no-op where the request writes already).
    begin_writes()
    security_events.mark_seen(session=db, user=user)


def init_app(app):
    """Tell at every sign-in; ``security_event`` describes an event in templates."""
    user_logged_in.connect(tell_at_sign_in, app)
    app.jinja_env.globals["security_event"] = describe
