"""The test course ``drill`` (tests/fixtures/courses/drill): two lessons with self-checks, a
practice with a mistake, an SVG screen and an end, and a bank of 7 questions of which an
attempt draws 3. Tests of the learning engine run on it, not on the real courses."""
import re
from pathlib import Path

import pytest

from conftest import CSRF_RE, csrf_token
from digilit import create_app
from digilit.db import dispose

FIXTURE_COURSES = Path(__file__).parent / "fixtures" / "courses"
SLUG, PRACTICE = "drill", "report-scam"
PRACTICE_URL = f"/courses/{SLUG}/practice/{PRACTICE}"


@pytest.fixture
def app(database_url):
    """The app serving the fixture courses."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": database_url,
                      "COURSES_DIR": str(FIXTURE_COURSES)})
    yield app
    dispose(app.extensions["digilit.engine"])


@pytest.fixture
def course(catalog):
    return catalog.get(SLUG)


def page_of(response):
    return response.get_data(as_text=True)


def answer_step(client, step, choice, version=3, url=PRACTICE_URL):
    """Post one answer on a practice page, as its button would."""
    return client.post(url, data={"csrf_token": csrf_token(client, url), "step": step,
                                  "choice": choice, "version": version})


def finish_practice(client):
    """Walk the practice to its end by its good choices."""
    for step, choice in (("incoming-call", "hang-up"), ("report", "call-113")):
        response = answer_step(client, step, choice)
        assert response.status_code in (200, 302), response.status_code


def ready_for_quiz(client, learn, course):
    """Every lesson and the practice done (``complete_all`` walks the practices too)."""
    learn.complete_all(SLUG)


QUESTION_RE = re.compile(r'name="q-([^"]+)"')


def drawn(page):
    return list(dict.fromkeys(QUESTION_RE.findall(page)))


def quiz_form(client):
    page = page_of(client.get(f"/courses/{SLUG}/quiz"))
    token = re.search(r'name="attempt_token" type="hidden" value="([^"]+)"', page)
    assert token, "the quiz is not open"
    return page, CSRF_RE.search(page).group(1), token.group(1)


def answer_quiz(client, course, right=True, extra=None):
    """Answer the questions the quiz page drew; returns (response, drawn ids)."""
    page, csrf, token = quiz_form(client)
    ids = drawn(page)
    data = {"csrf_token": csrf, "attempt_token": token, **(extra or {})}
    for qid in ids:
        question = course.question(qid)
        if question.type == "order":
            values = [c.id for c in question.choices]
            data[f"q-{qid}"] = values if right else list(reversed(values))
        else:
            data[f"q-{qid}"] = next(c.id for c in question.choices if c.correct is right)
    return client.post(f"/courses/{SLUG}/quiz", data=data), ids
