"""Broken connections: the service worker, the offline page, and the pages to keep offline.

``/sw.js`` serves ``static/js/sw.js`` from the site's root (so that it may control every page),
preceded by one line naming the fingerprinted files to keep and a version that changes with
them, so that a new release replaces the old worker and its caches.
"""
import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for
from flask_login import current_user

from .assets import HASHES, static_url
from .content import get_catalog
from .db import get_session
from .services import standing

bp = Blueprint("offline", __name__)
PRECACHED = ("css/site.css", "js/app.js")  # what every page needs, kept at install
WORKER = "js/sw.js"


def _worker_source():
    """The worker's text, made once per process (static files do not change while it runs)."""
    cached = current_app.extensions.get("digilit.sw")
    if cached is None:
        source = (Path(current_app.static_folder) / WORKER).read_text(encoding="utf-8")
        hashes = current_app.extensions.get(HASHES, {})
        version = hashlib.sha256("|".join(
            [hashes.get(name, "") for name in PRECACHED + (WORKER,)]).encode()).hexdigest()[:10]
        assets = [static_url(name) for name in PRECACHED]
        prelude = (f"var VERSION = {json.dumps(version)}, ASSETS = {json.dumps(assets)}, "
                   f"OFFLINE = {json.dumps(url_for('offline.page'))};\n")
        cached = current_app.extensions["digilit.sw"] = prelude + source
    return cached


@bp.route("/sw.js")
def service_worker():
    response = Response(_worker_source(), mimetype="application/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"  # the browser checks for a new release
    return response


@bp.route("/offline")
def page():
    """Shown by the service worker when a page is neither reachable nor kept."""
    return render_template("offline.html")


@bp.route("/offline/pages.json")
def pages():
    """The pages to keep readable offline: the signed-in learner's courses and their lessons."""
    urls = []
    if current_user.is_authenticated:
        catalog = get_catalog()
        started = standing.catalogue_progress(session=get_session(), user_id=current_user.id)
        for slug in sorted(started):
            course = catalog.get(slug)
            if course is None:
                continue
            urls.append(url_for("learn.course", slug=slug))
            urls.extend(url_for("learn.lesson", slug=slug, lesson=lesson.slug)
                        for lesson in course.lessons)
    response = jsonify(pages=urls)
    response.headers["Cache-Control"] = "private, no-store"
    return response
