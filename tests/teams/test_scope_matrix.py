"""The scoping matrix of the teams feature: role x area x action.

Three communes: A (Hoàn Kiếm, province 1) with two teams, Ba Đình (province 1) and B (Vũng Tàu,
province 79), each team with a leader and members, plus commune, province and national
administrators and a learner, all made through the services. Every URL of the teams feature
is requested by every role on every team, with a valid CSRF token, so that only scoping
decides: a team in the caller's area answers as it should (and a POST changes the team), any
other is a 404 that writes nothing.
"""
import codecs
import io
import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable, Optional

import pytest

from digilit import clock
from sqlalchemy import func
from sqlmodel import select

from conftest import BA_DINH, HANOI, HOAN_KIEM, VUNG_TAU, csrf_token
from digilit.models import (Enrolment, ImportBatch, Team, TeamLeader, TeamMember, User,
                            VenueSession)
from digilit.services import accounts, csv_import, teams

PASSWORD = "mat-khau-ma-tran"
COURSE = "e-id"  # every member is enrolled in it from the start
OTHER_COURSE = "cybersecurity"

# team key -> (commune, its leader's username, team name)
TEAMS = {
    "a": (HOAN_KIEM, "leadera", "Tổ Hoàn Kiếm 1"),
    "a2": (HOAN_KIEM, "leadera2", "Tổ Hoàn Kiếm 2"),
    "bd": (BA_DINH, "leaderbd", "Tổ Ba Đình 1"),
    "b": (VUNG_TAU, "leaderb", "Tổ Vũng Tàu 1"),
}

# actor -> the teams they may see
VISIBLE = {
    "leadera": {"a"},                       # leads a, not a2 of the same commune
    "admina": {"a", "a2"},                  # commune admin of A
    "leaderb": {"b"},
    "adminb": {"b"},                        # commune admin of B
    "province1": {"a", "a2", "bd"},         # province admin of province 1
    "national": {"a", "a2", "bd", "b"},
    "hocvien": set(),                       # a learner of commune A
}
ADMINS = {"admina", "adminb", "province1", "national"}


def member_name(key, n):
    return f"Thành viên {key} số {n}"


def make_user(db, username, role, commune=None, province=None):
    return accounts.create_user(session=db, username=username, full_name=f"Người {username}",
                                password=PASSWORD, role=role, province_code=province,
                                commune_code=commune)


@pytest.fixture
def world(app, db):
    """Everyone and every team, by the services; returns plain ids, names and tokens."""
    with app.app_context():
        leaders = {key: make_user(db, username, "team_leader", commune)
                   for key, (commune, username, _name) in TEAMS.items()}
        make_user(db, "admina", "commune_admin", HOAN_KIEM)
        make_user(db, "adminb", "commune_admin", VUNG_TAU)
        make_user(db, "province1", "province_admin", province=HANOI)
        make_user(db, "national", "national_admin")
        make_user(db, "hocvien", "learner", HOAN_KIEM)
        ids, members, tokens = {}, {}, {}
        for key, (_commune, _username, name) in TEAMS.items():
            team = teams.create_team(session=db, actor=leaders[key], name=name)
            pairs = teams.add_members(session=db, team=team, course_slugs=[COURSE], people=[
                teams.NewMember(full_name=member_name(key, 1)),
                teams.NewMember(full_name=member_name(key, 2))])
            preview = csv_import.preview_import(
                session=db, team=team, uploader=leaders[key],
                content=f"full_name\nNgười nhập {key}\n".encode())
            assert preview.ok
            ids[key] = team.id
            members[key] = [(user.id, user.username) for user, _pin in pairs]
            tokens[key] = preview.batch.token
        db.commit()
    return SimpleNamespace(ids=ids, members=members, tokens=tokens)


