"""A team leader cannot test phone numbers across the country: "this phone exists" is told
only for people in the leader's area; elsewhere the row is refused without saying why."""
import io

import pytest
from sqlmodel import func, select

from conftest import VUNG_TAU, csrf_token
from digilit.models import User
from digilit.services import teams

from .conftest import add_member, create_team, field_errors

EXISTS = "Đã có tài khoản"  # "An account with this phone number exists" in Vietnamese


@pytest.fixture
def numbers(app, db, make_user, leader):
    """A phone in the leader's own team, and one of a learner of Vũng Tàu."""
    team_id = create_team(leader, "Tổ Số Điện Thoại")
    add_member(leader, team_id, "Nguyễn Văn Gần", phone="0911000001")
    far = make_user("xanguoi", commune=VUNG_TAU, province=79)
    db.get(User, far.id).phone = "0911000002"
    db.commit()
    return team_id


def accounts_count(db):
    db.expire_all()
    return db.exec(select(func.count()).select_from(User)).one()


def test_the_member_form_tells_only_about_phones_in_the_area(app, db, leader, numbers):
    before = accounts_count(db)
    url = f"/teams/{numbers}/members"

    def post(phone):
        return leader.post(url, data={"full_name": "Người Thử", "phone": phone,
                                      "csrf_token": csrf_token(leader, f"/teams/{numbers}")})
    near, far = post("0911000001"), post("0911000002")
    assert near.status_code == far.status_code == 422
    assert "phone" in field_errors(near) and "phone" in field_errors(far)
    assert field_errors(near)["phone"] != field_errors(far)["phone"]
    assert EXISTS not in field_errors(far)["phone"]
    # A number nobody has, and a number somebody far away has: the leader cannot tell
    # them apart by an "exists" message.
    assert accounts_count(db) == before


def test_the_import_preview_tells_only_about_phones_in_the_area(app, db, leader, numbers):
    content = "full_name,phone\nNgười Một,0911000001\nNgười Hai,0911000002\n".encode()
    response = leader.post(f"/teams/{numbers}/import", data={
        "file": (io.BytesIO(content), "nhom.csv"),
        "csrf_token": csrf_token(leader, f"/teams/{numbers}/import")})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"{EXISTS} dùng số điện thoại 0911000001" in page
    assert f"{EXISTS} dùng số điện thoại 0911000002" not in page
    assert "Không dùng được số điện thoại 0911000002" in page


def test_phones_in_use_splits_by_area(app, db, make_user, numbers):
    leader = db.exec(select(User).where(User.username == "leader2025")).one()
    known, elsewhere = teams.phones_in_use(session=db, phones=["0911000001", "0911000002",
                                                               "0911000003"], viewer=leader)
    assert (known, elsewhere) == ({"0911000001"}, {"0911000002"})
