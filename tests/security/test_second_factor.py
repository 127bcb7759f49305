"""Administrators sign in with a second factor: an authenticator app (TOTP) set up at their
first sign-in, with one-time recovery codes; team leaders may turn it on and off.

The codes are made here with pyotp from the key the set-up page shows, at the test's clock."""
import re
from types import SimpleNamespace

import pyotp
import pytest
from sqlmodel import select

from conftest import csrf_token
from digilit import clock as product_clock
from digilit import create_app
from digilit.models import RecoveryCode, SecondFactor
from digilit.services import permissions
from digilit.services import second_factor as factors

from .conftest import STAFF_PASSWORD, field_errors, login

KEY_RE = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
RECOVERY_RE = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


@pytest.fixture(autouse=True)
def required(app):
    """As in production (the other tests turn it off)."""
    app.config["SECOND_FACTOR_REQUIRED"] = True


def code_now(key, offset=0):
    return pyotp.TOTP(key).at(product_clock.timestamp() + offset)


def post(client, path, page, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def set_up(client):
    """Go through the set-up page as a person would: the key, a code, the recovery codes."""
    page = client.get("/auth/second-factor").get_data(as_text=True)
    key = KEY_RE.search(page).group(1).replace(" ", "")
    response = post(client, "/auth/second-factor/confirm", "/auth/second-factor",
                    code=code_now(key))
    assert response.status_code == 200
    return key, RECOVERY_RE.findall(response.get_data(as_text=True))


def enter_code(client, code):
    return post(client, "/auth/code", "/auth/code", code=code)


def test_production_requires_it_of_administrators_only(database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["SECOND_FACTOR_REQUIRED"] is True
    needs = {role.value for role in permissions.RANK if permissions.needs_second_factor(
        SimpleNamespace(role=role.value, is_authenticated=True))}
    assert needs == {"commune_admin", "province_admin", "national_admin"}


@pytest.mark.parametrize("role", ["commune_admin", "province_admin", "national_admin"])
def test_an_administrator_sets_it_up_before_anything_else(app, client, db, make_user, role,
                                                          clock):
    make_user("quantri", role=role)
    login(client, "quantri", STAFF_PASSWORD)
    for path in ("/admin/stats", "/me", "/teams/", "/courses/e-id"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/auth/second-factor")
    page = client.get("/auth/second-factor").get_data(as_text=True)
    assert "<svg" in page and KEY_RE.search(page)
    assert client.get("/auth/second-factor").get_data(as_text=True).count(
        KEY_RE.search(page).group(1)) == 1  # the same key on reload, for the app scanned
    key, codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/stats").status_code == 200
    stored = db.exec(select(SecondFactor)).one()
    assert stored.confirmed_at is not None and key not in stored.secret
    hashes = {row.code_hash for row in db.exec(select(RecoveryCode))}
    assert len(hashes) == 10 and not hashes & {c.replace("-", "") for c in codes}


def test_a_wrong_code_does_not_finish_the_set_up(client, db, make_user):
    make_user("quantri", role="commune_admin")
    login(client, "quantri", STAFF_PASSWORD)
    client.get("/auth/second-factor")
    response = post(client, "/auth/second-factor/confirm", "/auth/second-factor", code="000000")
    assert response.status_code == 422 and "code" in field_errors(response)
    assert db.exec(select(SecondFactor)).one().secret is None
    assert client.get("/admin/stats").status_code == 302


@pytest.fixture
def admin_with_factor(app, make_user, clock):
    """A commune administrator who has set up an authenticator: ``(key, recovery codes)``."""
    make_user("quantri", role="commune_admin")
    client = app.test_client()
    login(client, "quantri", STAFF_PASSWORD)
    made = set_up(client)
    clock.advance(60)  # the set-up's code is spent: sign-ins below use later steps
    return made


def test_the_password_alone_does_not_open_a_session(client, admin_with_factor):
    response = login(client, "quantri", STAFF_PASSWORD)
    assert response.headers["Location"].endswith("/auth/code")
    assert client.get("/admin/stats").status_code == 302
    assert client.get("/me").headers["Location"].startswith("/auth/login")
    response = enter_code(client, "123456" if code_now(admin_with_factor[0]) != "123456"
                          else "654321")
    assert response.status_code == 422 and "code" in field_errors(response)
    assert client.get("/admin/stats").status_code == 302


def test_a_current_code_opens_it_once(app, client, admin_with_factor):
    key = admin_with_factor[0]
    login(client, "quantri", STAFF_PASSWORD)
    code = code_now(key)
    response = enter_code(client, code)
    assert response.status_code == 302 and client.get("/admin/stats").status_code == 200
    other = app.test_client()  # someone who saw the code over the shoulder, a second late
    login(other, "quantri", STAFF_PASSWORD)
    assert enter_code(other, code).status_code == 422
    assert other.get("/admin/stats").status_code == 302


def test_a_recovery_code_works_once(app, client, admin_with_factor):
    recovery = admin_with_factor[1][0]
    login(client, "quantri", STAFF_PASSWORD)
    response = enter_code(client, recovery.upper().replace("-", " "))
    assert response.status_code == 302
    assert "9" in client.get(response.headers["Location"], follow_redirects=True).get_data(
        as_text=True)
    other = app.test_client()
    login(other, "quantri", STAFF_PASSWORD)
    assert enter_code(other, recovery).status_code == 422


def test_five_wrong_codes_lock_the_second_step(client, admin_with_factor, clock):
    key = admin_with_factor[0]
    login(client, "quantri", STAFF_PASSWORD)
    wrong = f"{(int(code_now(key)) + 1) % 10**6:06d}"
    for _ in range(factors.LIMIT):
        assert enter_code(client, wrong).status_code == 422
    assert enter_code(client, code_now(key)).status_code == 422  # locked: the right one too
    clock.advance(15 * 60 + 1)
    login(client, "quantri", STAFF_PASSWORD)
    assert enter_code(client, code_now(key)).status_code == 302


def test_the_code_page_waits_five_minutes(client, admin_with_factor, clock):
    login(client, "quantri", STAFF_PASSWORD)
    token = csrf_token(client, "/auth/code")
    clock.advance(5 * 60 + 1)
    response = client.post("/auth/code", data={"csrf_token": token,
                                               "code": code_now(admin_with_factor[0])})
    assert response.headers["Location"].startswith("/auth/login")
    assert client.get("/admin/stats").status_code == 302


def test_a_key_sealed_under_another_secret_key_opens_nothing(app, client, admin_with_factor):
    app.config["SECRET_KEY"] = "another-secret"
    login(client, "quantri", STAFF_PASSWORD)
    assert enter_code(client, code_now(admin_with_factor[0])).status_code == 422


def test_an_administrator_cannot_turn_it_off(client, admin_with_factor):
    login(client, "quantri", STAFF_PASSWORD)
    enter_code(client, code_now(admin_with_factor[0]))
    page = client.get("/auth/second-factor").get_data(as_text=True)
    assert "/auth/second-factor/off" not in page
    response = post(client, "/auth/second-factor/off", "/auth/second-factor", code="000000")
    assert response.status_code == 404


def test_new_recovery_codes_replace_the_old(app, client, admin_with_factor, clock):
    key, old = admin_with_factor
    login(client, "quantri", STAFF_PASSWORD)
    enter_code(client, code_now(key))
    clock.advance(30)
    response = post(client, "/auth/second-factor/recovery-codes", "/auth/second-factor",
                    code=code_now(key))
    new = RECOVERY_RE.findall(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    login(other, "quantri", STAFF_PASSWORD)
    assert enter_code(other, old[1]).status_code == 422
    assert enter_code(other, new[0]).status_code == 302


def test_a_team_leader_may_turn_it_on_and_off(app, client, make_user, clock):
    make_user("totruong", role="team_leader")
    login(client, "totruong", STAFF_PASSWORD)
    assert client.get("/teams/").status_code == 200  # not required of team leaders
    key, _codes = set_up(client)
    clock.advance(30)
    other = app.test_client()
    assert login(other, "totruong", STAFF_PASSWORD).headers["Location"].endswith("/auth/code")
    assert enter_code(other, code_now(key)).status_code == 302
    clock.advance(30)
    response = post(other, "/auth/second-factor/off", "/auth/second-factor", code=code_now(key))
    assert response.status_code == 302
    third = app.test_client()
    assert not login(third, "totruong", STAFF_PASSWORD).headers["Location"].endswith(
        "/auth/code")


def test_learners_have_no_second_factor_page(client, make_user):
    make_user("hocvien")
    login(client, "hocvien", STAFF_PASSWORD)
    assert client.get("/auth/second-factor").status_code == 404
    assert client.get("/me").status_code == 200


def test_an_administrator_above_resets_a_lost_one(app, client, admin_with_factor, make_user,
                                                  db):
    from conftest import HANOI
    make_user("tinh", role="province_admin", commune=None, province=HANOI)
    province = app.test_client()
    login(province, "tinh", STAFF_PASSWORD)
    set_up(province)
    user_id = db.exec(select(SecondFactor.user_id)).first()
    response = post(province, f"/admin/accounts/{user_id}/second-factor", "/admin/accounts")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(SecondFactor, user_id) is None
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "quantri", STAFF_PASSWORD)  # back to the set-up, as at a first sign-in
    assert client.get("/admin/stats").headers["Location"].endswith("/auth/second-factor")
    page = client.get("/auth/second-factor").get_data(as_text=True)
    assert "The second step at sign-in was removed" in page  # and they are told so, once
    assert "an administrator" in page


def test_a_password_change_keeps_the_second_step(client, admin_with_factor):
    login(client, "quantri", STAFF_PASSWORD)
    enter_code(client, code_now(admin_with_factor[0]))
    response = post(client, "/auth/password", "/auth/password",
                    current_password=STAFF_PASSWORD, password="mat-khau-moi-2026",
                    password_confirm="mat-khau-moi-2026")
    assert response.status_code == 302
    assert client.get("/admin/stats").status_code == 200


def test_until_it_is_set_up_every_page_leads_to_the_set_up(app, client, make_user):
    make_user("quantri", role="national_admin", commune=None, province=None)
    login(client, "quantri", STAFF_PASSWORD)
    from digilit.auth.second_factor_views import SETUP_EXEMPT
    walked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in SETUP_EXEMPT:
            continue
        response = client.get(rule.rule)
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].endswith("/auth/second-factor"), rule.rule
        walked += 1
    assert walked > 15


def test_the_authenticator_goes_with_a_deleted_account(app, admin_with_factor, make_user, db):
    from conftest import HANOI
    make_user("tinh", role="province_admin", commune=None, province=HANOI)
    app.config["SECOND_FACTOR_REQUIRED"] = False  # this administrator's own step is not the point
    province = app.test_client()
    login(province, "tinh", STAFF_PASSWORD)
    user_id = db.exec(select(SecondFactor.user_id)).one()
    response = post(province, f"/admin/accounts/{user_id}/delete", "/admin/accounts",
                    username="quantri")
    assert response.status_code == 302
    db.expire_all()
    assert db.exec(select(SecondFactor)).all() == []
    assert db.exec(select(RecoveryCode)).all() == []
