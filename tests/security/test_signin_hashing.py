"""A sign-in hashes the password with no database lock held. On SQLite a write request holds
the database's write lock from its first statement (BEGIN IMMEDIATE); hashing under it made
every sign-in wait for all the others' hashing: 200 learners signing in at once (bench/load.py)
took minutes, and gunicorn timed a worker out with a 500."""
import sqlite3

import pytest

from werkzeug.security import generate_password_hash

from digilit.models import User
from digilit.services import hashing

from conftest import csrf_token

from .conftest import STAFF_PASSWORD, is_signed_in, login


@pytest.fixture
def lock_free(database_url, monkeypatch):
    """For each password hashed or checked: its name when no request held SQLite's write lock
    at that moment, False when one did."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the database-wide write lock is SQLite's")
    path = database_url.split(":///", 1)[1]
    seen = []

    def watched(original):
        def call(*args, **kwargs):
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")  # fails at once while a request holds the lock
                other.execute("ROLLBACK")
                seen.append(original.__name__)
            except sqlite3.OperationalError:
                seen.append(False)
            finally:
                other.close()
            return original(*args, **kwargs)
        return call

    monkeypatch.setattr(hashing, "verify", watched(hashing.verify))
    monkeypatch.setattr(hashing, "hash_password", watched(hashing.hash_password))
    return seen


def test_the_password_is_hashed_with_no_write_lock_held(client, make_user, db, lock_free):
    user = make_user("lan2025")
    # An account from before Argon2: its first sign-in also re-hashes the password.
    user.password_hash = generate_password_hash(STAFF_PASSWORD, method="scrypt:1024:8:1")
    db.add(user)
    db.commit()
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302
    assert "verify" in lock_free and "hash_password" in lock_free and all(lock_free)
    assert is_signed_in(client)
    assert login(client.application.test_client(), "lan2025", "not-the-password").status_code \
        == 422
    assert all(lock_free)


def test_a_registration_hashes_with_no_write_lock_held(auth, lock_free):
    assert auth.register().status_code == 302
    assert lock_free == ["hash_password"]


def test_a_password_change_checks_and_hashes_with_no_write_lock_held(client, make_user,
                                                                      lock_free):
    make_user("lan2025")
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302
    lock_free.clear()
    new = "mat-khau-moi-an-toan"
    for current, status in (("not-the-password", 422), (STAFF_PASSWORD, 302)):
        response = client.post("/auth/password", data={
            "current_password": current, "password": new, "password_confirm": new,
            "csrf_token": csrf_token(client, "/auth/password")})
        assert response.status_code == status
    assert "verify" in lock_free and "hash_password" in lock_free and all(lock_free)


def test_an_old_hash_is_upgraded_at_the_next_sign_in_and_only_then(client, make_user, db):
    user = make_user("lan2025")
    old = generate_password_hash(STAFF_PASSWORD, method="scrypt:1024:8:1")
    user.password_hash = old
    db.add(user)
    db.commit()
    assert login(client.application.test_client(), "lan2025", "wrong-password-1").status_code \
        == 422
    db.expire_all()
    assert db.get(User, user.id).password_hash == old  # a failed sign-in changes nothing
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302
    db.expire_all()
    upgraded = db.get(User, user.id).password_hash
    assert upgraded.startswith("$argon2id$") and hashing.verify(upgraded, STAFF_PASSWORD)
    assert login(client.application.test_client(), "lan2025", STAFF_PASSWORD).status_code == 302
    db.expire_all()
    assert db.get(User, user.id).password_hash == upgraded  # current hashes stay
