"""A known small population, built through the services, and clients signed in by role.

Hà Nội (province 1): Hoàn Kiếm (70) and Ba Đình (4); Hồ Chí Minh city (79): Vũng Tàu (26506).

| who | commune | team | what they did (all today) |
|---|---|---|---|
| a1 | Hoàn Kiếm | A | e-id: 6 lessons at team A's venue session, passed at the first attempt |
| a2 | Hoàn Kiếm | A | e-id: 6 lessons at the session, failed, passed; cybersecurity: 2 lessons |
| a3 | Hoàn Kiếm | A | enrolled in e-id by the team, nothing done |
| l1 | Hoàn Kiếm | - | online-services: 5 lessons, failed the quiz |
| l2 | Hoàn Kiếm | - | registered only |
| b1 | Ba Đình | B | cybersecurity passed, then e-id passed |
| b2 | Ba Đình | B | e-id: 3 lessons |
| l3 | Ba Đình | - | registered only |
| c1 | Vũng Tàu | C | online-services passed |
| v1 | Vũng Tàu | - | e-id: 6 lessons, failed the quiz twice |
| v2 | Vũng Tàu | - | registered only |

Hoàn Kiếm also has a team with a name a spreadsheet would run as a formula, and no members.
Staff (team leaders, administrators) are not learners and did nothing as learners.
"""
from types import SimpleNamespace

import pytest

from digilit import clock

from conftest import (BA_DINH, HANOI, HCMC, HOAN_KIEM, VUNG_TAU, correct_answers, csrf_token,
                      finish_practices, wrong_answers)
from digilit.services import accounts, grading, progress, stats, teams, venue

PASSWORD = "mat-khau-thong-ke"
FORMULA_TEAM = '=HYPERLINK("http://evil.example","x")'

# Expected figures, written out by hand from the table above.
FIELDS = ("learners", "enrolments", "completions", "attempts", "passes", "certificates",
          "lessons", "lessons_assisted", "trained")


def figures(*values):
    return dict(zip(FIELDS, values))


#                      learners enrol compl attempts passes certs lessons assisted trained
EXPECTED = {
    "nation": figures(11, 10, 5, 9, 5, 5, 45, 12, 4),
    "hanoi": figures(8, 8, 4, 6, 4, 4, 34, 12, 3),
    "hcmc": figures(3, 2, 1, 3, 1, 1, 11, 0, 1),
    "hoan_kiem": figures(5, 5, 2, 4, 2, 2, 19, 12, 2),
    "ba_dinh": figures(3, 3, 2, 2, 2, 2, 15, 0, 1),
    "vung_tau": figures(3, 2, 1, 3, 1, 1, 11, 0, 1),
    "team_a": figures(3, 4, 2, 3, 2, 2, 14, 12, 2),
    "team_b": figures(2, 3, 2, 2, 2, 2, 15, 0, 1),
    "team_c": figures(1, 1, 1, 1, 1, 1, 5, 0, 1),
    "team_formula": figures(0, 0, 0, 0, 0, 0, 0, 0, 0),
}
# The same, for the course e-id only (learners and trained are per person, not per course).
EXPECTED_E_ID = {
    "nation": figures(11, 6, 3, 6, 3, 3, 27, 12, 4),
    "hanoi": figures(8, 5, 3, 4, 3, 3, 21, 12, 3),
    "hoan_kiem": figures(5, 3, 2, 3, 2, 2, 12, 12, 2),
    "team_a": figures(3, 3, 2, 3, 2, 2, 12, 12, 2),
}
PER_COURSE = {  # nation: course -> (enrolments, completions, attempts, passes, certificates)
    "e-id": (6, 3, 6, 3, 3),
    "cybersecurity": (2, 1, 1, 1, 1),
    "online-services": (2, 1, 2, 1, 1),
    "digital-signature": (0, 0, 0, 0, 0),
    "payments": (0, 0, 0, 0, 0),
    "e-health": (0, 0, 0, 0, 0),
}
STAFF = {  # username -> (role, province, commune)
    "quocgia": ("national_admin", None, None),
    "tinhhanoi": ("province_admin", HANOI, None),
    "tinhhcm": ("province_admin", HCMC, None),
    "xahoankiem": ("commune_admin", HANOI, HOAN_KIEM),
    "xabadinh": ("commune_admin", HANOI, BA_DINH),
    "xavungtau": ("commune_admin", HCMC, VUNG_TAU),
    "totruonghk": ("team_leader", HANOI, HOAN_KIEM),
    "totruongbd": ("team_leader", HANOI, BA_DINH),
    "totruongvt": ("team_leader", HCMC, VUNG_TAU),
}


def _user(db, username, role="learner", province=None, commune=None):
    return accounts.create_user(session=db, username=username, full_name=f"Người {username}",
                                password=PASSWORD, role=role, province_code=province,
                                commune_code=commune)


def _lessons(db, user, course, count=None):
    for lesson in course.lessons[:count]:
        progress.complete_lesson(session=db, user=user, course=course, lesson=lesson)


