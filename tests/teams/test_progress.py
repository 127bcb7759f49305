"""The team progress grid, its filters, the stalled list and the CSV export."""
import csv
import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, update
from sqlmodel import select

from conftest import BA_DINH, HANOI, HOAN_KIEM, correct_answers, finish_practices
from digilit.models import Enrolment
from digilit import clock
from digilit.services import accounts, grading, progress, team_progress, teams
from digilit.services.csv_export import csv_rows, neutralise
from digilit.services.errors import DomainError

PASSWORD = "mat-khau-to-truong"
COURSE = "e-id"
OTHER_COURSE = "cybersecurity"
NAMES = {
    "hoa": "Nguyễn Thị Hoa",          # 2 lessons of e-id: in progress
    "binh": "Trần Văn Bình",          # passed e-id
    "cuong": "Phạm Quốc Cường",       # enrolled in e-id, nothing done
    "formula": '=HYPERLINK("http://evil.example","x")',
    "plus": "+1",
    "at": "@x",
    "minus": "-2",
}
CELL_RE = re.compile(r'<td data-member="(\d+)" data-course="([^"]+)" data-status="([^"]+)"'
                     r'[^>]*>(.*?)</td>', re.S)


def make_staff(db, username, role="team_leader", commune=HOAN_KIEM, province=HANOI):
    return accounts.create_user(session=db, username=username, full_name=f"Cán bộ {username}",
                                password=PASSWORD, role=role, province_code=province,
                                commune_code=commune)


def signed_in(app, username):
    """A new client signed in as ``username`` (each client keeps its own cookies)."""
    from conftest import csrf_token

    client = app.test_client()
    response = client.post("/auth/login", data={
        "username": username, "password": PASSWORD,
        "csrf_token": csrf_token(client, "/auth/login")})
    assert response.status_code == 302, response.status_code
    return client


def pass_course(db, user, course):
    for lesson in course.lessons:
        progress.complete_lesson(session=db, user=user, course=course, lesson=lesson)
    finish_practices(db, user, course)
    attempt = grading.submit_attempt(session=db, user=user, course=course,
                                     token=grading.new_attempt_token(),
                                     answers=correct_answers(course))
    assert attempt.passed
    return attempt


@pytest.fixture
def world(app, db, catalog):
    """A team of Hoàn Kiếm led by ``leader01``, its members enrolled in e-id: Hoa has done two
    lessons, Bình passed, the others nothing yet."""
    course = catalog.get(COURSE)
    with app.app_context():
        leader = make_staff(db, "leader01")
        team = teams.create_team(session=db, actor=leader, name="Tổ công nghệ số Hoàn Kiếm 1")
        keys = list(NAMES)
        pairs = teams.add_members(session=db, team=team,
                                  people=[teams.NewMember(full_name=NAMES[k]) for k in keys],
                                  course_slugs=[COURSE])
        members = {key: user for key, (user, _pin) in zip(keys, pairs)}
        for lesson in course.lessons[:2]:
            progress.complete_lesson(session=db, user=members["hoa"], course=course,
                                     lesson=lesson)
        pass_course(db, members["binh"], course)
        db.commit()
    return SimpleNamespace(leader=leader, team=team, m=members, course=course,
                           other=catalog.get(OTHER_COURSE))


def cells(page):
    """``{(member id, course slug): (status, text)}`` of the grid on a page."""
    found = {}
    for member, course, status, html in CELL_RE.findall(page):
        text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
        found[(int(member), course)] = (status, text)
    return found


def grid(app, db, world, **filters):
    with app.app_context():
        return team_progress.progress_grid(session=db, team=world.team, **filters)


# --- the grid ------------------------------------------------------------------------------

