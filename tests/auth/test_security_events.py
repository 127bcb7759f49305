"""People are told what changed on their account: the next sign-in after a PIN reset, a role
change or re-enabling says what changed, by whom (as a role) and when, in Vietnam time, once;
``/me`` lists the latest changes, their own new password too."""
import re

from sqlmodel import select

from conftest import HANOI, HOAN_KIEM, STAFF_PASSWORD, csrf_token, login
from digilit.models import User
from digilit.services import account_admin, teams

from .conftest import create_account, sign_in_at_provider

NOTICE = "Since your last sign-in"
NEW_PASSWORD = "mat-khau-moi-cua-hoa"


def english_client(app):
    """A new client whose pages are in English, so that messages read as below."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def sign_in(client, username, password):
    """Sign in; the page the person lands on."""
    response = login(client, username, password)
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def choose_password(client, password=NEW_PASSWORD, current=""):
    response = client.post("/auth/password", data={
        "current_password": current, "password": password, "password_confirm": password,
        "csrf_token": csrf_token(client, "/auth/password")})
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def security_section(page):
    return re.search(r'id="account-security">(.*?)</section>', page, re.S).group(1)


def test_a_pin_reset_by_a_team_leader_is_told_once_at_the_next_sign_in(
        app, db, make_user, client_for, clock):
    leader = make_user("totruong", role="team_leader")
    with app.app_context():
        team = teams.create_team(session=db, actor=leader, name="Tổ 1")
        [(hoa, pin)] = teams.add_members(session=db, team=team,
                                         people=[teams.NewMember(full_name="Nguyễn Thị Hoa")])
        db.commit()
    member = english_client(app)
    assert NOTICE not in sign_in(member, hoa.username, pin)  # a new account: nothing changed
    choose_password(member)

    clock.advance(minutes=5)  # 10:05 in Vietnam, 03:05 UTC
    totruong = client_for("totruong")
    response = totruong.post(f"/teams/{team.id}/members/{hoa.id}/reset-pin", data={
        "confirmed": "1", "csrf_token": csrf_token(totruong, f"/teams/{team.id}")})
    new_pin = re.search(r'class="pin">(\d+)<', totruong.get(response.headers["Location"])
                        .get_data(as_text=True)).group(1)

    clock.advance(days=1)
    member = english_client(app)
    page = sign_in(member, hoa.username, new_pin)  # on to choosing a new password
    assert 'name="password_confirm"' in page
    notice = re.search(rf"{NOTICE}[^<]*", page).group(0)
    assert "Your PIN was reset by a team leader" in notice and "10:05" in notice
    assert "3/11/26" in notice and "totruong" not in notice  # the day; a role, never a name
    assert NOTICE not in choose_password(member)  # her own new password is no news to her

    clock.advance(hours=1)
    assert NOTICE not in sign_in(english_client(app), hoa.username, NEW_PASSWORD)
    listed = security_section(member.get("/me").get_data(as_text=True))
    assert listed.index("Your password was changed by you") < \
        listed.index("Your PIN was reset by a team leader on 3/11/26")  # newest first


def test_a_role_change_by_a_province_administrator_is_told_at_the_next_sign_in(
        app, make_user, client_for, clock):
    make_user("tinhhanoi", role="province_admin", commune=None, province=HANOI)
    lan = make_user("lan2025")
    clock.advance(hours=4)  # 14:00 in Vietnam
    admin = client_for("tinhhanoi")
    response = admin.post(f"/admin/accounts/{lan.id}/role", data={
        "role": "team_leader", "province": str(HANOI), "commune": str(HOAN_KIEM),
        "csrf_token": csrf_token(admin, "/admin/accounts")})
    assert response.status_code == 302

    page = sign_in(english_client(app), "lan2025", STAFF_PASSWORD)
    assert "Your role or area was changed (now: team leader) by an administrator" in page
    assert "2:00" in re.search(rf"{NOTICE}[^<]*", page).group(0)
    assert NOTICE not in sign_in(english_client(app), "lan2025", STAFF_PASSWORD)


def test_re_enabling_is_told_and_my_page_lists_my_own_password_change(
        app, make_user, client_for):
    lan = make_user("lan2025")
    lan_client = english_client(app)
    sign_in(lan_client, "lan2025", STAFF_PASSWORD)
    assert "No changes to your password, PIN or role yet." in lan_client.get("/me").get_data(
        as_text=True)
    page = choose_password(lan_client, current=STAFF_PASSWORD)
    assert "Your password is saved." in page and NOTICE not in page
    assert "Your password was changed by you on" in security_section(page)

    make_user("tinhhanoi", role="province_admin", commune=None, province=HANOI)
    admin = client_for("tinhhanoi")
    for suspend in ("1", "0"):
        assert admin.post(f"/admin/accounts/{lan.id}/suspend", data={
            "suspend": suspend, "csrf_token": csrf_token(admin, "/admin/accounts")}
        ).status_code == 302
    page = sign_in(english_client(app), "lan2025", NEW_PASSWORD)
    notice = re.search(rf"{NOTICE}[^<]*", page).group(0)
    assert "Your account was re-enabled by an administrator" in notice
    assert "password" not in notice  # her own new password was told on the spot


def test_a_sign_in_through_the_identity_provider_tells_the_changes_once(
        oidc_app, client, db, make_user):
    sign_in_at_provider(client, "lan")
    assert create_account(client).status_code == 302
    lan = db.exec(select(User)).one()
    admin = make_user("tinhhanoi", role="province_admin", commune=None, province=HANOI)
    with oidc_app.app_context():
        account_admin.change_role(session=db, actor=admin, user=lan, role="team_leader",
                                  commune_code=HOAN_KIEM)
        db.commit()
    # The callback is a GET: what it marks as told is kept all the same.
    page = client.get(sign_in_at_provider(client, "lan").headers["Location"]).get_data(
        as_text=True)
    assert "Your role or area was changed (now: team leader)" in \
        re.search(rf"{NOTICE}[^<]*", page).group(0)
    page = client.get(sign_in_at_provider(client, "lan").headers["Location"]).get_data(
        as_text=True)
    assert NOTICE not in page and "(now: team leader)" in security_section(page)