def _attempt(db, user, course, right):
    finish_practices(db, user, course)  # the quiz opens after the lessons and the practices
    answers = correct_answers(course) if right else wrong_answers(course)
    attempt = grading.submit_attempt(session=db, user=user, course=course,
                                     token=grading.new_attempt_token(), answers=answers)
    assert attempt.passed is right
    return attempt


def _members(db, team, keys, course_slugs=()):
    pairs = teams.add_members(session=db, team=team, course_slugs=course_slugs,
                              people=[teams.NewMember(full_name=f"Thành viên {k}") for k in keys])
    return {key: user for key, (user, _pin) in zip(keys, pairs)}


@pytest.fixture
def population(app, db, catalog):
    """The population of the module docstring, committed; returns its people and teams."""
    e_id, cyber, online = (catalog.get(s) for s in ("e-id", "cybersecurity", "online-services"))
    with app.app_context():
        staff = {name: _user(db, name, role, province, commune)
                 for name, (role, province, commune) in STAFF.items()}
        team_a = teams.create_team(session=db, actor=staff["totruonghk"], name="Tổ số 1 Hoàn Kiếm")
        team_formula = teams.create_team(session=db, actor=staff["xahoankiem"], name=FORMULA_TEAM)
        team_b = teams.create_team(session=db, actor=staff["totruongbd"], name="Tổ số 1 Ba Đình")
        team_c = teams.create_team(session=db, actor=staff["totruongvt"], name="Tổ số 1 Vũng Tàu")
        people = _members(db, team_a, ["a1", "a2", "a3"], course_slugs=["e-id"])
        people.update(_members(db, team_b, ["b1", "b2"]))
        people.update(_members(db, team_c, ["c1"]))
        people.update({"l1": _user(db, "hocvien1", province=HANOI, commune=HOAN_KIEM),
                       "l2": _user(db, "hocvien2", province=HANOI, commune=HOAN_KIEM),
                       "l3": _user(db, "hocvien3", province=HANOI, commune=BA_DINH),
                       "v1": _user(db, "hocvien4", province=HCMC, commune=VUNG_TAU),
                       "v2": _user(db, "hocvien5", province=HCMC, commune=VUNG_TAU)})
        # Two sessions of e-id today, a1 and a2 at both: their e-id lessons today are assisted,
        # each counted once.
        for place in ("Nhà văn hoá phường", "Trường tiểu học"):
            venue.record_session(session=db, team=team_a, actor=staff["totruonghk"],
                                 held_on=clock.today(), place=place, course_slug="e-id",
                                 attendee_ids=[people["a1"].id, people["a2"].id])
        _lessons(db, people["a1"], e_id)
        _attempt(db, people["a1"], e_id, True)
        _lessons(db, people["a2"], e_id)
        _attempt(db, people["a2"], e_id, False)
        _attempt(db, people["a2"], e_id, True)
        _lessons(db, people["a2"], cyber, 2)
        _lessons(db, people["l1"], online)
        _attempt(db, people["l1"], online, False)
        _lessons(db, people["b1"], cyber)
        _attempt(db, people["b1"], cyber, True)
        _lessons(db, people["b1"], e_id)
        _attempt(db, people["b1"], e_id, True)
        _lessons(db, people["b2"], e_id, 3)
        _lessons(db, people["c1"], online)
        _attempt(db, people["c1"], online, True)
        _lessons(db, people["v1"], e_id)
        _attempt(db, people["v1"], e_id, False)
        _attempt(db, people["v1"], e_id, False)
        db.commit()
    national = staff["quocgia"]
    units = {
        "nation": stats.NATION_UNIT,
        "hanoi": stats.resolve_unit(session=db, user=national, province=HANOI),
        "hcmc": stats.resolve_unit(session=db, user=national, province=HCMC),
        "hoan_kiem": stats.resolve_unit(session=db, user=national, commune=HOAN_KIEM),
        "ba_dinh": stats.resolve_unit(session=db, user=national, commune=BA_DINH),
        "vung_tau": stats.resolve_unit(session=db, user=national, commune=VUNG_TAU),
        "team_a": stats.resolve_unit(session=db, user=national, team=team_a.id),
        "team_b": stats.resolve_unit(session=db, user=national, team=team_b.id),
        "team_c": stats.resolve_unit(session=db, user=national, team=team_c.id),
        "team_formula": stats.resolve_unit(session=db, user=national, team=team_formula.id),
    }
    return SimpleNamespace(staff=staff, people=people, units=units, team_a=team_a,
                           team_b=team_b, team_c=team_c, team_formula=team_formula)


def sign_in(app, username, password=PASSWORD):
    """A new client signed in as ``username`` (each client keeps its own cookies)."""
    client = app.test_client()
    response = client.post("/auth/login", data={
        "username": username, "password": password,
        "csrf_token": csrf_token(client, "/auth/login")})
    assert response.status_code == 302, response.status_code
    return client


@pytest.fixture
def clients(app, population):
    """``clients(username)``: a client signed in as one of the population's accounts (once)."""
    made = {}

    def get(username):
        if username not in made:
            made[username] = sign_in(app, username)
        return made[username]

    return get
