"""Phones: every page type at 360 px wide, with and without JavaScript.

No sideways scrolling (wide tables scroll inside their own ``.scroll`` box), tap targets of at
least 44 x 44 px (links inside a sentence excepted, as WCAG's inline exception), text of at
least 16 px (chart labels in SVG excepted: their figures are also given as tables). Without
JavaScript every task still works: a learner from registration to the certificate, a team
leader from a new team to the login cards, an administrator setting a target and a token.
"""
import re
from datetime import timedelta

import pytest

from digilit import clock

from .conftest import (PASSWORD, page_types, quiz_questions, sign_in, visit_every_page,
                       walk_practices, write_json)

pytestmark = pytest.mark.browser

MIN_TARGET = 44
MIN_TEXT = 16
PHONE_CHECKS = """() => {
  const problems = [];
  const shown = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== "hidden" && r.right > 0;
  };
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    const wide = [...document.querySelectorAll("body *")].filter(el =>
      el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest(".scroll"))
      .slice(0, 3).map(el => el.tagName.toLowerCase() + "." + el.className);
    problems.push(`scrolls sideways: ${doc.scrollWidth}px (${wide.join(", ")})`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest("svg, script, style, .visually-hidden")) continue;
    if (!shown(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < %(text)s - 0.05) {
      problems.push(`text of ${size}px: <${el.tagName.toLowerCase()} class="${el.className}"> "${node.textContent.trim().slice(0, 40)}"`);
    }
  }
  const inSentence = a => getComputedStyle(a).display === "inline" &&
    a.parentElement.textContent.trim().length > a.textContent.trim().length;
  const targets = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  for (const el of document.querySelectorAll(targets)) {
    if (!shown(el) || (el.tagName === "A" && inSentence(el))) continue;
    const box = ((el.type === "checkbox" || el.type === "radio") && el.closest("label")) || el;
    const r = box.getBoundingClientRect();
    if (r.height < %(target)s - 0.5 || r.width < %(target)s - 0.5) {
      problems.push(`tap target ${Math.round(r.width)}x${Math.round(r.height)}: <${el.tagName.toLowerCase()} ${el.name ? 'name="' + el.name + '"' : ""}> "${(el.textContent || el.value || "").trim().slice(0, 30)}"`);
    }
  }
  return problems;
}""" % {"text": MIN_TEXT, "target": MIN_TARGET}


def phone_problems(page, role, name):
    return page.evaluate(PHONE_CHECKS)


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_every_page_type_fits_a_phone(new_page, cast, javascript):
    results = visit_every_page(new_page, cast, phone_problems, java_script_enabled=javascript)
    write_json(f"phone-{'js' if javascript else 'nojs'}.json", results)
    assert len(results) == len(page_types(cast))
    failures = {name: problems for name, problems in results.items() if problems}
    assert not failures, failures


# --- Every task without JavaScript ---

def submit(page, form_selector, button='[type="submit"]'):
    with page.expect_navigation():
        page.locator(form_selector).locator(button).first.click()


def test_a_learner_does_everything_without_javascript(app, new_page, live_server, catalog):
    page = new_page(java_script_enabled=False)
    course = catalog.get("e-id")
    page.goto("/auth/register")
    page.fill('[name="full_name"]', "Trịnh Thị Không")
    page.fill('[name="username"]', "khongjs2025")
    page.select_option('[name="province"]', "1")
    submit(page, 'form[action="/auth/register"]', '[name="refresh_communes"]')
    page.select_option('[name="commune"]', "70")
    page.fill('[name="password"]', PASSWORD)
    page.fill('[name="password_confirm"]', PASSWORD)
    submit(page, 'form[action="/auth/register"]', '[name="submit"]')
    assert page.url == live_server.url + "/"

    page.goto("/courses/e-id")
    submit(page, 'form[action="/courses/e-id/enroll"]')
    for lesson in course.lessons:
        assert page.url.endswith(f"/lessons/{lesson.slug}")
        assert page.locator("#read-aloud").is_hidden()  # needs JavaScript: not offered
        submit(page, f'form[action$="/lessons/{lesson.slug}/complete"]')
    walk_practices(page, course)  # the quiz opens after them, when the course has practices
    assert page.url.endswith("/courses/e-id/quiz")
    for question in quiz_questions(page, course):
        name = f"q-{question.id}"
        if question.type == "order":
            for position, choice_id in enumerate(question.correct_ids):
                page.locator(f'select[name="{name}"]').nth(position).select_option(choice_id)
        else:
            for choice_id in question.correct_ids:
                page.check(f'input[name="{name}"][value="{choice_id}"]')
    submit(page, "form.quiz", '[name="submit"]')
    assert re.search(r"/attempts/\d+$", page.url)
    assert page.locator("p.score.passed").count() == 1
    with page.expect_navigation():
        page.click('main a[href^="/certificates/"]')
    assert page.locator(".certificate .holder").inner_text() == "Trịnh Thị Không"
    page.goto("/me")
    assert page.locator('main a[href^="/certificates/"]').count() == 1

    page.goto("/auth/password")
    page.fill('[name="current_password"]', PASSWORD)
    page.fill('[name="password"]', "mat-khau-moi-2025")
    page.fill('[name="password_confirm"]', "mat-khau-moi-2025")
    submit(page, 'form[action="/auth/password"]', '[name="submit"]')
    assert page.url.endswith("/me")
    submit(page, 'header form[action="/auth/logout"]')
    assert page.locator('header a[href="/auth/login"]').count() == 1
    sign_in(page, "khongjs2025", "mat-khau-moi-2025")
    assert page.url.endswith("/me")


