"""CSRF tokens: Flask-WTF's, signed and checked once per token in each process.

Every form carries its session's secret token (kept in the signed session cookie) signed with
the site's secret key; a POST is refused unless its token is that signature. Signing costs
about 20 µs and checking about 25, on every page with a form and on every POST: a kick-off's
learner sends the same token with each lesson and quiz, so each process keeps the tokens it
signed or checked (``CHECKED``: signed token → the session token it stands for) and accepts
one of those again by looking it up. Nothing is accepted that Flask-WTF's check would refuse:
a token is only ever kept after signing or checking it, it must stand for this request's own
session token, tokens do not expire by age (``WTF_CSRF_TIME_LIMIT`` is None; with a limit
set, every token is checked in full), and on HTTPS the ``Referer`` must still be this site.
Each store holds at most ``LIMIT`` tokens and is emptied when full.
"""
from time import monotonic

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect as _CSRFProtect
from flask_wtf.csrf import generate_csrf, same_origin

SIGNED_CSRF, CHECKED = "digilit.signed-csrf", "digilit.checked-csrf"
LIMIT = 10000  # tokens per store and process: about 2 MB at most
SIGNED_FOR = 60  # seconds a session's signed CSRF token is given again


def _store(name):
    store = current_app.extensions.setdefault(name, {})
    if len(store) >= LIMIT:
        store.clear()
    return store


def _session_token():
    return session.get(current_app.config["WTF_CSRF_FIELD_NAME"])


def signed_csrf():
    """This session's CSRF token as its forms carry it (signed): the one signed for this
    session within the last minute, if any; else a new one."""
    raw = _session_token()
    signed = _store(SIGNED_CSRF)
    now = monotonic()  # an age in this process, not a time of day: not the clock
    kept = signed.get(raw) if raw else None
    if kept is not None and now - kept[0] < SIGNED_FOR:
        return kept[1]
    token = generate_csrf()
    raw = _session_token()
    signed[raw] = (now, token)
    _store(CHECKED)[token] = raw
    return token


def _checked_before(token):
    """Whether ``token`` was signed or checked here for this request's own session token, and
    (HTTPS) the request comes from a page of this site: then it passes Flask-WTF's check."""
    config = current_app.config
    if not token or config["WTF_CSRF_TIME_LIMIT"] is not None:
        return False
    raw = _session_token()
    if raw is None or current_app.extensions.get(CHECKED, {}).get(token) != raw:
        return False
    return not (request.is_secure and config["WTF_CSRF_SSL_STRICT"]
                and not same_origin(request.referrer or "", f"https://{request.host}/"))


class CSRFProtect(_CSRFProtect):
    """Flask-WTF's protection of every POST, a token checked before taken without checking its
    signature again (see the module's docstring)."""

    def protect(self, apply_exemptions=False):
        """Accept a token checked before; else Flask-WTF's check, and keep the token it
        passes."""
        posted = request.method in current_app.config["WTF_CSRF_METHODS"]
        token = self._get_csrf_token() if posted else None
        if _checked_before(token):
            g.csrf_valid = True
            return
        super().protect(apply_exemptions)
        raw = _session_token()
        if g.get("csrf_valid") and raw is not None:
            _store(CHECKED)[token] = raw
