"""Absolute addresses, from the configured public address (``PUBLIC_URL``) only.

A request's Host header is chosen by the client: links in credentials, QR codes and the
identity provider's redirect URI must not depend on it.
"""
from flask import current_app, url_for


def public_base():
    """The site's public address, without a trailing slash."""
    return current_app.config["PUBLIC_URL"].rstrip("/")


def public_url(endpoint, **values):
    """The absolute public address of ``endpoint``."""
    return public_base() + url_for(endpoint, **values)