def signed_in(app, username):
    """A new client signed in as ``username`` (each client keeps its own cookies)."""
    client = app.test_client()
    response = client.post("/auth/login", data={
        "username": username, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def state(db, team_id):
    """Everything a teams URL could change about one team, read fresh from the database."""
    db.rollback()  # a fresh read of what the requests committed
    member_ids = select(TeamMember.user_id).where(TeamMember.team_id == team_id)
    return {
        "name": db.get(Team, team_id).name,
        "leaders": sorted(db.exec(select(TeamLeader.user_id)
                                  .where(TeamLeader.team_id == team_id)).all()),
        "members": sorted(tuple(row) for row in db.exec(
            select(User.id, User.role, User.pin_hash).where(User.id.in_(member_ids))).all()),
        "enrolments": db.exec(select(func.count()).select_from(Enrolment)
                              .where(Enrolment.user_id.in_(member_ids))).one(),
        "venue_sessions": db.exec(select(func.count()).select_from(VenueSession)
                                  .where(VenueSession.team_id == team_id)).one(),
        "batches": sorted((token, confirmed is not None) for token, confirmed in db.exec(
            select(ImportBatch.token, ImportBatch.confirmed_at)
            .where(ImportBatch.team_id == team_id)).all()),
    }


def member_pin_hash(db, user_id):
    db.rollback()
    return db.get(User, user_id).pin_hash


# --- the actions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    name: str
    path: Callable  # (world, team key) -> URL
    ok: int  # the status when the team is in scope
    data: Optional[Callable] = None  # (world, team key) -> form data; None for a GET
    admins_only: bool = False
    lists_members: bool = False  # the answer names every member of the team

    @property
    def writes(self):
        return self.data is not None

    def run(self, client, world, key, csrf):
        url = self.path(world, key)
        if self.data is None:
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf, **self.data(world, key)})
        status, body = response.status_code, response.get_data(as_text=True)
        response.close()  # a streamed export is read to its end and closed
        if status == 302:  # a browser would follow: the page shown next (and its messages)
            body = client.get(response.headers["Location"]).get_data(as_text=True)
        return status, body


def team_url(suffix=""):
    return lambda w, k: f"/teams/{w.ids[k]}{suffix}"


ACTIONS = [
    Action("page", team_url(), 200, lists_members=True),
    Action("progress", team_url("/progress"), 200, lists_members=True),
    Action("progress.csv", team_url("/progress.csv"), 200, lists_members=True),
    Action("sessions", team_url("/sessions"), 200, lists_members=True),
    Action("import form", team_url("/import"), 200),
    Action("import template", team_url("/import/template.csv"), 200),
    Action("rename", team_url("/rename"), 302,
           data=lambda w, k: {"name": f"Tổ đã đổi tên {k}"}),
    Action("appoint leader", team_url("/leaders"), 302, admins_only=True,
           data=lambda w, k: {"username": w.members[k][1][1]}),  # the first stays a member
    Action("add member", team_url("/members"), 302,
           data=lambda w, k: {"full_name": "Người Mới Thêm"}),
    Action("cards", team_url("/cards"), 302, data=lambda w, k: {"confirmed": "1"}),
    Action("reset pin", lambda w, k: f"/teams/{w.ids[k]}/members/{w.members[k][0][0]}/reset-pin",
           302, data=lambda w, k: {}),
    Action("enrol", team_url("/enrol"), 302, data=lambda w, k: {"courses": [OTHER_COURSE]}),
    Action("record session", team_url("/sessions"), 302, data=lambda w, k: {
        "held_on": clock.today().isoformat(), "place": "Nhà văn hóa", "course": COURSE,
        "attendees": [str(w.members[k][0][0])]}),
    Action("import upload", team_url("/import"), 200, data=lambda w, k: {
        "file": (io.BytesIO(codecs.BOM_UTF8 + "full_name;courses\nNguyễn Mới;e-id\n".encode()),
                 "nhom.csv")}),
    Action("import confirm", lambda w, k: f"/teams/{w.ids[k]}/import/{w.tokens[k]}/confirm", 302,
           data=lambda w, k: {}),
]


@pytest.mark.parametrize("actor", list(VISIBLE))
def test_scope_matrix(app, db, world, actor):
    """Every action on every team, in turn; every mismatch is reported, not only the first.
    A team's state is compared before and after each request, for all four teams."""
    client = signed_in(app, actor)
    csrf = csrf_token(client, "/")
    problems = []
    states = {key: state(db, world.ids[key]) for key in TEAMS}
    for action in ACTIONS:
        for key in TEAMS:
            allowed = key in VISIBLE[actor] and (actor in ADMINS or not action.admins_only)
            expected = action.ok if allowed else 404
            where = f"{action.name} on team {key}"
            status, body = action.run(client, world, key, csrf)
            if status != expected:
                problems.append(f"{where}: {status}, expected {expected}")
            now = {k: state(db, world.ids[k]) for k in TEAMS}
            if action.writes and allowed and now[key] == states[key]:
                problems.append(f"{where}: answered {status} but changed nothing")
            if not (action.writes and allowed) and now[key] != states[key]:
                problems.append(f"{where}: answered {status} and wrote to the team")
            if any(now[k] != states[k] for k in TEAMS if k != key):
                problems.append(f"{where}: changed another team")
            states = now
            foreign = [member_name(k, 1) for k in TEAMS if k != key]
            if status != 404 and any(name in body for name in foreign):
                problems.append(f"{where}: shows a member of another team")
            if allowed and action.lists_members and member_name(key, 1) not in body:
                problems.append(f"{where}: does not show the team's members")
    assert not problems, f"{actor}:\n" + "\n".join(problems)


