"""The whole way in Chromium: a citizen signs in with the identity provider (a real
oidc-provider on loopback), takes a course, downloads the certificate as a signed credential,
and an independent verifier (the `jose` library of Node) accepts it."""
import json
import re

import pytest
import requests

from browser.conftest import bring_question, quiz_questions, walk_practices
from browser.test_journey import COURSE, answer_correctly, submit
from oidc.provider import PASSWORD, Provider
from oidc.verifier import node_verify

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(app, live_server):
    """A provider that sends people back to this test's live server."""
    app.config["PUBLIC_URL"] = live_server.url
    running = Provider([live_server.url + "/auth/oidc/callback"])
    app.config.update(running.settings())
    yield running
    running.stop()


def sign_in_with_provider(page, provider, username):
    page.goto("/auth/login")
    with page.expect_navigation(url=re.compile(re.escape(provider.issuer) + "/interaction/")):
        page.click('main a[href="/auth/oidc/login"]')
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation(url=re.compile(r"/auth/oidc/welcome")):
        page.click('button[value="allow"]')


def test_sign_in_learn_and_verify_the_credential(app, live_server, page, provider, tmp_path):
    course = app.extensions["digilit.catalog"].get(COURSE)
    sign_in_with_provider(page, provider, "lan")
    assert "Nguyễn Thị Lan" in page.locator("main h1").inner_text()
    submit(page, 'form[action="/auth/oidc/welcome"]')
    assert page.url == live_server.url + "/me"
    assert page.locator("#identity form[action='/auth/oidc/unlink']").count() == 1

    page.goto(f"/courses/{COURSE}")
    submit(page, f'form[action="/courses/{COURSE}/enroll"]')
    for lesson in course.lessons:
        submit(page, f'form[action="/courses/{COURSE}/lessons/{lesson.slug}/complete"]')
    walk_practices(page, course)  # the quiz opens after them, when the course has practices
    for question in quiz_questions(page, course):  # one per screen on a phone with JavaScript
        bring_question(page, question.id)
        answer_correctly(page, question)
    submit(page, f'form[action="/courses/{COURSE}/quiz"]')
    with page.expect_navigation():
        page.click('main a[href^="/certificates/"]')
    code = page.url.rsplit("/", 1)[1]

    with page.expect_download() as download:
        page.click(f'a[href="/certificates/{code}.json"]')
    credential = json.loads(download.value.path().read_text())
    jwks = requests.get(live_server.url + "/.well-known/jwks.json", timeout=10).json()
    status = requests.get(live_server.url + "/credentials/status/1", timeout=10).text
    result = node_verify(tmp_path, credential, jwks, status)
    assert result["valid"] is True, result
    assert result["holder"] == "Nguyễn Thị Lan"
    assert result["id"] == f"{live_server.url}/certificates/{code}"


def test_denied_consent_comes_back_to_the_sign_in_page(page, provider, live_server):
    page.goto("/auth/login")
    with page.expect_navigation(url=re.compile(re.escape(provider.issuer))):
        page.click('main a[href="/auth/oidc/login"]')
    with page.expect_navigation(url=re.compile(r"/auth/login")):
        page.click('button[value="deny"]')
    assert page.locator("p.flash-error:visible").count() == 1
    assert page.locator('header a[href="/me"]').count() == 0
