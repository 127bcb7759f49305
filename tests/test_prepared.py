"""Statements run on the driver's cursor (``prepared``): the same values in and out as
through SQLAlchemy, the same errors, seen by the same listeners, on SQLite and PostgreSQL."""
from datetime import timedelta, timezone

import pytest
from sqlalchemy import bindparam, event, exc, select

from digilit import clock as platform_clock
from digilit.models import SubmittedForm, User
from digilit.services import db_helpers
from digilit.prepared import Rows, prepare

USERS = User.__table__
_ONE_USER = select(USERS.c.id, USERS.c.username, USERS.c.created_at,
                   USERS.c.must_change_password, USERS.c.suspended_at) \
    .where(USERS.c.id == bindparam("user_id"))
PREPARED_USER = prepare(_ONE_USER.limit(1))  # the limit: a value the statement holds itself


def test_a_row_reads_as_sqlalchemy_reads_it(db, make_user):
    user = make_user("hocvien")
    user.must_change_password = True
    db.commit()
    rows = db_helpers.run(db, PREPARED_USER, {"user_id": user.id})
    assert isinstance(rows, Rows) and rows.keys == (
        "id", "username", "created_at", "must_change_password", "suspended_at")
    expected = db.connection().execute(_ONE_USER, {"user_id": user.id}).one()
    assert rows.all() == [tuple(expected)] and rows.first() == tuple(expected)
    created = rows.first()[2]
    assert created.tzinfo is not None and created.utcoffset() == timedelta(0)
    assert rows.first()[3] is True and rows.scalar() == user.id
    assert db_helpers.run(db, PREPARED_USER, {"user_id": user.id + 99}).first() is None


def test_an_insert_takes_the_columns_python_default(db, make_user, clock):
    user = make_user("hocvien")
    insert = db_helpers.new_row_insert(db, SubmittedForm, ["token", "user_id"])
    inserted = db_helpers.run(db, insert, {"token": "form-1", "user_id": user.id})
    assert inserted.scalar() == "form-1" and inserted.rowcount in (1, -1)
    again = db_helpers.run(db, insert, {"token": "form-1", "user_id": user.id})
    assert again.scalar() is None  # already there: nothing inserted, nothing returned
    db.commit()
    stored = db.get(SubmittedForm, "form-1")
    assert stored.created_at.astimezone(timezone.utc) == platform_clock.now()


def test_the_drivers_error_is_sqlalchemys_and_the_session_goes_on(db):
    insert = db_helpers.new_row_insert(db, SubmittedForm, ["token", "user_id"])
    with pytest.raises(exc.IntegrityError):  # no such user: the foreign key refuses it
        db_helpers.run(db, insert, {"token": "form-2", "user_id": None})
    db.rollback()
    assert db.scalar(select(SubmittedForm).where(SubmittedForm.token == "form-2")) is None


def test_a_missing_value_is_refused_before_anything_is_sent(db):
    sent = []
    engine = db.get_bind()

    def record(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with pytest.raises(exc.ArgumentError, match="user_id"):
            db_helpers.run(db, PREPARED_USER, {})
        assert not [s for s in sent if "FROM user" in s.replace('"', "")]
        db_helpers.run(db, PREPARED_USER, {"user_id": 1})
        assert [s for s in sent if "FROM user" in s.replace('"', "")]  # listeners see it
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_list_expanded_at_run_time_cannot_be_prepared(db):
    statement = prepare(select(USERS.c.id).where(USERS.c.id.in_(bindparam("ids",
                                                                         expanding=True))))
    with pytest.raises(exc.ArgumentError, match="expand"):
        db_helpers.run(db, statement, {"ids": [1, 2]})


def test_the_clock_default_is_made_at_each_run(db, make_user, clock):
    user = make_user("hocvien")
    insert = db_helpers.new_row_insert(db, SubmittedForm, ["token", "user_id"])
    db_helpers.run(db, insert, {"token": "first", "user_id": user.id})
    clock.advance(60)
    db_helpers.run(db, insert, {"token": "second", "user_id": user.id})
    db.commit()
    first, second = (db.get(SubmittedForm, token).created_at for token in ("first", "second"))
    assert second - first == timedelta(seconds=60)
