"""Changes to an account's sign-in and role are kept where they happen, told once, listed
newest first, exported with the person's data and deleted with the account."""
from sqlmodel import select

from conftest import HANOI, HOAN_KIEM
from digilit.models import SecurityEvent
from digilit.services import (account_admin, accounts, personal_data, pins, security_events,
                              teams)
from digilit.services.security_events import (PASSWORD_CHANGED, PIN_RESET, RE_ENABLED,
                                              ROLE_CHANGED)


def events_of(db, user):
    return db.exec(select(SecurityEvent).where(SecurityEvent.user_id == user.id)
                   .order_by(SecurityEvent.id)).all()


def test_the_role_of_whoever_acted_is_kept_only_when_it_was_someone_else(db, make_user):
    lan = make_user("lan2025")
    leader = make_user("totruong", role="team_leader")
    by_leader = security_events.record(session=db, user=lan, kind=PIN_RESET, actor=leader)
    by_herself = security_events.record(session=db, user=lan, kind=PASSWORD_CHANGED,
                                        actor=lan)
    from_the_cli = security_events.record(session=db, user=lan, kind=RE_ENABLED)
    assert (by_leader.actor_role, by_herself.actor_role, from_the_cli.actor_role) == \
        ("team_leader", None, None)
    assert all(event.seen_at is None for event in events_of(db, lan))


def test_unseen_holds_the_latest_changes_oldest_first_until_marked_seen(db, make_user,
                                                                         clock):
    lan, binh = make_user("lan2025"), make_user("binh2025")
    for number in range(security_events.NOTICE_LIMIT + 2):
        security_events.record(session=db, user=lan, kind=ROLE_CHANGED, detail=str(number))
        clock.advance(minutes=1)
    security_events.record(session=db, user=binh, kind=PIN_RESET)
    told = security_events.unseen(session=db, user=lan)
    assert [e.detail for e in told] == [str(n) for n in range(2, security_events.NOTICE_LIMIT
                                                               + 2)]
    security_events.mark_seen(session=db, user=lan)
    assert security_events.unseen(session=db, user=lan) == []
    assert [e.kind for e in security_events.unseen(session=db, user=binh)] == [PIN_RESET]
    latest = security_events.recent(session=db, user=lan, limit=3)
    assert [e.detail for e in latest] == ["11", "10", "9"]  # newest first
    assert all(e.seen_at is not None for e in latest)


def test_the_services_that_change_an_account_record_what_they_did(app, db, make_user):
    leader = make_user("totruong", role="team_leader")
    province = make_user("tinhhanoi", role="province_admin", commune=None, province=HANOI)
    with app.app_context():
        team = teams.create_team(session=db, actor=leader, name="Tổ 1")
        [(hoa, _pin)] = teams.add_members(session=db, team=team,
                                          people=[teams.NewMember(full_name="Nguyễn Thị Hoa")])
        assert events_of(db, hoa) == []  # a new account's first PIN is no change
        pins.set_new_pin(session=db, user=hoa, actor=leader)
        accounts.change_password(session=db, user=hoa, password="mat-khau-moi-cua-hoa")
        account_admin.change_role(session=db, actor=province, user=hoa, role="team_leader",
                                  commune_code=HOAN_KIEM)
        account_admin.set_suspended(session=db, user=hoa, suspended=True, actor=province)
        account_admin.set_suspended(session=db, user=hoa, suspended=False)
        account_admin.set_suspended(session=db, user=hoa, suspended=False)  # was not suspended
    made = [(e.kind, e.actor_role, e.detail) for e in events_of(db, hoa)]
    assert made == [(PIN_RESET, "team_leader", None), (PASSWORD_CHANGED, None, None),
                    (ROLE_CHANGED, "province_admin", "team_leader"), (RE_ENABLED, None, None)]
    # Hoa chose her password on the page that says so: her next sign-in need not repeat it.
    assert [e.kind for e in security_events.unseen(session=db, user=hoa)] == \
        [PIN_RESET, ROLE_CHANGED, RE_ENABLED]


def test_what_and_who_are_told_in_role_terms(app):
    def event(kind, actor_role=None, detail=None):
        return SecurityEvent(user_id=1, kind=kind, actor_role=actor_role, detail=detail)

    with app.test_request_context("/?lang=en"):
        assert all(kind in security_events.LABELS
                   for kind in (PASSWORD_CHANGED, PIN_RESET, ROLE_CHANGED, RE_ENABLED))
        assert security_events.what(event(ROLE_CHANGED, detail="team_leader")) == \
            "Your role or area was changed (now: team leader)"
        assert security_events.what(event("unknown_kind")) == "Your account was changed"
        assert str(security_events.who(event(PASSWORD_CHANGED))) == "you"
        assert str(security_events.who(event(PIN_RESET, "team_leader"))) == "a team leader"
        assert str(security_events.who(event(PIN_RESET, "commune_admin"))) == \
            "the commune office"
        assert str(security_events.who(event(RE_ENABLED))) == "an administrator"  # the CLI


def test_the_export_holds_the_changes_and_deleting_the_account_removes_them(app, db,
                                                                            make_user, count):
    lan = make_user("lan2025", full_name="Nguyễn Thị Lan")
    leader = make_user("totruong", role="team_leader")
    with app.app_context():
        pins.set_new_pin(session=db, user=lan, actor=leader)
        data = personal_data.export_data(session=db, user=lan)
        assert [(e["kind"], e["by_role"]) for e in data["security_events"]] == \
            [(PIN_RESET, "team_leader")]
        assert "totruong" not in str(data["security_events"])  # a role, never a name
        personal_data.remove_account(session=db, user=lan)
        db.commit()
    assert count(SecurityEvent, user_id=lan.id) == 0
