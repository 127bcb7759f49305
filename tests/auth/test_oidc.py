"""Sign-in with an identity provider (OpenID Connect) against a real provider on loopback:
first sign-in (new account, or linking one proved by its password), later sign-ins, the
checks on state, nonce and codes, and every failure back on the sign-in page, audited."""
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from conftest import HANOI, HOAN_KIEM, csrf_token
from digilit.models import ExternalIdentity, User
from oidc.provider import Provider, consent

from .conftest import CALLBACK, callback_path, create_account, sign_in_at_provider, start


def test_off_when_not_configured(client, auth):
    assert client.get("/auth/oidc/login").status_code == 404
    assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404
    assert "/auth/oidc/login" not in client.get("/auth/login").get_data(as_text=True)


def test_the_authorization_request_uses_pkce_state_and_nonce(oidc_app, client, provider):
    query = parse_qs(urlsplit(start(client)).query)
    assert urlsplit(start(client)).netloc == urlsplit(provider.issuer).netloc
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://127.0.0.1:5000/auth/oidc/callback"]
    assert "/auth/oidc/login" in client.get("/auth/login").get_data(as_text=True)


def test_only_the_latest_sign_in_is_kept_in_the_session(oidc_app, client):
    for _click in range(10):
        start(client)
    with client.session_transaction() as session:
        assert len([key for key in session if key.startswith("_state_oidc_")]) == 1
    assert len(client.get_cookie("session").value) < 2000


