"""The quiz: locked until every lesson is done, graded from the course files, every attempt
kept, one certificate on a pass. Right answers are always derived from the loaded course."""
import math
import re

import pytest
from markupsafe import escape
from sqlmodel import select

from conftest import (AuthActions, LearnActions, correct_answers, csrf_token, question_order,
                      wrong_answer, wrong_answers)
from digilit.models import Certificate, Enrolment, QuizAttempt
from digilit.services import quiz_rules

SLUG = "e-id"


@pytest.fixture
def course(catalog):
    return catalog.get(SLUG)


@pytest.fixture
def ready(learner, learn):
    """A learner who has done every lesson of the course."""
    learn.complete_all(SLUG)


def fieldsets(page):
    """``{question id: fieldset HTML}``."""
    return dict(re.findall(r'<fieldset id="q-([^"]+)"(.*?)</fieldset>', page, re.S))


def choice_order(page):
    """``{question id: choice ids in the order shown}`` (for ``order``, the first step's list)."""
    order = {}
    for qid, html in fieldsets(page).items():
        values = re.findall(r'value="([^"]+)"', html)
        order[qid] = list(dict.fromkeys(values))
    return order


def attempts(db):
    db.expire_all()
    return db.exec(select(QuizAttempt).order_by(QuizAttempt.id)).all()


def drawn_quiz(learn, *wanted):
    """``(page, csrf, token, drawn questions)`` of a quiz form whose draw holds ``wanted`` (a
    course with a question bank draws some of its questions per attempt)."""
    course = learn.course(SLUG)
    for _ in range(80):
        page, csrf, token = learn.quiz_form(SLUG)
        ids = quiz_rules.drawn_ids(course, token)
        if all(question.id in ids for question in wanted):
            return page, csrf, token, [q for q in course.questions if q.id in ids]
    raise AssertionError(f"never drawn together: {[q.id for q in wanted]}")


def by_type(course, qtype):
    found = [q for q in course.questions if q.type == qtype]
    assert found, f"{course.slug} has no '{qtype}' question"
    return found


# --- locked until the lessons are done -------------------------------------------------------

def test_the_quiz_needs_a_signed_in_learner(client):
    response = client.get(f"/courses/{SLUG}/quiz")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_the_quiz_is_locked_before_every_lesson_is_done(client, learner, learn, course, count):
    for lesson in course.lessons[:-1]:
        learn.complete(SLUG, lesson.slug)
    response = client.get(f"/courses/{SLUG}/quiz")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="q-' not in page and 'name="attempt_token"' not in page
    # It leads to the lesson still to do.
    assert f'href="/courses/{SLUG}/lessons/{course.lessons[-1].slug}"' in page
    data = {"csrf_token": csrf_token(client, "/"), "attempt_token": "t" * 32,
            **{f"q-{qid}": value for qid, value in correct_answers(course).items()}}
    response = client.post(f"/courses/{SLUG}/quiz", data=data)
    assert response.status_code == 409
    assert count(QuizAttempt) == 0 and count(Certificate) == 0


def test_the_quiz_opens_when_every_lesson_is_done(client, ready, learn, course):
    page, _csrf, token = learn.quiz_form(SLUG)
    assert set(question_order(page)) == quiz_rules.drawn_ids(course, token)
    assert len(question_order(page)) == course.draw_size
    assert 'name="attempt_token"' in page and 'name="csrf_token"' in page


# --- unanswered or malformed: the form again, nothing written --------------------------------

