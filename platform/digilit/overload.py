"""Overload is answered, never a traceback: a short 503 page with ``Retry-After``.

Two signs of overload end a request early, before it touches the database:
- The request waited too long in front of the app. Behind a proxy (``TRUSTED_PROXIES``) that
  stamps ``X-Request-Start: t=<seconds since the epoch>`` (``deploy/nginx.conf`` does), a
  request that waited longer than ``QUEUE_TIMEOUT`` seconds (10) is refused at once: its
  sender has likely given up, and serving it would only make everyone behind it wait longer.
- The database is saturated: SQLite still locked after its busy timeout, or no PostgreSQL
  connection free in the pool in time.
Either way nothing was written, so a form sent again counts once (the quiz's one-time token),
and quiz answers given while offline stay on the phone until they are accepted.
"""
import time

from flask import current_app, request, url_for
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import ServiceUnavailable

RETRY_AFTER = 60  # seconds, in the answer's Retry-After header
# What the drivers say when the database is busy rather than broken: SQLite past its busy
# timeout; PostgreSQL out of connection slots.
SATURATED = ("database is locked", "too many clients", "remaining connection slots")


class Overloaded(ServiceUnavailable):
    """Too many people at once: try again in a minute."""


def queued_seconds(header, now):
    """Seconds a request waited since the proxy's ``X-Request-Start`` stamp (``t=`` seconds,
    with or without a fraction, or milliseconds), or None for a missing or odd value."""
    value = (header or "").strip()
    if value.startswith("t="):
        value = value[2:]
    try:
        stamp = float(value)
    except ValueError:
        return None
    if stamp > 1e11:  # milliseconds
        stamp /= 1000.0
    waited = now - stamp
    return waited if 0 <= waited < 86_400 else None


def refuse_stale_requests():
    """Refuse a request that queued longer than ``QUEUE_TIMEOUT`` behind a trusted proxy."""
    config = current_app.config
    if not config.get("TRUSTED_PROXIES"):
        return  # the header could be forged: believed only from a proxy in front
    waited = queued_seconds(request.headers.get("X-Request-Start"), time.time())
    if waited is not None and waited > config["QUEUE_TIMEOUT"]:
        raise Overloaded()


def is_saturated(error):
    """Whether a database error means "too busy now" rather than a fault."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, OperationalError):
        return False
    message = str(error.orig)
    return any(sign in message for sign in SATURATED)


def busy_page():
    """The 503 page: short, self-contained, translated. Rendered without the context
    processors, which would load the signed-in user from the saturated database."""
    template = current_app.jinja_env.get_template("errors/busy.html")
    again = request.full_path if request.method == "GET" else url_for("learn.catalogue")
    response = current_app.make_response((template.render(again=again), 503))
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    """Register the early refusal (first of the request hooks) and the 503 page."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_stale_requests)
    app.register_error_handler(Overloaded, lambda _error: busy_page())
