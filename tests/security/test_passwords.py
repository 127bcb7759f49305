"""Password rules: at least 8 characters, not on the shipped list of common passwords, never
truncated, any Unicode (normalised to NFC, nothing stripped); the same rules for registration,
a new password and ``users create``."""
import unicodedata

import pytest
from sqlmodel import select

from conftest import csrf_token
from digilit.models import User
from digilit.services import passwords
from digilit.services.errors import DomainError

from .conftest import field_errors, is_signed_in, login

VIETNAMESE_WEAK = ["matkhau", "123456789", "anhyeuem", "iloveyou", "12345678"]
COMMON = ["anhyeuem", "iloveyou", "12345678", "123456789", "matkhau123", "Password1",
          "QWERTY123"]


def test_the_list_ships_with_the_project_small_and_large_enough():
    path = passwords.COMMON_FILE
    assert path.is_file() and path.stat().st_size < 200 * 1024
    entries = passwords.common_passwords()
    assert len(entries) > 5000
    assert set(VIETNAMESE_WEAK) <= entries
    assert all(entry == entry.lower() for entry in entries)


@pytest.mark.parametrize("password", COMMON)
def test_registration_refuses_a_common_password(client, auth, count, password):
    client.get("/?lang=en")
    response = auth.register(password=password)
    assert response.status_code == 422
    assert "too common" in field_errors(response)["password"]
    assert count(User) == 0


def test_registration_refuses_seven_characters_and_accepts_eight_letters_of_any_script(
        client, auth, count):
    assert auth.register(password="Mk#7dx2").status_code == 422
    assert count(User) == 0
    assert auth.register(password="Bình dân").status_code == 302  # 8 characters, 11 bytes


def test_change_password_refuses_a_common_password(client, auth, db):
    auth.register()
    response = client.post("/auth/password", data={
        "password": "iloveyou123", "password_confirm": "iloveyou123",
        "current_password": "mat-khau-an-toan", "csrf_token": csrf_token(client, "/auth/password")})
    assert response.status_code == 422
    db.expire_all()
    user = db.exec(select(User)).one()
    from digilit.services.hashing import verify as check_password_hash
    assert check_password_hash(user.password_hash, "mat-khau-an-toan")


def test_users_create_refuses_a_common_password(runner, count):
    result = runner.invoke(args=["users", "create", "--role", "national_admin", "--username",
                                 "quantri2025"], input="matkhau123\n")
    assert result.exit_code != 0
    assert "password" in result.output
    assert count(User) == 0
    result = runner.invoke(args=["users", "create", "--role", "national_admin", "--username",
                                 "quantri2025"], input="Quản trị viên tỉnh 2025\n")
    assert result.exit_code == 0, result.output
    assert count(User) == 1


def test_a_long_password_is_never_truncated(client, auth):
    password = "Một câu dài về học tập số " * 8  # 200 characters
    assert auth.register(password=password).status_code == 302
    auth.logout()
    for prefix in (password[:72], password[:-1], password.strip()):
        assert login(client, "lan2025", prefix).status_code == 422
    assert login(client, "lan2025", password).status_code == 302


def test_passwords_are_limited_to_1024_characters():
    passwords.check_policy("x" * 1023 + "y")
    with pytest.raises(DomainError):
        passwords.check_policy("x" * 1024 + "y")


def test_spaces_are_kept_not_stripped(client, auth):
    password = "  học số mỗi ngày  "
    assert auth.register(password=password).status_code == 302
    auth.logout()
    assert login(client, "lan2025", password.strip()).status_code == 422
    assert login(client, "lan2025", password).status_code == 302


def test_the_same_letters_typed_composed_or_decomposed_are_the_same_password(client, auth):
    composed = unicodedata.normalize("NFC", "Mật khẩu của tôi")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert auth.register(password=decomposed).status_code == 302
    auth.logout()
    assert login(client, "lan2025", composed).status_code == 302
    assert is_signed_in(client)


def test_a_common_password_in_other_letter_case_or_decomposed_is_refused():
    for variant in ("ANHYEUEM", "AnhYeuEm", unicodedata.normalize("NFD", "anhyeuem")):
        with pytest.raises(DomainError):
            passwords.check_policy(variant)
