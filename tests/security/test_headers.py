"""Security headers on every kind of response, and no server name or version, checked on a real
gunicorn started with the project's configuration."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import csrf_token
from digilit import paths
from digilit.services import permissions

from .conftest import create_team

REPO = paths.REPO_ROOT


def assert_headers(response, what):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, what
    assert directives.get("frame-ancestors") == ["'none'"], what
    assert directives.get("script-src") == ["'self'"], what
    assert directives.get("style-src") == ["'self'"], what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy") == "same-origin", what
    assert response.headers.get("X-Frame-Options") == "DENY", what
    assert "Server" not in response.headers, what


def read(response):
    """A streamed download read to its end (its request context is then closed)."""
    response.get_data()
    response.close()
    return response


@pytest.fixture
def failing(app, monkeypatch):
    def explode():
        raise RuntimeError("internal detail")

    monkeypatch.setitem(permissions.ENDPOINTS, "test_explode", permissions.PUBLIC)
    app.add_url_rule("/test-explode", "test_explode", explode)
    return app


def test_every_kind_of_response_carries_the_headers(app, failing, client, auth, make_user,
                                                    client_for):
    anonymous = {
        "page": client.get("/"),
        "404": client.get("/no-such-page"),
        "405": client.get("/auth/logout"),
        "500": client.get("/test-explode"),
        "static": client.get("/static/css/site.css"),
        "json": client.get("/healthz"),
        "api 401": client.get("/api/v1/stats"),
        "400 csrf": client.post("/auth/login", data={}),
    }
    assert anonymous["500"].status_code == 500 and anonymous["static"].status_code == 200
    make_user("xahoankiem", role="commune_admin")
    admin = client_for("xahoankiem")
    leader_user = make_user("leader2025", role="team_leader")
    assert leader_user
    leader = client_for("leader2025")
    team_id = create_team(leader, "Tổ một")
    assert auth.register().status_code == 302
    signed_in = {
        "redirect": client.post("/courses/e-id/enroll",
                                data={"csrf_token": csrf_token(client, "/courses/e-id")}),
        "my data": client.get("/me/data.json"),
        "team csv": read(leader.get(f"/teams/{team_id}/progress.csv")),
        "admin csv": read(admin.get("/admin/stats.csv")),
        "api json": admin.get("/api/v1/stats"),
    }
    for what, response in {**anonymous, **signed_in}.items():
        assert_headers(response, what)
    assert signed_in["team csv"].mimetype == "text/csv"
    assert signed_in["admin csv"].mimetype == "text/csv"
    assert signed_in["my data"].mimetype == "application/json"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert client.get("/", base_url="https://localhost").headers[
        "Strict-Transport-Security"].startswith("max-age=")


# --- a real gunicorn ------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, seconds=90):
    """The first answer from ``url``, trying until ``seconds`` have passed (a loaded machine
    may take a while to start the worker)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=15) as response:
                return response.status
        except OSError:  # not listening yet, reset, or timed out
            time.sleep(0.3)
    raise AssertionError(f"gunicorn did not answer on {url}")


@pytest.fixture
def gunicorn(database_url, tmp_path):
    port = free_port()
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret"}
    log = open(tmp_path / "gunicorn.log", "w")
    process = subprocess.Popen(
        [str(gunicorn_bin), "--config", "gunicorn.conf.py", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_gunicorn_with_the_project_config_names_no_server(gunicorn):
    for path, method in (("/", "HEAD"), ("/healthz", "GET"), ("/static/css/site.css", "GET"),
                         ("/no-such-page", "GET")):
        request = urllib.request.Request(gunicorn + path, method=method)
        try:
            response = urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        headers = {k.lower(): v for k, v in response.headers.items()}
        assert "server" not in headers, (path, headers.get("server"))
        assert "gunicorn" not in str(response.headers).lower()
        assert headers.get("x-content-type-options") == "nosniff"


def test_make_run_uses_the_gunicorn_config():
    makefile = (REPO / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "--config gunicorn.conf.py" in run


def test_pages_for_a_signed_in_person_and_api_answers_are_never_stored(client, auth):
    """Anonymous pages may be cached; once signed in (progress, PINs, tokens, figures), or
    with a token, nothing is stored. Every route is checked in tests/services/test_permissions."""
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    auth.register()
    for url in ("/", "/me", "/me/data.json", "/auth/password"):
        assert "no-store" in client.get(url).headers["Cache-Control"], url
    api = client.get("/api/v1/stats", headers={"Authorization": "Bearer dl_nothing"})
    assert api.status_code == 401 and "no-store" in api.headers["Cache-Control"]
    assert "no-store" not in client.get("/static/css/site.css").headers.get("Cache-Control", "")
