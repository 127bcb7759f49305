"""The permission authority: every route declares what it needs, and a walk of role × area ×
action over every route answers as ``permissions.RULES`` says.

One world: a learner, a team leader, a commune, a province and a national administrator of
Hoàn Kiếm (Hà Nội), a team there ("own") and one in Vũng Tàu ("other"), each with a member and
an import preview, an API token per administrator, and a certificate. Every route is requested
by every role (and by nobody signed in), with a valid CSRF token and plausible form data, so
that only permissions decide: refused is a 404 (a sign-in for nobody), allowed in the area is
neither a 404 nor a 500, outside the area a 404. Whatever a signed-in person is answered is
never stored (``Cache-Control: no-store``).
"""
from types import SimpleNamespace

import pytest

from conftest import HANOI, HOAN_KIEM, VUNG_TAU, LearnActions, csrf_token
from digilit.models import Role
from digilit.models.stats import TEAM
from digilit import clock
from digilit.services import accounts, api_tokens, csv_import, permissions, teams, venue

PASSWORD = "mat-khau-duyet-quyen"
ACTORS = {
    None: None,
    "hocvien": (Role.learner, HOAN_KIEM, None),
    "totruong": (Role.team_leader, HOAN_KIEM, None),
    "xaadmin": (Role.commune_admin, HOAN_KIEM, None),
    "tinhadmin": (Role.province_admin, None, HANOI),
    "quocgia": (Role.national_admin, None, None),
}


@pytest.fixture
def world(app, db, catalog):
    with app.app_context():
        made = _arrange(db)
    client = app.test_client()
    client.post("/auth/login", data={"username": "hocvien", "password": PASSWORD,
                                     "csrf_token": csrf_token(client)})
    made.attempt = int(LearnActions(client, catalog).pass_course("e-id").rsplit("/", 1)[1])
    page = client.get("/me").get_data(as_text=True)
    made.certificate = page.split("/certificates/", 1)[1].split('"', 1)[0]
    course = catalog.get("e-id")  # a practice and a lesson with self-checks, from the files
    made.practice = course.practices[0]
    made.checked = next(lesson for lesson in course.lessons if lesson.checks)
    return made


def _arrange(db):
    users = {name: accounts.create_user(session=db, username=name, full_name=f"Người {name}",
                                        password=PASSWORD, role=role, commune_code=commune,
                                        province_code=province)
             for name, (role, commune, province) in
             ((n, spec) for n, spec in ACTORS.items() if spec)}
    other_leader = accounts.create_user(session=db, username="totruongvt", full_name="Người VT",
                                        password=PASSWORD, role=Role.team_leader,
                                        commune_code=VUNG_TAU)
    ids, members, batches, sessions = {}, {}, {}, {}
    for area, leader in (("own", users["totruong"]), ("other", other_leader)):
        team = teams.create_team(session=db, actor=leader, name=f"Tổ {area}")
        (member, _pin), = teams.add_members(session=db, team=team,
                                            people=[teams.NewMember(full_name=f"Bạn {area}")])
        batches[area] = csv_import.preview_import(
            session=db, team=team, uploader=leader,
            content="full_name\nNgười nhập\n".encode()).batch.token
        ids[area], members[area] = team.id, member.id
        sessions[area] = venue.record_session(
            session=db, team=team, actor=leader, held_on=clock.today(), place="Nhà văn hóa",
            course_slug="e-id", attendee_ids=[member.id]).id
    tokens = {name: api_tokens.create_token(session=db, creator=users[name], name="t")[0].id
              for name in ("xaadmin", "tinhadmin", "quocgia")}
    db.commit()
    return SimpleNamespace(ids=ids, members=members, batches=batches, tokens=tokens,
                           sessions=sessions)


def url_args(world, actor, area):
    """The path arguments of every route, for a team of ``area``."""
    practice, checked = world.practice, world.checked
    return {"team_id": world.ids[area], "member_id": world.members[area],
            "token": world.batches[area], "token_id": world.tokens.get(actor, 1),
            "slug": "e-id", "lesson": checked.slug, "attempt_id": world.attempt,
            "practice": practice.slug, "check": checked.checks[0].id,
            "name": next(step.image for step in practice.steps if step.image),
            "code": world.certificate, "filename": "css/site.css",
            "user_id": world.members["own"], "number": 1, "session_id": world.sessions[area]}


