"""Error pages: a plain message in the user's language, never a stack trace."""
import logging
import secrets

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import overload

log = logging.getLogger(__name__)


def _wants_json():
    return request.path.startswith("/api/") or request.path == "/healthz"


def _page(status, title, message, incident=None):
    if _wants_json():
        body = {"error": title, "status": status}
        if incident:
            body["incident"] = incident
        return jsonify(body), status
    return render_template("errors/error.html", status=status, title=title, message=message,
                           incident=incident), status


def handle_http_error(error):
    messages = {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        401: (_("Sign-in required"), _("Sign in, or send a valid API token.")),
        403: (_("Not allowed"), _("You are not allowed to do this.")),
        404: (_("Page not found"), _("This page does not exist, or it is not yours to see.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (_("File too large"), _("The file is larger than the site accepts.")),
    }
    title, message = messages.get(error.code, (error.name, _("Please try again.")))
    return _page(error.code, title, message)


def handle_csrf_error(_error):
    return _page(400, _("The form has expired"),
                 _("For your safety the form could not be sent. Go back, reload the page and "
                   "try again."))


def handle_unexpected(error):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    if overload.is_saturated(error):
        log.warning("database saturated, answered 503: %s %s", request.method, request.path)
        return overload.busy_page()
    incident = secrets.token_hex(4)
    log.exception("unhandled error, incident %s, path %s", incident, request.path)
    return _page(500, _("Something went wrong"),
                 _("We could not complete this request. Please try again in a moment."),
                 incident=incident)


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