def test_grid_cells_by_service(app, db, world, catalog):
    result = grid(app, db, world)
    assert [c.slug for c in result.courses] == [c.slug for c in catalog]
    assert result.members == len(NAMES)
    by_member = {row.member.id: {c.course.slug: c for c in row.cells} for row in result.rows}
    total = len(world.course.lessons)

    hoa = by_member[world.m["hoa"].id][COURSE]
    assert (hoa.status, hoa.done, hoa.total, hoa.enrolled) == ("in_progress", 2, total, True)
    binh = by_member[world.m["binh"].id][COURSE]
    assert binh.status == "passed" and binh.done == total and binh.passed_on is not None
    cuong = by_member[world.m["cuong"].id][COURSE]
    assert (cuong.status, cuong.done, cuong.enrolled) == ("not_started", 0, True)
    other = by_member[world.m["hoa"].id][OTHER_COURSE]
    assert (other.status, other.enrolled) == ("not_enrolled", False)
    assert not any(c.stalled for cells_ in by_member.values() for c in cells_.values())
    # Ordered by name in Vietnamese order (Ph before Tr), as the page shows them.
    names = [row.member.full_name for row in result.rows]
    assert names.index("Nguyễn Thị Hoa") < names.index("Phạm Quốc Cường") \
        < names.index("Trần Văn Bình")
    totals = result.totals[COURSE]
    assert (totals.enrolled, totals.passed, totals.stalled) == (len(NAMES), 1, 0)


def test_grid_page_shows_dash_fraction_and_passed_date(app, db, world):
    client = signed_in(app, "leader01")
    response = client.get(f"/teams/{world.team.id}/progress")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = cells(page)
    total = len(world.course.lessons)
    assert found[(world.m["hoa"].id, COURSE)] == ("in_progress", f"2/{total}")
    status, text = found[(world.m["binh"].id, COURSE)]
    assert status == "passed" and text.startswith("✓ ") and len(text) > 2
    status, text = found[(world.m["cuong"].id, COURSE)]
    assert status == "not_started" and text.startswith("—")
    # Not enrolled looks different from enrolled and not started.
    status, text = found[(world.m["binh"].id, OTHER_COURSE)]
    assert status == "not_enrolled" and text.startswith("·")
    assert "Nguyễn Thị Hoa" in page
    # The grid may be wide: it scrolls inside its box, not the whole page.
    assert re.search(r'<div class="scroll"[^>]*>\s*<table class="grid progress-grid">', page)
    assert not re.search(r"\sstyle=|<script(?![^>]*\ssrc=)", page)


def test_grid_needs_a_handful_of_queries_whatever_the_team_size(app, db, world):
    engine = db.get_bind()
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    def queries():
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            result = grid(app, db, world)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements), result

    few, first = queries()
    with app.app_context():
        teams.add_members(session=db, team=world.team, course_slugs=[COURSE],
                          people=[teams.NewMember(full_name=f"Học viên {i}") for i in range(25)])
        db.commit()
    many, second = queries()
    assert second.members == first.members + 25
    assert many == few <= 6


def test_grid_filters(app, db, world):
    ids = lambda result: {row.member.id for row in result.rows}  # noqa: E731
    assert ids(grid(app, db, world, status="passed")) == {world.m["binh"].id}
    assert ids(grid(app, db, world, status="in_progress")) == {world.m["hoa"].id}
    # Nobody is enrolled in cybersecurity; in e-id all but Bình and Hoa have not started.
    assert world.m["binh"].id in ids(grid(app, db, world, status="not_enrolled"))
    assert world.m["binh"].id not in ids(grid(app, db, world, status="not_started"))
    assert ids(grid(app, db, world, course_slug=COURSE, status="not_enrolled")) == set()
    not_started = grid(app, db, world, course_slug=COURSE, status="not_started")
    assert ids(not_started) == {m.id for k, m in world.m.items() if k not in ("hoa", "binh")}
    assert [c.slug for c in not_started.courses] == [COURSE]
    assert ids(grid(app, db, world, status="stalled")) == set()
    with pytest.raises(DomainError):
        grid(app, db, world, status="bogus")
    with pytest.raises(DomainError):
        grid(app, db, world, course_slug="no-such-course")


