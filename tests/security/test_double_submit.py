"""Adding the same person twice by a double submit creates one account."""
import re

from sqlmodel import func, select

from conftest import CSRF_RE
from digilit.models import User

from .conftest import create_team, run_together

ONCE_RE = re.compile(r'name="once" type="hidden" value="([^"]+)"')


def people(db):
    db.expire_all()
    return db.exec(select(func.count()).select_from(User).where(User.role == "learner")).one()


def test_the_same_form_sent_twice_adds_the_person_once(app, db, leader):
    team_id = create_team(leader, "Tổ Gửi Hai Lần")
    page = leader.get(f"/teams/{team_id}").get_data(as_text=True)
    data = {"full_name": "Nguyễn Văn Hai", "csrf_token": CSRF_RE.search(page).group(1),
            "once": ONCE_RE.search(page).group(1)}
    first = leader.post(f"/teams/{team_id}/members", data=data, follow_redirects=True)
    assert first.status_code == 200 and "Nguyễn Văn Hai" in first.get_data(as_text=True)
    second = leader.post(f"/teams/{team_id}/members", data=data)
    assert second.status_code == 302
    assert people(db) == 1
    # A new form (the page shown again) adds the next person.
    page = leader.get(f"/teams/{team_id}").get_data(as_text=True)
    assert "gửi hai lần" in page  # the message says why nothing was added
    assert ONCE_RE.search(page).group(1) != data["once"]


def test_two_submits_at_the_same_moment_create_one_account(app, db, leader):
    team_id = create_team(leader, "Tổ Cùng Lúc")
    page = leader.get(f"/teams/{team_id}").get_data(as_text=True)
    data = {"full_name": "Trần Thị Cùng", "csrf_token": CSRF_RE.search(page).group(1),
            "once": ONCE_RE.search(page).group(1)}
    cookie = leader.get_cookie("session").value

    def send(_i):
        client = app.test_client()
        client.set_cookie("session", cookie, domain="localhost")
        return client.post(f"/teams/{team_id}/members", data=data).status_code
    assert sorted(run_together(2, send)) == [302, 302]
    assert people(db) == 1
