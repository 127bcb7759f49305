"""Overload is answered with a short 503 page and Retry-After, never a traceback, and a form
sent again afterwards is recorded once."""
import sqlite3
import time

import pytest
from sqlmodel import select

from conftest import AuthActions, LearnActions, correct_answers
from digilit import create_app
from digilit.models import QuizAttempt
from digilit.overload import queued_seconds
from digilit.services.quiz_rules import drawn_ids
from digilit.db import dispose

BUSY = "Many people are learning right now"


@pytest.fixture
def impatient_app(database_url):
    """The test's database served by an app whose writes wait only 0.2 s for SQLite's lock,
    and which trusts one proxy in front (its X-Request-Start stamp)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "TRUSTED_PROXIES": 1,
                      "SQLALCHEMY_DATABASE_URI": database_url, "SQLITE_BUSY_TIMEOUT": 0.2})
    yield app
    dispose(app.extensions["digilit.engine"])


def english_learner(app, catalog):
    client = app.test_client()
    client.get("/?lang=en")
    assert AuthActions(client).register().status_code == 302
    learn = LearnActions(client, catalog)
    learn.complete_all("e-id")
    return client, learn


def test_a_request_that_queued_too_long_is_refused_before_any_work(impatient_app, catalog, db):
    client, learn = english_learner(impatient_app, catalog)
    _page, csrf, token = learn.quiz_form("e-id")
    data = {"csrf_token": csrf, "attempt_token": token,
            **{f"q-{q}": v for q, v in correct_answers(learn.course("e-id")).items()
               if q in drawn_ids(learn.course("e-id"), token)}}
    stale = {"X-Request-Start": f"t={time.time() - 30:.3f}"}
    refused = client.post("/courses/e-id/quiz", data=data, headers=stale)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "60"
    assert BUSY in refused.get_data(as_text=True)
    assert db.exec(select(QuizAttempt)).all() == []  # nothing written
    fresh = {"X-Request-Start": f"t={time.time():.3f}"}
    assert client.post("/courses/e-id/quiz", data=data, headers=fresh).status_code == 302
    assert client.post("/courses/e-id/quiz", data=data).status_code == 302  # resent: once
    assert len(db.exec(select(QuizAttempt)).all()) == 1


def test_the_stamp_is_not_believed_without_a_trusted_proxy(client, learner):
    stale = {"X-Request-Start": f"t={time.time() - 30:.3f}"}
    assert client.get("/me", headers=stale).status_code == 200


def test_a_saturated_database_answers_503_and_the_form_sent_again_counts_once(
        impatient_app, catalog, database_url, db):
    if not database_url.startswith("sqlite"):
        pytest.skip("the database-wide write lock is SQLite's")
    client, learn = english_learner(impatient_app, catalog)
    _page, csrf, token = learn.quiz_form("e-id")
    data = {"csrf_token": csrf, "attempt_token": token,
            **{f"q-{q}": v for q, v in correct_answers(learn.course("e-id")).items()
               if q in drawn_ids(learn.course("e-id"), token)}}
    holder = sqlite3.connect(database_url.split(":///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the busy timeout
    try:
        refused = client.post("/courses/e-id/quiz", data=data)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "60"
    assert BUSY in refused.get_data(as_text=True)
    assert "Traceback" not in refused.get_data(as_text=True)
    assert db.exec(select(QuizAttempt)).all() == []
    assert client.post("/courses/e-id/quiz", data=data).status_code == 302
    assert client.post("/courses/e-id/quiz", data=data).status_code == 302
    assert len(db.exec(select(QuizAttempt)).all()) == 1


@pytest.mark.parametrize("header, waited", [
    ("t=1000.5", 9.5), ("1000", 10.0), ("t=1000000", None), ("t=abc", None), ("", None),
    ("t=1010", 0.0), (f"t={1000 * 1000}", None), ("t=999999999999", None)])
def test_the_proxy_stamp_is_read_carefully(header, waited):
    assert queued_seconds(header, 1010.0) == waited
