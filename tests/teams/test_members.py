"""Changing who is in a team: correcting a member, removing one, adding an existing account,
and spotting a likely duplicate in a CSV import."""
import pytest
from sqlmodel import select

from conftest import BA_DINH, HANOI, HOAN_KIEM, csrf_token
from digilit.models import TeamMember, User
from digilit.services import accounts, stats, teams
from digilit.services.figures import Filters
from digilit.services.scope import (may_add_to_team, may_change_member, may_remove_member,
                                    scope_for)

PASSWORD = "mat-khau-to-truong"


def make_staff(db, username, role="team_leader", commune=HOAN_KIEM, province=HANOI):
    return accounts.create_user(session=db, username=username, full_name=f"Cán bộ {username}",
                                password=PASSWORD, role=role, province_code=province,
                                commune_code=commune)


def signed_in(app, username):
    client = app.test_client()
    response = client.post("/auth/login", data={
        "username": username, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    client.get("/?lang=en")
    return client


def post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/teams/"), **data})


@pytest.fixture
def world(app, db):
    with app.app_context():
        leader = make_staff(db, "leader01")
        team = teams.create_team(session=db, actor=leader, name="Tổ 1")
        [(hoa, _pin), (binh, _pin2)] = teams.add_members(session=db, team=team, people=[
            teams.NewMember(full_name="Nguyễn Thị Hoa", phone="0912000001"),
            teams.NewMember(full_name="Trần Văn Bình")])
        loner = accounts.create_user(session=db, username="0912000009", full_name="Lê Văn Lẻ",
                                     password="mat-khau-an-toan", province_code=HANOI,
                                     commune_code=HOAN_KIEM)
        far = accounts.create_user(session=db, username="xaxoi", full_name="Người Ba Đình",
                                   password="mat-khau-an-toan", province_code=HANOI,
                                   commune_code=BA_DINH)
        db.commit()
    return type("World", (), dict(leader=leader, team=team, hoa=hoa, binh=binh, loner=loner,
                                  far=far))


def test_the_scope_rules(world, db):
    leader = scope_for(world.leader)
    assert may_change_member(leader, world.team, world.hoa)
    assert not may_change_member(leader, world.team, world.leader)  # staff: not here
    assert may_remove_member(leader, world.team, world.hoa)
    assert may_add_to_team(leader, world.team, world.loner)
    assert not may_add_to_team(leader, world.team, world.far)  # another commune
    learner = scope_for(world.loner)
    assert not may_change_member(learner, world.team, world.hoa)
    assert not may_add_to_team(learner, world.team, world.loner)


def test_a_leader_corrects_a_member(app, world, db):
    client = signed_in(app, "leader01")
    url = f"/teams/{world.team.id}/members/{world.hoa.id}"
    assert client.get(url).status_code == 200
    response = post(client, url, full_name="  Nguyễn  Thị Hòa ", phone="0912 000 002",
                    birth_year="1961")
    assert response.status_code == 302
    db.expire_all()
    hoa = db.get(User, world.hoa.id)
    assert (hoa.full_name, hoa.phone, hoa.birth_year) == ("Nguyễn Thị Hòa", "0912000002", 1961)
    # A phone someone else has, a bad phone, no name: the form again, nothing written.
    for data, field in (({"full_name": "Hoa", "phone": "0912000009"}, "phone"),
                        ({"full_name": "Hoa", "phone": "12"}, "phone"),
                        ({"full_name": "", "phone": ""}, "full_name")):
        response = post(client, url, **data)
        assert response.status_code == 422, data
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, world.hoa.id).phone == "0912000002"


def test_removing_a_member_keeps_the_account_and_recounts_the_team(app, world, db):
    team_unit = stats.Unit(stats.TEAM, world.team.id, world.team.name)
    before = stats.headline(session=db, unit=team_unit, filters=Filters()).learners
    client = signed_in(app, "leader01")
    response = post(client, f"/teams/{world.team.id}/members/{world.binh.id}/remove")
    assert response.status_code == 302
    assert db.exec(select(TeamMember).where(TeamMember.user_id == world.binh.id)).first() \
        is None
    assert db.get(User, world.binh.id) is not None
    assert stats.headline(session=db, unit=team_unit, filters=Filters()).learners == before - 1
    # Removed: no longer a member, so the page is a 404.
    assert client.get(f"/teams/{world.team.id}/members/{world.binh.id}").status_code == 404


def test_adding_an_existing_account_by_username_or_phone(app, world, db):
    client = signed_in(app, "leader01")
    url = f"/teams/{world.team.id}/members/existing"
    assert post(client, url, account="091 2000 009").status_code == 302
    members = {m.id for m in teams.team_members(session=db, team=world.team)}
    assert world.loner.id in members
    response = post(client, url, account="0912000009")
    assert response.status_code == 422 and "already in this team" in response.get_data(
        as_text=True)
    for key in ("xaxoi", "nobody", "leader01"):  # another commune, unknown, staff
        response = post(client, url, account=key)
        assert response.status_code == 422, key
        assert 'id="account-error"' in response.get_data(as_text=True)
    team_unit = stats.Unit(stats.TEAM, world.team.id, world.team.name)
    assert stats.headline(session=db, unit=team_unit, filters=Filters()).learners == 3


def test_outsiders_cannot_touch_the_members(app, world, db):
    with app.app_context():
        make_staff(db, "leader02", commune=BA_DINH)
        db.commit()
    outsider = signed_in(app, "leader02")
    base = f"/teams/{world.team.id}/members/{world.hoa.id}"
    assert outsider.get(base).status_code == 404
    assert post(outsider, base, full_name="X").status_code == 404
    assert post(outsider, base + "/remove").status_code == 404
    assert post(outsider, f"/teams/{world.team.id}/members/existing",
                account="xaxoi").status_code == 404
    db.expire_all()
    assert db.get(User, world.hoa.id).full_name == "Nguyễn Thị Hoa"


def test_a_reimported_name_without_phone_is_flagged_as_a_likely_duplicate(app, world, db):
    client = signed_in(app, "leader01")
    content = "full_name,phone\r\nTrần Văn Bình,\r\nNguyễn Thị Hoa,0912000099\r\nMới Tinh,\r\n"
    import io
    response = client.post(f"/teams/{world.team.id}/import", data={
        "csrf_token": csrf_token(client, f"/teams/{world.team.id}/import"),
        "file": (io.BytesIO(content.encode()), "nhom.csv")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    flagged = page.split('id="import-duplicates"', 1)[1].split("</div>", 1)[0]
    assert "Trần Văn Bình" in flagged and "Mới Tinh" not in flagged
    assert "Nguyễn Thị Hoa" not in flagged  # a phone: a different person or an error
    assert 'id="confirm-import"' in page  # a warning, not an error
