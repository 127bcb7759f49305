"""Language choice: ``?lang=``, then the session, then Accept-Language, then Vietnamese."""
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_translations


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


def request_translations():
    """The catalogue of the request's language, looked up once per request and language.

    flask_babel finds the catalogue again for every message (a dozen context lookups each);
    a page shows dozens of messages. A change of language within the request (``refresh``,
    ``force_locale``) is noticed: the cache is keyed by the locale object it was made for."""
    babel_context = g.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None)
    cached = g.get("_digilit_translations")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    g._digilit_translations = (getattr(g.get("_flask_babel"), "babel_locale", None),
                               translations)
    return translations


def install_template_gettext(app):
    """Templates translate through ``request_translations`` (after Babel's own set-up)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
