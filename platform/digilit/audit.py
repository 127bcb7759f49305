"""The audit log: one line per security event on the logger ``digilit.audit``, as ``key=value``.

    event=login outcome=failure user_id=42 address=203.0.113.7 actor_id=- ...

Every line names the event, its outcome, the account concerned (``user_id``), who acted
(``actor_id``, the signed-in user) and the client's address. Only ids, counts, roles and codes
are logged: a field whose name suggests a secret or a phone number is refused, and values are
reduced to one line of safe characters, so no password, PIN, cookie or phone number can be
written by mistake and no value can forge a line.
"""
import logging
import re
import sys

from flask import has_request_context, request
from flask_login import current_user

LOGGER_NAME = "digilit.audit"
log = logging.getLogger(LOGGER_NAME)
FORBIDDEN = re.compile(r"pass|pin|secret|token|cookie|session|phone|hash", re.I)
UNSAFE = re.compile(r"[^A-Za-z0-9_.:@/+-]")


def _value(value):
    if value is None or value == "":
        return "-"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_value(item) for item in value) or "-"
    return UNSAFE.sub("_", str(value))[:100]


def _context():
    """The actor and address of the current request, if any."""
    if not has_request_context():
        return {"actor_id": None, "address": None}
    actor = current_user.id if current_user and current_user.is_authenticated else None
    return {"actor_id": actor, "address": request.remote_addr}


def event(name, outcome="success", user_id=None, **fields):
    """Write one audit line for event ``name`` about account ``user_id``; ``fields`` are
    further ids and codes (never secrets: names like ``password`` or ``phone`` are refused)."""
    bad = [key for key in fields if FORBIDDEN.search(key)]
    if bad:
        raise ValueError(f"not for the audit log: {bad}")
    record = {"event": name, "outcome": outcome, "user_id": user_id, **_context(), **fields}
    log.info(" ".join(f"{key}={_value(value)}" for key, value in record.items()))


def users(name, people, outcome="success", **fields):
    """One line per account in ``people`` (users, or ``(user, anything)`` pairs)."""
    for person in people:
        user = person[0] if isinstance(person, tuple) else person
        event(name, outcome, user_id=user.id, **fields)


def init_app(app):
    """Make sure audit lines reach the server's log (standard error) at INFO level."""
    log.setLevel(logging.INFO)
    if not any(getattr(h, "digilit_audit", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        handler.digilit_audit = True
        log.addHandler(handler)
