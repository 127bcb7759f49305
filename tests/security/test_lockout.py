"""Sign-in limits: 5 wrong passwords lock an account for 15 minutes, counted in the database
(so across workers and app nodes), per-address limits on sign-in and registration, and a
refusal that never tells an unknown user from a wrong password or a locked account."""
import pytest

from conftest import HANOI, HOAN_KIEM, csrf_token
from digilit import create_app
from digilit.models import Throttle, User
from digilit.services import accounts, hashing, pins

from .conftest import STAFF_PASSWORD, field_errors, is_signed_in, login, run_together
from digilit.db import dispose

WINDOW = 15 * 60
GENERIC = ("Wrong username, password or PIN. Try again in 15 minutes, or ask your team "
           "leader or the commune office for a new PIN.")


@pytest.fixture
def lan(make_user):
    return make_user("lan2025")


def english(client):
    client.get("/?lang=en")
    return client


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, lan, clock):
    english(client)
    for _ in range(5):
        response = login(client, "lan2025", "not-the-password")
        assert response.status_code == 422
        assert field_errors(response)["password"] == GENERIC
    locked = login(client, "lan2025", STAFF_PASSWORD)
    assert locked.status_code == 422
    assert field_errors(locked)["password"] == GENERIC
    assert not is_signed_in(client)
    clock.advance(WINDOW - 5)
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 422  # still locked
    clock.advance(10)
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_the_lock_lasts_fifteen_minutes_from_the_fifth_failure(client, lan, clock):
    login(client, "lan2025", "not-the-password")
    clock.advance(10 * 60)
    for _ in range(4):
        login(client, "lan2025", "not-the-password")
    clock.advance(6 * 60)  # the first failure is out of the window; the lock is not
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 422
    clock.advance(WINDOW - 6 * 60 + 1)
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302


def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(client, lan, clock):
    for _ in range(4):
        assert login(client, "lan2025", "not-the-password").status_code == 422
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    for _ in range(4):
        assert login(client, "lan2025", "not-the-password").status_code == 422
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302


def test_failures_older_than_the_window_are_forgotten(client, lan, clock):
    for _ in range(4):
        login(client, "lan2025", "not-the-password")
    clock.advance(WINDOW + 1)
    for _ in range(4):
        login(client, "lan2025", "not-the-password")
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302


def test_the_lock_holds_across_app_nodes_sharing_the_database(app, database_url, lan, clock):
    """Two apps (two workers or two nodes) on one database: their failures add up."""
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                        "SQLALCHEMY_DATABASE_URI": database_url})
    try:
        first, second = app.test_client(), other.test_client()
        for client in (first, second, first, second, first):
            assert login(client, "lan2025", "not-the-password").status_code == 422
        assert login(second, "lan2025", STAFF_PASSWORD).status_code == 422
        assert login(first, "lan2025", STAFF_PASSWORD).status_code == 422
    finally:
        dispose(other.extensions["digilit.engine"])


def test_parallel_guesses_cannot_pass_the_limit(app, lan, monkeypatch):
    """Ten wrong passwords at once, from ten clients: only five are ever checked."""
    checked = []
    original = accounts.check_credentials

    def counting(**kwargs):
        checked.append(kwargs["username"])
        return original(**kwargs)

    monkeypatch.setattr(accounts, "check_credentials", counting)
    clients = [app.test_client() for _ in range(10)]
    tokens = [csrf_token(c, "/auth/login") for c in clients]
    responses = run_together(10, lambda i: clients[i].post("/auth/login", data={
        "username": "lan2025", "password": f"guess-number-{i}", "csrf_token": tokens[i]}))
    assert [r.status_code for r in responses] == [422] * 10
    assert len(checked) == 5
    assert login(app.test_client(), "lan2025", STAFF_PASSWORD).status_code == 422


def test_counters_are_kept_in_the_database_without_usernames(client, lan, db):
    for _ in range(3):
        login(client, "lan2025", "not-the-password")
    rows = db.exec(Throttle.__table__.select()).all()
    assert rows and all("lan2025" not in row.key and "127.0.0.1" not in row.key for row in rows)
    assert max(row.hits for row in rows) == 3


# --- the same answer whatever went wrong ----------------------------------------------------

@pytest.fixture
def pin_member(make_user, db):
    """An account that has a one-time PIN, as a team makes them."""
    user = make_user("hoa2025")
    pin = pins.set_new_pin(session=db, user=db.get(User, user.id))
    db.commit()
    return pin


