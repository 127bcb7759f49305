"""A learner's journey in a real Chromium, with and without JavaScript.

Elements are found by stable hooks (form field names from the public contract, ids, link
addresses, button types), not by translated text.
"""
import re

import pytest

from digilit.db import get_session
from digilit.services import accounts, geo, progress

from conftest import finish_practices

from .conftest import bring_question, quiz_questions, setup_session, walk_practices

pytestmark = pytest.mark.browser

HANOI, HOAN_KIEM, BA_DINH = 1, 70, 4  # a province and two of its communes
VUNG_TAU = 26506  # a commune of another province (Hồ Chí Minh City)
COURSE = "e-id"
PASSWORD = "mat-khau-an-toan"


def commune_codes(page):
    return {v for v in page.locator("#commune option").evaluate_all(
        "options => options.map(o => o.value)") if v}


def fill_account(page, username, full_name, *, passwords=True):
    page.fill('[name="username"]', username)
    page.fill('[name="full_name"]', full_name)
    if passwords:
        fill_passwords(page)


def fill_passwords(page):
    page.fill('[name="password"]', PASSWORD)
    page.fill('[name="password_confirm"]', PASSWORD)


def submit(page, form_selector):
    """Click the form's main submit button (WTForms' ``submit`` field) and wait for the next page."""
    with page.expect_navigation():
        page.locator(form_selector).locator('[type="submit"][name="submit"]').click()


def answer_correctly(page, question):
    name = f"q-{question.id}"
    if question.type == "order":
        steps = page.locator(f'select[name="{name}"]')
        assert steps.count() == len(question.correct_ids)
        for position, choice_id in enumerate(question.correct_ids):
            steps.nth(position).select_option(choice_id)
    else:  # single, true_false (radios) and multiple (checkboxes)
        for choice_id in question.correct_ids:
            page.check(f'input[name="{name}"][value="{choice_id}"]')


def pdf_page_count(pdf):
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_register_learn_pass_and_print_certificate(app, live_server, page):
    course = app.extensions["digilit.catalog"].get(COURSE)
    assert course is not None and course.lessons and course.questions

    # The catalogue, then Register from the menu.
    page.goto("/")
    assert page.locator(f'a[href="/courses/{COURSE}"]').count() == 1
    with page.expect_navigation():
        page.click('header a[href="/auth/register"]')
    assert page.url.endswith("/auth/register")

    # With JavaScript, the no-JavaScript button is hidden and choosing a province
    # narrows the commune list to that province.
    assert page.locator('[name="refresh_communes"]').is_hidden()
    assert commune_codes(page) == set()
    fill_account(page, "lan2025", "Nguyễn Thị Lan")
    page.select_option('[name="province"]', str(HANOI))
    page.wait_for_selector(f'#commune option[value="{HOAN_KIEM}"]', state="attached")
    page.wait_for_selector("#commune:enabled")
    codes = commune_codes(page)
    assert {HOAN_KIEM, BA_DINH} <= {int(c) for c in codes}
    assert str(VUNG_TAU) not in codes
    with app.test_request_context():
        hanoi = {str(c.code) for c in geo.list_communes(session=get_session(), province_code=HANOI)}
    assert codes == hanoi
    page.select_option('[name="commune"]', str(HOAN_KIEM))
    submit(page, 'form[action="/auth/register"]')
    assert page.url == live_server.url + "/"
    assert page.locator('header a[href="/me"]').count() == 1  # signed in

    # Open the course and start it: that leads to the first lesson.
    with page.expect_navigation():
        page.click(f'main a[href="/courses/{COURSE}"]')
    submit(page, f'form[action="/courses/{COURSE}/enroll"]')

    # Read each lesson and mark it done; the last one opens the quiz.
    for lesson in course.lessons:
        lesson_path = f"/courses/{COURSE}/lessons/{lesson.slug}"
        assert page.url == live_server.url + lesson_path
        assert page.locator("article.lesson").inner_text().strip()
        submit(page, f'form[action="{lesson_path}/complete"]')
    walk_practices(page, course)  # the quiz opens after them, when the course has practices
    assert page.url == live_server.url + f"/courses/{COURSE}/quiz"

    # Answer every question right, whatever order the choices are shown in.
    assert page.locator("fieldset.question").count() == course.draw_size
    for question in quiz_questions(page, course):
        bring_question(page, question.id)
        answer_correctly(page, question)
    submit(page, f'form[action="/courses/{COURSE}/quiz"]')
    assert re.search(rf"/courses/{COURSE}/attempts/\d+$", page.url)
    assert page.locator("p.score.passed").count() == 1
    assert page.locator("ol.review li.wrong").count() == 0

    # The certificate: the learner's name and a QR code drawn in SVG.
    with page.expect_navigation():
        page.click('main a[href^="/certificates/"]')
    assert re.search(r"/certificates/[^/]+$", page.url)
    assert page.locator(".certificate .holder").inner_text().strip() == "Nguyễn Thị Lan"
    qr = page.locator(".certificate svg")
    assert qr.count() == 1 and qr.locator("path").count() >= 1
    assert qr.bounding_box()["width"] > 50

    # Printed on A4, it fits on one page.
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")
    assert pdf_page_count(pdf) == 1


