"""Language choice: ``?lang=``, then the session, then Accept-Language, then Vietnamese."""
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and scripts speak the default language
        return languages[0]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or languages[0]


def remember_language():
    """Keep a ``?lang=`` choice for the pages that follow."""
    asked = request.args.get("lang")
    if asked in current_app.config["LANGUAGES"] and session.get("lang") != asked:
        session["lang"] = asked


LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English", "de": "Deutsch", "ro": "Română"}


def _per_locale(key, make):
    """``make()``, once per request and locale (kept on ``g`` under ``key``). A change of
    language within the request (``refresh``, ``force_locale``) is noticed: the value is kept
    with the locale object it was made for."""
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    cached = g.get(key)
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    value = make()
    setattr(g, key, (getattr(g.get("_flask_babel"), "babel_locale", None), value))
    return value


def request_translations():
    """The catalogue of the request's language: flask_babel finds it again for every message
    (a dozen context lookups each), and a page shows dozens of messages."""
    return _per_locale("_digilit_translations", get_translations)


def current_lang():
    """The request's language code (``"vi"``): pages ask for it for every course text."""
    return _per_locale("_digilit_lang", lambda: str(get_locale()))


def install_template_gettext(app):
    """Templates translate through ``request_translations`` (after Babel's own set-up)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
