"""How long a sign-in lasts, and cookies that stay on HTTPS.

The signed session cookie carries when its user signed in and when they were last seen; before
each request a session idle for ``SESSION_IDLE_TIMEOUT`` seconds (2 hours) or older than
``SESSION_ABSOLUTE_TIMEOUT`` (12 hours) is ended, keeping only the language choice. Ending
every session of a user at once (sign-out, a new password, a new PIN) is the user's
``session_version``, checked when the user is loaded.

Behind a reverse proxy, ``TRUSTED_PROXIES`` (the number of proxies in front, 0 by default)
lets the client's address and scheme come from ``X-Forwarded-For``/``-Proto``; every cookie of
a response to an HTTPS request carries ``Secure``.
"""

import time

from flask import current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import logout_user, user_logged_in
from werkzeug.middleware.proxy_fix import ProxyFix

from . import clock

SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
SEEN_RESOLUTION = 60  # seconds: the cookie is rewritten at most once a minute for this



def stamp_sign_in(_app, **_extra):
    """On every sign-in: the session starts now."""
    moment = clock.timestamp()
    session[SIGNED_IN_AT] = moment
    session[SEEN_AT] = moment


def _expired(moment):
    config = current_app.config
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return True
    return (moment - seen > config["SESSION_IDLE_TIMEOUT"]
            or moment - signed_in > config["SESSION_ABSOLUTE_TIMEOUT"])


def fresh_session():
    """Empty the session but for the language choice and the messages still to show (an
    identity provider's new account is told its username this way)."""
    kept = {key: session[key] for key in ("lang", "_flashes") if key in session}
    session.clear()
    session.update(kept)


def enforce_lifetime():
    """End a signed-in session that was idle too long or is too old; else note the visit."""
    if request.endpoint == "static" or "_user_id" not in session:
        return
    moment = clock.timestamp()
    if _expired(moment):
        logout_user()
        fresh_session()
        return
    if moment - session[SEEN_AT] >= SEEN_RESOLUTION:
        session[SEEN_AT] = moment


OPENED = "digilit.opened_sessions"
# Cookies kept opened per process (about 7 MB at most): a kick-off's thousand people on one
# box each come back to every worker within minutes.
OPENED_LIMIT = 10000
OPENED_FOR = 600  # seconds a cookie opened once is taken again without opening it


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, whose cookie is ``Secure`` on an HTTPS request
    (``SESSION_COOKIE_SECURE`` alone would be fixed for every request).

    A browser sends the same cookie with every page until the site rewrites it (at most once
    a minute, ``SEEN_RESOLUTION``). Checking its signature and decoding it costs a tenth of a
    signed-in page's time, so a cookie opened once is kept, with what it holds, for
    ``OPENED_FOR`` seconds: the same bytes were signed by this site. Only cookies that hold
    plain values are kept (not pending messages, a list), and each request gets its own
    copy. The timeouts stay exact: they are read from what the cookie holds."""

    def open_session(self, app, request):
        """The request's session, from the kept copy when this cookie was opened lately."""
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        opened = app.extensions.setdefault(OPENED, {})
        now = time.monotonic()  # an age in this process, not a time of day: not the clock
        kept = opened.get(value)
        if kept is not None and now - kept[0] < OPENED_FOR:
            return self.session_class(kept[1])
        session = super().open_session(app, request)
        if session and all(isinstance(v, (str, int, float, bool)) for v in session.values()):
            if len(opened) >= OPENED_LIMIT:
                opened.clear()
            opened[value] = (now, dict(session))
        return session

    def get_cookie_secure(self, app):
        """``Secure`` when configured, or when this request came over HTTPS."""
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def secure_cookies(response):
    """Mark every other cookie set by a view ``Secure`` on a response to an HTTPS request
    (the session cookie is written after this hook, by ``SessionInterface``)."""
    if not request.is_secure:
        return response
    cookies = response.headers.getlist("Set-Cookie")
    if cookies:
        response.headers.remove("Set-Cookie")
        for cookie in cookies:
            has_flag = any(part.strip().lower() == "secure" for part in cookie.split(";"))
            response.headers.add("Set-Cookie", cookie if has_flag else cookie + "; Secure")
    return response


def init_app(app):
    """Register the checks; trust ``TRUSTED_PROXIES`` proxies for address and scheme."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies, x_port=proxies)
    app.session_interface = SessionInterface()
    user_logged_in.connect(stamp_sign_in, app)
    app.before_request(enforce_lifetime)
    app.after_request(secure_cookies)
