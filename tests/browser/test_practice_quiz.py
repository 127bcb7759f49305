"""In Chromium on a phone: a practice completed with and without JavaScript, and the quiz one
question per screen with up/down buttons for an ordering question."""
import pytest
from sqlmodel import select

from conftest import practice_path
from digilit.db import get_session
from digilit.models import PracticeProgress, QuizAttempt
from digilit.services import accounts, progress
from drill import PRACTICE_URL, SLUG, app  # noqa: F401
from .conftest import setup_session, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-an-toan"


@pytest.fixture
def learner(app):
    """A learner who has read every lesson of the drill course."""
    course = app.extensions["digilit.catalog"].get(SLUG)
    with setup_session(app) as db:
        user = accounts.create_user(session=db, username="hoa2025", full_name="Lê Thị Hoa",
                                    password=PASSWORD, province_code=1, commune_code=70)
        for lesson in course.lessons:
            progress.complete_lesson(session=db, user=user, course=course, lesson=lesson)
        db.commit()
    return course


def stored(app, model):
    with app.app_context():
        return get_session().exec(select(model)).all()


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.locator(selector).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_practice_from_a_mistake_to_its_end(app, live_server, new_page, learner, javascript):
    page = new_page(java_script_enabled=javascript)
    sign_in(page, "hoa2025", PASSWORD)
    page.goto(PRACTICE_URL)
    assert page.locator("img.screen-image").evaluate("img => img.naturalWidth") > 0
    # A mistake: what would have happened, and a way back.
    click_and_wait(page, 'button[name="choice"][value="send-money"]')
    assert page.locator(".outcome.mistake").is_visible()
    assert stored(app, PracticeProgress) == []
    click_and_wait(page, f'.outcome a[href="{PRACTICE_URL}"]')
    for step_id, choice_id in practice_path(learner.practice("report-scam")):
        assert page.locator('input[name="step"]').input_value() == step_id
        click_and_wait(page, f'button[name="choice"][value="{choice_id}"]')
        if page.locator(".outcome").count():
            click_and_wait(page, f'.outcome a[href="{PRACTICE_URL}"]')
    assert page.locator('button[name="choice"][value="restart"]').is_visible()
    [row] = stored(app, PracticeProgress)
    assert row.completed_at is not None
    page.goto(f"/courses/{SLUG}/quiz")
    assert page.locator('input[name="attempt_token"]').count() == 1


def finish_practice(page, course):
    for _step_id, choice_id in practice_path(course.practice("report-scam")):
        page.goto(PRACTICE_URL)
        click_and_wait(page, f'button[name="choice"][value="{choice_id}"]')


def test_the_quiz_one_question_per_screen_on_a_phone(app, live_server, page, learner):
    course = learner
    sign_in(page, "hoa2025", PASSWORD)
    finish_practice(page, course)
    page.goto(f"/courses/{SLUG}/quiz")
    questions = page.locator("fieldset.question")
    total = questions.count()
    assert total == course.draw_size == 3
    for k in range(total):
        assert [questions.nth(i).is_visible() for i in range(total)] == [i == k for i in
                                                                          range(total)]
        assert page.locator(".quiz-progress").inner_text() == f"Câu {k + 1} trên {total}"
        fieldset = questions.nth(k)
        qid = fieldset.get_attribute("id")[2:]
        question = course.question(qid)
        if question.type == "order":
            answer_order_with_buttons(page, fieldset, question)
        else:
            fieldset.locator(f'input[value="{next(c.id for c in question.choices if c.correct)}"]'
                             ).check()
        submit = page.locator('form.quiz [type="submit"][name="submit"]')
        assert submit.is_visible() == (k == total - 1)
        if k < total - 1:
            page.locator(".quiz-nav button.primary").click()
    # Previous goes back a screen, next comes forward again.
    page.locator(".quiz-nav button:not(.primary)").click()
    assert questions.nth(total - 2).is_visible()
    page.locator(".quiz-nav button.primary").click()
    click_and_wait(page, 'form.quiz [type="submit"][name="submit"]')
    assert "/attempts/" in page.url
    [attempt] = stored(app, QuizAttempt)
    assert attempt.passed and attempt.max_score == 3


def answer_order_with_buttons(page, fieldset, question):
    """Choose the steps in reverse, see a step chosen twice flagged, then put them right with
    the up/down buttons."""
    selects = fieldset.locator("select")
    ids = [c.id for c in question.choices]
    selects.nth(0).select_option(ids[0])
    selects.nth(1).select_option(ids[0])
    assert fieldset.locator(".twice[role=alert]").is_visible()
    for position, choice_id in enumerate(reversed(ids)):
        selects.nth(position).select_option(choice_id)
    assert fieldset.locator(".twice").count() == 0
    # Reverse order -> right order by moving steps up: bubble with the buttons.
    for _round in range(len(ids)):
        for position in range(1, len(ids)):
            values = [selects.nth(i).input_value() for i in range(len(ids))]
            if ids.index(values[position]) < ids.index(values[position - 1]):
                fieldset.locator(".moves").nth(position).locator("button").first.click()
    assert [selects.nth(i).input_value() for i in range(len(ids))] == ids


def test_the_quiz_without_javascript_shows_every_question(app, live_server, new_page, learner):
    page = new_page(java_script_enabled=False)
    sign_in(page, "hoa2025", PASSWORD)
    finish_practice(page, learner)
    page.goto(f"/courses/{SLUG}/quiz")
    questions = page.locator("fieldset.question")
    assert all(questions.nth(i).is_visible() for i in range(questions.count()))
    assert page.locator(".quiz-nav").count() == 0


def test_the_new_page_types_pass_axe(app, live_server, page, learner, axe_source):
    """Practice screens, a mistake, a lesson with answered self-checks, the quiz on a phone
    and the certificate check: WCAG 2.1 AA, headings in order."""
    from .test_a11y import HEADINGS, axe_violations
    sign_in(page, "hoa2025", PASSWORD)
    found = {}

    def check(name):
        found[name] = axe_violations(page, axe_source) + page.evaluate(HEADINGS)

    page.goto(PRACTICE_URL)
    check("practice step")
    click_and_wait(page, 'button[name="choice"][value="send-money"]')
    check("practice mistake")
    lesson = f"/courses/{SLUG}/lessons/spot-a-scam"
    page.goto(lesson)
    page.locator('#check-police-call input[value="pay"]').check()
    click_and_wait(page, '#check-police-call button[type="submit"]')
    check("lesson with an answered check")
    finish_practice(page, learner)
    page.goto(f"/courses/{SLUG}/quiz")
    check("phone quiz")
    page.goto("/certificates/check?code=AAAA")
    check("certificate check, no such code")
    assert not any(found.values()), found