def test_grid_filters_on_the_page(app, db, world):
    client = signed_in(app, "leader01")
    url = f"/teams/{world.team.id}/progress"
    found = cells(client.get(url + "?status=passed").get_data(as_text=True))
    assert {member for member, _course in found} == {world.m["binh"].id}

    found = cells(client.get(url + f"?course={COURSE}").get_data(as_text=True))
    assert {course for _member, course in found} == {COURSE}
    assert len(found) == len(NAMES)

    found = cells(client.get(url + f"?course={COURSE}&status=in_progress").get_data(as_text=True))
    assert set(found) == {(world.m["hoa"].id, COURSE)}

    # Unknown filter values: the page, with the message beside the field, filter ignored.
    for query in ("?status=bogus", "?course=no-such-course", "?status=%00&course=%FF"):
        response = client.get(url + query)
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert 'class="error"' in page
        assert len({m for m, _c in cells(page)}) == len(NAMES)
    assert client.get(url + "?page=0").status_code == 200
    assert client.get(url + "?page=99999999999999999999").status_code == 200
    assert client.get(url + "?page=abc").status_code == 200


def set_idle(db, user, course_slug, days):
    db.exec(update(Enrolment)
            .where(Enrolment.user_id == user.id, Enrolment.course_slug == course_slug)
            .values(last_activity_at=clock.now() - timedelta(days=days)))
    db.commit()


def test_stalled_list(app, db, world):
    set_idle(db, world.m["hoa"], COURSE, 15)
    set_idle(db, world.m["cuong"], COURSE, 13)   # not yet
    set_idle(db, world.m["binh"], COURSE, 40)    # passed: never stalled
    with app.app_context():
        stalled = team_progress.stalled_members(session=db, team=world.team)
        assert [(s.member.id, s.course.slug, s.done) for s in stalled] == [
            (world.m["hoa"].id, COURSE, 2)]
        assert team_progress.stalled_members(session=db, team=world.team, days=12)[0].member.id \
            == world.m["hoa"].id
        assert len(team_progress.stalled_members(session=db, team=world.team, days=12)) == 2
    result = grid(app, db, world, status="stalled")
    assert [row.member.id for row in result.rows] == [world.m["hoa"].id]
    assert result.rows[0].matching("stalled")[0].course.slug == COURSE
    assert result.totals[COURSE].stalled == 1

    client = signed_in(app, "leader01")
    page = client.get(f"/teams/{world.team.id}/progress").get_data(as_text=True)
    stalled_table = page.split('id="stalled"', 1)[1].split("</table>", 1)[0]
    assert "Nguyễn Thị Hoa" in stalled_table
    assert "Phạm Quốc Cường" not in stalled_table and "Trần Văn Bình" not in stalled_table
    found = cells(page)
    assert "cell-stalled" in page and found[(world.m["hoa"].id, COURSE)][0] == "in_progress"


def test_stalled_list_empty(app, db, world):
    client = signed_in(app, "leader01")
    page = client.get(f"/teams/{world.team.id}/progress").get_data(as_text=True)
    assert 'id="no-stalled"' in page


# --- CSV -----------------------------------------------------------------------------------

