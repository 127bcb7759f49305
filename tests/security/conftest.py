"""Fixtures of the security tests: a team leader and teams, other clients and addresses,
and empty databases to restore into (accounts and signed-in clients: ``tests/conftest.py``)."""
import itertools
import os
import re
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text

from conftest import PG_URL, STAFF_PASSWORD, csrf_token, login  # noqa: F401 - for the tests here

_fresh = itertools.count()


ERROR_RE = re.compile(r'<p id="(\w+)-error" class="error">(.*?)</p>', re.S)


def field_errors(response):
    """``{field: message}`` of a form page."""
    return dict(ERROR_RE.findall(response.get_data(as_text=True)))


def is_signed_in(client):
    return client.get("/me").status_code == 200


@pytest.fixture
def leader(make_user, client_for):
    """A team leader of Hoàn Kiếm, signed in on a client of their own."""
    make_user("leader2025", role="team_leader")
    return client_for("leader2025")


def create_team(client, name):
    """Create a team through the page; return its id."""
    response = client.post("/teams/", data={"name": name,
                                            "csrf_token": csrf_token(client, "/teams/")})
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def add_member(client, team_id, full_name, phone=""):
    """Add one member through the team page; return the login-card page."""
    response = client.post(f"/teams/{team_id}/members", follow_redirects=True, data={
        "full_name": full_name, "phone": phone, "birth_year": "",
        "csrf_token": csrf_token(client, f"/teams/{team_id}")})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def run_together(count, action):
    """Run ``action(i)`` in ``count`` threads released at the same moment; return results."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = action(i)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database (no tables) of the kind the suite runs on, to restore into."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:6]}.sqlite3'}"
        return
    name = f"digilit_fresh{os.getpid()}_{next(_fresh)}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