def test_every_step_works_without_javascript(new_page, live_server):
    page = new_page(java_script_enabled=False)
    page.goto("/auth/register")

    # Without JavaScript the button to narrow the communes is there and does the job.
    refresh = page.locator('[name="refresh_communes"]')
    assert refresh.is_visible()
    assert commune_codes(page) == set()
    fill_account(page, "minh2025", "Trần Văn Minh")
    page.select_option('[name="province"]', str(HANOI))
    with page.expect_navigation():
        refresh.click()
    codes = commune_codes(page)
    assert {str(HOAN_KIEM), str(BA_DINH)} <= codes
    assert str(VUNG_TAU) not in codes
    # What was typed is kept (passwords are never sent back, so they are typed again).
    assert page.input_value('[name="username"]') == "minh2025"
    assert page.input_value('[name="full_name"]') == "Trần Văn Minh"
    assert page.input_value('[name="province"]') == str(HANOI)
    fill_passwords(page)
    page.select_option('[name="commune"]', str(HOAN_KIEM))
    submit(page, 'form[action="/auth/register"]')
    assert page.url == live_server.url + "/"
    assert page.locator('header a[href="/me"]').count() == 1

    # Start the course, then mark the first lesson done.
    page.goto(f"/courses/{COURSE}")
    submit(page, f'form[action="/courses/{COURSE}/enroll"]')
    first = re.search(rf"/courses/{COURSE}/lessons/([^/?#]+)$", page.url).group(1)
    submit(page, f'form[action="/courses/{COURSE}/lessons/{first}/complete"]')
    assert not page.url.endswith(f"/lessons/{first}")
    page.goto(f"/courses/{COURSE}")
    assert page.locator("ol.lessons li.done").count() == 1
    assert page.locator(f'ol.lessons li.done a[href$="/lessons/{first}"]').count() == 1
    assert page.locator("main progress").get_attribute("value") == "1"


def test_no_console_errors_and_nothing_from_another_host(app, live_server, page):
    course = app.extensions["digilit.catalog"].get(COURSE)
    # Arranged through the services, as a request would (lazy messages need a request),
    # and committed before the browser starts.
    with setup_session(app) as db:
        user = accounts.create_user(session=db, username="hoa2025", full_name="Lê Thị Hoa",
                                    password=PASSWORD, province_code=HANOI,
                                    commune_code=HOAN_KIEM)
        for lesson in course.lessons:
            progress.complete_lesson(session=db, user=user, course=course, lesson=lesson)
        finish_practices(db, user, course)
        db.commit()

    problems, foreign = [], []
    page.on("console", lambda msg: msg.type in ("error", "warning") and problems.append(
        f"{msg.type}: {msg.text} @ {msg.location.get('url') or page.url}"))
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error} @ {page.url}"))
    page.on("request", lambda request: None if request.url.startswith(
        live_server.url + "/") else foreign.append(request.url))

    # The catalogue, a lesson, and the registration form with its script at work.
    page.goto("/")
    page.goto(f"/courses/{COURSE}/lessons/{course.lessons[0].slug}")
    page.goto("/auth/register")
    with page.expect_response(lambda r: "/auth/communes" in r.url):
        page.select_option('[name="province"]', str(HANOI))

    # Signed in, the quiz.
    page.goto("/auth/login")
    page.fill('[name="username"]', "hoa2025")
    page.fill('[name="password"]', PASSWORD)
    submit(page, "main form")  # the sign-in form posts to its own address
    page.goto(f"/courses/{COURSE}/quiz")
    assert page.locator("fieldset.question").count() == course.draw_size
    page.wait_for_load_state("networkidle")

    assert problems == []
    assert foreign == []
