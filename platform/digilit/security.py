"""Response headers that hold for every response, error pages and downloads included."""
from flask import request
from flask_login import current_user

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


HSTS = "max-age=31536000"
# Set by no view: added, not replaced (which would look for each one first).
EVERY_RESPONSE = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
# Shared with everyone and kept by browsers: the files, and the worker that keeps them.
CACHEABLE_ENDPOINTS = {"static", "offline.service_worker"}


def set_security_headers(response):
    """The headers every response carries (pages, errors, downloads, static files, JSON)."""
    response.headers.extend(EVERY_RESPONSE)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    response.headers.pop("Server", None)
    if request.endpoint not in CACHEABLE_ENDPOINTS and \
            "no-store" not in response.headers.get("Cache-Control", "") and (
            request.headers.get("Authorization") or current_user.is_authenticated):
        # Someone's own page, a PIN, a token, figures: never kept by a browser or a proxy
        # (a shared computer at the commune office, the back button after signing out).
        response.headers["Cache-Control"] = "no-store"
    return response
