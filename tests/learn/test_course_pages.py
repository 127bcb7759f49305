"""Catalogue, course and lesson pages, with the learner's progress."""
import re
import shutil

import pytest
from markupsafe import escape

from digilit.content.render import split_sections

from sqlmodel import select

from conftest import HANOI, HOAN_KIEM, csrf_token
from digilit import create_app, paths
from digilit.models import Enrolment, LessonProgress
from digilit.db import dispose

SLUG = "e-id"


def page_of(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def cards(page):
    """``{course slug: card HTML}`` of the catalogue."""
    found = {}
    for card in re.findall(r'<li class="card">(.*?)</li>', page, re.S):
        slug = re.search(r'href="/courses/([^"/]+)"', card).group(1)
        found[slug] = card
    return found


def progress_values(html):
    return [(int(m), int(v)) for m, v in re.findall(r'<progress max="(\d+)" value="(\d+)">', html)]


def done_lessons(page):
    """Slugs of the lessons shown as done on a course page."""
    return re.findall(r'<li class="done">\s*<a href="/courses/[^/]+/lessons/([^"]+)"', page)


def continue_target(page):
    match = re.search(r'<a class="button primary" href="([^"]+)"', page)
    return match and match.group(1)


# --- catalogue -------------------------------------------------------------------------------

def test_catalogue_lists_every_course_with_its_minutes(client, catalog):
    page = page_of(client.get("/?lang=en"))
    found = cards(page)
    assert set(found) == {course.slug for course in catalog} and len(found) == 6
    for course in catalog:
        card = found[course.slug]
        assert str(escape(course.title["en"])) in card
        assert f"{course.minutes} minutes" in card
        assert f"{len(course.lessons)} lessons" in card
        assert progress_values(card) == []  # anonymous: no progress


def test_catalogue_is_in_vietnamese_by_default(client, catalog):
    page = page_of(client.get("/"))
    assert '<html lang="vi">' in page
    for course in catalog:
        assert str(escape(course.title["vi"])) in cards(page)[course.slug]
        assert str(course.minutes) in cards(page)[course.slug]


def test_catalogue_shows_the_learners_progress(client, learner, learn, catalog):
    course = catalog.get(SLUG)
    learn.complete(SLUG, course.lessons[0].slug)
    learn.complete(SLUG, course.lessons[1].slug)
    found = cards(page_of(client.get("/")))
    assert progress_values(found[SLUG]) == [(len(course.lessons), 2)]
    for other in set(found) - {SLUG}:
        assert progress_values(found[other]) == []


def test_catalogue_marks_a_passed_course(client, learner, learn):
    learn.pass_course(SLUG)
    card = cards(page_of(client.get("/")))[SLUG]
    assert 'class="passed"' in card
    assert progress_values(card) == []


# --- course page -----------------------------------------------------------------------------

def test_course_page_for_a_visitor_invites_to_register(client, catalog):
    course = catalog.get(SLUG)
    page = page_of(client.get(f"/courses/{SLUG}"))
    assert 'href="/auth/register"' in page
    assert f'action="/courses/{SLUG}/enroll"' not in page
    for lesson in course.lessons:
        assert f'href="/courses/{SLUG}/lessons/{lesson.slug}"' in page
    assert progress_values(page) == []


def test_enrolling_opens_the_first_lesson_once(client, learner, learn, catalog, count):
    page = page_of(client.get(f"/courses/{SLUG}"))
    assert f'action="/courses/{SLUG}/enroll"' in page
    response = learn.enroll(SLUG)
    assert response.status_code == 302
    assert response.headers["Location"] == \
        f"/courses/{SLUG}/lessons/{catalog.get(SLUG).lessons[0].slug}"
    learn.enroll(SLUG)
    assert count(Enrolment, course_slug=SLUG) == 1
    page = page_of(client.get(f"/courses/{SLUG}"))
    assert f'action="/courses/{SLUG}/enroll"' not in page
    assert progress_values(page) == [(len(catalog.get(SLUG).lessons), 0)]


def test_enrolment_records_the_learners_area(learner, learn, db):
    learn.enroll(SLUG)
    enrolment = db.exec(select(Enrolment)).one()
    assert (enrolment.province_code, enrolment.commune_code) == (HANOI, HOAN_KIEM)
    assert enrolment.completed_at is None


def test_course_page_shows_done_marks_progress_and_continue(client, learner, learn, catalog):
    course = catalog.get(SLUG)
    first, second, third = (lesson.slug for lesson in course.lessons[:3])
    learn.complete(SLUG, first)
    learn.complete(SLUG, third)
    page = page_of(client.get(f"/courses/{SLUG}"))
    assert done_lessons(page) == [first, third]
    assert progress_values(page) == [(len(course.lessons), 2)]
    # "Continue" leads to the first lesson not done, not to the one after the last done.
    assert continue_target(page) == f"/courses/{SLUG}/lessons/{second}"


def test_course_page_leads_to_the_quiz_when_every_lesson_is_done(client, learner, learn,
                                                                 catalog):
    learn.complete_all(SLUG)
    page = page_of(client.get(f"/courses/{SLUG}"))
    assert done_lessons(page) == list(catalog.get(SLUG).lesson_slugs)
    assert continue_target(page) == f"/courses/{SLUG}/quiz"


def test_course_page_lists_attempts_and_the_certificate(client, learner, learn):
    result = learn.pass_course(SLUG)
    page = page_of(client.get(f"/courses/{SLUG}"))
    assert f'href="{result}"' in page
    assert re.search(r'href="/certificates/[A-Z0-9-]{19}"', page)


# --- lesson page -----------------------------------------------------------------------------

def test_lesson_page_shows_the_rendered_lesson(client, catalog):
    course = catalog.get(SLUG)
    lesson = course.lessons[0]
    page = page_of(client.get(f"/courses/{SLUG}/lessons/{lesson.slug}"))
    # Each "##" section comes whole, in order, with an anchor to send learners back to it.
    parts = split_sections(lesson.html["vi"])
    for number, part in enumerate(parts):
        assert part.strip() in page
        assert number == 0 or f'<section id="section-{number}">' in page
    english = page_of(client.get(f"/courses/{SLUG}/lessons/{lesson.slug}?lang=en"))
    for part in split_sections(lesson.html["en"]):
        assert part.strip() in english
    assert str(escape(lesson.title["en"])) in english


def test_lesson_pages_link_previous_and_next(client, catalog):
    lessons = catalog.get(SLUG).lessons
    first = page_of(client.get(f"/courses/{SLUG}/lessons/{lessons[0].slug}"))
    assert 'rel="prev"' not in first
    assert f'rel="next" href="/courses/{SLUG}/lessons/{lessons[1].slug}"' in first
    middle = page_of(client.get(f"/courses/{SLUG}/lessons/{lessons[1].slug}"))
    assert f'rel="prev" href="/courses/{SLUG}/lessons/{lessons[0].slug}"' in middle
    assert f'rel="next" href="/courses/{SLUG}/lessons/{lessons[2].slug}"' in middle
    last = page_of(client.get(f"/courses/{SLUG}/lessons/{lessons[-1].slug}"))
    assert f'rel="prev" href="/courses/{SLUG}/lessons/{lessons[-2].slug}"' in last
    assert 'rel="next"' not in last
    assert f'href="/courses/{SLUG}/quiz"' in last


def test_a_visitor_can_read_and_is_offered_to_sign_in(client, catalog):
    lesson = catalog.get(SLUG).lessons[1]
    page = page_of(client.get(f"/courses/{SLUG}/lessons/{lesson.slug}"))
    assert "/complete" not in page
    assert f'href="/auth/login?next=%2Fcourses%2F{SLUG}%2Flessons%2F{lesson.slug}"' in page \
        or f'href="/auth/login?next=/courses/{SLUG}/lessons/{lesson.slug}"' in page


def test_marking_done_is_idempotent(client, learner, learn, catalog, count):
    lessons = catalog.get(SLUG).lessons
    page = page_of(client.get(f"/courses/{SLUG}/lessons/{lessons[0].slug}"))
    assert f'action="/courses/{SLUG}/lessons/{lessons[0].slug}/complete"' in page
    first = learn.complete(SLUG, lessons[0].slug)
    second = learn.complete(SLUG, lessons[0].slug)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == f"/courses/{SLUG}/lessons/{lessons[1].slug}"
    assert count(LessonProgress, lesson_slug=lessons[0].slug) == 1
    assert count(LessonProgress) == 1
    assert count(Enrolment) == 1  # doing a lesson enrols
    page = page_of(client.get(f"/courses/{SLUG}/lessons/{lessons[0].slug}"))
    assert f'action="/courses/{SLUG}/lessons/{lessons[0].slug}/complete"' not in page
    assert progress_values(page) == [(len(lessons), 1)]


def test_the_last_lesson_done_opens_the_quiz(client, learner, learn, catalog):
    """... or the course's first practice, when it has practices: the quiz opens after them."""
    course = catalog.get(SLUG)
    lessons = course.lessons
    after = (f"/courses/{SLUG}/practice/{course.practices[0].slug}" if course.practices
             else f"/courses/{SLUG}/quiz")
    for lesson in lessons[:-1]:
        assert learn.complete(SLUG, lesson.slug).headers["Location"] != after
    assert learn.complete(SLUG, lessons[-1].slug).headers["Location"] == after


def test_marking_done_needs_a_signed_in_learner(client, catalog, count):
    lesson = catalog.get(SLUG).lessons[0]
    response = client.post(f"/courses/{SLUG}/lessons/{lesson.slug}/complete",
                           data={"csrf_token": csrf_token(client, "/auth/login")})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert count(LessonProgress) == 0


# --- not found -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/courses/no-such-course",
    "/courses/no-such-course/lessons/vneid-basics",
    f"/courses/{SLUG}/lessons/no-such-lesson",
    f"/courses/{SLUG}/attempts/999999",
    "/courses/no-such-course/quiz",
    "/no-such-page",
])
def test_unknown_course_or_lesson_is_a_404_page(client, learner, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>" in page and 'href="/"' in page
    assert "Traceback" not in page and "werkzeug" not in page.lower()


@pytest.mark.parametrize("url", ["/courses/no-such-course/enroll",
                                 f"/courses/{SLUG}/lessons/no-such-lesson/complete",
                                 "/courses/no-such-course/quiz"])
def test_posting_to_an_unknown_course_or_lesson_is_a_404(client, learner, url, count):
    response = client.post(url, data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 404
    assert count(Enrolment) == count(LessonProgress) == 0


# --- a lesson with hostile Markdown is served sanitised --------------------------------------

HOSTILE = """\
## Hostile lesson

<script>alert("raw")</script>
<img src=x onerror=alert(1)>
<iframe src="https://evil.example/"></iframe>

[click me](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=)

| a | b |
|---|---|
| 1 | 2 |
"""


@pytest.fixture
def hostile_app(database_url, tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(paths.COURSES_DIR / SLUG, courses / SLUG)
    for lang in ("vi", "en"):
        lesson = next((courses / SLUG / "lessons").glob(f"01-*.{lang}.md"))
        lesson.write_text(HOSTILE, encoding="utf-8")
    # The hostile lesson lacks the "##" sections that checks and quiz questions point to.
    for checks in (courses / SLUG / "lessons").glob("01-*.checks.yaml"):
        checks.unlink()
    quiz = courses / SLUG / "quiz.yaml"
    quiz.write_text(re.sub(r"^ *section: *\d+ *\n", "", quiz.read_text(encoding="utf-8"),
                           flags=re.M), encoding="utf-8")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": database_url, "COURSES_DIR": str(courses)})
    yield app
    dispose(app.extensions["digilit.engine"])


def test_a_hostile_lesson_is_served_sanitised(hostile_app):
    lesson = hostile_app.extensions["digilit.catalog"].get(SLUG).lessons[0]
    page = page_of(hostile_app.test_client().get(f"/courses/{SLUG}/lessons/{lesson.slug}"))
    article = re.search(r'<article class="lesson"[^>]*>(.*?)</article>', page, re.S).group(1)
    assert "<h2>Hostile lesson</h2>" in article
    assert "<table>" in article and "<td>1</td>" in article
    assert not re.search(r"<(script|img|iframe)\b", article, re.I)
    assert not re.search(r"(href|src)=\"\s*(javascript|data):", article, re.I)
    assert "<script" not in page.replace('<script src="', "")  # only external, same-site scripts
