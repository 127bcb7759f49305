"""Fixtures: an app with a database of its own per test, on SQLite or on PostgreSQL.

``TEST_DATABASE_URL`` (set by ``scripts/with-postgres.sh``) switches the suite to PostgreSQL:
a migrated template database is made once, and each test gets a copy of it.
"""
import itertools
import os
import re
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text

from digilit import create_app
from digilit.db import get_session, make_engine, upgrade_database
from digilit.services.geo import import_geography
from sqlmodel import Session

PG_URL = os.environ.get("TEST_DATABASE_URL")
_counter = itertools.count()


def _pg_admin():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _url_for_db(name):
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _prepare(url):
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        import_geography(session=session)
        session.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """A migrated database with the geography loaded, copied for every test."""
    if PG_URL:
        name = f"digilit_tmpl_{uuid.uuid4().hex[:8]}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        _prepare(_url_for_db(name))
        yield name
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _prepare(f"sqlite:///{path}")
        yield path


@pytest.fixture
def database_url(template_db, tmp_path):
    if PG_URL:
        name = f"digilit_t{os.getpid()}_{next(_counter)}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"'))
        yield _url_for_db(name)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path / "digilit.sqlite3"
        shutil.copy(template_db, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    app.extensions["digilit.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session for arranging and checking data directly."""
    with app.app_context():
        yield get_session()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url="/auth/login"):
    """The CSRF token of the form on ``url``, as a browser would read it."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


HANOI, HOAN_KIEM, BA_DINH = 1, 70, 4  # province and two of its communes
HCMC, VUNG_TAU = 79, 26506  # another province and one of its communes


class AuthActions:
    def __init__(self, client):
        self._client = client

    def register(self, username="lan2025", password="mat-khau-an-toan", full_name="Nguyễn Thị Lan",
                 province=HANOI, commune=HOAN_KIEM, **extra):
        data = {"username": username, "full_name": full_name, "password": password,
                "password_confirm": extra.pop("password_confirm", password),
                "province": province, "commune": commune,
                "csrf_token": csrf_token(self._client, "/auth/register"), **extra}
        return self._client.post("/auth/register", data=data)

    def login(self, username="lan2025", password="mat-khau-an-toan"):
        return self._client.post("/auth/login", data={
            "username": username, "password": password,
            "csrf_token": csrf_token(self._client, "/auth/login")})

    def logout(self):
        return self._client.post("/auth/logout", data={"csrf_token": csrf_token(self._client, "/")})


@pytest.fixture
def auth(client):
    return AuthActions(client)