def test_a_team_leader_does_everything_without_javascript(cast, new_page):
    page = new_page(java_script_enabled=False)
    sign_in(page, cast.leader)

    page.goto("/teams/")
    page.fill('form[action="/teams/"] [name="name"]', "Tổ công nghệ số thôn 2")
    submit(page, 'form[action="/teams/"]')
    team = re.search(r"/teams/(\d+)$", page.url).group(1)
    assert page.locator("h1").inner_text() == "Tổ công nghệ số thôn 2"

    page.fill(f'form[action="/teams/{team}/members"] [name="full_name"]', "Lý Văn Một")
    submit(page, f'form[action="/teams/{team}/members"]')
    assert page.locator(".card .pin").count() == 1  # a login card to print

    page.goto(f"/teams/{team}")
    page.check('input[name="courses"][value="e-id"]')
    with page.expect_navigation():
        page.click("#enrol")
    with page.expect_navigation():
        page.click("#print-cards")
    with page.expect_navigation():  # new PINs for the whole team: confirmed first
        page.click('main form [type="submit"]')
    assert page.locator(".card .pin").count() == 1

    page.goto(f"/teams/{team}/import")
    page.set_input_files('input[type="file"]', files=[{
        "name": "group.csv", "mimeType": "text/csv",
        "buffer": "full_name,phone,birth_year,courses\nMai Thị Hai,,1971,e-id\nMai Văn Ba,,,\n".encode()}])
    submit(page, f'form[action="/teams/{team}/import"]', '[name="submit"]')
    submit(page, "#confirm-import")
    assert page.locator(".card .pin").count() == 2

    page.goto(f"/teams/{team}/sessions")
    page.fill('[name="held_on"]', (clock.today() - timedelta(days=1)).isoformat())
    page.fill('[name="place"]', "Nhà văn hóa thôn 2")
    page.select_option('form [name="course"]', "e-id")
    page.locator('input[name="attendees"]').first.check()
    submit(page, f'form[action="/teams/{team}/sessions"]', '[name="submit"]')
    assert page.locator("#sessions tbody tr").count() == 1

    page.goto(f"/teams/{team}/progress")
    page.select_option('form.filters [name="course"]', "e-id")
    submit(page, "form.filters", 'button[type="submit"]')
    assert "course=e-id" in page.url
    assert page.locator("table.progress-grid tbody tr").count() >= 1


def test_an_administrator_does_everything_without_javascript(cast, new_page):
    page = new_page(java_script_enabled=False)
    sign_in(page, cast.national_admin)
    page.goto("/admin/stats")
    page.select_option('form.filters [name="course"]', "e-id")
    submit(page, "form.filters")
    assert "course=e-id" in page.url

    page.fill('form[action*="/admin/targets"] [name="citizens"]', "5000")
    submit(page, 'form[action*="/admin/targets"]')
    assert page.url.split("?")[0].endswith("/admin/stats")
    assert page.locator(".flash-success").count() == 1

    page.goto("/admin/tokens")
    page.fill('main form [name="name"]', "Cổng dữ liệu tỉnh")
    submit(page, "main form.stack")
    assert page.locator("code.secret").inner_text().strip()
    submit(page, 'form[action*="/revoke"]')
    assert page.locator('form[action*="/revoke"]').count() == 0
