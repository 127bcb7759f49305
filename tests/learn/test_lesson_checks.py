"""Lesson self-checks: shown after their section, answered with immediate feedback at the
check, recorded but never graded."""
from sqlmodel import select

from digilit.models import LessonCheckAnswer, LessonProgress
from drill import SLUG, app, course, page_of  # noqa: F401
from conftest import csrf_token

LESSON_URL = f"/courses/{SLUG}/lessons/spot-a-scam"


def answer(client, check, choice):
    return client.post(f"{LESSON_URL}/checks/{check}",
                       data={"csrf_token": csrf_token(client, LESSON_URL), "choice": choice})


def rows(db):
    db.expire_all()
    return db.exec(select(LessonCheckAnswer)).all()


def test_checks_follow_their_section(client, learner):
    page = page_of(client.get(LESSON_URL))
    first, second = page.index('id="section-1"'), page.index('id="section-2"')
    police, link = page.index('id="check-police-call"'), page.index('id="check-link-tap"')
    assert first < police < second < link
    assert "Công an có gọi điện đòi chuyển tiền không?" in page
    assert 'action="/courses/drill/lessons/spot-a-scam/checks/police-call"' in page


def test_a_reader_who_is_not_signed_in_sees_the_checks_without_a_button(client):
    page = page_of(client.get(LESSON_URL))
    assert 'id="check-police-call"' in page
    assert "Đăng nhập để kiểm tra câu trả lời." in page


def test_an_answer_is_recorded_and_its_feedback_shown_at_the_check(client, learner, db):
    response = answer(client, "police-call", "pay")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{LESSON_URL}#check-police-call"
    page = page_of(client.get(LESSON_URL))
    check = page[page.index('id="check-police-call"'):page.index('id="section-2"')]
    assert "✗ Chưa đúng." in check and "Công an không bao giờ đòi tiền qua điện thoại." in check
    assert 'value="pay" checked' in check
    [row] = rows(db)
    assert (row.check_id, row.choice_id, row.correct) == ("police-call", "pay", False)
    # Answering again keeps one row, with the latest answer.
    answer(client, "police-call", "refuse")
    [row] = rows(db)
    assert (row.choice_id, row.correct) == ("refuse", True)
    assert "✓ Đúng." in page_of(client.get(LESSON_URL))


def test_checks_are_not_graded_and_do_not_complete_the_lesson(client, learner, db):
    answer(client, "police-call", "refuse")
    answer(client, "link-tap", "skip")
    assert db.exec(select(LessonProgress)).all() == []


def test_a_bad_answer_records_nothing(client, learner, db):
    response = answer(client, "police-call", "maybe")
    assert response.status_code == 302
    assert "Hãy chọn một trong các câu trả lời hiển thị." in page_of(client.get(LESSON_URL))
    assert rows(db) == []
    assert answer(client, "no-such-check", "pay").status_code == 404
    assert client.post(f"/courses/{SLUG}/lessons/keep-your-otp/checks/police-call", data={
        "csrf_token": csrf_token(client, LESSON_URL), "choice": "pay"}).status_code == 404
    assert rows(db) == []


def test_answering_needs_a_signed_in_learner(client, db):
    response = client.post(f"{LESSON_URL}/checks/police-call",
                           data={"csrf_token": csrf_token(client, LESSON_URL), "choice": "pay"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert rows(db) == []
