"""Fixtures for the browser tests: the per-test app served over HTTP, and Chromium.

The browser is the system's Chromium (never one downloaded by Playwright), launched with
the flags that keep it from calling out on a closed network. Each test gets a fresh
browser context sized like a cheap phone.
"""
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 10_000


class LiveServer:
    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.host, self.port = "127.0.0.1", self._server.server_port
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="live-server", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


@pytest.fixture
def live_server(app):
    """The test's ``app`` served on 127.0.0.1 at a free port, in a background thread."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh phone-sized context; keyword arguments go to ``new_context``."""
    contexts = []

    def make(**options):
        options = {"viewport": PHONE, "base_url": live_server.url, "locale": "vi-VN", **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page with JavaScript on, in a fresh phone-sized context."""
    return new_page()


# --- People and pages for the checks on every page type (a11y, weight, phones, offline) ---

import json  # noqa: E402
import os  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

PASSWORD = "mat-khau-an-toan"
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = REPO / "test-results"
HANOI, HOAN_KIEM = 1, 70


@dataclass
class Cast:
    """Who is in the test's database, made through the services."""

    course: str = "e-id"
    lessons: list = field(default_factory=list)
    practices: list = field(default_factory=list)
    attempt_id: int = 0
    certificate: str = ""
    team_id: int = 0
    member_id: int = 0
    venue_id: int = 0
    learner: str = "hoa2025"
    fresh: str = "moi2025"  # a learner enrolled in nothing yet
    leader: str = "totruong1"
    commune_admin: str = "xahk2025"
    province_admin: str = "tinhhn2025"
    national_admin: str = "quocgia2025"


@contextmanager
def setup_session(app):
    """A session for a test's own set-up, in a request context (the services' messages need
    one), writing from its first statement: a page's reads run in autocommit, a set-up writes
    in one transaction, committed by the caller."""
    from digilit.db import begin_writes, get_session

    with app.test_request_context():
        begin_writes()
        yield get_session()


@pytest.fixture
def cast(app):
    """A learner who passed ``e-id`` (and started ``cybersecurity``), a team leader with a team
    of three members, and an administrator at each level: all through the services."""
    from digilit import clock
    from digilit.services import accounts, certificates, grading, progress, teams, venue
    from conftest import finish_practices

    people = Cast()
    catalog = app.extensions["digilit.catalog"]
    course = catalog.get(people.course)
    people.lessons = [lesson.slug for lesson in course.lessons]
    people.practices = [item.slug for item in course.practices]
    with setup_session(app) as db:
        make = accounts.create_user
        learner = make(session=db, username=people.learner, full_name="Lê Thị Hoa",
                       password=PASSWORD, province_code=HANOI, commune_code=HOAN_KIEM)
        make(session=db, username=people.fresh, full_name="Đỗ Văn Mới", password=PASSWORD,
             province_code=HANOI, commune_code=HOAN_KIEM)
        leader = make(session=db, username=people.leader, full_name="Trần Văn Tổ",
                      password=PASSWORD, role="team_leader", commune_code=HOAN_KIEM)
        make(session=db, username=people.commune_admin, full_name="Ngô Thị Xã", password=PASSWORD,
             role="commune_admin", commune_code=HOAN_KIEM)
        make(session=db, username=people.province_admin, full_name="Vũ Văn Tỉnh",
             password=PASSWORD, role="province_admin", province_code=HANOI)
        make(session=db, username=people.national_admin, full_name="Phan Thị Quốc",
             password=PASSWORD, role="national_admin")
        for lesson in course.lessons:
            progress.complete_lesson(session=db, user=learner, course=course, lesson=lesson)
        finish_practices(db, learner, course)
        answers = {q.id: list(q.correct_ids) for q in course.questions}
        attempt = grading.submit_attempt(session=db, user=learner, course=course,
                                         token=grading.new_attempt_token(), answers=answers)
        other = catalog.get("cybersecurity")
        progress.complete_lesson(session=db, user=learner, course=other, lesson=other.lessons[0])
        team = teams.create_team(session=db, actor=leader, name="Tổ công nghệ số thôn 1")
        members = teams.add_members(session=db, team=team, course_slugs=[people.course], people=[
            teams.NewMember(full_name="Phạm Văn Bình"),
            teams.NewMember(full_name="Hoàng Thị Cúc", phone="0912345678", birth_year=1960),
            teams.NewMember(full_name="Bùi Văn Dũng")])
        progress.complete_lesson(session=db, user=members[0][0], course=course,
                                 lesson=course.lessons[0])
        held = venue.record_session(session=db, team=team, actor=leader, held_on=clock.today(),
                             place="Nhà văn hóa thôn 1", course_slug=people.course,
                             attendee_ids=[members[0][0].id, members[1][0].id])
        db.commit()
        people.attempt_id = attempt.id
        people.certificate = certificates.get_for(session=db, user_id=learner.id,
                                                  course_slug=people.course).code
        people.team_id = team.id
        people.member_id = members[1][0].id
        people.venue_id = held.id
    return people


def quiz_questions(page, course):
    """The questions the quiz page drew, in the order it shows them."""
    ids = page.locator("fieldset.question").evaluate_all("fs => fs.map(f => f.id.slice(2))")
    return [course.question(qid) for qid in ids]


def bring_question(page, question_id):
    """With JavaScript on a phone the quiz shows one question per screen: move forward to
    this one (nothing to do when every question is shown)."""
    fieldset = page.locator(f"#q-{question_id}")
    for _ in range(100):
        if fieldset.is_visible():
            return
        page.locator(".quiz-nav button.primary").click()
    raise AssertionError(f"question {question_id} never shown")


def walk_practices(page, course):
    """Do the course's practices by their good choices (the quiz opens after them), then open
    the quiz; nothing to do for a course without practices."""
    from conftest import practice_path
    for item in course.practices:
        url = f"/courses/{course.slug}/practice/{item.slug}"
        for _step_id, choice_id in practice_path(item):
            page.goto(url)
            with page.expect_navigation():
                page.locator(f'button[name="choice"][value="{choice_id}"]').click()
    if course.practices:
        page.goto(f"/courses/{course.slug}/quiz")


def sign_in(page, username, password=PASSWORD):
    """Sign in through the page, as a person would."""
    page.goto("/auth/login")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', password)
    with page.expect_navigation():
        page.locator('main form [type="submit"][name="submit"]').click()
    assert "/auth/login" not in page.url, f"could not sign in as {username}"


def open_login_cards(page, cast):
    """Login cards come from a POST (new PINs): press the team page's button, then confirm
    (the cards are shown once on the page the confirmation leads to)."""
    page.goto(f"/teams/{cast.team_id}")
    with page.expect_navigation():
        page.click("#print-cards")
    with page.expect_navigation():
        page.click('main form [type="submit"]')


def open_import_preview(page, cast):
    page.goto(f"/teams/{cast.team_id}/import")
    page.set_input_files('input[type="file"]', files=[{
        "name": "group.csv", "mimeType": "text/csv",
        "buffer": "full_name,phone,birth_year,courses\nĐinh Thị Én,,1970,e-id\n,abc,19,x\n".encode()}])
    with page.expect_navigation():
        page.locator('main form [type="submit"][name="submit"]').first.click()


def page_types(cast):
    """Every page type: ``(role, name, path or callable(page, cast))``; role None is signed out.
    Learner pages (the 30 KB budget) are those whose role is None or "learner"."""
    c, first = cast.course, cast.lessons[0]
    team = f"/teams/{cast.team_id}"
    return [
        (None, "catalogue (signed out)", "/"),
        (None, "lesson (signed out)", f"/courses/{c}/lessons/{first}"),
        (None, "register", "/auth/register"),
        (None, "login", "/auth/login"),
        (None, "404", "/courses/no-such-course"),
        (None, "offline", "/offline"),
        (None, "certificate", f"/certificates/{cast.certificate}"),
        (None, "certificate check", "/certificates/check"),
        ("learner", "catalogue", "/"),
        ("learner", "course", f"/courses/{c}"),
        ("learner", "lesson", f"/courses/{c}/lessons/{first}"),
        ("learner", "quiz", f"/courses/{c}/quiz"),
        *[("learner", "practice", f"/courses/{c}/practice/{p}") for p in cast.practices[:1]],
        ("learner", "result", f"/courses/{c}/attempts/{cast.attempt_id}"),
        ("learner", "me", "/me"),
        ("learner", "change password", "/auth/password"),
        ("learner", "delete account", "/me/delete"),
        ("learner", "404 (signed in)", "/teams/"),
        ("team_leader", "team list", "/teams/"),
        ("team_leader", "team page", team),
        ("team_leader", "team progress", f"{team}/progress"),
        ("team_leader", "team sessions", f"{team}/sessions"),
        ("team_leader", "correct a session", f"{team}/sessions/{cast.venue_id}"),
        ("team_leader", "team member", f"{team}/members/{cast.member_id}"),
        ("team_leader", "CSV import", f"{team}/import"),
        ("team_leader", "CSV import preview", open_import_preview),
        ("team_leader", "login cards", open_login_cards),
        ("team_leader", "second step set-up", "/auth/second-factor"),
        ("commune_admin", "admin stats (commune)", "/admin/stats"),
        ("province_admin", "admin stats (province)", "/admin/stats"),
        ("national_admin", "admin stats (national)", "/admin/stats"),
        ("national_admin", "admin tokens", "/admin/tokens"),
        ("national_admin", "admin accounts", "/admin/accounts?q=a"),
    ]


def username_for(cast, role):
    return {"learner": cast.learner, "team_leader": cast.leader,
            "commune_admin": cast.commune_admin, "province_admin": cast.province_admin,
            "national_admin": cast.national_admin}[role]


def visit_every_page(new_page, cast, check, prepare=None, **context_options):
    """Open every page type, one signed-in context per role, and call ``check(page, role,
    name)`` on each; returns ``{name: what check returned}``. ``prepare(page)`` is called on
    each new page before anything is loaded in it."""
    results, pages = {}, {}
    for role, name, how in page_types(cast):
        if role not in pages:
            pages[role] = new_page(**context_options)
            if prepare is not None:
                prepare(pages[role])
            if role is not None:
                sign_in(pages[role], username_for(cast, role))
        page = pages[role]
        if callable(how):
            how(page, cast)
        else:
            page.goto(how)
        page.wait_for_load_state("load")
        results[name] = check(page, role, name)
    return results


@pytest.fixture(scope="session")
def axe_source():
    """axe-core, from the npm package pinned in package.json (``make install-test``)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --no-audit --no-fund` (make install-test)")
    return AXE.read_text(encoding="utf-8")


def write_result(name, text):
    """Keep a measured figure in test-results/ (git-ignored) for the closing notes."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text(text, encoding="utf-8")


def write_json(name, data):
    write_result(name, json.dumps(data, indent=2, ensure_ascii=False) + os.linesep)


def wait_until(page, script, arg=None, timeout_s=TIMEOUT_MS / 1000):
    """Poll ``script`` (which may return a promise: ``wait_for_function`` does not await one)
    until it gives a truthy value; fail after ``timeout_s``."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {script[:200]}")
        page.wait_for_timeout(100)