def test_a_first_sign_in_creates_an_account_from_the_claims(oidc_app, client, db, caplog):
    caplog.set_level(logging.INFO, logger="digilit.audit")
    response = sign_in_at_provider(client, "lan")
    assert response.headers["Location"].endswith("/auth/oidc/welcome")
    page = client.get("/auth/oidc/welcome?lang=en").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in page and 'name="commune"' not in page  # the claims had it
    response = create_account(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/me")
    user = db.exec(select(User)).one()
    assert (user.full_name, user.province_code, user.commune_code) == (
        "Nguyễn Thị Lan", HANOI, HOAN_KIEM)
    identity = db.exec(select(ExternalIdentity)).one()
    assert identity.user_id == user.id and identity.subject == "lan"
    me = client.get("/me")
    assert me.status_code == 200
    assert f"Your username is {user.username}" in me.get_data(as_text=True)  # told once
    assert "event=oidc_register outcome=success" in caplog.text
    assert "code=" not in caplog.text and "eyJ" not in caplog.text  # no code, no token
    # Signed out, then again through the provider: the same account, no new one.
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/me")})
    response = sign_in_at_provider(client, "lan")
    assert response.headers["Location"].endswith("/me")
    assert db.exec(select(User)).all() == [user]


def test_the_area_is_asked_once_when_the_claims_lack_it(oidc_app, client, db, count):
    sign_in_at_provider(client, "minh")
    page = client.get("/auth/oidc/welcome").get_data(as_text=True)
    assert 'name="commune"' in page
    assert create_account(client, province=str(HANOI), commune="").status_code == 422
    assert count(User) == 0 and count(ExternalIdentity) == 0  # nothing half-made
    response = create_account(client, province=str(HANOI), commune=str(HOAN_KIEM))
    assert response.status_code == 302
    user = db.exec(select(User)).one()
    assert (user.full_name, user.commune_code) == ("Trần Văn Minh", HOAN_KIEM)


def test_an_existing_account_is_linked_once_its_password_is_given(oidc_app, client, auth, db):
    auth.register()
    auth.logout()
    sign_in_at_provider(client, "minh")
    link = {"username": "lan2025", "csrf_token": csrf_token(client, "/auth/oidc/welcome")}
    wrong = client.post("/auth/oidc/link", data={**link, "password": "sai-mat-khau"})
    assert wrong.status_code == 422
    assert db.exec(select(ExternalIdentity)).all() == []
    right = client.post("/auth/oidc/link", data={**link, "password": "mat-khau-an-toan"})
    assert right.status_code == 302
    user = db.exec(select(User)).one()
    assert db.exec(select(ExternalIdentity)).one().user_id == user.id
    # The password still works, and so does the provider.
    auth.logout()
    assert auth.login().status_code == 302
    auth.logout()
    assert sign_in_at_provider(client, "minh").headers["Location"].endswith("/me")


def test_unlinking_needs_the_password_and_keeps_a_way_in(oidc_app, client, auth, db):
    sign_in_at_provider(client, "lan")
    create_account(client)
    identity = db.exec(select(ExternalIdentity)).one()
    data = {"identity": str(identity.id), "csrf_token": csrf_token(client, "/me")}
    response = client.post("/auth/oidc/unlink", data=data)
    assert response.status_code == 302
    assert db.exec(select(ExternalIdentity)).all() != []  # the only way in: kept
    assert client.post("/auth/oidc/unlink", data={"identity": str(identity.id)}).status_code == 400
    # With a password chosen, unlinking asks for it.
    client.post("/auth/password", data={
        "password": "mat-khau-moi-123", "password_confirm": "mat-khau-moi-123",
        "csrf_token": csrf_token(client, "/auth/password")})
    data["csrf_token"] = csrf_token(client, "/me")
    client.post("/auth/oidc/unlink", data={**data, "password": "sai-mat-khau"})
    db.expire_all()
    assert len(db.exec(select(ExternalIdentity)).all()) == 1
    client.post("/auth/oidc/unlink", data={**data, "password": "mat-khau-moi-123"})
    assert db.exec(select(ExternalIdentity)).all() == []


def test_a_signed_in_learner_links_the_identity_from_my_page(oidc_app, client, auth, db):
    auth.register()
    page = client.get("/me").get_data(as_text=True)
    assert 'href="/auth/oidc/login"' in page
    response = sign_in_at_provider(client, "minh")
    assert response.headers["Location"].endswith("/auth/oidc/welcome")
    assert db.exec(select(ExternalIdentity)).all() == []  # a GET writes nothing
    response = client.post("/auth/oidc/link", data={
        "csrf_token": csrf_token(client, "/auth/oidc/welcome")})
    assert response.headers["Location"].endswith("/me")
    user = db.exec(select(User)).one()
    assert db.exec(select(ExternalIdentity)).one().user_id == user.id
    assert 'action="/auth/oidc/unlink"' in client.get("/me").get_data(as_text=True)
    # Signed in as someone else, the identity signs in its own account (a fresh session);
    # it is not moved to the other account.
    auth.logout()
    auth.register(username="khac2025")
    assert sign_in_at_provider(client, "minh").headers["Location"].endswith("/me")
    assert "(lan2025)" in client.get("/me").get_data(as_text=True)
    assert db.exec(select(ExternalIdentity)).one().user_id == user.id


def refused(client, response, message, caplog=None, reason=None):
    """The person is back on the sign-in page with ``message``, and nobody is signed in."""
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert message in page
    assert client.get("/me").status_code == 302
    if caplog is not None:
        assert "event=oidc_login outcome=failure" in caplog.text
        assert f"reason={reason}" in caplog.text


def test_denied_consent(oidc_app, client, count, caplog):
    caplog.set_level(logging.INFO, logger="digilit.audit")
    response = sign_in_at_provider(client, "lan", action="deny")
    refused(client, response, "You did not agree to share your identity", caplog, "denied")
    assert count(User) == 0


def test_a_wrong_state_is_refused(oidc_app, client, caplog):
    caplog.set_level(logging.INFO, logger="digilit.audit")
    location = consent(start(client), "lan")
    forged = callback_path(location).replace("state=", "state=x")
    refused(client, client.get(forged), "This sign-in was not started here", caplog,
            "bad_state")
    # A callback in another browser (no state in its session) is refused alike.
    other = oidc_app.test_client()
    other.get("/?lang=en")
    refused(other, other.get(callback_path(consent(start(client), "lan"))),
            "This sign-in was not started here")


def test_a_replayed_code_is_refused(oidc_app, client, caplog):
    caplog.set_level(logging.INFO, logger="digilit.audit")
    url = callback_path(consent(start(client), "lan"))
    state = parse_qs(urlsplit(url).query)["state"][0]
    with client.session_transaction() as session:
        kept = dict(session[f"_state_oidc_{state}"])
    assert client.get(url).headers["Location"].endswith("/auth/oidc/welcome")
    # The same code again, even with the state put back as an attacker would: refused by the
    # provider (a code is single-use).
    other = oidc_app.test_client()
    other.get("/auth/login?lang=en")
    with other.session_transaction() as session:
        session[f"_state_oidc_{state}"] = kept
    refused(other, other.get(url), "The identity provider did not confirm", caplog,
            "rejected")


def test_a_response_naming_another_issuer_is_refused(oidc_app, client, count):
    url = callback_path(consent(start(client), "lan"))
    assert "iss=" in url  # oidc-provider names itself (RFC 9207)
    forged = re.sub(r"iss=[^&]+", "iss=http%3A%2F%2Fevil.example", url)
    refused(client, client.get(forged), "Your identity could not be verified")
    assert count(User) == 0


def test_a_wrong_nonce_is_refused(oidc_app, client, count, caplog):
    caplog.set_level(logging.INFO, logger="digilit.audit")
    url = callback_path(consent(start(client), "lan"))
    state = parse_qs(urlsplit(url).query)["state"][0]
    with client.session_transaction() as session:
        kept = session[f"_state_oidc_{state}"]
        kept["data"]["nonce"] = "not-the-nonce-sent"
        session[f"_state_oidc_{state}"] = kept
    refused(client, client.get(url), "Your identity could not be verified", caplog,
            "unverified")
    assert count(User) == 0


def test_a_bad_signature_is_refused(app, client, count, caplog):
    caplog.set_level(logging.INFO, logger="digilit.audit")
    rogue = Provider([CALLBACK], wrong_jwks=True)
    try:
        app.config.update(rogue.settings())
        url = callback_path(consent(start(client), "lan"))
        refused(client, client.get(url), "Your identity could not be verified", caplog,
                "unverified")
    finally:
        rogue.stop()
    assert count(User) == 0 and count(ExternalIdentity) == 0


def test_a_provider_that_is_down(app, client, caplog):
    caplog.set_level(logging.INFO, logger="digilit.audit")
    down = Provider([CALLBACK])
    app.config.update(down.settings())
    location = start(client)
    url = callback_path(consent(location, "lan"))
    down.stop()  # after the person signed in there, before the app fetches the tokens
    refused(client, client.get(url), "The identity provider cannot be reached", caplog,
            "unreachable")
    fresh = app.test_client()
    fresh.get("/?lang=en")
    app.extensions.pop("digilit.oidc")  # a new process: discovery itself now fails
    refused(fresh, fresh.get("/auth/oidc/login"), "The identity provider cannot be reached")


def test_a_locked_account_is_refused(oidc_app, client, auth, db):
    sign_in_at_provider(client, "lan")
    create_account(client)
    username = db.exec(select(User)).one().username
    auth.logout()
    for _attempt in range(5):
        auth.login(username, "sai-mat-khau-1")
    refused(client, sign_in_at_provider(client, "lan"), "Too many wrong passwords")


@pytest.mark.parametrize("path", ["/auth/oidc/welcome"])
def test_the_first_choice_needs_a_verified_identity(oidc_app, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"


def test_the_identity_is_in_the_data_copy_and_goes_with_the_account(oidc_app, client, db,
                                                                    count):
    sign_in_at_provider(client, "lan")
    create_account(client)
    data = client.get("/me/data.json").get_json()
    [identity] = data["identities"]
    assert identity["subject"] == "lan" and identity["issuer"] == oidc_app.config["OIDC_ISSUER"]
    assert "token" not in str(data).lower()
    # A password first (the account has none), then the account may be deleted.
    client.post("/auth/password", data={
        "password": "mat-khau-moi-123", "password_confirm": "mat-khau-moi-123",
        "csrf_token": csrf_token(client, "/auth/password")})
    response = client.post("/me/delete", data={
        "password": "mat-khau-moi-123", "csrf_token": csrf_token(client, "/me")})
    assert response.status_code == 302
    assert count(User) == 0 and count(ExternalIdentity) == 0


def test_an_account_with_a_second_factor_gives_its_code_after_the_provider(oidc_app, client,
                                                                           auth, db):
    import pyotp

    from digilit import clock
    from digilit.services import second_factor

    sign_in_at_provider(client, "lan")
    create_account(client)
    auth.logout()
    user = db.exec(select(User)).one()
    key, _uri = second_factor.begin(session=db, user=user, secret_key="test-secret")
    second_factor.confirm(session=db, user=user, code=pyotp.TOTP(key).at(clock.timestamp()),
                          secret_key="test-secret")
    db.commit()
    response = sign_in_at_provider(client, "lan")
    assert response.headers["Location"].endswith("/auth/code")
    assert client.get("/me").status_code == 302  # not signed in before the code