def test_a_404_leaves_the_foreign_team_exactly_as_it_was(app, db, world):
    """Rename and reset-PIN on a team of another commune: 404, name and PIN hash unchanged
    (and the very same requests work on the caller's own team)."""
    client = signed_in(app, "leadera")
    csrf = csrf_token(client, "/")
    foreign_member = world.members["b"][0][0]
    name_before, pin_before = state(db, world.ids["b"])["name"], member_pin_hash(db, foreign_member)

    response = client.post(f"/teams/{world.ids['b']}/rename",
                           data={"csrf_token": csrf, "name": "Tổ bị chiếm"})
    assert response.status_code == 404
    response = client.post(f"/teams/{world.ids['b']}/members/{foreign_member}/reset-pin",
                           data={"csrf_token": csrf})
    assert response.status_code == 404
    assert state(db, world.ids["b"])["name"] == name_before == TEAMS["b"][2]
    assert member_pin_hash(db, foreign_member) == pin_before is not None

    own_member = world.members["a"][0][0]
    own_pin = member_pin_hash(db, own_member)
    assert client.post(f"/teams/{world.ids['a']}/rename",
                       data={"csrf_token": csrf, "name": "Tổ bị chiếm"}).status_code == 302
    assert client.post(f"/teams/{world.ids['a']}/members/{own_member}/reset-pin",
                       data={"csrf_token": csrf}).status_code == 302
    assert state(db, world.ids["a"])["name"] == "Tổ bị chiếm"
    assert member_pin_hash(db, own_member) != own_pin


@pytest.mark.parametrize("actor, own, other", [
    ("leadera", "a", "a2"),      # a member of a team of the same commune the leader does not lead
    ("leadera", "a", "b"),
    ("admina", "a", "a2"),       # both teams in the admin's commune: still not a member of a
    ("province1", "a", "bd"),
    ("national", "a", "b"),
    ("national", "b", "a"),
])
def test_reset_pin_of_another_teams_member_through_your_own_team_is_404(
        app, db, world, actor, own, other):
    client = signed_in(app, actor)
    csrf = csrf_token(client, "/")
    stranger = world.members[other][0][0]
    before = member_pin_hash(db, stranger)
    response = client.post(f"/teams/{world.ids[own]}/members/{stranger}/reset-pin",
                           data={"csrf_token": csrf})
    assert response.status_code == 404
    assert member_pin_hash(db, stranger) == before
    # The same URL with a member of the team itself gives a new PIN.
    member = world.members[own][0][0]
    before = member_pin_hash(db, member)
    response = client.post(f"/teams/{world.ids[own]}/members/{member}/reset-pin",
                           data={"csrf_token": csrf})
    assert response.status_code == 302
    assert member_pin_hash(db, member) != before


TEAM_LINK_RE = re.compile(r'href="/teams/(\d+)"')


@pytest.mark.parametrize("actor", list(VISIBLE))
def test_the_team_list_shows_only_the_teams_in_scope(app, db, world, actor):
    client = signed_in(app, actor)
    response = client.get("/teams/")
    if not VISIBLE[actor]:
        assert response.status_code == 404  # a learner has no team pages at all
        return
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert {int(i) for i in TEAM_LINK_RE.findall(page)} == {world.ids[k] for k in VISIBLE[actor]}
    for key, (_commune, _leader, name) in TEAMS.items():
        assert (name in page) == (key in VISIBLE[actor]), f"{actor} and team {key}"


@pytest.mark.parametrize("actor", ["national", "leadera"])
def test_a_team_that_does_not_exist_is_the_same_404(app, db, world, actor):
    client = signed_in(app, actor)
    csrf = csrf_token(client, "/")
    missing = max(world.ids.values()) + 1000
    assert client.get(f"/teams/{missing}").status_code == 404
    assert client.get(f"/teams/{missing}/progress.csv").status_code == 404
    assert client.post(f"/teams/{missing}/rename",
                       data={"csrf_token": csrf, "name": "x"}).status_code == 404
