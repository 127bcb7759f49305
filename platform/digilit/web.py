"""Wiring of the web layer: extensions, blueprints, template helpers, headers."""
from flask_babel import format_number, format_percent, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from . import assets
from .fragments import chrome, csrf_token, fragment, hole
from .content import localize
from .content.competencies import AREAS, COMPETENCES, area_of
from .content.render import split_sections
from .db import get_session
from .extensions import babel, csrf, login_manager
from .i18n import (LANGUAGE_NAMES, babel_locale, certificate_date, current_lang, format_date,
                   format_datetime, install_template_gettext, remember_language)
from .security import set_security_headers
from .services import permissions
from .services.signed_in import load_user


def _load_user(token):
    return load_user(session=get_session(), token=token)


def localized(texts):
    """The text in the page's language (falling back to English, then Vietnamese)."""
    return localize(texts, current_lang())[0]


def fallback_lang(texts):
    """The language a text is shown in, when it is not the page's language; else None."""
    lang = current_lang()
    used = localize(texts, lang)[1]
    return used if used != lang else None


TOPIC_NAMES = {
    "e-id": _l("Electronic ID"),
    "online-services": _l("Online public services"),
    "cybersecurity": _l("Staying safe online"),
    "digital-signature": _l("Digital signatures"),
    "payments": _l("Cashless payments"),
    "e-health": _l("E-health"),
}


def topic_name(topic):
    return TOPIC_NAMES.get(topic, topic)


def language_name(code):
    """A language's name in the page's language (German pages say "Englisch")."""
    locale = get_locale()
    return (locale.languages.get(code) if locale else None) or LANGUAGE_NAMES.get(code, code)


def competence_name(code):
    return localized(COMPETENCES[code])


def area_name(area):
    return localized(AREAS[area])


def template_globals():
    return {"topic_name": topic_name, "localized": localized, "fallback_lang": fallback_lang,
            "chrome": chrome, "fragment": fragment, "hole": hole, "csrf_token": csrf_token,
            "language_name": language_name, "certificate_date": certificate_date,
            "competence_name": competence_name, "area_name": area_name, "area_of": area_of,
            "LANGUAGE_NAMES": LANGUAGE_NAMES, "current_lang": current_lang,
            "format_date": format_date, "format_datetime": format_datetime,
            "format_number": format_number, "format_percent": format_percent}


MAX_ID = 2**63 - 1  # the largest id a database column holds


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: a number past what the database holds is no such page (a 404),
    not an overflow in the query (a 500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app):
    app.url_map.converters["int"] = IdConverter  # before any route is added
    # First, so that its after-request hooks run last (after Flask-Login's, which looks at
    # the session): fingerprinted static files, long caching, gzip.
    assets.init_app(app)
    babel.init_app(app, locale_selector=babel_locale)
    install_template_gettext(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "basic"

    from .admin.views import bp as admin_bp
    from .api.views import bp as api_bp
    from .auth.views import bp as auth_bp
    from .learn.views import bp as learn_bp
    from .offline import bp as offline_bp
    from .teams import views as team_views

    app.register_blueprint(learn_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(team_views.bp, url_prefix="/teams")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp)
    app.register_blueprint(offline_bp)
    csrf.exempt(api_bp)  # read-only JSON; no form posts there

    app.before_request(remember_language)
    permissions.init_app(app)  # every route's permission, checked before its view
    app.after_request(set_security_headers)
    app.jinja_env.globals.update(template_globals())
    app.jinja_env.filters["markup"] = Markup
    app.jinja_env.filters["sections"] = split_sections
