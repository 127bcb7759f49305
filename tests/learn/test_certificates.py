"""Certificates: a public page per certificate, with an unguessable code and a QR code; and the
learner's own page of progress, attempts and certificates."""
import re

from markupsafe import escape
from sqlmodel import select

from conftest import AuthActions, LearnActions, correct_answers, wrong_answers
from digilit.models import Certificate, User
from digilit.services.certificates import ALPHABET, new_code

CODE_RE = re.compile(rf"^[{ALPHABET}]{{4}}(?:-[{ALPHABET}]{{4}}){{3}}$")


def certificate_of(db):
    db.expire_all()
    return db.exec(select(Certificate).order_by(Certificate.id)).all()


def test_the_alphabet_has_no_ambiguous_symbols():
    assert not set("01OIL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31
    assert set(ALPHABET) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def test_codes_are_19_characters_and_differ():
    codes = [new_code() for _ in range(500)]
    assert all(len(code) == 19 and CODE_RE.match(code) for code in codes)
    assert len(set(codes)) == len(codes)


def test_the_certificate_page_is_public(app, client, learner, learn, db, catalog):
    learn.pass_course("e-id")
    [certificate] = certificate_of(db)
    assert CODE_RE.match(certificate.code)
    visitor = app.test_client()  # not signed in
    response = visitor.get(f"/certificates/{certificate.code}?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert str(escape("Nguyễn Thị Lan")) in page
    assert str(escape(catalog.get("e-id").title["en"])) in page
    assert certificate.code in page
    assert "100%" in page
    # The QR code is an inline SVG (nothing loaded from elsewhere).
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert svg and 'class="qr"' in svg.group(0)
    assert "<path" in svg.group(0)
    assert "<img" not in page
    assert f"/certificates/{certificate.code}" in page  # the address to check it


def test_the_qr_code_encodes_the_certificates_address(app, client, learner, learn, db):
    from digilit.qr import qr_svg
    learn.pass_course("e-id")
    [certificate] = certificate_of(db)
    page = client.get(f"/certificates/{certificate.code}").get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert svg == str(qr_svg(f"http://127.0.0.1:5000/certificates/{certificate.code}"))
    assert svg != str(qr_svg("http://127.0.0.1:5000/certificates/AAAA-AAAA-AAAA-AAAA"))


def test_a_code_is_found_whatever_its_case(client, learner, learn, db):
    learn.pass_course("e-id")
    [certificate] = certificate_of(db)
    assert client.get(f"/certificates/{certificate.code.lower()}").status_code == 200


def test_an_unknown_code_is_404(client):
    for code in ("ABCD-EFGH-JKMN-PQRS", "nothing", "X" * 200):
        response = client.get(f"/certificates/{code}")
        assert response.status_code == 404
        assert response.mimetype == "text/html"


def test_certificates_of_two_learners_differ(app, client, learner, learn, db):
    learn.pass_course("e-id")
    other = app.test_client()
    AuthActions(other).register(username="hoa2025", full_name="Lê Thị Hoa")
    LearnActions(other, app.extensions["digilit.catalog"]).pass_course("e-id")
    certificates = certificate_of(db)
    assert len(certificates) == 2
    assert certificates[0].code != certificates[1].code
    assert certificates[0].user_id != certificates[1].user_id
    names = {user.id: user.full_name for user in db.exec(select(User))}
    for certificate in certificates:
        page = client.get(f"/certificates/{certificate.code}").get_data(as_text=True)
        holder = names[certificate.user_id]
        assert f'<p class="holder">{escape(holder)}</p>' in page
        other_name = next(name for uid, name in names.items() if uid != certificate.user_id)
        assert str(escape(other_name)) not in page


def test_one_certificate_per_course(client, learner, learn, db):
    learn.pass_course("e-id")
    learn.pass_course("cybersecurity")
    certificates = certificate_of(db)
    assert sorted(c.course_slug for c in certificates) == ["cybersecurity", "e-id"]
    assert certificates[0].code != certificates[1].code


# --- my learning -----------------------------------------------------------------------------

def test_me_needs_sign_in(client):
    assert client.get("/me").status_code == 302


def test_me_with_nothing_started(client, learner, catalog):
    page = client.get("/me").get_data(as_text=True)
    assert "lan2025" in page
    for course in catalog:
        assert f'href="/courses/{course.slug}"' not in page
    assert not re.search(r"<progress", page)


def test_me_lists_progress_attempts_and_certificates(client, learner, learn, catalog, db):
    online = catalog.get("online-services")
    learn.complete("online-services", online.lessons[0].slug)
    eid = catalog.get("e-id")
    learn.complete_all("e-id")
    failed = learn.submit("e-id", wrong_answers(eid)).headers["Location"]
    passed = learn.submit("e-id", correct_answers(eid)).headers["Location"]
    page = client.get("/me").get_data(as_text=True)
    sections = dict((slug, html) for slug, html in re.findall(
        r'<section class="card">\s*<h2><a href="/courses/([^"]+)">(.*?)</section>', page, re.S))
    assert set(sections) == {"online-services", "e-id"}
    assert f'<progress max="{len(online.lessons)}" value="1">' in sections["online-services"]
    assert (f'href="/courses/online-services/lessons/{online.lessons[1].slug}"'
            in sections["online-services"])  # continue where they left off
    eid_section = sections["e-id"]
    assert f'<progress max="{len(eid.lessons)}" value="{len(eid.lessons)}">' in eid_section
    assert f'href="{failed}"' in eid_section and f'href="{passed}"' in eid_section
    [certificate] = certificate_of(db)
    assert f'href="/certificates/{certificate.code}"' in eid_section
    assert "cybersecurity" not in page
