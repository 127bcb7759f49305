"""Sign-in help for people without e-mail: a commune administrator finds a self-registered
learner of their commune by name and phone and prints a card with a reset PIN."""
import re

from sqlmodel import select

from conftest import HOAN_KIEM, csrf_token
from digilit.models import User

from .conftest import sign_in


def test_a_commune_office_finds_a_learner_by_name_and_phone_and_prints_a_pin(
        app, population, clients, db, auth):
    auth.register(username="0912000111", full_name="Đỗ Thị Quên", province="1",
                  commune=str(HOAN_KIEM))
    learner = db.exec(select(User).where(User.username == "0912000111")).one()
    learner.phone = "0912000111"
    db.commit()
    office = clients("xahoankiem")
    found = f'action="/admin/people/{learner.id}/pin"'
    page = office.get("/admin/people", query_string={"full_name": "đỗ thị quên",
                                                     "phone": "0912 000 111"})
    assert found in page.get_data(as_text=True)
    # The name alone, or another commune's office: nobody.
    assert found not in office.get("/admin/people", query_string={
        "full_name": "Đỗ Thị Quên"}).get_data(as_text=True)
    assert found not in clients("xabadinh").get("/admin/people", query_string={
        "full_name": "Đỗ Thị Quên", "phone": "0912000111"}).get_data(as_text=True)
    response = office.post(f"/admin/people/{learner.id}/pin",
                           data={"csrf_token": csrf_token(office, "/admin/people")})
    assert response.status_code == 302
    card = office.get(response.headers["Location"]).get_data(as_text=True)
    pin = re.search(r'class="pin">(\d+)<', card).group(1)
    assert office.get(response.headers["Location"], follow_redirects=True).get_data(
        as_text=True).count('class="pin"') == 0  # shown once
    assert sign_in(app, "0912000111", pin) is not None
    other = clients("xabadinh")
    assert other.post(f"/admin/people/{learner.id}/pin",
                      data={"csrf_token": csrf_token(other, "/admin/people")}).status_code == 404
