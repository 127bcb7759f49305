"""CSRF tokens signed or checked once are taken again by looking them up (``csrf.py``), never
where Flask-WTF's own check would refuse them (``test_security.py`` sends forged, tampered
and foreign tokens)."""
import flask_wtf.csrf
import pytest

from conftest import csrf_token
from digilit import csrf

ENROL = "/courses/e-id/enroll"


@pytest.fixture
def full_checks(monkeypatch):
    """The number of Flask-WTF signature checks made so far (a list of one number)."""
    made = [0]
    check = flask_wtf.csrf.validate_csrf

    def counted(*args, **kwargs):
        made[0] += 1
        return check(*args, **kwargs)

    monkeypatch.setattr(flask_wtf.csrf, "validate_csrf", counted)
    return made


@pytest.fixture
def learner(make_user, client_for):
    make_user("hocvien")
    return client_for("hocvien")


def test_a_token_signed_here_is_taken_without_a_second_check(learner, full_checks):
    token = csrf_token(learner, "/courses/e-id")
    assert learner.post(ENROL, data={"csrf_token": token}).status_code == 302
    assert learner.post(ENROL, data={"csrf_token": token}).status_code == 302
    assert full_checks == [0]


def test_a_token_signed_elsewhere_is_checked_once_then_kept(app, learner, full_checks):
    token = csrf_token(learner, "/courses/e-id")
    app.extensions.pop(csrf.CHECKED)  # as if another process had signed it
    for _ in range(3):
        assert learner.post(ENROL, data={"csrf_token": token}).status_code == 302
    assert full_checks == [1]


def test_a_kept_token_of_another_session_is_refused(app, make_user, client_for, learner,
                                                    full_checks):
    make_user("nguoikhac")
    stranger = client_for("nguoikhac")
    foreign = csrf_token(stranger, "/courses/e-id")  # kept, for the stranger's session
    csrf_token(learner, "/courses/e-id")
    checks = full_checks[0]
    assert learner.post(ENROL, data={"csrf_token": foreign}).status_code == 400
    assert full_checks == [checks + 1]  # not taken from the store: checked, and refused


def test_with_a_time_limit_every_token_is_checked(app, learner, full_checks):
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    token = csrf_token(learner, "/courses/e-id")
    for _ in range(2):
        assert learner.post(ENROL, data={"csrf_token": token}).status_code == 302
    assert full_checks == [2]


@pytest.mark.parametrize("referrer, status", [
    ("https://localhost/courses/e-id", 302),
    ("https://elsewhere.example/courses/e-id", 400),
    (None, 400),
])
def test_on_https_a_kept_token_still_needs_this_sites_referrer(learner, referrer, status):
    token = csrf_token(learner, "/courses/e-id")
    headers = {"Referer": referrer} if referrer else {}
    response = learner.post(ENROL, data={"csrf_token": token}, headers=headers,
                            base_url="https://localhost")
    assert response.status_code == status


def test_the_stores_stay_bounded(app, monkeypatch, make_user, client_for):
    monkeypatch.setattr(csrf, "LIMIT", 2)
    for name in ("a", "b", "c"):
        make_user(f"hocvien{name}")
        csrf_token(client_for(f"hocvien{name}"), "/courses/e-id")
    assert 0 < len(app.extensions[csrf.CHECKED]) <= 2
    assert 0 < len(app.extensions[csrf.SIGNED_CSRF]) <= 2
