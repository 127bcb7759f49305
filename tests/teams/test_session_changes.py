"""Venue sessions: "everyone attended", and correcting or deleting a session on its day."""
from datetime import timedelta

from sqlmodel import func, select

from conftest import csrf_token
from digilit import clock
from digilit.models import VenueAttendance, VenueSession
from digilit.models.stats import COMMUNE, TEAM, StatDaily

from .test_progress import COURSE, OTHER_COURSE, make_staff, signed_in, world  # noqa: F401
from .test_venue import URL, post_session


def assisted(db, level, code):
    db.expire_all()
    return db.exec(select(func.coalesce(func.sum(StatDaily.lessons_assisted), 0)).where(
        StatDaily.level == level, StatDaily.unit_code == code)).one()


def attendees(db):
    db.expire_all()
    return set(db.exec(select(VenueAttendance.user_id)))


def test_everyone_attended_without_ticking_anyone(app, db, world):
    client = signed_in(app, "leader01")
    page = client.get(URL.format(world.team.id)).get_data(as_text=True)
    assert 'name="everyone"' in page and "data-select-all" in page
    assert post_session(client, world.team, everyone="1").status_code == 302
    assert attendees(db) == {m.id for m in world.m.values()}


def test_correcting_and_deleting_a_session_on_its_day(app, db, world):
    client = signed_in(app, "leader01")
    assert post_session(client, world.team, attendees=[world.m["hoa"].id]).status_code == 302
    venue_session = db.exec(select(VenueSession)).one()
    commune = world.team.commune_code
    assert (assisted(db, COMMUNE, commune), assisted(db, TEAM, world.team.id)) == (2, 2)
    url = f"/teams/{world.team.id}/sessions/{venue_session.id}"
    page = client.get(URL.format(world.team.id)).get_data(as_text=True)
    assert f'href="{url}"' in page
    form = client.get(url)
    assert form.status_code == 200 and "Nhà văn hoá" in form.get_data(as_text=True)
    # Hoa was ticked by mistake: it was Cường, at another place, in another course.
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "held_on": clock.today().isoformat(),
        "place": "Trường tiểu học", "course": OTHER_COURSE,
        "attendees": [world.m["cuong"].id]})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(VenueSession, venue_session.id).place == "Trường tiểu học"
    assert attendees(db) == {world.m["cuong"].id}
    assert (assisted(db, COMMUNE, commune), assisted(db, TEAM, world.team.id)) == (0, 0)
    # Back to Hoa in e-id, then deleted: her lessons are self-paced again.
    client.post(url, data={"csrf_token": csrf_token(client, url),
                           "held_on": clock.today().isoformat(), "place": "Nhà văn hoá",
                           "course": COURSE, "attendees": [world.m["hoa"].id]})
    assert assisted(db, TEAM, world.team.id) == 2
    response = client.post(url + "/delete", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert db.exec(select(func.count()).select_from(VenueSession)).one() == 0
    assert attendees(db) == set()
    assert (assisted(db, COMMUNE, commune), assisted(db, TEAM, world.team.id)) == (0, 0)


def test_a_session_of_another_day_stays_as_it_is(app, db, world, clock):
    client = signed_in(app, "leader01")
    assert post_session(client, world.team, attendees=[world.m["hoa"].id]).status_code == 302
    venue_session = db.exec(select(VenueSession)).one()
    clock.advance(days=2)
    client = signed_in(app, "leader01")
    url = f"/teams/{world.team.id}/sessions/{venue_session.id}"
    assert f'href="{url}"' not in client.get(URL.format(world.team.id)).get_data(as_text=True)
    held = (clock.today() - timedelta(days=2)).isoformat()
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "held_on": held,
                                      "place": "Khác", "course": COURSE,
                                      "attendees": [world.m["cuong"].id]})
    assert response.status_code == 422
    assert client.post(url + "/delete", data={"csrf_token": csrf_token(client, url)}
                       ).status_code == 302  # back to the page, with the message
    db.expire_all()
    assert db.get(VenueSession, venue_session.id).place != "Khác"
    assert attendees(db) == {world.m["hoa"].id}


def test_another_teams_session_is_404(app, db, world):
    client = signed_in(app, "leader01")
    assert post_session(client, world.team, attendees=[world.m["hoa"].id]).status_code == 302
    venue_session = db.exec(select(VenueSession)).one()
    with app.app_context():
        make_staff(db, "leader09", commune=world.team.commune_code)
        db.commit()
    other = signed_in(app, "leader09")  # same commune, does not lead this team
    url = f"/teams/{world.team.id}/sessions/{venue_session.id}"
    assert other.get(url).status_code == 404
    assert other.post(url + "/delete", data={"csrf_token": csrf_token(other, "/")}
                      ).status_code == 404
    assert client.get(f"/teams/{world.team.id}/sessions/999999").status_code == 404
