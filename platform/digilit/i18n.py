"""Language choice: ``?lang=``, then the session, then Accept-Language, then Vietnamese."""
from flask import current_app, has_request_context, request, session


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
