"""What holds for every response: CSRF on every form, strict headers, error pages that never
show internals, and user text always escaped."""
import re

import pytest
from sqlmodel import select

from conftest import LearnActions, correct_answers, csrf_token, finish_practices
from digilit.models import Certificate, Enrolment, LessonProgress, QuizAttempt, User
from digilit.services import permissions

FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


def forms(page):
    return [(attrs, body) for attrs, body in FORM_RE.findall(page)]


def assert_security_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives.get("frame-ancestors") == ["'none'"]
    assert directives.get("default-src") == ["'self'"]
    assert directives.get("script-src") == ["'self'"]
    assert directives.get("object-src") == ["'none'"]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in {"same-origin", "strict-origin",
                                                       "no-referrer",
                                                       "strict-origin-when-cross-origin"}


# --- CSRF ------------------------------------------------------------------------------------

def test_every_form_carries_a_csrf_token(client, auth, learn, catalog):
    course = catalog.get("e-id")
    anonymous = ["/auth/register", "/auth/login"]
    for url in anonymous:
        page = client.get(url).get_data(as_text=True)
        assert forms(page), url
        for attrs, body in forms(page):
            assert 'name="csrf_token"' in body, (url, attrs)
    auth.register()
    learn.complete_all("e-id")
    signed_in = ["/", "/me", "/courses/e-id", "/courses/online-services",
                 f"/courses/e-id/lessons/{course.lessons[0].slug}",
                 f"/courses/online-services/lessons/{catalog.get('online-services').lessons[0].slug}",
                 "/courses/e-id/quiz", "/courses/online-services/quiz"]
    seen_actions = set()
    for url in signed_in:
        page = client.get(url).get_data(as_text=True)
        for attrs, body in forms(page):
            if 'method="get"' in attrs.lower():
                continue
            assert 'name="csrf_token"' in body, (url, attrs)
            seen_actions.add(re.search(r'action="([^"]*)"', attrs).group(1))
    # The forms of the contract were all among them.
    assert {"/auth/logout", "/courses/online-services/enroll", "/courses/e-id/quiz",
            f"/courses/online-services/lessons/{catalog.get('online-services').lessons[0].slug}"
            "/complete"} <= seen_actions


def tampered(token):
    """``token`` with one character of its signature changed (not the last one, whose low bits
    base64 decoding ignores)."""
    i = len(token) - 5
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


@pytest.fixture
def signed_in(auth, db, catalog):
    """A signed-in learner with every lesson of e-id done (written directly: it is quicker)."""
    assert auth.register().status_code == 302
    user = db.exec(select(User)).one()
    db.add(Enrolment(user_id=user.id, course_slug="e-id", province_code=user.province_code,
                     commune_code=user.commune_code))
    for lesson in catalog.get("e-id").lessons:
        db.add(LessonProgress(user_id=user.id, course_slug="e-id", lesson_slug=lesson.slug))
    db.commit()
    finish_practices(db, user, catalog.get("e-id"))  # the quiz opens after the practices too
    db.commit()


@pytest.mark.parametrize("url, data", [
    ("/auth/logout", {}),
    ("/courses/online-services/enroll", {}),
    ("/courses/online-services/lessons/{lesson}/complete", {}),
    ("/courses/e-id/quiz", {"attempt_token": "a" * 32, "answers": "correct"}),
])
def test_posts_without_a_valid_csrf_token_are_refused(client, signed_in, catalog, count, url,
                                                      data):
    url = url.format(lesson=catalog.get("online-services").lessons[0].slug)
    if data.pop("answers", None):
        data.update({f"q-{qid}": value
                     for qid, value in correct_answers(catalog.get("e-id")).items()})
    assert 'name="q-' in client.get("/courses/e-id/quiz").get_data(as_text=True)  # quiz open
    before = (count(User), count(Enrolment), count(LessonProgress), count(QuizAttempt))
    for token in (None, "", "forged-token", tampered(csrf_token(client, "/"))):
        sent = dict(data) if token is None else {**data, "csrf_token": token}
        response = client.post(url, data=sent)
        assert response.status_code == 400, token
        assert response.mimetype == "text/html"
        assert (count(User), count(Enrolment), count(LessonProgress),
                count(QuizAttempt)) == before
        assert client.get("/me").status_code == 200  # logout without a token did nothing
    # The same post with the token goes through.
    response = client.post(url, data={**data, "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/auth/register", "/auth/login"])
def test_anonymous_posts_without_csrf_are_refused(client, count, url):
    response = client.post(url, data={
        "username": "lan2025", "full_name": "Lan", "password": "mat-khau-an-toan",
        "password_confirm": "mat-khau-an-toan", "province": 1, "commune": 70})
    assert response.status_code == 400
    assert count(User) == 0


