"""Practices: the learner's current step, mistakes shown safely, stale forms refused,
completion recorded once, and the quiz waiting for them."""
import pytest
from sqlmodel import select

from conftest import AuthActions, CSRF_RE
from digilit.models import Enrolment, PracticeProgress
from drill import (PRACTICE_URL, SLUG, answer_step, app, course, finish_practice,  # noqa: F401
                   page_of)


def progress_rows(db):
    db.expire_all()
    return db.exec(select(PracticeProgress)).all()


def test_a_practice_needs_a_signed_in_learner(client):
    response = client.get(PRACTICE_URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_an_unknown_practice_is_404(client, learner):
    assert client.get(f"/courses/{SLUG}/practice/nothing").status_code == 404
    assert client.get("/courses/nothing/practice/report-scam").status_code == 404


def test_a_fresh_start_shows_the_first_step_with_its_drawing(client, learner, course):
    page = page_of(client.get(PRACTICE_URL))
    first = course.practice("report-scam").first
    assert first.screen["vi"].strip() in page
    assert 'name="step" type="hidden" value="incoming-call"' in page
    assert 'name="version" type="hidden" value="3"' in page
    assert f'<img class="screen-image" src="{PRACTICE_URL}/images/call.svg" alt=""' in page
    assert 'name="choice" value="send-money"' in page and 'name="choice" value="hang-up"' in page
    assert len(page.encode()) < 8000  # a light page


def test_the_drawing_is_served_as_svg_with_strict_headers(client, course):
    response = client.get(f"{PRACTICE_URL}/images/call.svg")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.get_data() == course.practice("report-scam").images["call.svg"]
    assert client.get(f"{PRACTICE_URL}/images/other.svg").status_code == 404


def test_a_mistake_shows_what_would_have_happened_and_records_nothing(client, learner, db):
    response = answer_step(client, "incoming-call", "send-money")
    page = page_of(response)
    assert response.status_code == 200
    assert "Bạn sẽ mất tiền: kẻ gian rút hết ngay." in page
    assert f'href="{PRACTICE_URL}"' in page  # back, to try again
    assert 'name="choice"' not in page
    assert progress_rows(db) == []
    # Going back shows the same step again.
    assert 'value="incoming-call"' in page_of(client.get(PRACTICE_URL))


def test_feedback_is_rendered_safely(client, learner):
    page = page_of(answer_step(client, "incoming-call", "hang-up"))
    assert "<p>Đúng: cúp máy là an toàn.</p>" in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_good_choice_moves_the_learner_on(client, learner, db):
    answer_step(client, "incoming-call", "hang-up")
    [row] = progress_rows(db)
    assert row.step_id == "report" and row.completed_at is None and row.course_version == 3
    assert 'value="report"' in page_of(client.get(PRACTICE_URL))
    # Answering enrols, as a lesson does.
    assert db.exec(select(Enrolment)).one().course_slug == SLUG
    # A choice without feedback goes straight to the next step (post, redirect, get).
    response = answer_step(client, "report", "call-113")
    assert response.status_code == 302 and response.headers["Location"] == PRACTICE_URL


@pytest.mark.parametrize("step, choice, version", [
    ("incoming-call", "hang-up", 3),   # the form of a step already answered (sent twice)
    ("done", "restart", 3),            # a step the learner has not reached
    ("report", "hang-up", 3),          # a choice the step does not have
    ("report", "call-113", 2),         # a form of an older version of the course
    ("report", "call-113", "x"),
])
def test_a_stale_or_forged_form_is_refused_and_records_nothing(client, learner, db, step,
                                                                choice, version):
    answer_step(client, "incoming-call", "hang-up")
    before = [(r.step_id, r.updated_at, r.completed_at) for r in progress_rows(db)]
    response = answer_step(client, step, choice, version=version)
    assert response.status_code == 409
    page = page_of(response)
    assert 'class="flash flash-error" role="alert"' in page
    assert 'value="report"' in page  # the learner's current step is shown
    assert [(r.step_id, r.updated_at, r.completed_at) for r in progress_rows(db)] == before


def test_another_learners_form_is_refused(app, client, learner, db):
    page = page_of(client.get(PRACTICE_URL))
    csrf = CSRF_RE.search(page).group(1)
    other = app.test_client()
    AuthActions(other).register(username="hoa2025", full_name="Lê Thị Hoa")
    response = other.post(PRACTICE_URL, data={"csrf_token": csrf, "step": "incoming-call",
                                              "choice": "hang-up", "version": 3})
    assert response.status_code == 400
    assert "form" in page_of(response).lower()
    assert progress_rows(db) == []


def test_reaching_the_end_completes_the_practice_once(client, learner, db):
    finish_practice(client)
    [row] = progress_rows(db)
    first_completion = row.completed_at
    assert row.step_id == "done" and first_completion is not None
    page = page_of(client.get(PRACTICE_URL))
    assert 'name="choice" value="restart"' in page
    # Practising again starts over and keeps the first completion.
    assert answer_step(client, "done", "restart").status_code == 302
    finish_practice(client)
    [row] = progress_rows(db)
    assert row.completed_at == first_completion


def test_the_course_page_lists_practices_with_done_marks(client, learner, course):
    page = page_of(client.get(f"/courses/{SLUG}"))
    assert f'<a href="{PRACTICE_URL}">Báo cáo cuộc gọi lừa đảo</a>' in page
    assert '<li class="done">\n    <a href="' + PRACTICE_URL not in page
    finish_practice(client)
    page = page_of(client.get(f"/courses/{SLUG}"))
    assert '<li class="done">\n    <a href="' + PRACTICE_URL in page


def test_the_quiz_waits_for_lessons_and_practices(client, learner, learn, course):
    for lesson in course.lessons:
        learn.complete(SLUG, lesson.slug)
    page = page_of(client.get(f"/courses/{SLUG}/quiz"))
    assert 'name="attempt_token"' not in page
    assert f'href="{PRACTICE_URL}"' in page
    course_page = page_of(client.get(f"/courses/{SLUG}"))
    assert "Bài kiểm tra mở khi bạn học xong mọi bài học và mọi bài thực hành." in course_page
    finish_practice(client)
    assert 'name="attempt_token"' in page_of(client.get(f"/courses/{SLUG}/quiz"))
    assert "Bài kiểm tra đang mở." in page_of(client.get(f"/courses/{SLUG}"))


def test_the_last_lesson_leads_to_the_practice(client, learner, learn, course):
    for lesson in course.lessons[:-1]:
        learn.complete(SLUG, lesson.slug)
    response = learn.complete(SLUG, course.lessons[-1].slug)
    assert response.headers["Location"] == PRACTICE_URL


def test_a_learners_practice_and_check_answers_are_in_their_data_and_deleted_with_them(
        client, learner, db):
    from digilit.models import LessonCheckAnswer
    from conftest import csrf_token
    finish_practice(client)
    lesson = f"/courses/{SLUG}/lessons/spot-a-scam"
    client.post(f"{lesson}/checks/police-call",
                data={"csrf_token": csrf_token(client, lesson), "choice": "refuse"})
    data = client.get("/me/data.json").get_json()
    assert data["practices"][0]["practice"] == "report-scam"
    assert data["practices"][0]["completed_at"]
    assert data["lesson_checks"][0]["check"] == "police-call"
    response = client.post("/me/delete", data={"csrf_token": csrf_token(client, "/me"),
                                               "password": "mat-khau-an-toan"})
    assert response.status_code == 302
    assert progress_rows(db) == [] and db.exec(select(LessonCheckAnswer)).all() == []


def test_my_learning_leads_to_the_practice_once_the_lessons_are_done(client, learner, learn,
                                                                     course):
    for lesson in course.lessons:
        learn.complete(SLUG, lesson.slug)
    page = page_of(client.get("/me"))
    assert f'href="{PRACTICE_URL}"' in page and f'href="/courses/{SLUG}/quiz"' not in page
    finish_practice(client)
    page = page_of(client.get("/me"))
    assert f'href="/courses/{SLUG}/quiz"' in page
