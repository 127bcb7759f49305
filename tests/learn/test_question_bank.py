"""Question banks: an attempt draws ``quiz_size`` questions from its token, grading counts only
those, foreign forms are refused; the result page; the pause after two failures."""
import json
import re
from dataclasses import replace

from sqlmodel import select

from conftest import AuthActions, LearnActions
from digilit.models import QuizAttempt
from digilit.services import quiz_rules
from digilit.db import dispose
from drill import (SLUG, answer_quiz, app, course, drawn, page_of, quiz_form,  # noqa: F401
                   ready_for_quiz)

QUIZ_URL = f"/courses/{SLUG}/quiz"


def attempts(db):
    db.expire_all()
    return db.exec(select(QuizAttempt).order_by(QuizAttempt.id)).all()


def ready(client, learn, course):
    ready_for_quiz(client, learn, course)


def test_an_attempt_draws_quiz_size_questions(client, learner, learn, course):
    ready(client, learn, course)
    page, _csrf, token = quiz_form(client)
    ids = drawn(page)
    assert len(ids) == 3
    assert set(ids) == quiz_rules.drawn_ids(course, token)
    # The same token always draws the same questions.
    assert quiz_rules.drawn_ids(course, token) == quiz_rules.drawn_ids(course, token)
    assert "3 câu hỏi mỗi lần làm bài." in page_of(client.get(f"/courses/{SLUG}"))


def test_grading_counts_only_the_drawn_questions(client, learner, learn, course, db):
    ready(client, learn, course)
    response, ids = answer_quiz(client, course, right=True)
    assert response.status_code == 302
    [attempt] = attempts(db)
    assert (attempt.score, attempt.max_score, attempt.percent) == (3, 3, 100)
    assert sorted(json.loads(attempt.answers)) == sorted(ids)


def test_a_form_with_a_question_outside_the_draw_is_refused(client, learner, learn, course, db):
    ready(client, learn, course)
    _page, csrf, token = quiz_form(client)
    outside = next(q for q in course.questions
                   if q.id not in quiz_rules.drawn_ids(course, token))
    data = _right_answers(course, token)
    data.update({"csrf_token": csrf, "attempt_token": token, f"q-{outside.id}": "right"})
    response = client.post(QUIZ_URL, data=data)
    assert response.status_code == 302 and response.headers["Location"] == QUIZ_URL
    assert "không thuộc bài kiểm tra của bạn" in page_of(client.get(QUIZ_URL))
    assert attempts(db) == []


def _right_answers(course, token):
    return {f"q-{q.id}": [c.id for c in q.choices] if q.type == "order"
            else next(c.id for c in q.choices if c.correct)
            for q in quiz_rules.drawn_questions(course, token)}


def _post_with_token(client, course, token):
    _page, csrf, _own = quiz_form(client)
    data = {"csrf_token": csrf, "attempt_token": token, **_right_answers(course, token)}
    return client.post(QUIZ_URL, data=data)


def test_tokens_of_another_learner_course_or_version_are_refused(app, client, learner, learn,
                                                                 course, db):
    ready(client, learn, course)
    secret = app.config["SECRET_KEY"]
    own_id = db.exec(select(QuizAttempt.user_id)).first()  # none yet
    assert own_id is None
    foreign = [
        quiz_rules.signed_token(secret=secret, user_id=999, course=course),
        quiz_rules.signed_token(secret=secret, user_id=1, course=replace(course, slug="e-id")),
        quiz_rules.signed_token(secret=secret, user_id=1, course=replace(course, version=2)),
        "made-up-token",
    ]
    for token in foreign:
        response = _post_with_token(client, course, token)
        assert response.status_code == 302 and response.headers["Location"] == QUIZ_URL
        assert "Chưa có gì được ghi nhận" in page_of(client.get(QUIZ_URL))
    assert attempts(db) == []
    # The learner's own token works.
    own = quiz_rules.signed_token(secret=secret, user_id=1, course=course)
    assert "/attempts/" in _post_with_token(client, course, own).headers["Location"]


def test_a_failed_result_shows_what_to_reread_but_not_the_right_answer(client, learner, learn,
                                                                        course, db):
    ready(client, learn, course)
    response, ids = answer_quiz(client, course, right=False)
    page = page_of(client.get(response.headers["Location"]))
    assert "Những gì cần đọc lại" in page
    for qid in ids:
        question = course.question(qid)
        assert question.prompt["vi"] in page
        assert question.explain["vi"] in page
        right = [c for c in question.choices if c.correct] or question.choices[:1]
        assert "Đáp án đúng:" not in page
        if question.type != "order":
            assert right[0].text["vi"] not in page
        if question.lesson:
            lesson = course.lesson(question.lesson)
            anchor = f"#section-{question.section}" if question.section else ""
            assert f'href="/courses/{SLUG}/lessons/{lesson.slug}{anchor}"' in page
    for question in course.questions:
        if question.id not in ids:
            assert question.prompt["vi"] not in page


