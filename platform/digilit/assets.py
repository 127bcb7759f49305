"""Light pages on slow connections: fingerprinted static files and gzip.

``static_url(filename)`` adds ``?v=<sha256[:10]>`` of the file's content, computed once at
start-up, so that a fingerprinted file can be cached for a year (``immutable``): a new version
has a new address. Text responses (HTML, CSS, JavaScript, JSON, SVG, CSV) are gzipped when the
client accepts it.
"""
import gzip
import hashlib
import os
from pathlib import Path

from flask import current_app, request, session, url_for
from werkzeug.security import safe_join

URLS = "digilit.static_urls"
HASHES = "digilit.static_hashes"
HASH_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = {"text/html", "text/css", "text/javascript", "application/javascript",
                "application/json", "image/svg+xml", "text/csv", "text/plain", "application/xml"}
MIN_SIZE = 500  # below this gzip saves nothing worth a header
_static_gzip = {}  # (path, etag) -> gzipped bytes of a static file, made once


def content_hash(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:HASH_LENGTH]


def fingerprint_static(app):
    """``{relative posix path: hash}`` of every file under the static folder."""
    root = Path(app.static_folder)
    hashes = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            hashes[path.relative_to(root).as_posix()] = content_hash(path)
    app.extensions[HASHES] = hashes
    return hashes


def static_url(filename):
    """The address of a static file, fingerprinted by its content (built once per file and
    mount point: every page asks for the same two)."""
    key = (request.script_root, filename)
    cache = current_app.extensions.setdefault(URLS, {})
    address = cache.get(key)
    if address is None:
        digest = current_app.extensions.get(HASHES, {}).get(filename)
        address = cache[key] = (url_for("static", filename=filename) if digest is None else
                                url_for("static", filename=filename, v=digest))
    return address


def cache_static_forever(response):
    """A year's caching for a static file asked for by its current fingerprint."""
    if request.endpoint != "static":
        return response
    # A static file is the same for everyone: no "Vary: Cookie" because a before-request
    # hook looked at who is signed in (a changed session cookie would defeat the cache).
    session.accessed = False
    filename = (request.view_args or {}).get("filename")
    digest = current_app.extensions.get(HASHES, {}).get(filename)
    if response.status_code in (200, 304) and digest and request.args.get("v") == digest:
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers.pop("Expires", None)
    return response


def _gzip(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def _static_body(response):
    """The gzipped content of a static file response (read and compressed once)."""
    filename = (request.view_args or {}).get("filename")
    path = safe_join(current_app.static_folder, filename) if filename else None
    if path is None or not os.path.isfile(path):
        return None
    etag = response.get_etag()[0]
    key = (path, etag)
    if key not in _static_gzip:
        _static_gzip[key] = _gzip(Path(path).read_bytes())
    return _static_gzip[key]


def compress(response):
    """Gzip a text response when the client accepts it (``Vary: Accept-Encoding``)."""
    if (response.mimetype not in COMPRESSIBLE or response.status_code < 200
            or response.status_code in (204, 206, 304) or request.method == "HEAD"):
        return response
    if "Vary" in response.headers:
        response.vary.add("Accept-Encoding")
    else:  # the common case, without parsing and writing back a header set
        response.headers.add("Vary", "Accept-Encoding")
    if "gzip" not in request.headers.get("Accept-Encoding", "") \
            or request.accept_encodings["gzip"] <= 0 or "Content-Encoding" in response.headers:
        return response
    if response.direct_passthrough and request.endpoint == "static":
        body = _static_body(response)
        if body is None:
            return response
        response.close()  # the open file is not read: its gzipped copy is sent instead
        response.direct_passthrough = False
        etag = response.get_etag()[0]
        if etag:  # the same file, another encoding: a weak validator (as nginx does)
            response.set_etag(etag, weak=True)
    elif response.is_streamed or response.direct_passthrough:
        return response  # streamed downloads go out as they are made
    else:
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return response
        body = _gzip(data)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)  # byte ranges of the gzipped copy: not offered
    return response


def init_app(app):
    fingerprint_static(app)
    app.after_request(cache_static_forever)
    app.after_request(compress)
    app.jinja_env.globals["static_url"] = static_url
