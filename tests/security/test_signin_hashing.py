"""A sign-in hashes the password with no database lock held. On SQLite a write request holds
the database's write lock from its first statement (BEGIN IMMEDIATE); hashing under it made
every sign-in wait for all the others' hashing: 200 learners signing in at once (bench/load.py)
took minutes, and gunicorn timed a worker out with a 500."""
import sqlite3

import pytest

from digilit.services import accounts

from .conftest import STAFF_PASSWORD, is_signed_in, login


def test_the_password_is_hashed_with_no_write_lock_held(client, make_user, database_url,
                                                        monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("the database-wide write lock is SQLite's")
    make_user("lan2025")
    path = database_url.split(":///", 1)[1]
    lock_free = []
    original = accounts.check_password_hash

    def hashing(*args, **kwargs):
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once while a request holds the lock
            other.execute("ROLLBACK")
            lock_free.append(True)
        except sqlite3.OperationalError:
            lock_free.append(False)
        finally:
            other.close()
        return original(*args, **kwargs)

    monkeypatch.setattr(accounts, "check_password_hash", hashing)
    assert login(client, "lan2025", STAFF_PASSWORD).status_code == 302
    assert lock_free and all(lock_free)
    assert is_signed_in(client)
    assert login(client.application.test_client(), "lan2025", "not-the-password").status_code \
        == 422
    assert all(lock_free)
