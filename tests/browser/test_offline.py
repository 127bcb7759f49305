"""Broken connections: lessons kept readable offline, and quiz answers kept until they can be
sent, then recorded exactly once.

The service worker (/sw.js) answers pages network-first and keeps course and lesson pages;
app.js keeps every lesson of the signed-in learner's courses after one online visit. Offline
(Playwright's ``set_offline``, which holds for the service worker too) a kept lesson opens from
the phone and anything else shows the offline page.
"""
import re
import time

import pytest
from sqlmodel import select

from digilit.models import QuizAttempt, User
from digilit.services import progress

from conftest import finish_practices

from .conftest import bring_question, quiz_questions, setup_session, sign_in, wait_until

pytestmark = pytest.mark.browser

KEPT_URLS = "() => caches.open('digilit-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"
OUTBOX = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("digilit", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("outbox", {autoIncrement: true});
  open.onsuccess = () => {
    const request = open.result.transaction("outbox").objectStore("outbox").count();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
  };
  open.onerror = () => reject(open.error);
})"""


def lesson_paths(catalog, slug):
    return [f"/courses/{slug}/lessons/{lesson.slug}" for lesson in catalog.get(slug).lessons]


def wait_until_kept(page, paths):
    """Wait until the service worker controls the page and ``paths`` are kept."""
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    wait_until(page, """async paths => {
      const kept = await caches.open('digilit-pages').then(c => c.keys());
      const have = new Set(kept.map(r => new URL(r.url).pathname));
      return paths.every(p => have.has(p));
    }""", list(paths))


def attempts_of(db, username):
    db.expire_all()
    user = db.exec(select(User).where(User.username == username)).one()
    return db.exec(select(QuizAttempt).where(QuizAttempt.user_id == user.id)).all()


def complete_all_lessons(app, username, slug="e-id"):
    course = app.extensions["digilit.catalog"].get(slug)
    with setup_session(app) as db:
        user = db.exec(select(User).where(User.username == username)).one()
        for lesson in course.lessons:
            progress.complete_lesson(session=db, user=user, course=course, lesson=lesson)
        finish_practices(db, user, course)  # the quiz opens after the practices too
        db.commit()
    return course


def answer_everything_right(page, course):
    for question in quiz_questions(page, course):
        bring_question(page, question.id)
        name = f"q-{question.id}"
        if question.type == "order":
            steps = page.locator(f'select[name="{name}"]')
            for position, choice_id in enumerate(question.correct_ids):
                steps.nth(position).select_option(choice_id)
        else:
            for choice_id in question.correct_ids:
                page.check(f'input[name="{name}"][value="{choice_id}"]')


def test_lessons_of_my_courses_readable_offline_after_one_visit(app, cast, new_page, catalog):
    page = new_page()
    sign_in(page, cast.learner)  # one online visit: the sign-in lands on /me
    mine = lesson_paths(catalog, "e-id") + lesson_paths(catalog, "cybersecurity")
    wait_until_kept(page, mine + ["/courses/e-id", "/courses/cybersecurity"])
    kept = page.evaluate(KEPT_URLS)
    assert not [p for p in kept if "/quiz" in p or "/attempts/" in p], kept  # lessons only
    assert not any(p.startswith("/courses/online-services") for p in kept)  # not enrolled

    page.context.set_offline(True)
    for path in mine + ["/courses/e-id"]:
        page.goto(path)
        assert page.locator("#offline-pages").count() == 0, path  # not the offline page
        if "/lessons/" in path:
            assert page.locator("article.lesson").inner_text().strip(), path
    # A page that was never kept: the offline page, listing what can be read.
    page.goto("/courses/online-services")
    assert page.locator("#offline-pages").count() == 1  # the offline page
    listed = page.locator("#offline-pages a")
    listed.first.wait_for()
    assert {listed.nth(i).get_attribute("href") for i in range(listed.count())} >= set(mine)
    with page.expect_navigation():
        page.click(f'#offline-pages a[href="{mine[1]}"]')
    assert page.locator("article.lesson").inner_text().strip()


def test_a_course_started_today_is_kept_too(cast, new_page, catalog):
    page = new_page()
    sign_in(page, cast.fresh)
    page.goto("/courses/online-services")
    with page.expect_navigation():
        page.click('form[action="/courses/online-services/enroll"] [type="submit"]')
    paths = lesson_paths(catalog, "online-services")
    assert page.url.endswith(paths[0])
    wait_until_kept(page, paths)
    page.context.set_offline(True)
    page.goto(paths[-1])
    assert page.locator("article.lesson").inner_text().strip()


def test_quiz_answered_offline_is_sent_once_back_online(app, cast, new_page, db):
    course = complete_all_lessons(app, cast.fresh)
    page = new_page()
    sign_in(page, cast.fresh)
    page.goto("/courses/e-id/quiz")
    page.evaluate("() => navigator.serviceWorker.ready")

    page.context.set_offline(True)
    answer_everything_right(page, course)
    page.click('form.quiz [type="submit"][name="submit"]')
    saved = page.locator("#quiz-saved")
    saved.wait_for()
    assert saved.is_visible()
    page.click('form.quiz [type="submit"][name="submit"]')  # pressed again: kept twice
    wait_until(page, OUTBOX.replace("resolve(request.result)", "resolve(request.result >= 2)"))
    assert page.url.endswith("/courses/e-id/quiz")
    assert attempts_of(db, cast.fresh) == []  # nothing reached the server

    # Back online: the answers are sent and the result is shown; one attempt is recorded.
    page.context.set_offline(False)
    page.wait_for_url(re.compile(r"/courses/e-id/attempts/\d+$"))
    assert page.locator("p.score.passed").count() == 1
    assert page.evaluate(OUTBOX) == 0
    page.goto("/me")
    page.wait_for_load_state("networkidle")
    recorded = attempts_of(db, cast.fresh)
    assert len(recorded) == 1 and recorded[0].passed


def test_quiz_sent_on_a_dead_connection_is_kept_by_the_service_worker(app, cast, new_page, db):
    """The phone believes it is online, but nothing gets through: the service worker keeps
    the answers and shows the offline page; the next page opened online sends them."""
    course = complete_all_lessons(app, cast.fresh)
    page = new_page()
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'onLine', "
                         "{get: () => true, configurable: true})")
    sign_in(page, cast.fresh)
    page.goto("/courses/e-id/quiz")
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    answer_everything_right(page, course)

    page.context.set_offline(True)
    with page.expect_navigation():
        page.click('form.quiz [type="submit"][name="submit"]')
    assert "/offline" in page.url
    page.locator("#offline-saved").wait_for()
    assert page.evaluate(OUTBOX) == 1
    assert attempts_of(db, cast.fresh) == []
    page.close()

    # Later, online again, any page sends them and shows the result.
    page.context.set_offline(False)
    later = page.context.new_page()
    later.goto("/")
    later.wait_for_url(re.compile(r"/courses/e-id/attempts/\d+$"))
    assert later.locator("p.score.passed").count() == 1
    recorded = attempts_of(db, cast.fresh)
    assert len(recorded) == 1 and recorded[0].passed


@pytest.mark.parametrize("workers", ["allow", "block"])
def test_signing_out_forgets_the_kept_pages(cast, new_page, catalog, workers):
    page = new_page(service_workers=workers)
    sign_in(page, cast.learner)
    if workers == "allow":
        wait_until_kept(page, lesson_paths(catalog, "e-id"))
    else:  # no service worker: app.js keeps the pages itself
        wait_until(page, KEPT_URLS.replace(".map(r => new URL(r.url).pathname)", ".length > 5"))
    with page.expect_navigation():
        page.click('header form[action="/auth/logout"] [type="submit"]')
    assert page.locator('header a[href="/auth/login"]').count() == 1
    wait_until(page, "() => caches.keys().then(names => !names.includes('digilit-pages'))")
    assert page.evaluate(OUTBOX) == 0
    if workers == "allow":
        page.context.set_offline(True)
        page.goto(lesson_paths(catalog, "e-id")[0])
        assert page.locator("#offline-pages").count() == 1  # the offline page, not the lesson


def test_service_worker_offline_page_and_kept_list(client, learn, auth, catalog):
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "application/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert worker.headers["Cache-Control"] == "no-cache"
    first = worker.get_data(as_text=True).splitlines()[0]
    assert re.search(r'"/static/css/site\.css\?v=[0-9a-f]{10}"', first), first
    assert re.search(r'"/static/js/app\.js\?v=[0-9a-f]{10}"', first), first
    assert client.get("/offline").status_code == 200
    assert client.get("/offline/pages.json").get_json() == {"pages": []}  # signed out

    auth.register()
    learn.enroll("cybersecurity")
    pages = client.get("/offline/pages.json")
    assert pages.headers["Cache-Control"] == "private, no-store"
    assert pages.get_json()["pages"] == ["/courses/cybersecurity"] + lesson_paths(catalog, "cybersecurity")


def test_a_kept_lesson_is_shown_when_the_network_hangs(cast, new_page, catalog):
    """A connection that neither answers nor fails: after a few seconds the kept copy."""
    page = new_page()
    sign_in(page, cast.learner)
    lessons = lesson_paths(catalog, "e-id")
    wait_until_kept(page, lessons)
    held = []
    page.context.route(f"**{lessons[2]}", lambda route: held.append(route))  # never answered
    started = time.monotonic()
    page.goto(lessons[2], timeout=9000)
    assert page.locator("article.lesson").inner_text().strip()
    assert held and held[0].request.service_worker is not None  # the worker's request hung
    assert time.monotonic() - started >= 3.5  # its patience, then the kept copy
