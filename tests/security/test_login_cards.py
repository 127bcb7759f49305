"""Login cards say until when the PIN works and how to sign in, in three short steps; the
sign-in form asks for a "password or PIN"."""
import re

from .conftest import add_member, create_team


def test_a_card_says_when_the_pin_expires_and_how_to_sign_in(app, leader):
    team_id = create_team(leader, "Tổ In Thẻ")
    page = add_member(leader, team_id, "Nguyễn Văn An")
    # Made on 11 March 2026 (the tests' day): valid for 14 days.
    assert re.search(r"Mã PIN dùng được đến hết ngày [^<]*25[^<]*2026", page), page
    steps = re.search(r'<ol class="steps">(.*?)</ol>', page, re.S).group(1)
    assert steps.count("<li>") == 3
    assert "http://127.0.0.1:5000/auth/login" in steps and "mã PIN" in steps


def test_the_sign_in_form_asks_for_a_password_or_pin(client):
    assert "Mật khẩu hoặc mã PIN" in client.get("/auth/login").get_data(as_text=True)


def test_the_cards_page_shows_pins_once_and_a_reload_issues_nothing(app, db, leader):
    from conftest import csrf_token
    from digilit.models import User
    from sqlmodel import select

    team_id = create_team(leader, "Tổ Tải Lại")
    add_member(leader, team_id, "Lê Văn Một")
    member = db.exec(select(User).where(User.full_name == "Lê Văn Một")).one()
    before = member.pin_hash
    response = leader.post(f"/teams/{team_id}/cards", data={
        "confirmed": "1", "csrf_token": csrf_token(leader, f"/teams/{team_id}")})
    assert response.status_code == 302
    sheet = response.headers["Location"]
    first = leader.get(sheet)
    assert first.status_code == 200 and 'class="pin"' in first.get_data(as_text=True)
    assert "no-store" in first.headers["Cache-Control"]
    db.expire_all()
    after = db.get(User, member.id).pin_hash
    assert after != before
    again = leader.get(sheet, follow_redirects=True)
    assert 'class="pin"' not in again.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, member.id).pin_hash == after  # nothing reissued


def test_new_pins_for_all_ask_first_and_say_who_loses_a_password(app, db, leader, make_user):
    from conftest import csrf_token
    from digilit.models import TeamMember, User
    from sqlmodel import select

    team_id = create_team(leader, "Tổ Hỏi Trước")
    add_member(leader, team_id, "Lê Văn Hai")
    lan = make_user("lan2025")
    db.add(TeamMember(team_id=team_id, user_id=lan.id))
    db.commit()
    hashes = {u.id: u.password_hash for u in db.exec(select(User)).all()}
    page = leader.post(f"/teams/{team_id}/cards", data={
        "csrf_token": csrf_token(leader, f"/teams/{team_id}")})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "2 người sẽ nhận mã PIN mới" in text and "1 người trong số đó" in text
    db.expire_all()
    assert {u.id: u.password_hash for u in db.exec(select(User)).all()} == hashes
    # One member who chose a password: asked first too.
    single = leader.post(f"/teams/{team_id}/members/{lan.id}/reset-pin", data={
        "csrf_token": csrf_token(leader, f"/teams/{team_id}")})
    assert single.status_code == 200 and "1 người trong số đó" in single.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, lan.id).password_hash == hashes[lan.id]
