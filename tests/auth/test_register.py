"""Registration: a good form creates a learner and signs them in; a bad one comes back with the
message beside the field and writes nothing."""
import re

import pytest
from sqlmodel import select
from argon2 import PasswordHasher

from conftest import BA_DINH, HANOI, HCMC, HOAN_KIEM, VUNG_TAU, csrf_token
from digilit.models import Commune, User
from digilit.services import hashing

PASSWORD = "mat-khau-an-toan"


def error_fields(page):
    """Ids of the fields shown with an error message beside them."""
    return set(re.findall(r'<p id="([a-z_]+)-error" class="error">', page))


def select_options(page, field):
    block = re.search(rf'<select[^>]*id="{field}"[^>]*>(.*?)</select>', page, re.S)
    assert block, f"no <select> {field}"
    return [int(v) for v in re.findall(r'<option[^>]*value="(\d+)"', block.group(1))]


def test_register_page_has_the_contract_fields(client):
    response = client.get("/auth/register")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("username", "full_name", "password", "password_confirm", "province", "commune",
                 "csrf_token"):
        assert f'name="{name}"' in page, name
    assert 'type="password"' in page
    assert len(select_options(page, "province")) == 34
    assert select_options(page, "commune") == []  # no province chosen yet


def test_success_creates_a_learner_with_a_hashed_password_and_signs_in(client, auth, db):
    response = auth.register(username="lan2025", full_name="  Nguyễn   Thị Lan ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = db.exec(select(User).where(User.username == "lan2025")).one()
    assert user.full_name == "Nguyễn Thị Lan"
    assert user.role == "learner"
    assert (user.province_code, user.commune_code) == (HANOI, HOAN_KIEM)
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    assert hashing.verify(user.password_hash, PASSWORD)
    assert client.get("/me").status_code == 200  # signed in


def test_production_hashes_passwords_with_owasp_argon2id():
    # The suite hashes at a lower cost to stay fast (conftest); production must not.
    production = PasswordHasher(**hashing.PARAMETERS)
    hashed = production.hash(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert production.verify(hashed, PASSWORD)
    assert not hashing.verify(hashed, PASSWORD + "x")
    assert production.hash(PASSWORD) != hashed  # salted


@pytest.mark.parametrize("typed, stored", [
    ("+84 912 345 678", "0912345678"),
    ("0912.345.678", "0912345678"),
    ("84-912-345-678", "0912345678"),
    ("(091) 234 5678", "0912345678"),
])
def test_phone_number_usernames_are_normalised(auth, db, typed, stored):
    assert auth.register(username=typed).status_code == 302
    assert db.exec(select(User.username)).all() == [stored]


def test_phone_number_signs_in_however_it_is_written(client, auth):
    auth.register(username="0912345678")
    auth.logout()
    assert auth.login(username="+84 912 345 678").status_code == 302


def test_username_is_stored_lower_case(auth, db):
    assert auth.register(username="NguyenLan").status_code == 302
    assert db.exec(select(User.username)).all() == ["nguyenlan"]


@pytest.mark.parametrize("fields, field", [
    ({"password_confirm": "something-else"}, "password_confirm"),
    ({"password": "short7!", "password_confirm": "short7!"}, "password"),
    ({"username": "ab"}, "username"),
    ({"username": "lan 2025!"}, "username"),
    ({"username": "lan@example.org"}, "username"),
    ({"username": ""}, "username"),
    ({"full_name": ""}, "full_name"),
    ({"full_name": "   "}, "full_name"),
    ({"province": HCMC, "commune": HOAN_KIEM}, "commune"),  # commune of another province
    ({"province": 999, "commune": HOAN_KIEM}, "province"),  # no such province
    ({"commune": 999999}, "commune"),  # no such commune
    ({"commune": ""}, "commune"),
    ({"province": "", "commune": ""}, "province"),
    ({"province": "hanoi"}, "province"),
])
def test_a_bad_value_returns_the_form_with_the_message_and_writes_nothing(
        auth, count, fields, field):
    before = count(User)
    response = auth.register(**fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field in error_fields(page)
    assert f'id="{field}"' in page and 'aria-invalid="true"' in page
    assert 'name="csrf_token"' in page  # the same form again, ready to send
    assert count(User) == before


def test_the_form_keeps_what_was_typed_but_not_the_password(auth):
    page = auth.register(username="ab", full_name="Trần Văn Minh").get_data(as_text=True)
    assert 'value="Trần Văn Minh"' in page
    assert PASSWORD not in page


def test_a_taken_username_is_refused(client, auth, count):
    assert auth.register(username="lan2025").status_code == 302
    auth.logout()
    before = count(User)
    response = auth.register(username="lan2025", full_name="Another Lan")
    assert response.status_code == 422
    assert "username" in error_fields(response.get_data(as_text=True))
    assert count(User) == before


def test_a_username_differing_only_by_case_is_taken(client, auth, count):
    assert auth.register(username="lan2025").status_code == 302
    auth.logout()
    response = auth.register(username="LAN2025")
    assert response.status_code == 422
    assert "username" in error_fields(response.get_data(as_text=True))
    assert count(User) == 1


def test_the_same_phone_written_differently_is_taken(client, auth, count):
    assert auth.register(username="0912345678").status_code == 302
    auth.logout()
    response = auth.register(username="+84 912 345 678")
    assert response.status_code == 422
    assert count(User) == 1


def test_refresh_communes_narrows_the_list_and_creates_nothing(client, count):
    before = count(User)
    response = client.post("/auth/register", data={
        "csrf_token": csrf_token(client, "/auth/register"), "username": "lan2025",
        "full_name": "Nguyễn Thị Lan", "password": PASSWORD, "password_confirm": PASSWORD,
        "province": HCMC, "commune": "", "refresh_communes": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    communes = select_options(page, "commune")
    assert VUNG_TAU in communes and HOAN_KIEM not in communes
    assert error_fields(page) == set()  # narrowing the list is not a failed submission
    assert re.search(rf'<option selected value="{HCMC}">|<option value="{HCMC}" selected', page)
    assert 'value="lan2025"' in page  # what was typed is kept
    assert count(User) == before


def test_refresh_communes_lists_exactly_the_province_communes(client, db):
    response = client.post("/auth/register", data={
        "csrf_token": csrf_token(client, "/auth/register"), "province": HANOI,
        "refresh_communes": "1"})
    expected = set(db.exec(select(Commune.code).where(Commune.province_code == HANOI)))
    assert set(select_options(response.get_data(as_text=True), "commune")) == expected
    assert {HOAN_KIEM, BA_DINH} <= expected


def test_get_with_a_province_lists_its_communes(client):
    page = client.get(f"/auth/register?province={HCMC}").get_data(as_text=True)
    communes = select_options(page, "commune")
    assert VUNG_TAU in communes
    assert HOAN_KIEM not in communes


def test_get_with_an_unknown_province_lists_no_commune(client):
    for value in ("999", "abc"):
        response = client.get(f"/auth/register?province={value}")
        assert response.status_code == 200
        assert select_options(response.get_data(as_text=True), "commune") == []


def test_communes_json(client, db):
    response = client.get(f"/auth/communes?province={HANOI}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    rows = response.get_json()
    codes = {row["code"] for row in rows}
    assert {HOAN_KIEM, BA_DINH} <= codes and VUNG_TAU not in codes
    assert codes == set(db.exec(select(Commune.code).where(Commune.province_code == HANOI)))
    assert all(isinstance(row["name"], str) and row["name"] for row in rows)
    assert client.get("/auth/communes?province=abc").get_json() == []
    assert client.get("/auth/communes").get_json() == []


def test_registration_then_the_same_values_in_another_province(auth, db):
    assert auth.register(username="vungtau1", province=HCMC, commune=VUNG_TAU).status_code == 302
    user = db.exec(select(User)).one()
    assert (user.province_code, user.commune_code) == (HCMC, VUNG_TAU)


def test_every_field_is_checked_at_once(client, auth, count):
    response = auth.register(username="x!", password="short", full_name="")
    assert response.status_code == 422
    assert {"username", "password", "full_name"} <= error_fields(response.get_data(as_text=True))
    assert count(User) == 0


def test_a_phone_that_a_team_account_has_is_refused_with_what_to_do(client, auth, count,
                                                                     team_member_with_phone):
    member, _pin = team_member_with_phone()
    assert member.username != "0912345678"
    before = count(User)
    response = auth.register(username="0912 345 678")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_fields(page) == {"username"}
    assert "PIN" in page  # says what to do: sign in, or ask for a new PIN
    assert count(User) == before


def test_a_phone_username_is_the_accounts_phone(client, auth, db):
    assert auth.register(username="+84 912 345 679").status_code == 302
    user = db.exec(select(User).where(User.username == "0912345679")).one()
    assert user.phone == "0912345679"


def test_the_no_script_commune_refresh_says_the_passwords_are_to_be_typed_again(client):
    response = client.post("/auth/register", data={
        "csrf_token": csrf_token(client, "/auth/register"), "full_name": "Lan",
        "username": "lan2025", "password": PASSWORD, "password_confirm": PASSWORD,
        "province": HANOI, "refresh_communes": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="retype"' in page
    assert 'value="lan2025"' in page and PASSWORD not in page
    assert HOAN_KIEM in select_options(page, "commune")