def test_an_unanswered_question_is_shown_beside_it_and_nothing_is_written(
        client, ready, learn, course, count):
    page, csrf, token, drawn = drawn_quiz(learn)
    skipped = drawn[len(drawn) // 2]
    answers = {qid: value for qid, value in correct_answers(course).items()
               if qid in {q.id for q in drawn}}
    del answers[skipped.id]
    data = {"csrf_token": csrf, "attempt_token": token,
            **{f"q-{qid}": value for qid, value in answers.items()}}
    response = client.post(f"/courses/{SLUG}/quiz", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.findall(r'<p id="q-([^"]+)-error" class="error">', page) == [skipped.id]
    assert re.search(rf'<fieldset id="q-{re.escape(skipped.id)}" class="question has-error"',
                     page)
    # The answers already given are kept, in the same order, with the same token.
    assert f'value="{token}"' in page
    assert question_order(page) == question_order(order_for_token(learn, token))
    given = next(q for q in drawn if q.type != "order" and q.id != skipped.id)
    for choice_id in answers[given.id]:
        assert re.search(rf'name="q-{re.escape(given.id)}" value="{re.escape(choice_id)}" '
                         r'checked', page)
    assert count(QuizAttempt) == 0 and count(Certificate) == 0


def order_for_token(learn, token):
    """The quiz as first shown for ``token`` (its order depends on the token only)."""
    from digilit.services.grading import shuffled_quiz
    course = learn.course(SLUG)
    return "".join(f'name="q-{q.id}"' for q, _choices in shuffled_quiz(course, token))


@pytest.mark.parametrize("kind", ["unknown choice", "two answers to a single question",
                                  "a step used twice"])
def test_malformed_answers_are_refused(client, ready, learn, course, count, kind):
    answers = correct_answers(course)
    if kind == "unknown choice":
        target = course.questions[0]
        answers[target.id] = ["no-such-choice"]
    elif kind == "two answers to a single question":
        target = by_type(course, "single")[0]
        answers[target.id] = [c.id for c in target.choices[:2]]
    else:
        target = by_type(course, "order")[0]
        ids = [c.id for c in target.choices]
        answers[target.id] = [ids[0]] * len(ids)
    _page, _csrf, token, _drawn = drawn_quiz(learn, target)
    response = learn.submit(SLUG, answers, token=token)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.findall(r'<p id="q-([^"]+)-error"', page) == [target.id]
    assert count(QuizAttempt) == 0


def test_an_attempt_without_its_token_is_not_recorded(client, ready, learn, course, count):
    _page, csrf, _token = learn.quiz_form(SLUG)
    data = {"csrf_token": csrf, "attempt_token": "",
            **{f"q-{qid}": value for qid, value in correct_answers(course).items()}}
    response = client.post(f"/courses/{SLUG}/quiz", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/courses/{SLUG}/quiz"
    assert count(QuizAttempt) == 0


# --- grading ---------------------------------------------------------------------------------

def test_all_correct_passes_completes_and_issues_one_certificate(client, ready, learn, course,
                                                                db, count):
    response = learn.submit(SLUG, correct_answers(course))
    assert response.status_code == 302
    [attempt] = attempts(db)
    assert response.headers["Location"] == f"/courses/{SLUG}/attempts/{attempt.id}"
    assert attempt.passed
    assert (attempt.score, attempt.max_score, attempt.percent) == (
        course.draw_size, course.draw_size, 100)
    assert attempt.course_version == course.version
    enrolment = db.exec(select(Enrolment).where(Enrolment.course_slug == SLUG)).one()
    assert enrolment.completed_at is not None
    [certificate] = db.exec(select(Certificate)).all()
    assert (certificate.course_slug, certificate.attempt_id, certificate.percent) == (
        SLUG, attempt.id, 100)
    result = client.get(response.headers["Location"])
    assert result.status_code == 200
    assert f'href="/certificates/{certificate.code}"' in result.get_data(as_text=True)


def test_a_failing_attempt_is_stored_without_a_certificate(client, ready, learn, course, db,
                                                          count):
    response = learn.submit(SLUG, wrong_answers(course))
    assert response.status_code == 302
    [attempt] = attempts(db)
    assert not attempt.passed
    assert (attempt.score, attempt.percent) == (0, 0)
    assert count(Certificate) == 0
    enrolment = db.exec(select(Enrolment).where(Enrolment.course_slug == SLUG)).one()
    assert enrolment.completed_at is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/certificates/" not in page
    assert f'href="/courses/{SLUG}/quiz"' in page  # try again


def test_the_pass_mark_is_the_courses(client, ready, learn, course, db):
    """Exactly the share of right answers that the course asks for passes; one less fails."""
    total = course.draw_size
    needed = math.ceil(course.pass_percent * total / 100)
    assert 0 < needed <= total

    def submit_with(right):
        _page, _csrf, token, drawn = drawn_quiz(learn)
        answers = correct_answers(course)
        for question in drawn[right:]:
            answers[question.id] = wrong_answer(question)
        learn.submit(SLUG, answers, token=token)

    submit_with(needed - 1)
    submit_with(needed)
    below, at = attempts(db)
    assert (below.score, below.passed) == (needed - 1, False)
    assert (at.score, at.passed) == (needed, True)
    assert at.percent == 100 * needed // total


def test_a_multiple_question_needs_the_exact_set(client, ready, learn, course, db):
    question = next(q for q in by_type(course, "multiple") if len(q.correct_ids) > 1)
    answers = correct_answers(course)
    answers[question.id] = sorted(question.correct_ids)[:1]
    _page, _csrf, token, _drawn = drawn_quiz(learn, question)
    learn.submit(SLUG, answers, token=token)
    [attempt] = attempts(db)
    assert attempt.score == course.draw_size - 1


def test_retakes_are_allowed_and_every_attempt_is_kept(client, ready, learn, course, db, count):
    learn.submit(SLUG, wrong_answers(course))
    learn.submit(SLUG, correct_answers(course))
    learn.submit(SLUG, correct_answers(course))  # after passing, still allowed
    kept = attempts(db)
    assert [a.passed for a in kept] == [False, True, True]
    assert len({a.token for a in kept}) == 3
    assert count(Certificate) == 1
    certificate = db.exec(select(Certificate)).one()
    assert certificate.attempt_id == kept[1].id  # issued for the first pass
    page = client.get(f"/courses/{SLUG}").get_data(as_text=True)
    for attempt in kept:
        assert f'href="/courses/{SLUG}/attempts/{attempt.id}"' in page


def test_the_same_attempt_token_twice_records_one_attempt(client, ready, learn, course, db):
    _page, _csrf, token = learn.quiz_form(SLUG)
    first = learn.submit(SLUG, correct_answers(course), token=token)
    second = learn.submit(SLUG, wrong_answers(course), token=token)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    [attempt] = attempts(db)
    assert attempt.passed and attempt.token == token


def test_another_learners_attempt_token_is_not_reused(app, client, ready, learn, course, db):
    _page, _csrf, token = learn.quiz_form(SLUG)
    learn.submit(SLUG, correct_answers(course), token=token)
    other = app.test_client()
    AuthActions(other).register(username="hoa2025", full_name="Lê Thị Hoa")
    other_learn = LearnActions(other, app.extensions["digilit.catalog"])
    other_learn.complete_all(SLUG)
    response = other_learn.submit(SLUG, correct_answers(course), token=token)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/courses/{SLUG}/quiz"  # asked to answer again
    assert len(attempts(db)) == 1
    assert db.exec(select(Certificate)).one().user_id == attempts(db)[0].user_id


# --- answer formats --------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["repeated fields", "comma-separated"])
def test_order_answers_in_either_form(client, ready, learn, course, db, form):
    answers = correct_answers(course)
    orders = by_type(course, "order")
    if form == "comma-separated":
        for question in orders:
            answers[question.id] = ",".join(answers[question.id])
    learn.submit(SLUG, answers)
    [attempt] = attempts(db)
    assert attempt.score == attempt.max_score and attempt.passed


def test_an_order_answer_out_of_order_is_wrong(client, ready, learn, course, db):
    question = by_type(course, "order")[0]
    answers = correct_answers(course)
    answers[question.id] = ",".join(reversed(answers[question.id]))
    _page, _csrf, token, _drawn = drawn_quiz(learn, question)
    learn.submit(SLUG, answers, token=token)
    [attempt] = attempts(db)
    assert attempt.score == attempt.max_score - 1


# --- shuffling -------------------------------------------------------------------------------

def test_questions_and_choices_are_shuffled_per_attempt(client, ready, learn, course):
    pages = [learn.quiz_form(SLUG) for _ in range(5)]
    tokens = {token for _page, _csrf, token in pages}
    assert len(tokens) == 5
    question_orders = {tuple(question_order(page)) for page, _csrf, _token in pages}
    assert len(question_orders) > 1
    for page, _csrf, token in pages:
        assert sorted(question_order(page)) == sorted(quiz_rules.drawn_ids(course, token))
    choice_orders = {tuple(sorted((qid, tuple(ids)) for qid, ids in choice_order(page).items()))
                     for page, _csrf, _token in pages}
    assert len(choice_orders) > 1
    file_order = [q.id for q in course.questions]
    assert any(list(order) != file_order for order in question_orders)


def test_an_order_question_is_never_shown_in_the_right_order(client, ready, learn, course):
    orders = {q.id: list(q.correct_ids) for q in by_type(course, "order")}
    seen = 0
    for _ in range(8):
        page, _csrf, _token = learn.quiz_form(SLUG)
        shown = choice_order(page)
        for qid, right in orders.items():
            if qid in shown:  # drawn in this attempt
                seen += 1
                assert sorted(shown[qid]) == sorted(right)
                assert shown[qid] != right
    assert seen


# --- result page -----------------------------------------------------------------------------

def test_the_result_page_explains_every_question(client, ready, learn, course):
    _page, _csrf, token, drawn = drawn_quiz(learn)
    result = learn.submit(SLUG, wrong_answers(course), token=token).headers["Location"]
    page = client.get(result + "?lang=en").get_data(as_text=True)
    for question in drawn:
        assert str(escape(question.explain["en"])) in page, question.id
        assert str(escape(question.prompt["en"])) in page, question.id
    assert page.count('class="wrong"') == len(drawn)
    vietnamese = client.get(result + "?lang=vi").get_data(as_text=True)
    for question in drawn:
        assert str(escape(question.explain["vi"])) in vietnamese, question.id


def test_another_users_result_page_is_404(app, client, ready, learn, course):
    result = learn.submit(SLUG, correct_answers(course)).headers["Location"]
    assert client.get(result).status_code == 200
    other = app.test_client()
    AuthActions(other).register(username="hoa2025", full_name="Lê Thị Hoa")
    response = other.get(result)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)
    # Nor under another course's address.
    attempt_id = result.rsplit("/", 1)[1]
    assert client.get(f"/courses/online-services/attempts/{attempt_id}").status_code == 404