def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".csv" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_export(app, db, world, catalog):
    client = signed_in(app, "leader01")
    rows = read_csv(client.get(f"/teams/{world.team.id}/progress.csv?lang=en"))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Full name", "Username", "Course", "Course title", "Enrolled",
                          "Status"] and len(header) == 11
    assert len(body) == len(NAMES) * len(catalog)  # one row per member × course
    names = {row[0] for row in body}
    assert {"Nguyễn Thị Hoa", "Trần Văn Bình", "Phạm Quốc Cường"} <= names
    # Cells that a spreadsheet would run as formulas start with a quote.
    assert "'" + NAMES["formula"] in names
    assert {"'+1", "'@x", "'-2"} <= names
    assert not any(cell[:1] in "=+-@" for row in body for cell in row if cell)
    total = len(world.course.lessons)
    hoa = next(r for r in body if r[0] == "Nguyễn Thị Hoa" and r[2] == COURSE)
    assert hoa[4:8] == ["1", "In progress", "2", str(total)]
    binh = next(r for r in body if r[0] == "Trần Văn Bình" and r[2] == COURSE)
    assert binh[4:6] == ["1", "Passed"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", binh[8])
    other = next(r for r in body if r[0] == "Trần Văn Bình" and r[2] == OTHER_COURSE)
    assert other[4:6] == ["0", "Not enrolled"]
    # In the page's language: Vietnamese by default.
    vi = read_csv(client.get(f"/teams/{world.team.id}/progress.csv?lang=vi"))
    assert vi[0][0] == "Họ và tên" and "Passed" not in {r[5] for r in vi[1:]}
    # The rows are read while the response streams: that leaves no connection checked out
    # but the worker's kept reading connection.
    engine = app.extensions["digilit.engine"]
    assert engine.pool.checkedout() == (1 if getattr(engine, "kept_reader", None) else 0)


def test_csv_export_follows_the_filters(app, db, world):
    client = signed_in(app, "leader01")
    url = f"/teams/{world.team.id}/progress.csv"
    body = read_csv(client.get(url + "?status=passed&lang=en"))[1:]
    assert [(r[0], r[2], r[5]) for r in body] == [("Trần Văn Bình", COURSE, "Passed")]
    body = read_csv(client.get(url + f"?course={COURSE}&status=not_started"))[1:]
    assert {r[0] for r in body} == {neutralise(NAMES[k]) for k in NAMES
                                    if k not in ("hoa", "binh")}
    assert read_csv(client.get(url + "?status=bogus"))[1:]  # ignored, not a 500


def test_csv_rows_generic():
    chunks = list(csv_rows(["a", "b"], iter([["=1+1", 5], ["+x", None], ["-3", -3],
                                             ["@SUM(A1)", "\tx"], ["\rx", "ok, \"quoted\""],
                                             ["Lê Thị Ánh", 1.5]]), chunk_rows=2))
    assert len(chunks) > 1
    data = b"".join(chunks)
    assert data.startswith("\ufeff".encode()) and data.count(b"\xef\xbb\xbf") == 1
    text = data.decode("utf-8-sig")
    assert text.split("\r\n") == [
        "a,b", "'=1+1,5", "'+x,", "'-3,-3", "'@SUM(A1),'\tx", "\"'\rx\",\"ok, \"\"quoted\"\"\"",
        "Lê Thị Ánh,1.5", ""]


# --- who may see it ------------------------------------------------------------------------

def urls(team):
    return [f"/teams/{team.id}/progress", f"/teams/{team.id}/progress?status=passed",
            f"/teams/{team.id}/progress.csv", f"/teams/{team.id}/sessions"]


def test_outsiders_get_404(app, db, world, auth, client):
    with app.app_context():
        other = make_staff(db, "leader02", commune=BA_DINH)
        teams.create_team(session=db, actor=other, name="Tổ Ba Đình")
        same_commune = make_staff(db, "leader03")   # leads no team: sees none
        db.commit()
    assert same_commune.id
    for username in ("leader02", "leader03"):
        outsider = signed_in(app, username)
        for url in urls(world.team):
            assert outsider.get(url).status_code == 404, (username, url)
        assert outsider.post(f"/teams/{world.team.id}/sessions", data={}).status_code in (400, 404)
    assert auth.register().status_code == 302  # a learner, signed in on ``client``
    for url in urls(world.team):
        assert client.get(url).status_code == 404, url
    # A team that does not exist looks the same.
    leader = signed_in(app, "leader01")
    assert leader.get("/teams/999999/progress").status_code == 404
    assert leader.get("/teams/999999/progress.csv").status_code == 404


def test_learner_and_outsider_cannot_post_sessions(app, db, world, auth, client):
    from conftest import csrf_token
    from digilit.models import VenueSession

    with app.app_context():
        make_staff(db, "leader02", commune=BA_DINH)
        db.commit()
    outsider = signed_in(app, "leader02")
    token = csrf_token(outsider, "/auth/login")
    response = outsider.post(f"/teams/{world.team.id}/sessions", data={
        "csrf_token": token, "held_on": "2025-01-10", "place": "Nhà văn hoá",
        "course": COURSE, "attendees": [world.m["hoa"].id]})
    assert response.status_code == 404
    assert db.exec(select(VenueSession)).all() == []


def test_commune_admin_sees_the_grid(app, db, world):
    with app.app_context():
        make_staff(db, "admin01", role="commune_admin")
        db.commit()
    admin = signed_in(app, "admin01")
    assert admin.get(f"/teams/{world.team.id}/progress").status_code == 200
    assert admin.get(f"/teams/{world.team.id}/progress.csv").status_code == 200


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in urls(world.team):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