def test_a_token_from_another_session_is_refused(app, client, auth, count):
    stranger = app.test_client()
    token = csrf_token(stranger, "/auth/register")
    csrf_token(client, "/auth/register")  # the client has a session of its own
    response = client.post("/auth/register", data={
        "username": "lan2025", "full_name": "Lan", "password": "mat-khau-an-toan",
        "password_confirm": "mat-khau-an-toan", "province": 1, "commune": 70,
        "csrf_token": token})
    assert response.status_code == 400
    assert count(User) == 0


# --- headers ---------------------------------------------------------------------------------

def test_security_headers_on_pages_errors_json_and_static(client, auth):
    responses = [client.get("/"), client.get("/auth/register"), client.get("/courses/e-id"),
                 client.get("/no-such-page"), client.get("/courses/no-such-course"),
                 client.get("/healthz"), client.get("/auth/communes?province=1"),
                 client.get("/auth/logout"), client.post("/auth/login", data={}),
                 client.get("/static/css/site.css")]
    assert [r.status_code for r in responses] == [200, 200, 200, 404, 404, 200, 200, 405, 400,
                                                  200]
    for response in responses:
        assert_security_headers(response)
    assert auth.register().status_code == 302
    for response in (client.get("/me"), auth.register()):
        assert_security_headers(response)


def test_pages_have_no_inline_script_or_style(client, auth, learn):
    auth.register()
    learn.complete_all("e-id")
    for url in ("/", "/auth/register", "/me", "/courses/e-id", "/courses/e-id/quiz",
                "/courses/e-id/lessons/vneid-basics", "/no-such-page"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\sstyle=", page), url
        assert not re.search(r"\son[a-z]+=", page), url
        assert not re.search(r'(src|href)="(https?:)?//', page), url  # nothing from elsewhere


# --- error pages -----------------------------------------------------------------------------

@pytest.fixture
def failing_app(app, monkeypatch):
    def explode():
        raise RuntimeError("secret internal detail in /srv/digilit/config.py")

    for endpoint in ("test_boom", "test_api_boom"):  # a route must declare its permission
        monkeypatch.setitem(permissions.ENDPOINTS, endpoint, permissions.PUBLIC)
    app.add_url_rule("/test-boom", "test_boom", explode)
    app.add_url_rule("/api/v1/test-boom", "test_api_boom", explode)
    return app


def test_an_unexpected_error_is_a_generic_page_with_an_incident_id(failing_app, caplog):
    response = failing_app.test_client().get("/test-boom")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "secret internal detail" not in page
    assert "Traceback" not in page and "RuntimeError" not in page and ".py" not in page
    incident = re.search(r"\b([0-9a-f]{8})\b", page.split("<main", 1)[1])
    assert incident, "no incident number on the page"
    assert_security_headers(response)
    # The incident number leads to the full record in the log.
    logged = [r for r in caplog.records if incident.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_an_unexpected_api_error_is_json_with_an_incident_id(failing_app):
    response = failing_app.test_client().get("/api/v1/test-boom")
    assert response.status_code == 500
    body = response.get_json()
    assert body["status"] == 500 and re.fullmatch(r"[0-9a-f]{8}", body["incident"])
    assert "secret" not in response.get_data(as_text=True)
    assert_security_headers(response)


def test_incident_ids_differ(failing_app):
    client = failing_app.test_client()
    ids = {re.search(r"\b([0-9a-f]{8})\b", client.get("/test-boom").get_data(as_text=True)
                     .split("<main", 1)[1]).group(1) for _ in range(3)}
    assert len(ids) == 3


def test_not_found_page_is_html_in_the_learners_language(client):
    response = client.get("/no-such-page?lang=en")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>" in page
    assert "Traceback" not in page


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_a_too_large_request_is_refused(client):
    response = client.post("/auth/login", data={"username": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


# --- escaping --------------------------------------------------------------------------------

def test_user_names_are_escaped_on_every_page(app, client, auth, db):
    name = "<script>alert(1)</script>"
    assert auth.register(username="xss2025", full_name=name).status_code == 302
    welcome = client.get("/").get_data(as_text=True)  # the welcome message names them
    assert "&lt;script&gt;alert(1)" in welcome and "<script>alert(1)" not in welcome
    LearnActions(client, app.extensions["digilit.catalog"]).pass_course("e-id")
    code = db.exec(select(Certificate)).one().code
    visitor = app.test_client()
    for reader, url in ((client, "/me"), (client, f"/certificates/{code}"),
                        (visitor, f"/certificates/{code}")):
        page = reader.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
        assert "<script>alert(1)" not in page, url


def test_session_cookie_flags(client, auth):
    response = auth.register()
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
