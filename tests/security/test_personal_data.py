"""A learner's own data: a JSON copy of everything held about them (no secrets), and deleting
the account, confirmed by the password, which keeps only the anonymous statistics."""
import re

import pytest
from sqlmodel import select

from conftest import csrf_token
from digilit import models
from digilit.models import (Certificate, Enrolment, LessonProgress, QuizAttempt, StatDaily,
                            Throttle, User)

from .conftest import STAFF_PASSWORD, add_member, create_team, field_errors, login

PASSWORD = "mat-khau-an-toan"  # the ``auth`` fixture's


@pytest.fixture
def graduate(app, client, learner, learn, db):
    """The signed-in learner, with e-id passed and one lesson of another course done."""
    learn.pass_course("e-id")
    learn.enroll("cybersecurity")
    learn.complete("cybersecurity", learn.course("cybersecurity").lessons[0].slug)
    return db.exec(select(User).where(User.username == "lan2025")).one()


def test_the_me_page_offers_the_download_and_the_deletion(client, learner):
    page = client.get("/me").get_data(as_text=True)
    assert 'href="/me/data.json"' in page
    assert 'href="/me/delete"' in page and 'action="/me/delete"' not in page
    assert 'href="/auth/password"' in page  # changing the password is one tap away
    page = client.get("/me/delete").get_data(as_text=True)  # a page of its own
    form = page.split('action="/me/delete"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in form and 'name="password"' in form


def test_the_download_holds_everything_and_no_secret(client, graduate, db, make_user):
    make_user("other2025")  # someone else's data must not appear
    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["profile"]["username"] == "lan2025"
    assert data["profile"]["full_name"] == "Nguyễn Thị Lan"
    assert data["profile"]["commune"] and data["profile"]["province"]
    assert {e["course"] for e in data["enrolments"]} == {"e-id", "cybersecurity"}
    assert len(data["lessons"]) == len(db.exec(select(LessonProgress)).all())
    assert len(data["quiz_attempts"]) == 1 and data["quiz_attempts"][0]["passed"]
    assert data["quiz_attempts"][0]["answers"]
    (certificate,) = data["certificates"]
    assert certificate["code"] == db.exec(select(Certificate)).one().code
    body = response.get_data(as_text=True)
    for secret in (graduate.password_hash, PASSWORD, "other2025"):
        assert secret not in body
    secret_keys = re.compile(r"password|pin|hash|session_version|cookie")
    assert not [key for key in keys(data) if secret_keys.search(key)]


def keys(value):
    """Every key of a JSON document, at any depth (quiz answers are values, not keys)."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append(key)
            if key != "answers":
                found.extend(keys(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(keys(item))
    return found


def test_the_download_needs_a_signed_in_user(app):
    response = app.test_client().get("/me/data.json")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_team_member_sees_their_team_in_the_download(app, make_user, client_for):
    make_user("xahoankiem", role="commune_admin")
    admin = client_for("xahoankiem")
    team_id = create_team(admin, "Tổ một")
    cards = add_member(admin, team_id, "Trần Thị Mai", phone="0912345678")
    username = re.search(r'<dd class="username">([^<]+)</dd>', cards).group(1)
    pin = re.search(r'<dd class="pin">(\d+)</dd>', cards).group(1)
    member = app.test_client()
    assert login(member, username, pin).status_code == 302
    member.post("/auth/password", data={"password": "mat-khau-cua-mai", "password_confirm":
                                        "mat-khau-cua-mai",
                                        "csrf_token": csrf_token(member, "/auth/password")})
    data = member.get("/me/data.json").get_json()
    assert data["profile"]["phone"] == "0912345678"
    assert [t["team"] for t in data["teams"]] == ["Tổ một"]


def delete(client, password, with_csrf=True):
    data = {"password": password}
    if with_csrf:
        data["csrf_token"] = csrf_token(client, "/me")
    return client.post("/me/delete", data=data)


def counters(db):
    """Every statistics counter row (the daily rollups, and all-time totals where kept)."""
    tables = [StatDaily] + ([models.StatTotal] if hasattr(models, "StatTotal") else [])
    return [sorted(tuple(row) for row in db.connection().execute(select(table.__table__)))
            for table in tables]


def test_deleting_the_account_removes_the_person_and_keeps_the_counts(app, client, graduate,
                                                                      db, count):
    code = db.exec(select(Certificate)).one().code
    assert app.test_client().get(f"/certificates/{code}").status_code == 200
    before = counters(db)
    assert before[0]
    client.get("/?lang=en")
    response = delete(client, PASSWORD)
    assert response.status_code == 302
    db.expire_all()
    for model in (User, Enrolment, LessonProgress, QuizAttempt, Certificate):
        assert count(model) == 0, model.__name__
    assert counters(db) == before  # only anonymous counts remain
    assert app.test_client().get(f"/certificates/{code}").status_code == 404
    assert client.get("/me").status_code == 302  # signed out
    assert "deleted" in client.get("/").get_data(as_text=True)
    assert login(app.test_client(), "lan2025", PASSWORD).status_code == 422


def test_deleting_needs_the_password_and_a_csrf_token(client, graduate, count):
    client.get("/?lang=en")
    assert delete(client, PASSWORD, with_csrf=False).status_code == 400
    wrong = delete(client, "not-my-password")
    assert wrong.status_code == 422
    assert field_errors(wrong)["password"] == "Wrong password."
    assert delete(client, "").status_code == 422
    assert count(User) == 1 and count(Certificate) == 1
    assert client.get("/me").status_code == 200  # still signed in


def test_wrong_passwords_at_deletion_count_toward_the_lockout(client, graduate, count, clock):
    for _ in range(5):
        assert delete(client, "not-my-password").status_code == 422
    assert delete(client, PASSWORD).status_code == 422  # locked, like sign-in
    assert count(User) == 1 and count(Throttle) >= 1


def test_staff_close_their_account_through_an_administrator(make_user, client_for, count):
    make_user("leader2025", role="team_leader")
    leader = client_for("leader2025")
    page = leader.get("/me").get_data(as_text=True)
    assert 'href="/me/delete"' not in page
    assert 'action="/me/delete"' not in leader.get("/me/delete").get_data(as_text=True)
    response = leader.post("/me/delete", data={"password": STAFF_PASSWORD,
                                               "csrf_token": csrf_token(leader, "/me")})
    assert response.status_code == 422
    assert count(User) == 1
