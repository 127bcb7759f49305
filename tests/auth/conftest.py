"""The test OpenID provider, started once for the sign-in tests, and an app that uses it."""
import pytest

from conftest import HANOI, HOAN_KIEM

from oidc.provider import Provider

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

