"""Parts of pages rendered once per language and mount point, not once per request: the
site's chrome (the head's links, the header with its menus, the footer: ``chrome``) and
other parts that are the same for everyone (a course's card in the catalogue: ``fragment``).

The header and footer are the same on every page but for two things: this page's address in
the other languages (the language links keep the path and query) and the CSRF token of the
sign-out button. A fragment is rendered with holes for those (``hole``), kept in the app, and
each request fills the holes by string replacement: a few microseconds instead of rendering
a dozen translated messages and links (``bench/_profile.py`` shows the difference). With
``TEMPLATES_AUTO_RELOAD`` (development) nothing is kept.
"""
from urllib.parse import quote, urlencode

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .i18n import current_lang
from .services import permissions

CACHE = "digilit.chrome"
MARK = "\x00"  # never in a template's own text: a hole is MARK + name + MARK


def lang_url(lang):
    """This page's address in another language (the same path and query, ``lang`` set)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return quote(request.script_root + request.path) + "?" + urlencode(args, doseq=True)


def hole(name):
    """A hole in a fragment, filled per request: ``"csrf"``, or ``"lang:<code>"``."""
    return Markup(f"{MARK}{name}{MARK}")


def _filled(name):
    if name == "csrf":
        return generate_csrf()
    if name.startswith("lang:"):
        return str(escape(lang_url(name[5:])))
    raise ValueError(f"no such hole: {name!r}")


def _visitor():
    """What the menus depend on: signed in, staff (team pages), statistics."""
    if not current_user.is_authenticated:
        return None
    return (permissions.is_staff(current_user),
            permissions.allows(current_user, permissions.STATS_UNIT, permissions.READ))


def fragment(template, *key, **context):
    """``template`` rendered with ``context`` once per language, mount point and ``key`` (what
    else the text depends on), its holes filled for this request."""
    full_key = (template, request.script_root, current_lang(), *key)
    cache = current_app.extensions.setdefault(CACHE, {})
    text = cache.get(full_key)
    if text is None:
        text = render_template(template, **context)
        if not current_app.jinja_env.auto_reload:
            cache[full_key] = text
    if MARK not in text:
        return Markup(text)
    parts = text.split(MARK)
    parts[1::2] = [_filled(hole_name) for hole_name in parts[1::2]]
    return Markup("".join(parts))


def chrome(name):
    """The fragment ``chrome/<name>.html`` (head, header, footer) for this request."""
    visitor = _visitor()
    return fragment(f"chrome/{name}.html", visitor, visitor=visitor)
