"""Whose PIN a team leader may reset, and what an appointment as leader does to memberships."""
import pytest
from sqlmodel import select

from conftest import HOAN_KIEM, csrf_token
from digilit.models import TeamMember, User
from digilit.services import teams

from .conftest import login


@pytest.fixture
def two_teams(app, db, make_user):
    """Team 1 (led by ``leader1``, members Lan and Bình) and team 6 (led by ``leader6``) of
    Hoàn Kiếm, a commune administrator; returns the ids."""
    leader1 = make_user("leader1", role="team_leader")
    leader6 = make_user("leader6", role="team_leader")
    make_user("xaadmin", role="commune_admin", commune=HOAN_KIEM)
    with app.app_context():
        team1 = teams.create_team(session=db, actor=leader1, name="Tổ 1")
        team6 = teams.create_team(session=db, actor=leader6, name="Tổ 6")
        pairs = teams.add_members(session=db, team=team1, people=[
            teams.NewMember(full_name="Nguyễn Thị Lan"),
            teams.NewMember(full_name="Trần Văn Bình")])
        db.commit()
    return {"team1": team1.id, "team6": team6.id, "lan": pairs[0][0], "lan_pin": pairs[0][1],
            "binh": pairs[1][0]}


def reset(client, team_id, member_id):
    return client.post(f"/teams/{team_id}/members/{member_id}/reset-pin",
                       data={"csrf_token": csrf_token(client, f"/teams/{team_id}")})


def pin_hash(db, user_id):
    db.expire_all()
    return db.get(User, user_id).pin_hash


def test_an_appointed_leader_leaves_their_old_team_and_its_leader_cannot_reset_their_pin(
        app, db, two_teams, client_for):
    """The repro: a commune admin appoints a member of team 1 as leader of team 6; team 1's
    leader then resets that member's PIN and would sign in as a team leader."""
    lan = two_teams["lan"]
    admin = client_for("xaadmin")
    response = admin.post(f"/teams/{two_teams['team6']}/leaders", data={
        "username": lan.username,
        "csrf_token": csrf_token(admin, f"/teams/{two_teams['team6']}")})
    assert response.status_code == 302
    db.expire_all()
    assert db.exec(select(TeamMember).where(TeamMember.user_id == lan.id)).all() == []

    leader1 = client_for("leader1")
    before = pin_hash(db, lan.id)
    assert reset(leader1, two_teams["team1"], lan.id).status_code == 404
    cards = leader1.post(f"/teams/{two_teams['team1']}/cards", follow_redirects=True, data={
        "confirmed": "1", "csrf_token": csrf_token(leader1, f"/teams/{two_teams['team1']}")})
    assert lan.full_name not in cards.get_data(as_text=True)
    assert pin_hash(db, lan.id) == before


def test_a_leader_cannot_reset_the_pin_of_a_member_of_a_team_they_do_not_lead(
        app, db, two_teams, client_for):
    binh = two_teams["binh"]
    db.add(TeamMember(team_id=two_teams["team6"], user_id=binh.id))
    db.commit()
    leader1 = client_for("leader1")
    before = pin_hash(db, binh.id)
    response = reset(leader1, two_teams["team1"], binh.id)
    assert response.status_code == 302
    assert "cán bộ xã" in leader1.get(response.headers["Location"]).get_data(as_text=True)
    assert pin_hash(db, binh.id) == before
    # The commune administrator may.
    assert reset(client_for("xaadmin"), two_teams["team1"], binh.id).status_code == 302
    assert pin_hash(db, binh.id) != before


def test_a_leader_cannot_reset_the_pin_of_anyone_but_a_learner(app, db, two_teams, client_for):
    lan = two_teams["lan"]
    db.exec(select(User).where(User.id == lan.id)).one().role = "team_leader"
    db.commit()
    leader1 = client_for("leader1")
    before = pin_hash(db, lan.id)
    assert reset(leader1, two_teams["team1"], lan.id).status_code == 302
    assert pin_hash(db, lan.id) == before
    assert login(app.test_client(), lan.username, two_teams["lan_pin"]).status_code == 302


def test_a_pin_is_spent_by_its_first_successful_sign_in(app, db, two_teams):
    lan, pin = two_teams["lan"], two_teams["lan_pin"]
    first = app.test_client()
    assert login(first, lan.username, pin).status_code == 302
    assert pin_hash(db, lan.id) is None
    again = login(app.test_client(), lan.username, pin)
    assert again.status_code == 422  # the same PIN, a second time: refused
