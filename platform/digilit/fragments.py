"""Parts of pages rendered once per language and mount point, not once per request: the
site's chrome (the head's links, the header with its menus, the footer: ``chrome``), parts
that are the same for everyone (a course's card, a quiz question: ``fragment``) and whole
pages that thousands of learners see alike (a lesson at a given point of the course, the
catalogue at a given progress: ``page``).

The header and footer are the same on every page but for two things: this page's address in
the other languages (the language links keep the path and query) and the CSRF token of the
sign-out button. A fragment is rendered with holes for those (``hole``), kept in the app, and
each request fills the holes by string replacement: a few microseconds instead of rendering
a dozen translated messages and links (``bench/_profile.py`` shows the difference). A caller
may fill holes of its own (a question's number). A kept page has every CSRF token of its
forms as a hole; a page with a message to show (``flash``) is always rendered afresh.

Each process keeps at most ``LIMITS`` texts of each kind, so memory stays bounded: when full,
the store is emptied and the texts in use come back at their next request. With
``TEMPLATES_AUTO_RELOAD`` (development) nothing is kept.
"""
from functools import partial
from urllib.parse import quote, urlencode

from flask import current_app, g, render_template, request, session
from flask_login import current_user
from markupsafe import Markup, escape

from .csrf import signed_csrf
from .i18n import current_lang
from .services import permissions

FRAGMENTS, PAGES, RUNS = "digilit.fragments", "digilit.pages", "digilit.block-runs"
LANG_URLS = "digilit.lang-urls"
LIMITS = {FRAGMENTS: 4000, PAGES: 300, RUNS: 4000, LANG_URLS: 4000}  # a few MB at most
MARK = "\x00"  # never in a template's own text: a hole is MARK + name + MARK


def lang_url(lang):
    """This page's address in another language (the same path and query, ``lang`` set),
    escaped for HTML; made once per address (every page has a link per language)."""
    return _kept(LANG_URLS, (request.script_root, request.path, request.query_string, lang),
                 partial(_lang_url, lang))


def _lang_url(lang):
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return str(escape(quote(request.script_root + request.path) + "?"
                      + urlencode(args, doseq=True)))


def hole(name):
    """A hole in a fragment, filled per request: ``"csrf"``, ``"lang:<code>"``, a name whose
    value the caller of ``fragment`` gives, or the start of a block (``"block:<id>"``) in a
    run of blocks ending with ``"blocks-end"``, put in the caller's order."""
    return Markup(f"{MARK}{name}{MARK}")


def csrf_token():
    """The CSRF token of this session's forms; a hole while a page is rendered to be kept."""
    return hole("csrf") if g.get("keeping_page") else signed_csrf()


def _filled(name, given):
    if name in given:
        return str(escape(given[name]))
    if name == "csrf":
        return signed_csrf()
    if name.startswith("lang:"):
        return lang_url(name[5:])
    raise ValueError(f"no such hole: {name!r}")


def _fill(text, given=None):
    if MARK not in text:
        return Markup(text)
    if given and len(given) == 1:  # a question's number: one replacement, no split
        (name, value), = given.items()
        value = str(value) if type(value) is int else str(escape(value)).replace(MARK, "")
        text = text.replace(f"{MARK}{name}{MARK}", value)
        if MARK not in text:
            return Markup(text)
    parts = text.split(MARK)
    values = {}  # the language links are in the header and the footer: made once
    for index in range(1, len(parts), 2):
        name = parts[index]
        if name not in values:
            values[name] = _filled(name, given or {})
        parts[index] = values[name]
    return Markup("".join(parts))


def _visitor():
    """What the menus depend on: signed in, staff (team pages), statistics."""
    user = current_user._get_current_object()  # asked thrice: not through the proxy
    if not user.is_authenticated:
        return None
    return (permissions.is_staff(user),
            permissions.allows(user, permissions.STATS_UNIT, permissions.READ))


def _kept(store, key, render):
    """The text kept in ``store`` under ``key``, made by ``render()`` when missing."""
    cache = current_app.extensions.setdefault(store, {})
    text = cache.get(key)
    if text is None:
        text = render()
        if not current_app.jinja_env.auto_reload:
            if len(cache) >= LIMITS[store]:
                cache.clear()
            cache[key] = text
    return text


def _split_runs(text):
    """``([(text before, {id: block})], tail)``: the runs of blocks of a kept text."""
    start, end = f"{MARK}block:", f"{MARK}blocks-end{MARK}"
    runs, rest = [], text
    while start in rest:
        head, _, rest = rest.partition(start)
        body, _, rest = rest.partition(end)
        runs.append((head, dict(piece.split(MARK, 1)
                                for piece in (start + body).split(start)[1:])))
    return runs, rest


def _arranged(text, order, split=None):
    """``text`` with the blocks of each run (each block after a hole ``block:<id>``, the run
    ended by a hole ``blocks-end``) in ``order``, a list of their ids (``split``: the text's
    runs, if the caller has them)."""
    runs, tail = split or _kept(RUNS, text, lambda: _split_runs(text))  # split once per text
    parts = []
    for head, blocks in runs:
        parts.append(head)
        parts.extend(blocks[block_id] for block_id in order)
    parts.append(tail)
    return "".join(parts)


def fragment(template, *key, holes=None, order=None, **context):
    """``template`` rendered with ``context`` once per language, mount point and ``key`` (what
    else the text depends on), its holes filled for this request (``holes``: the values of
    the caller's own) and the blocks of each run, if any, put in ``order`` (a list that each
    request orders its own way, kept once)."""
    return fragment_each(template, [(key, holes, order, context)])


def fragment_each(template, items):
    """``fragment(template, *key, holes=holes, order=order, **context)`` for each ``(key,
    holes, order, context)`` of ``items``, joined: the request's mount point, language and
    store read once for all (a quiz form's ten questions)."""
    prefix = (template, request.script_root, current_lang())
    kept, splits = (current_app.extensions.get(store, {}) for store in (FRAGMENTS, RUNS))
    keeping = g.get("keeping_page")  # the page that includes them is kept: holes stay open
    parts = []
    for key, holes, order, context in items:
        text = kept.get(prefix + key)
        if text is None:
            text = _kept(FRAGMENTS, prefix + key, partial(render_template, template, **context))
        if order is not None:
            text = _arranged(text, order, splits.get(text))
        parts.append(text if keeping else _fill(text, holes))
    return Markup("".join(parts))


def chrome(name):
    """The fragment ``chrome/<name>.html`` (head, header, footer) for this request."""
    visitor = _visitor()
    return fragment(f"chrome/{name}.html", visitor, visitor=visitor)


def page(template, *key, holes=None, keep=True, **context):
    """The page ``template`` with ``context``, kept per language, mount point, kind of
    visitor and ``key`` (everything else the page shows that differs between visitors).
    ``holes`` are this request's own values: the template shows each as the variable of its
    name, as text only (a kept page has a hole in its place, filled per request). Not kept
    with ``keep=False``, nor when a message waits to be shown."""
    holes = holes or {}
    if not keep or "_flashes" in session:  # something for this visitor only
        return Markup(render_template(template, **holes, **context))

    def render():
        g.keeping_page = True
        try:
            return render_template(template, csrf_token=csrf_token,
                                   **{name: hole(name) for name in holes}, **context)
        finally:
            g.keeping_page = False

    key = (template, request.script_root, current_lang(), _visitor(), *key)
    return _fill(_kept(PAGES, key, render), holes)