def form_data(world, endpoint, area):
    """Plausible form data: what a page would send (so that only permissions decide)."""
    return {
        "teams.index": {"name": "Tổ mới lập"}, "teams.rename": {"name": "Tổ đổi tên"},
        "teams.add_member": {"full_name": "Người Mới"},
        "teams.enrol": {"courses": ["cybersecurity"]},
        "admin.set_target": {"unit": f"{TEAM}:{world.ids[area]}", "citizens": "10"},
        "admin.tokens": {"name": "Máy thống kê"},
    }.get(endpoint, {})


def in_area(actor, area):
    return area == "own" or actor == "quocgia"


# Sign-in with an identity provider is a 404 until a provider is configured (not here).
UNCONFIGURED = {"auth.oidc_login", "auth.oidc_callback", "auth.oidc_welcome", "auth.oidc_link"}


def expected(endpoint, actor, area, role):
    """``"ok"`` (neither 404 nor 500), ``404``, ``"login"`` or ``401``."""
    needed = permissions.ENDPOINTS[endpoint]
    if endpoint in UNCONFIGURED:
        return "signed in"  # anything but a 500 (or a sign-in)
    if endpoint == "auth.second_factor_code":  # public, but only between password and code
        return "login" if actor is None else "signed in"
    if needed == permissions.PUBLIC:
        return "ok"
    if needed == permissions.SELF_AUTHENTICATED:
        if actor is None:
            return 401
        return "ok" if permissions.RULES[permissions.STATS_UNIT]["read"] >= {role} else 404
    if needed == permissions.OWN:  # one's own things: others' are 404s
        return "login" if actor is None else "signed in"
    kind, action = needed
    if role not in permissions.RULES[kind][action]:
        return "login" if actor is None else 404
    return "ok" if in_area(actor, area) else 404


def test_every_route_declares_its_permission(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(permissions.ENDPOINTS) == set(), "routes without a permission"
    assert set(permissions.ENDPOINTS) - endpoints == set(), "permissions of no route"
    for needed in permissions.ENDPOINTS.values():
        if isinstance(needed, tuple):
            kind, action = needed
            assert kind in permissions.KINDS and action in permissions.ACTIONS


def test_every_kind_answers_every_action():
    for kind in permissions.KINDS:
        assert set(permissions.RULES[kind]) == set(permissions.ACTIONS), kind


@pytest.mark.parametrize("actor", list(ACTORS), ids=lambda a: a or "anonymous")
def test_role_area_action_walk(app, world, actor):
    """Every route, every method, for a team in and out of the actor's area."""
    client = app.test_client()
    if actor:
        client.post("/auth/login", data={"username": actor, "password": PASSWORD,
                                         "csrf_token": csrf_token(client)})
    role = ACTORS[actor][0] if actor else None
    csrf = csrf_token(client, "/auth/register")
    problems = []
    # Signing out and closing one's account come last.
    last = ("auth.logout", "learn.delete_me")
    for rule in sorted(app.url_map.iter_rules(),
                       key=lambda r: (r.endpoint == "auth.logout", r.endpoint in last,
                                      "delete" in r.endpoint)):
        areas = ("own", "other") if "team_id" in rule.arguments else ("own",)
        for area, method in ((a, m) for a in areas for m in ("GET", "POST")
                             if m in rule.methods):
            args = {k: v for k, v in url_args(world, actor, area).items() if k in rule.arguments}
            url = rule.build(args, append_unknown=False)[1]
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": csrf,
                                                  **form_data(world, rule.endpoint, area)})
            status = response.status_code
            response.close()
            shared = ("static", "offline.service_worker") + last  # last: signed out by then
            if actor and rule.endpoint not in shared and \
                    "no-store" not in response.headers.get("Cache-Control", ""):
                problems.append(f"{method} {url}: may be stored")
            want = expected(rule.endpoint, actor, area, role)
            login = status == 302 and "/auth/login" in response.headers.get("Location", "")
            ok = {"ok": status not in (404, 500) and not login, "login": login,
                  "signed in": status != 500 and not login,
                  404: status == 404, 401: status == 401}[want]
            if not ok:
                problems.append(f"{method} {url} ({rule.endpoint}, {area}): {status}, "
                                f"expected {want}")
    assert not problems, "\n".join(problems)
