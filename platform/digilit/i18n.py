"""Language choice: ``?lang=``, then the session, then Accept-Language, then Vietnamese;
dates and times in the page's language, in Vietnam time."""
from datetime import datetime
from functools import lru_cache

from babel import Locale
from babel.dates import get_date_format, get_datetime_format, get_time_format, parse_pattern
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .clock import in_vietnam


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and scripts speak the default language
        return languages[0]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    return _best_match(request.headers.get("Accept-Language", ""), tuple(languages))


@lru_cache(maxsize=256)
def _best_match(header, languages):
    """The language of ``languages`` a browser's Accept-Language prefers (the first one when
    none): the few headers a venue's phones send are read once, not at every request."""
    if not header:
        return languages[0]
    return parse_accept_header(header, LanguageAccept).best_match(languages) or languages[0]


@lru_cache(maxsize=16)
def _locale(code):
    return Locale.parse(code)


def babel_locale():
    """The request's ``Locale`` (Babel's ``locale_selector``): the language of
    ``select_locale``, its ``Locale`` made once per process (flask_babel would parse the
    code again at every request)."""
    return _locale(select_locale())


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


STYLES = ("full", "long", "medium", "short")


@lru_cache(maxsize=64)
def _patterns(lang, style):
    """``(locale, date pattern, time pattern, how the two are joined)`` for a named style,
    or ``(locale, pattern, None, None)`` for a pattern of one's own: parsed once, not at
    every date a page shows (Babel parses its patterns again at each call)."""
    locale = Locale.parse(lang)
    if style not in STYLES:
        return locale, parse_pattern(style), None, None
    joined = get_datetime_format(style, locale=locale).replace("'", "")
    return (locale, parse_pattern(get_date_format(style, locale=locale)),
            parse_pattern(get_time_format(style, locale=locale)), joined)


def format_datetime(moment, style="medium"):
    """``moment`` as a date and time of day in the page's language, Vietnam time: what
    ``flask_babel.format_datetime`` writes, written once per moment (a learner's attempts
    are shown with their times on every visit to the course and to /me)."""
    return _formatted_datetime(current_lang(), style, moment)


@lru_cache(maxsize=4096)
def _formatted_datetime(lang, style, moment):
    locale, first, time_pattern, joined = _patterns(lang, style)
    moment = in_vietnam(moment)
    if joined is None:
        return first.apply(moment, locale)
    time_text = time_pattern.apply(moment.timetz(), locale, reference_date=moment.date())
    return joined.replace("{0}", time_text).replace("{1}", first.apply(moment.date(), locale))


def format_date(day, style="medium"):
    """A date (or a UTC moment's day in Vietnam) in the page's language, written once per
    day and style."""
    if isinstance(day, datetime):
        day = in_vietnam(day).date()
    return _formatted_date(current_lang(), style, day)


@lru_cache(maxsize=1024)
def _formatted_date(lang, style, day):
    locale, first, _time, _joined = _patterns(lang, style)
    return first.apply(day, locale)


def certificate_date(moment):
    """The Vietnam day of ``moment`` as certificates write it: "ngày 30 tháng 11 năm 2026" in
    Vietnamese, each other language in its own long date style."""
    if current_lang() == "vi":
        return format_date(moment, "'ngày' d 'tháng' M 'năm' y")
    return format_date(moment, "long")
