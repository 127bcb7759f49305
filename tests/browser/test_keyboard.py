"""Keyboard only: from registration to a lesson to the quiz's result, with Tab, Enter, Space,
the arrow keys and typing. Every stop of the Tab key shows where the focus is, and the skip
link leads past the menu to the page's content."""
import re

import pytest

from digilit.db import get_session
from digilit.services import geo

from conftest import practice_path

from .conftest import PASSWORD

pytestmark = pytest.mark.browser

HANOI, HOAN_KIEM = 1, 70
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing has the focus";
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  const ring = s.boxShadow && s.boxShadow !== "none";
  const r = el.getBoundingClientRect();
  const onScreen = r.width > 0 && r.height > 0 && r.right > 0 && r.left < window.innerWidth;
  return outline || ring ? (onScreen ? "" : "focused element is off screen") :
    `no visible focus on <${el.tagName.toLowerCase()} name="${el.name || ""}">`;
}"""


def active_matches(page, selector):
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                         selector)


def tab_to(page, selector, limit=80):
    """Press Tab until the focus is on ``selector``, checking that every stop shows it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        problem = page.evaluate(FOCUS_SHOWN)
        assert not problem, f"{problem} on {page.url}"
        if active_matches(page, selector):
            return
    raise AssertionError(f"{selector} not reached with Tab on {page.url}")


def press_enter_and_wait(page, key="Enter"):
    with page.expect_navigation():
        page.keyboard.press(key)


def choose_with_keys(page, value, count):
    """Pick ``value`` in the focused select list with Home and the down arrow."""
    page.keyboard.press("Home")
    for _ in range(count + 2):
        if page.evaluate("() => document.activeElement.value") == str(value):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not choose {value} with the keyboard")


def test_register_read_and_pass_the_quiz_with_the_keyboard(app, page, live_server):
    course = app.extensions["digilit.catalog"].get("e-id")
    with app.test_request_context():
        db = get_session()
        provinces = {p.code: p.name for p in geo.list_provinces(session=db)}
        communes = {c.code: c.name for c in geo.list_communes(session=db, province_code=HANOI)}

    page.goto("/")
    # The first Tab shows the skip link; it leads into the content.
    page.keyboard.press("Tab")
    assert active_matches(page, "a.skip")
    assert not page.evaluate(FOCUS_SHOWN)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")

    page.goto("/")
    tab_to(page, 'header a[href="/auth/register"]')
    press_enter_and_wait(page)

    tab_to(page, '[name="full_name"]')
    page.keyboard.type("Nguyễn Văn Phím")
    page.keyboard.press("Tab")
    assert active_matches(page, '[name="username"]')
    page.keyboard.type("phim2025")
    page.keyboard.press("Tab")
    assert active_matches(page, '[name="province"]')
    choose_with_keys(page, HANOI, len(provinces))
    page.wait_for_selector(f'#commune option[value="{HOAN_KIEM}"]', state="attached")
    page.wait_for_selector("#commune:enabled")
    tab_to(page, '[name="commune"]')
    choose_with_keys(page, HOAN_KIEM, len(communes))
    tab_to(page, '[name="password"]')
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert active_matches(page, '[name="password_confirm"]')
    page.keyboard.type(PASSWORD)
    tab_to(page, 'form[action="/auth/register"] [type="submit"][name="submit"]')
    press_enter_and_wait(page)
    assert page.url == live_server.url + "/"

    # The course, then start it: that opens the first lesson.
    tab_to(page, 'main a[href="/courses/e-id"]')
    press_enter_and_wait(page)
    tab_to(page, 'form[action="/courses/e-id/enroll"] [type="submit"]')
    press_enter_and_wait(page)
    for lesson in course.lessons:
        assert page.url.endswith(f"/lessons/{lesson.slug}")
        tab_to(page, f'form[action$="/lessons/{lesson.slug}/complete"] [type="submit"]')
        press_enter_and_wait(page, "Space" if lesson.position % 2 else "Enter")
    # The practices, when the course has them: each answer is a button.
    for item in course.practices:
        for _step_id, choice_id in practice_path(item):
            page.goto(f"/courses/e-id/practice/{item.slug}")
            tab_to(page, f'button[name="choice"][value="{choice_id}"]')
            press_enter_and_wait(page)
        page.goto("/courses/e-id/quiz")
    assert page.url.endswith("/courses/e-id/quiz")

    # The quiz: radios with the arrow keys, boxes with Space, steps chosen in select lists.
    order = page.locator("fieldset.question").evaluate_all("fs => fs.map(f => f.id)")
    questions = {f"q-{q.id}": q for q in course.questions}
    for fieldset_id in order:
        question = questions[fieldset_id]
        right = list(question.correct_ids)
        if not page.locator(f"#{fieldset_id}").is_visible():
            # One question per screen on a phone: "Next question" is a button.
            tab_to(page, ".quiz-nav button.primary")
            page.keyboard.press("Enter")
        tab_to(page, f"#{fieldset_id} input, #{fieldset_id} select")
        if question.type == "order":
            steps = len(question.choices)
            for position, choice_id in enumerate(right):
                for _ in range(steps + 2):
                    if page.evaluate("() => document.activeElement.value") == choice_id:
                        break
                    page.keyboard.press("ArrowDown")
                assert page.evaluate("() => document.activeElement.value") == choice_id
                if position < steps - 1:
                    page.keyboard.press("Tab")
        elif question.type == "multiple":
            boxes = page.locator(f'#{fieldset_id} input[type="checkbox"]').count()
            for n in range(boxes):
                if page.evaluate("() => document.activeElement.value") in right:
                    page.keyboard.press("Space")
                if n < boxes - 1:
                    page.keyboard.press("Tab")
        else:
            for _ in range(len(question.choices) + 1):
                if page.evaluate("() => document.activeElement.value") == right[0]:
                    break
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Space")
        checked = page.locator(f"#{fieldset_id} input:checked").evaluate_all(
            "els => els.map(e => e.value)")
        if question.type != "order":
            assert sorted(checked) == sorted(right), fieldset_id
    tab_to(page, 'form.quiz [type="submit"][name="submit"]')
    press_enter_and_wait(page)
    assert re.search(r"/courses/e-id/attempts/\d+$", page.url)
    assert page.locator("p.score.passed").count() == 1