def test_unknown_user_wrong_password_wrong_pin_and_locked_look_alike(client, lan, pin_member,
                                                                     clock):
    english(client)
    for _ in range(5):
        login(client, "locked2025", "not-the-password")
    cases = {
        "wrong password": login(client, "lan2025", "not-the-password"),
        "unknown user": login(client, "nobody2025", STAFF_PASSWORD),
        "malformed username": login(client, "x!", STAFF_PASSWORD),
        "wrong PIN": login(client, "hoa2025", "000000"),
        "locked unknown user": login(client, "locked2025", STAFF_PASSWORD),
    }
    for case, response in cases.items():
        assert response.status_code == 422, case
        assert field_errors(response) == {"password": GENERIC}, case


def test_a_locked_account_that_does_not_exist_yet_is_locked_like_a_real_one(client, auth, clock):
    for _ in range(5):
        login(client, "future2025", "not-the-password")
    assert auth.register(username="future2025").status_code == 302
    auth.logout()
    assert login(client, "future2025", "mat-khau-an-toan").status_code == 422
    clock.advance(WINDOW + 1)
    assert login(client, "future2025", "mat-khau-an-toan").status_code == 302


def test_every_failure_costs_the_same_hash_checks(client, lan, pin_member, monkeypatch):
    """An unknown user, a wrong password, and an account with a PIN: the same work, so that
    response times do not tell which accounts exist or have a PIN."""
    calls = []
    original = hashing.verify

    def counting(hashed, password):
        calls.append(hashed)
        return original(hashed, password)

    monkeypatch.setattr(hashing, "verify", counting)
    counts = {}
    for case, username in (("unknown", "nobody2025"), ("password", "lan2025"),
                           ("pin", "hoa2025")):
        calls.clear()
        assert login(client, username, "not-the-password").status_code == 422
        counts[case] = len(calls)
    assert counts["unknown"] == counts["password"] == counts["pin"] == 2, counts


# --- per address ----------------------------------------------------------------------------

def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_twenty_failed_sign_ins_from_one_address_block_it(app, lan, clock):
    client = english(from_address(app, "203.0.113.7"))
    for i in range(20):  # twenty different accounts: no account lock is involved
        assert login(client, f"spray{i:02d}", "not-the-password").status_code == 422
    blocked = login(client, "lan2025", STAFF_PASSWORD)
    assert blocked.status_code == 429
    assert "15 minutes" in field_errors(blocked)["password"]
    assert not is_signed_in(client)
    # Another address is not affected; forwarded headers are not believed by default.
    assert login(from_address(app, "198.51.100.9"), "lan2025", STAFF_PASSWORD).status_code == 302
    spoofed = client.post("/auth/login", headers={"X-Forwarded-For": "192.0.2.1"}, data={
        "username": "lan2025", "password": STAFF_PASSWORD,
        "csrf_token": csrf_token(client, "/auth/login")})
    assert spoofed.status_code == 429
    clock.advance(WINDOW + 1)
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302


def test_successful_sign_ins_from_one_address_are_not_limited(app, lan, clock):
    """A class signing in together at one venue shares one address."""
    client = from_address(app, "203.0.113.8")
    for _ in range(25):
        assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302


def register(client, username, full_name="Nguyễn Văn Nam"):
    return client.post("/auth/register", data={
        "username": username, "full_name": full_name, "password": "mat-khau-an-toan",
        "password_confirm": "mat-khau-an-toan", "province": HANOI, "commune": HOAN_KIEM,
        "csrf_token": csrf_token(client, "/auth/register")})


def test_registrations_per_address_then_a_pause(app, count, clock):
    app.config["REGISTRATIONS_PER_ADDRESS"] = 10  # the default (80) is tested in test_venue
    client = english(from_address(app, "203.0.113.20"))
    for i in range(10):
        assert register(client, f"nguoi{i:02d}").status_code == 302
    refused = register(client, "nguoi10")
    assert refused.status_code == 429
    assert "15 minutes" in refused.get_data(as_text=True)
    assert count(User) == 10
    assert register(from_address(app, "203.0.113.21"), "khac2025").status_code == 302
    clock.advance(WINDOW + 1)
    assert register(client, "nguoi11").status_code == 302


def test_refused_registrations_count_too(app, make_user, clock):
    """Probing which usernames are taken is limited like registering."""
    make_user("taken2025")
    app.config["REGISTRATIONS_PER_ADDRESS"] = 10
    client = from_address(app, "203.0.113.30")
    for _ in range(10):
        assert register(client, "taken2025").status_code == 422
    assert register(client, "free2025").status_code == 429


def test_a_new_pin_from_the_team_lifts_the_lock(client, lan, db, clock):
    for _ in range(5):
        login(client, "lan2025", "not-the-password")
    pin = pins.set_new_pin(session=db, user=db.get(User, lan.id))
    db.commit()
    assert login(client, "lan2025", pin).status_code == 302
