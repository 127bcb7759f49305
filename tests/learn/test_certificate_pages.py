"""The public certificate page says plainly that a certificate is valid, who issued it and
when (in each language's certificate style), lists its competencies, prints; anyone can
check a code."""
import re

import pytest
from sqlmodel import select

from digilit.models import Certificate
from drill import SLUG, answer_quiz, app, course, page_of, ready_for_quiz  # noqa: F401


@pytest.fixture
def certificate(client, learner, learn, course, db, clock):
    ready_for_quiz(client, learn, course)
    response, _ids = answer_quiz(client, course, right=True)
    assert "/attempts/" in response.headers["Location"]
    db.expire_all()
    return db.exec(select(Certificate)).one()


def visitor_page(app, url):
    response = app.test_client().get(url)
    return response.status_code, page_of(response)


@pytest.mark.parametrize("lang, date", [
    ("vi", "ngày 11 tháng 3 năm 2026"),
    ("en", "March 11, 2026"),
    ("de", "11. März 2026"),
    ("ro", "11 martie 2026"),
])
def test_the_page_says_valid_issuer_and_date(app, certificate, lang, date):
    status, page = visitor_page(app, f"/certificates/{certificate.code}?lang={lang}")
    assert status == 200
    assert date in page
    assert 'class="flash flash-success no-print"' in page  # the plain "valid" statement


def test_the_vietnamese_page_in_words(app, certificate):
    _status, page = visitor_page(app, f"/certificates/{certificate.code}")
    assert "Giấy chứng nhận này hợp lệ" in page
    assert "Cấp bởi nền tảng" in page and "ngày 11 tháng 3 năm 2026" in page


def test_the_page_lists_the_courses_competencies(app, certificate, course):
    _status, page = visitor_page(app, f"/certificates/{certificate.code}?lang=en")
    for code in course.competencies:
        assert code in page
    assert "Protecting personal data and privacy" in page
    assert "Managing digital identity" in page


def test_a_print_link_that_works_without_javascript(app, certificate):
    _status, page = visitor_page(app, f"/certificates/{certificate.code}")
    link = re.search(r'<a class="button primary" id="print-certificate" href="([^"]+)"', page)
    assert link and link.group(1) == f"/certificates/{certificate.code}?print=1"
    assert re.search(r'<script src="/static/js/print.js\?v=\w+" defer>', page)
    status, printable = visitor_page(app, link.group(1))
    assert status == 200 and 'class="no-print note"' in printable


def test_the_fallback_note_names_the_language_in_the_pages_language(app, certificate):
    # The course title has German but no Romanian: the Romanian page shows it in English.
    _status, page = visitor_page(app, f"/certificates/{certificate.code}?lang=ro")
    assert "este afișat în engleză." in page
    # Lessons have no German: a German lesson page says "auf Englisch".
    _status, lesson = visitor_page(app, f"/courses/{SLUG}/lessons/spot-a-scam?lang=de")
    assert "er wird auf Englisch angezeigt." in lesson


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{plain}", " {spaced} "])
def test_the_check_page_finds_a_code_however_typed(app, certificate, typed):
    code = certificate.code
    typed = typed.format(code=code, lower=code.lower(), plain=code.replace("-", ""),
                         spaced=code.replace("-", " "))
    response = app.test_client().get("/certificates/check", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/certificates/{code}"


def test_the_check_page_says_when_there_is_no_such_certificate(app, certificate):
    status, page = visitor_page(app, "/certificates/check")
    assert status == 200 and 'name="code"' in page and "Không có giấy chứng nhận" not in page
    for url in ("/certificates/check?code=AAAA-BBBB-CCCC-DDDD", "/certificates/check?code=x",
                "/certificates/AAAA-BBBB-CCCC-DDDD", "/certificates/%3Cscript%3E"):
        status, page = visitor_page(app, url)
        assert status == 404, url
        assert "Không có giấy chứng nhận nào với mã này." in page
        assert "<script>" not in page


def test_a_revoked_certificate_is_not_called_valid(app, certificate, db):
    from digilit.models import User
    from digilit.services import revocation
    admin = db.exec(select(User)).first()
    revocation.revoke(session=db, certificate=certificate, reason="Thi hộ", actor=admin)
    db.commit()
    _status, page = visitor_page(app, f"/certificates/{certificate.code}")
    assert "Giấy chứng nhận này hợp lệ" not in page
    assert 'class="flash flash-error revoked"' in page
