"""Absolute addresses (certificate links and QR codes, login cards) come from ``PUBLIC_URL``,
never from the Host or X-Forwarded-Host a request carries."""
from conftest import csrf_token

from .conftest import add_member, create_team

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def test_login_cards_link_to_the_public_address(app, leader):
    team_id = create_team(leader, "Tổ Địa Chỉ")
    page = add_member(leader, team_id, "Nguyễn Văn An")
    assert "http://127.0.0.1:5000/auth/login" in page
    response = leader.post(f"/teams/{team_id}/cards", headers=FORGED, follow_redirects=True,
                           data={"confirmed": "1",
                                 "csrf_token": csrf_token(leader, f"/teams/{team_id}")})
    assert "evil.example" not in response.get_data(as_text=True)


def test_the_certificate_page_links_to_the_configured_address(app, client, learn, auth):
    app.config["PUBLIC_URL"] = "https://hoc.example.vn/"
    auth.register()
    learn.enroll()
    result = client.get(learn.pass_course())
    code = result.get_data(as_text=True).split("/certificates/", 1)[1].split('"', 1)[0]
    page = client.get(f"/certificates/{code}", headers=FORGED).get_data(as_text=True)
    assert f"https://hoc.example.vn/certificates/{code}" in page
    assert "evil.example" not in page
