"""Venue sessions: recording them, their form's errors, and assisted vs self-paced learning."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from digilit import clock
from sqlalchemy import update
from sqlmodel import func, select

from conftest import BA_DINH, csrf_token
from digilit.models import LessonProgress, QuizAttempt, VenueAttendance, VenueSession
from digilit.services import progress, team_progress, teams, venue
from digilit.services.errors import DomainError

from .test_progress import (COURSE, OTHER_COURSE, make_staff, pass_course,  # noqa: F401
                            signed_in, world)

URL = "/teams/{}/sessions"


def rows(db, model):
    return db.exec(select(func.count()).select_from(model)).one()


def post_session(client, team, **fields):
    data = {"csrf_token": csrf_token(client, URL.format(team.id)),
            "held_on": clock.today().isoformat(), "place": "Nhà văn hoá tổ dân phố 5",
            "course": COURSE, **fields}
    return client.post(URL.format(team.id) + "?lang=en", data=data)


# --- recording -----------------------------------------------------------------------------

def test_record_a_session_through_the_form(app, db, world):
    client = signed_in(app, "leader01")
    page = client.get(URL.format(world.team.id))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'name="attendees"' in html and 'type="date"' in html
    assert "Nguyễn Thị Hoa" in html and 'id="no-sessions"' in html

    response = post_session(client, world.team,
                            attendees=[world.m["hoa"].id, world.m["cuong"].id])
    assert response.status_code == 302
    venue_session = db.exec(select(VenueSession)).one()
    assert (venue_session.team_id, venue_session.course_slug, venue_session.place,
            venue_session.held_on, venue_session.created_by) == (
        world.team.id, COURSE, "Nhà văn hoá tổ dân phố 5", clock.today(), world.leader.id)
    assert set(db.exec(select(VenueAttendance.user_id))) == {world.m["hoa"].id,
                                                             world.m["cuong"].id}
    html = client.get(URL.format(world.team.id)).get_data(as_text=True)
    assert "Nhà văn hoá tổ dân phố 5" in html and f'data-session="{venue_session.id}"' in html
    assert not re.search(r"\sstyle=|<script(?![^>]*\ssrc=)", html)


def test_a_date_written_day_first_is_understood(app, db, world):
    client = signed_in(app, "leader01")
    day = clock.today() - timedelta(days=3)
    response = post_session(client, world.team, held_on=day.strftime("%d/%m/%Y"),
                            attendees=[world.m["hoa"].id])
    assert response.status_code == 302
    assert db.exec(select(VenueSession.held_on)).one() == day


@pytest.mark.parametrize("fields, field, message", [
    ({"held_on": "FUTURE"}, "held_on", "future"),
    ({"held_on": "31/02/2025"}, "held_on", "2025-03-15"),
    ({"held_on": ""}, "held_on", "date"),
    ({"place": "   "}, "place", "place"),
    ({"place": "x" * 201}, "place", "200"),
    ({"course": "no-such-course"}, "course", "course"),
    ({"course": ""}, "course", "course"),
    ({"attendees": "OUTSIDER"}, "attendees", "members"),
    ({"attendees": "abc"}, "attendees", "members"),
    ({}, "attendees", "member"),
])
def test_bad_input_shows_the_form_again_and_writes_nothing(app, db, world, fields, field,
                                                           message):
    with app.app_context():
        outsider_leader = make_staff(db, "leader02", commune=BA_DINH)
        other_team = teams.create_team(session=db, actor=outsider_leader, name="Tổ Ba Đình")
        (outsider, _pin), = teams.add_members(session=db, team=other_team,
                                              people=[teams.NewMember(full_name="Người ngoài")])
        db.commit()
    fields = dict(fields)
    if fields.get("held_on") == "FUTURE":
        fields["held_on"] = (clock.today() + timedelta(days=1)).isoformat()
    if fields.get("attendees") == "OUTSIDER":
        fields["attendees"] = [world.m["hoa"].id, outsider.id]
    elif "attendees" not in fields and field != "attendees":
        fields["attendees"] = [world.m["hoa"].id]
    client = signed_in(app, "leader01")
    response = post_session(client, world.team, **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = f'id="{field}-error" class="error">'
    assert error in page, page
    assert message.lower() in page.split(error, 1)[1].split("</p>", 1)[0].lower()
    assert rows(db, VenueSession) == 0 and rows(db, VenueAttendance) == 0


def test_csrf_is_required(app, db, world):
    client = signed_in(app, "leader01")
    response = client.post(URL.format(world.team.id), data={
        "held_on": clock.today().isoformat(), "place": "Nhà văn hoá", "course": COURSE,
        "attendees": [world.m["hoa"].id]})
    assert response.status_code == 400
    response = client.post(URL.format(world.team.id), data={
        "csrf_token": "forged", "held_on": clock.today().isoformat(), "place": "Nhà văn hoá",
        "course": COURSE, "attendees": [world.m["hoa"].id]})
    assert response.status_code == 400
    assert rows(db, VenueSession) == 0


def test_record_session_rules(app, db, world):
    today = clock.today()
    with app.app_context():
        def record(**overrides):
            args = dict(session=db, team=world.team, actor=world.leader, held_on=today,
                        place="Nhà văn hoá", course_slug=COURSE,
                        attendee_ids=[world.m["hoa"].id])
            args.update(overrides)
            return venue.record_session(**args)

        for overrides, field in [({"held_on": today + timedelta(days=1)}, "held_on"),
                                 ({"held_on": None}, "held_on"),
                                 ({"place": ""}, "place"), ({"place": "p" * 201}, "place"),
                                 ({"course_slug": "nope"}, "course"),
                                 ({"attendee_ids": []}, "attendees"),
                                 ({"attendee_ids": [world.leader.id]}, "attendees")]:
            with pytest.raises(DomainError) as caught:
                record(**overrides)
            assert caught.value.field == field, overrides
        assert rows(db, VenueSession) == 0
        # "Today" is Vietnam's: at 23:30 UTC it is already tomorrow there.
        late = datetime(2025, 3, 9, 23, 30, tzinfo=timezone.utc)
        assert clock.local_day(late) == date(2025, 3, 10)
        record(held_on=date(2025, 3, 10), now=late)
        # Duplicates in the attendee list count once.
        saved = record(attendee_ids=[world.m["hoa"].id, world.m["hoa"].id, world.m["binh"].id],
                       place="  Nhà   văn hoá  ")
        db.commit()
        assert saved.place == "Nhà văn hoá"
        listed = venue.list_sessions(session=db, team=world.team)
        assert [(s.id, n) for s, n in listed][0] == (saved.id, 2)
        assert len(listed) == 2


# --- assisted vs self-paced ----------------------------------------------------------------

def vn_time(day, hour, minute=0):
    """An aware UTC moment for ``hour:minute`` Vietnamese time on ``day``."""
    return datetime(day.year, day.month, day.day, hour, minute,
                    tzinfo=timezone(timedelta(hours=7))).astimezone(timezone.utc)


def set_completed(db, user, lesson_slug, moment):
    db.exec(update(LessonProgress)
            .where(LessonProgress.user_id == user.id, LessonProgress.lesson_slug == lesson_slug)
            .values(completed_at=moment))
    db.commit()


def counts(app, db, world, **kw):
    with app.app_context():
        return team_progress.assisted_counts(session=db, team=world.team, **kw)


def test_assisted_and_self_paced_counts(app, db, world):
    # world: Hoa did 2 e-id lessons, Bình all of them and passed the quiz, all of it today.
    total = len(world.course.lessons)
    before = counts(app, db, world)
    assert (before.lessons_assisted, before.lessons_self_paced) == (0, total + 2)
    assert (before.quizzes_assisted, before.quizzes_self_paced) == (0, 1)

    # A session today of e-id attended by Hoa (not Bình): Hoa's two lessons become assisted.
    client = signed_in(app, "leader01")
    assert post_session(client, world.team, attendees=[world.m["hoa"].id]).status_code == 302
    after = counts(app, db, world)
    assert (after.lessons_assisted, after.lessons_self_paced) == (2, total)
    assert (after.quizzes_assisted, after.quizzes_self_paced) == (0, 1)

    # Hoa finishes the course and passes the quiz today, after the session: assisted too.
    with app.app_context():
        pass_course(db, world.m["hoa"], world.course)
        # A lesson of another course the same day is self-paced: the session was about e-id.
        other = world.other
        progress.complete_lesson(session=db, user=world.m["hoa"], course=other,
                                 lesson=other.lessons[0])
        db.commit()
    after = counts(app, db, world)
    assert (after.lessons_assisted, after.lessons_self_paced) == (total, total + 1)
    assert (after.quizzes_assisted, after.quizzes_self_paced) == (1, 1)
    only_eid = counts(app, db, world, course_slug=COURSE)
    assert (only_eid.lessons_assisted, only_eid.lessons_self_paced) == (total, total)

    page = client.get(f"/teams/{world.team.id}/progress").get_data(as_text=True)
    lessons_row = page.split('id="assisted-lessons"', 1)[1].split("</tr>", 1)[0]
    assert [int(n) for n in re.findall(r"<td>(\d+)</td>", lessons_row)] == [
        total, total + 1, 2 * total + 1]
    quizzes_row = page.split('id="assisted-quizzes"', 1)[1].split("</tr>", 1)[0]
    assert "<td>1</td><td>1</td><td>2</td>" in quizzes_row


def test_the_day_is_vietnamese(app, db, world):
    """A session on 10 March counts from 00:00 to 24:00 in Vietnam (17:00 UTC the day before
    to 17:00 UTC that day)."""
    day = date(2025, 3, 10)
    hoa, lessons = world.m["hoa"], world.course.lessons
    with app.app_context():
        venue.record_session(session=db, team=world.team, actor=world.leader, held_on=day,
                             place="Nhà văn hoá", course_slug=COURSE, attendee_ids=[hoa.id])
        for lesson in lessons[2:5]:
            progress.complete_lesson(session=db, user=hoa, course=world.course, lesson=lesson)
        db.commit()
    set_completed(db, hoa, lessons[0].slug, vn_time(day, 0, 30))            # 9 Mar 17:30 UTC: in
    set_completed(db, hoa, lessons[1].slug, vn_time(day, 23, 50))           # in
    set_completed(db, hoa, lessons[2].slug, vn_time(day, 0) - timedelta(minutes=1))  # 9 Mar: out
    set_completed(db, hoa, lessons[3].slug, vn_time(day + timedelta(days=1), 0, 10))  # 11th: out
    set_completed(db, hoa, lessons[4].slug, vn_time(day, 12))               # in
    assert vn_time(day, 0, 30).date() == date(2025, 3, 9)  # UTC date differs: the trap
    result = counts(app, db, world)
    total = len(world.course.lessons)
    assert result.lessons_assisted == 3
    assert result.lessons_self_paced == total + 2  # Bình's lessons and two of Hoa's


def test_quiz_on_the_session_day_is_assisted(app, db, world):
    day = date(2025, 3, 10)
    with app.app_context():
        venue.record_session(session=db, team=world.team, actor=world.leader, held_on=day,
                             place="Nhà văn hoá", course_slug=COURSE,
                             attendee_ids=[world.m["binh"].id])
        db.commit()
    assert counts(app, db, world).quizzes_assisted == 0
    db.exec(update(QuizAttempt).where(QuizAttempt.user_id == world.m["binh"].id)
            .values(submitted_at=vn_time(day, 20)))
    db.commit()
    result = counts(app, db, world)
    assert (result.quizzes_assisted, result.quizzes_self_paced) == (1, 0)


def test_other_teams_sessions_page_is_404(app, db, world):
    with app.app_context():
        other = make_staff(db, "leader02", commune=BA_DINH)
        other_team = teams.create_team(session=db, actor=other, name="Tổ Ba Đình")
        db.commit()
    client = signed_in(app, "leader01")
    assert client.get(URL.format(other_team.id)).status_code == 404
    response = client.post(URL.format(other_team.id), data={
        "csrf_token": csrf_token(client, URL.format(world.team.id)),
        "held_on": clock.today().isoformat(), "place": "x", "course": COURSE,
        "attendees": [world.m["hoa"].id]})
    assert response.status_code == 404
    assert rows(db, VenueSession) == 0


def test_course_list_in_the_form_is_the_catalogue(app, db, world, catalog):
    client = signed_in(app, "leader01")
    html = client.get(URL.format(world.team.id)).get_data(as_text=True)
    for course in catalog:
        assert f'value="{course.slug}"' in html
    assert OTHER_COURSE in html


def test_a_session_recorded_after_the_lessons_counts_them_in_the_statistics(app, db, world):
    """The usual case: the leader records the session in the evening. The rollups the
    administrators read then count the attendee's lessons of that day as assisted, exactly
    as a rebuild from the raw rows does."""
    from digilit.models.stats import COMMUNE, TEAM, StatDaily
    from digilit.services.rollup_rebuild import rebuild_rollups

    def assisted(level, code):
        db.expire_all()
        return db.exec(select(func.coalesce(func.sum(StatDaily.lessons_assisted), 0)).where(
            StatDaily.level == level, StatDaily.unit_code == code)).one()

    assert assisted(COMMUNE, world.team.commune_code) == 0
    client = signed_in(app, "leader01")
    assert post_session(client, world.team, attendees=[world.m["hoa"].id]).status_code == 302
    live = (assisted(COMMUNE, world.team.commune_code), assisted(TEAM, world.team.id))
    assert live == (2, 2)  # Hoa's two e-id lessons of today
    with app.app_context():
        rebuild_rollups(session=db)
        db.commit()
    assert (assisted(COMMUNE, world.team.commune_code), assisted(TEAM, world.team.id)) == live
