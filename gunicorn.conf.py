"""gunicorn settings for `make run` (`gunicorn --config gunicorn.conf.py wsgi:app`).

The command line (bind address, workers) overrides what is set here. The one thing that only
a config file can do: gunicorn names itself in a ``Server`` header on every response and in
``SERVER_SOFTWARE``; the site tells no one which server (and version) it runs.
"""
import gunicorn
import gunicorn.http.wsgi

# Not the server's name and version in the environment given to the app...
gunicorn.SERVER = gunicorn.SERVER_SOFTWARE = ""
gunicorn.http.wsgi.SERVER = gunicorn.http.wsgi.SERVER_SOFTWARE = ""
_default_headers = gunicorn.http.wsgi.Response.default_headers


def _without_server(self):
    """gunicorn's own response headers, less ``Server``."""
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


# ...and no Server header in any response.
gunicorn.http.wsgi.Response.default_headers = _without_server
