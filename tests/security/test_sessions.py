"""Sessions: fresh at sign-in, ended everywhere by sign-out, a new password or a new PIN,
limited by idle and absolute timeouts, in cookies that scripts cannot read and that stay on
HTTPS."""
import pytest

from conftest import csrf_token
from digilit import create_app
from digilit.models import User
from digilit.services import pins

from .conftest import STAFF_PASSWORD, is_signed_in, login

IDLE, ABSOLUTE = 2 * 3600, 12 * 3600


def cookie_value(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def replay(app, value):
    """A new client carrying a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", value, domain="localhost")
    return other


@pytest.fixture
def lan(make_user):
    return make_user("lan2025")


def test_signing_in_starts_a_fresh_session(client, lan):
    before_token = csrf_token(client, "/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    before = cookie_value(client)
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
    assert cookie_value(client) != before
    assert csrf_token(client, "/me") != before_token


def test_a_cookie_copied_before_sign_out_is_dead_after_it(app, client, lan):
    login(client, "lan2025", STAFF_PASSWORD)
    copied = cookie_value(client)
    assert is_signed_in(replay(app, copied))
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not is_signed_in(client)
    assert not is_signed_in(replay(app, copied))


def test_signing_out_ends_the_other_sessions_too(app, client_for, lan):
    phone, computer = client_for("lan2025"), client_for("lan2025")
    phone.post("/auth/logout", data={"csrf_token": csrf_token(phone, "/")})
    assert not is_signed_in(computer)


def test_a_new_password_ends_every_other_session(client_for, lan):
    phone, computer = client_for("lan2025"), client_for("lan2025")
    response = computer.post("/auth/password", data={
        "password": "mot-mat-khau-moi", "password_confirm": "mot-mat-khau-moi",
        "current_password": STAFF_PASSWORD, "csrf_token": csrf_token(computer, "/auth/password")})
    assert response.status_code == 302
    assert is_signed_in(computer)
    assert not is_signed_in(phone)


def test_a_new_pin_ends_every_session(client_for, lan, db):
    phone = client_for("lan2025")
    pins.set_new_pin(session=db, user=db.get(User, lan.id))
    db.commit()
    assert not is_signed_in(phone)


def test_an_idle_session_ends_after_two_hours(client, lan, clock):
    login(client, "lan2025", STAFF_PASSWORD)
    clock.advance(IDLE - 60)
    assert is_signed_in(client)  # a visit: the idle time starts again
    clock.advance(IDLE - 60)
    assert is_signed_in(client)
    clock.advance(IDLE + 1)
    response = client.get("/me")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, lan, clock):
    login(client, "lan2025", STAFF_PASSWORD)
    for _ in range(11):
        clock.advance(3600)
        assert is_signed_in(client)
    clock.advance(3600 - 10)
    assert is_signed_in(client)
    clock.advance(11)
    assert not is_signed_in(client)


def test_an_expired_session_keeps_the_language(client, lan, clock):
    client.get("/?lang=en")
    login(client, "lan2025", STAFF_PASSWORD)
    clock.advance(IDLE + 1)
    assert not is_signed_in(client)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_a_session_without_timestamps_is_not_trusted(client, lan):
    login(client, "lan2025", STAFF_PASSWORD)
    with client.session_transaction() as session:
        session.pop("_signed_in_at")
    assert not is_signed_in(client)


def set_cookies(response):
    return response.headers.getlist("Set-Cookie")


def session_cookie(response):
    return next(c for c in set_cookies(response) if c.startswith("session="))


def test_cookies_are_http_only_and_same_site_lax_and_not_secure_on_plain_http(client, lan):
    cookie = session_cookie(login(client, "lan2025", STAFF_PASSWORD))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # a local install on http://127.0.0.1 keeps working


def test_cookies_are_secure_over_https(app, lan):
    client = app.test_client()
    page = client.get("/auth/login", base_url="https://localhost")
    assert all("; Secure" in c for c in set_cookies(page)) and set_cookies(page)
    token = csrf_token_from(page)
    # Over HTTPS the CSRF check also wants a same-site Referer, as browsers send it.
    response = client.post("/auth/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/auth/login"}, data={
        "username": "lan2025", "password": STAFF_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookie = session_cookie(response)
    assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers.get("Strict-Transport-Security", "").startswith("max-age=")


def csrf_token_from(response):
    import re
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                     response.get_data(as_text=True)).group(1)


def test_cookies_are_secure_behind_a_trusted_https_proxy(database_url, lan):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "TRUSTED_PROXIES": 1,
                      "SQLALCHEMY_DATABASE_URI": database_url})
    try:
        client = app.test_client()
        page = client.get("/auth/login", headers={"X-Forwarded-Proto": "https",
                                                  "X-Forwarded-For": "203.0.113.9"})
        assert set_cookies(page) and all("; Secure" in c for c in set_cookies(page))
        plain = app.test_client().get("/auth/login")
        assert set_cookies(plain) and not any("Secure" in c for c in set_cookies(plain))
    finally:
        app.extensions["digilit.engine"].dispose()


def test_an_https_deployment_makes_cookies_secure_by_configuration(database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "PREFERRED_URL_SCHEME": "https", "SQLALCHEMY_DATABASE_URI": database_url})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        cookies = set_cookies(app.test_client().get("/auth/login"))
        assert cookies and all("; Secure" in c for c in cookies)
    finally:
        app.extensions["digilit.engine"].dispose()


# --- cookies opened once (session_guard.SessionInterface) ---------------------------------------

def test_a_cookie_is_opened_once_and_each_request_gets_its_own_copy(app, client, lan):
    from digilit.session_guard import OPENED

    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302
    value = cookie_value(client)
    assert client.get("/me").status_code == 200
    assert value in app.extensions[OPENED]  # kept, with what it holds
    # A request that changes its session (a language chosen) leaves the kept copy as it was:
    # the same cookie, replayed, still speaks the default language.
    assert 'lang="en"' in client.get("/?lang=en").get_data(as_text=True)
    assert cookie_value(client) != value
    again = replay(app, value).get("/me")
    assert again.status_code == 200 and '<html lang="vi">' in again.get_data(as_text=True)


def test_a_tampered_cookie_is_neither_taken_nor_kept(app, client, lan):
    from digilit.session_guard import OPENED

    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302
    value = cookie_value(client)
    assert is_signed_in(replay(app, value))
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert not is_signed_in(replay(app, forged))
    assert forged not in app.extensions.get(OPENED, {})


def test_a_session_with_messages_to_show_is_not_kept(app, client, lan):
    from digilit.session_guard import OPENED

    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã lưu.")]
    value = cookie_value(client)
    assert "Đã lưu." in client.get("/").get_data(as_text=True)
    assert value not in app.extensions.get(OPENED, {})
