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
