"""The test OpenID provider, started once for the sign-in tests, an app that uses it, and a
person's steps through it."""
from urllib.parse import urlsplit

import pytest

from conftest import HANOI, HOAN_KIEM, csrf_token

from oidc.provider import Provider, consent

CALLBACK = "http://127.0.0.1:5000/auth/oidc/callback"  # the default PUBLIC_URL's


@pytest.fixture(scope="session")
def provider():
    """A real OpenID provider on a free loopback port, stopped after the tests."""
    running = Provider([CALLBACK])
    yield running
    running.stop()


@pytest.fixture
def oidc_app(app, provider):
    """The test's app, with sign-in through ``provider`` configured."""
    app.config.update(provider.settings())
    return app


def callback_path(location):
    parts = urlsplit(location)
    assert parts.netloc == "127.0.0.1:5000" and parts.path == "/auth/oidc/callback"
    return f"{parts.path}?{parts.query}"


def start(client):
    """``GET /auth/oidc/login``: the provider's authorization address (the pages in English,
    so that the tests read messages in English)."""
    client.get("/?lang=en")
    response = client.get("/auth/oidc/login")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def sign_in_at_provider(client, username="lan", action="allow"):
    """The app's callback response after the person signs in (or refuses) at the provider."""
    return client.get(callback_path(consent(start(client), username, action)))


def create_account(client, **area):
    """The first sign-in's account, made from the provider's claims (``area`` when asked)."""
    return client.post("/auth/oidc/welcome", data={
        "csrf_token": csrf_token(client, "/auth/oidc/welcome"), **area})


PASSWORD = "mat-khau-an-toan"


@pytest.fixture
def team_member_with_phone(app, db):
    """Makes an account as a team does: a generated username, the phone apart, a PIN."""
    def make(phone="0912345678"):
        from digilit.services import accounts, teams

        with app.app_context():
            leader = accounts.create_user(
                session=db, username="totruong", full_name="Tổ trưởng", password=PASSWORD,
                role="team_leader", province_code=HANOI, commune_code=HOAN_KIEM)
            team = teams.create_team(session=db, actor=leader, name="Tổ 1")
            [(member, pin)] = teams.add_members(session=db, team=team, people=[
                teams.NewMember(full_name="Nguyễn Thị Hoa", phone=phone)])
            db.commit()
        return member, pin
    return make