def test_a_passed_result_shows_everything(client, learner, learn, course):
    ready(client, learn, course)
    response, ids = answer_quiz(client, course, right=True)
    page = page_of(client.get(response.headers["Location"]))
    assert "Những gì cần đọc lại" not in page
    for qid in ids:
        assert course.question(qid).explain["vi"] in page


def test_fail_twice_meet_the_pause_then_retake_another_draw(app, client, learner, learn, course,
                                                           db, clock):
    """The scripted journey: two failures, a pause with a message and nothing recorded, the
    clock moved past it, a retake that draws another set of questions."""
    ready(client, learn, course)
    first, first_ids = answer_quiz(client, course, right=False)
    second, second_ids = answer_quiz(client, course, right=False)
    assert "/attempts/" in first.headers["Location"] and "/attempts/" in second.headers["Location"]
    assert set(first_ids) != set(second_ids)  # a retake is a different draw
    # The quiz page is closed, saying when it opens (10:10 in Vietnam: 600 s after 10:00).
    page = page_of(client.get(QUIZ_URL))
    assert 'name="attempt_token"' not in page
    assert "10:10" in page and "giờ Việt Nam" in page
    assert "10:10" in page_of(client.get(f"/courses/{SLUG}"))
    assert "10:10" in page_of(client.get(second.headers["Location"]))
    # A form kept from before is refused with a message, and nothing is recorded.
    token = quiz_rules.signed_token(secret=app.config["SECRET_KEY"], user_id=1, course=course)
    answers = {"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                                       page).group(1), "attempt_token": token,
               **_right_answers(course, token)}
    response = client.post(QUIZ_URL, data=answers)
    assert response.status_code == 302
    assert "Chưa có gì được ghi nhận" in page_of(client.get(QUIZ_URL))
    assert len(attempts(db)) == 2
    # Ten minutes later the quiz opens again, with another draw.
    clock.advance(601)
    third, third_ids = answer_quiz(client, course, right=True)
    assert "/attempts/" in third.headers["Location"]
    assert set(third_ids) != set(second_ids)
    assert [a.passed for a in attempts(db)] == [False, False, True]


def test_the_pause_is_configurable(database_url, clock):
    from drill import FIXTURE_COURSES
    from digilit import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "SQLALCHEMY_DATABASE_URI": database_url,
                      "COURSES_DIR": str(FIXTURE_COURSES), "QUIZ_RETRY_PAUSE": 0})
    try:
        client = app.test_client()
        AuthActions(client).register()
        course = app.extensions["digilit.catalog"].get(SLUG)
        ready_for_quiz(client, LearnActions(client, app.extensions["digilit.catalog"]), course)
        for _ in range(3):
            response, _ids = answer_quiz(client, course, right=False)
            assert "/attempts/" in response.headers["Location"]
    finally:
        dispose(app.extensions["digilit.engine"])


def test_a_step_chosen_twice_is_flagged_by_the_server(client, learner, learn, course, db):
    ready(client, learn, course)
    for _ in range(30):  # draw until the ordering question is in the attempt
        _page, csrf, token = quiz_form(client)
        if "q7" in quiz_rules.drawn_ids(course, token):
            break
    else:
        raise AssertionError("q7 never drawn")
    data = {"csrf_token": csrf, "attempt_token": token, **_right_answers(course, token),
            "q-q7": ["first", "first", "third"]}
    response = client.post(QUIZ_URL, data=data)
    assert response.status_code == 422
    assert "Có một bước được chọn hai lần" in page_of(response)
    assert attempts(db) == []


def test_after_passing_the_course_page_says_so_not_when_the_quiz_opens(client, learner, learn,
                                                                       course):
    ready(client, learn, course)
    answer_quiz(client, course, right=True)
    page = page_of(client.get(f"/courses/{SLUG}"))
    assert "Bạn đã đạt bài kiểm tra." in page
    assert "Bài kiểm tra mở khi" not in page


def test_the_course_page_shows_its_competencies(client, course):
    page = page_of(client.get(f"/courses/{SLUG}?lang=en"))
    assert "4.2 Protecting personal data and privacy" in page
    assert "(Safety)" in page and "2.6 Managing digital identity" in page
