"""The header, the footer and the catalogue's cards are rendered once per language and kind
of visitor (``fragments.py``); what differs per request is filled in: this page's address in
the other languages and the CSRF token of the sign-out form."""
import re

from conftest import HANOI

SIGN_OUT_TOKEN = re.compile(r'action="/auth/logout"[^>]*><input name="csrf_token" '
                            r'type="hidden" value="([^"]+)"')


def header(page):
    return page.split("<main", 1)[0]


def test_the_language_links_are_this_pages(client):
    client.get("/")  # the header is kept from this first page
    page = client.get("/courses/e-id?lang=vi&x=1").get_data(as_text=True)
    assert 'href="/courses/e-id?lang=en&amp;x=1"' in header(page)
    assert 'href="/courses/e-id?lang=de&amp;x=1"' in page.split("<footer", 1)[1]
    assert "\x00" not in page


def test_each_language_has_its_own_header(client):
    client.get("/?lang=vi")
    english = client.get("/?lang=en").get_data(as_text=True)
    vietnamese = client.get("/?lang=vi").get_data(as_text=True)
    assert ">Courses<" in header(english) and ">Courses<" not in header(vietnamese)
    assert "minutes" in english and "minutes" not in vietnamese  # the course cards too


def test_each_kind_of_visitor_has_its_own_menu(app, make_user, client_for):
    make_user("quocgia", role="national_admin", commune=None, province=None)
    make_user("totruong", role="team_leader")
    make_user("hocvien")
    make_user("tinh", role="province_admin", commune=None, province=HANOI)
    menus = {}
    for username in ("quocgia", "totruong", "hocvien", "tinh"):  # the admin's kept first
        page = client_for(username).get("/?lang=en").get_data(as_text=True)
        menus[username] = header(page)
    anonymous = header(app.test_client().get("/?lang=en").get_data(as_text=True))
    assert "/admin/stats" in menus["quocgia"] and "/teams/" in menus["quocgia"]
    assert "/teams/" in menus["totruong"] and "/admin/stats" not in menus["totruong"]
    assert "/teams/" not in menus["hocvien"] and "/admin/stats" not in menus["hocvien"]
    assert "/auth/logout" in menus["hocvien"] and "/auth/logout" not in anonymous
    assert "/auth/login" in anonymous


def test_the_sign_out_form_carries_each_sessions_token(make_user, client_for):
    make_user("hocvien")
    make_user("hocvien2")
    first, second = client_for("hocvien"), client_for("hocvien2")
    tokens = [SIGN_OUT_TOKEN.search(c.get("/").get_data(as_text=True)).group(1)
              for c in (first, second)]
    assert tokens[0] != tokens[1]
    response = first.post("/auth/logout", data={"csrf_token": tokens[0]})
    assert response.status_code == 302 and first.get("/me").status_code == 302
    assert second.post("/auth/logout", data={"csrf_token": tokens[0]}).status_code == 400



def test_a_sessions_signed_token_is_given_again_within_a_minute(app, make_user, client_for,
                                                                monkeypatch):
    from digilit import csrf

    make_user("hocvien")
    browser = client_for("hocvien")
    moments = iter([1000.0, 1030.0, 1061.0])  # an age in the process, not the clock
    monkeypatch.setattr(csrf, "monotonic", lambda: next(moments))
    tokens = [SIGN_OUT_TOKEN.search(browser.get("/").get_data(as_text=True)).group(1)
              for _ in range(3)]
    assert tokens[0] == tokens[1]  # signed once, 30 s apart
    # More than a minute after it was signed: signed again (the same text within a second).
    assert [when for when, _token in app.extensions[csrf.SIGNED_CSRF].values()] == [1061.0]
    assert browser.post("/auth/logout", data={"csrf_token": tokens[0]}).status_code == 302

# --- whole pages kept (fragments.page) ----------------------------------------------------------

COMPLETE_TOKEN = re.compile(r'action="/courses/e-id/lessons/[^"/]+/complete"><input '
                            r'name="csrf_token" type="hidden" value="([^"]+)"')


def test_a_kept_lesson_page_carries_each_sessions_tokens(app, make_user, client_for, catalog):
    lesson = catalog.get("e-id").lessons[0]
    url = f"/courses/e-id/lessons/{lesson.slug}"
    make_user("hocvien")
    make_user("hocvien2")
    first, second = client_for("hocvien"), client_for("hocvien2")
    pages = [c.get(url).get_data(as_text=True) for c in (first, second)]
    tokens = [COMPLETE_TOKEN.search(page).group(1) for page in pages]
    assert tokens[0] != tokens[1] and "\x00" not in pages[0] + pages[1]
    assert pages[0].replace(tokens[0], "") == pages[1].replace(tokens[1], "")  # one page, kept
    # Each token is its own session's: the other session's is refused, its own is taken.
    assert first.post(url + "/complete", data={"csrf_token": tokens[1]}).status_code == 400
    assert first.post(url + "/complete", data={"csrf_token": tokens[0]}).status_code == 302
    done = first.get(url).get_data(as_text=True)  # a new state: another page
    assert "Mark as done" not in done and "Mark as done" in second.get(
        url + "?lang=en").get_data(as_text=True)


def test_a_message_is_shown_on_a_kept_page(learner, learn, client):
    course = learn.course()
    practice = f"/courses/e-id/practice/{course.practices[0].slug}"
    assert client.get(practice).status_code == 200  # kept before the message
    for lesson in course.lessons:
        learn.complete("e-id", lesson.slug)  # the last one: "All lessons done. Now the practice"
    flashed = 'class="flash flash-success"'
    assert flashed in client.get(practice).get_data(as_text=True)  # not the kept page
    assert flashed not in client.get(practice).get_data(as_text=True)  # nor kept with it


def test_the_kept_pages_are_bounded(app, client, monkeypatch, catalog):
    from digilit import fragments

    monkeypatch.setitem(fragments.LIMITS, fragments.PAGES, 3)
    for lesson in catalog.get("e-id").lessons:
        assert client.get(f"/courses/e-id/lessons/{lesson.slug}").status_code == 200
        assert len(app.extensions[fragments.PAGES]) <= 3
    assert len(catalog.get("e-id").lessons) > 3


def test_quiz_questions_are_kept_but_numbered_and_ordered_per_form(learner, learn, app):
    from digilit.services.grading import shuffled_quiz

    course = learn.course()
    learn.complete_all()
    orders = set()
    for _ in range(6):  # the later forms draw from kept questions
        page, _csrf, token = learn.quiz_form()
        numbers = re.findall(r'<span class="qnum">(\d+)\.</span>', page)
        assert numbers == [str(n) for n in range(1, len(numbers) + 1)] and numbers
        assert "\x00" not in page
        assert f'name="attempt_token" type="hidden" value="{token}"' in page
        for question, choices in shuffled_quiz(course, token):
            ids = [choice.id for choice in choices]  # this attempt's order
            if question.type == "order":  # every step lists the choices in that order
                fieldset = page.split(f'id="q-{question.id}"', 1)[1].split("</fieldset>")[0]
                steps = fieldset.split("<select")[1:]
                assert len(steps) == len(ids)
                for step in steps:
                    assert re.findall(r'<option value="([^"]+)"', step) == ids
                shown = ids
            else:
                shown = re.findall(rf'name="q-{re.escape(question.id)}" value="([^"]+)"', page)
                assert shown == ids
            orders.add((question.id, tuple(shown)))
    assert len(orders) > len({question_id for question_id, _ in orders})  # orders differ
    assert any(question.type == "order" for question in course.questions)


def test_a_kept_course_page_links_only_a_certificate_there_is(app, client, catalog, db):
    from sqlmodel import delete, select

    from conftest import AuthActions, LearnActions
    from digilit.models import Certificate, User

    other = app.test_client()
    for browser, username in ((client, "lan2025"), (other, "minh2025")):
        AuthActions(browser).register(username=username)
        LearnActions(browser, catalog).pass_course()
    minh = db.exec(select(User).where(User.username == "minh2025")).one()
    db.exec(delete(Certificate).where(Certificate.user_id == minh.id))  # passed, none issued
    db.commit()
    with_certificate = client.get("/courses/e-id").get_data(as_text=True)  # kept first
    without = other.get("/courses/e-id").get_data(as_text=True)
    assert re.search(r'href="/certificates/[A-Z0-9-]{19}"', with_certificate)
    assert "/certificates/" not in without and 'href=""' not in without


def test_kept_result_and_certificate_pages_show_each_learners_own(app, client, catalog, db):
    from sqlmodel import select

    from conftest import AuthActions, LearnActions
    from digilit import fragments
    from digilit.models import Certificate, User

    names = {"lan2025": "Nguyễn Thị Lan", "minh2025": "Trần Văn Minh"}
    results = {}
    for browser, username in ((client, "lan2025"), (app.test_client(), "minh2025")):
        AuthActions(browser).register(username=username, full_name=names[username])
        results[username] = (browser, LearnActions(browser, catalog).pass_course())
    visitor = app.test_client()
    for username, (browser, address) in results.items():
        user_id = db.exec(select(User.id).where(User.username == username)).one()
        code = db.exec(select(Certificate.code).where(Certificate.user_id == user_id)).one()
        result = browser.get(address).get_data(as_text=True)
        assert f'href="/certificates/{code}"' in result and "\x00" not in result
        page = visitor.get(f"/certificates/{code}").get_data(as_text=True)
        assert names[username] in page and f"<strong>{code}</strong>" in page
        assert f'href="/certificates/{code}?print=1"' in page and "\x00" not in page
        assert not any(name in page for other, name in names.items() if other != username)
    kept = [key[0] for key in app.extensions[fragments.PAGES]]
    assert kept.count("learn/certificate.html") == 1 and kept.count("learn/result.html") == 1


def test_my_page_keeps_only_what_is_the_same_for_every_learner(app, client, catalog):
    from conftest import AuthActions
    from digilit import fragments

    other = app.test_client()
    pages = {}
    for browser, username, name in ((client, "lan2025", "Nguyễn Thị Lan"),
                                    (other, "minh2025", "Trần Văn Minh")):
        AuthActions(browser).register(username=username, full_name=name)
        browser.get("/me")  # the welcome message, shown once: that page is not kept
        pages[name] = browser.get("/me").get_data(as_text=True)
    for name, page in pages.items():
        assert name in page and "\x00" not in page
        assert not any(other_name in page for other_name in pages if other_name != name)
    kept = [key[0] for key in app.extensions[fragments.PAGES]]
    assert kept.count("learn/me.html") == 1


def test_kept_attempt_lists_link_each_learners_own_attempts(app, client, catalog):
    from conftest import AuthActions, LearnActions, wrong_answers
    from digilit import fragments

    links = {}
    for browser, username in ((client, "lan2025"), (app.test_client(), "minh2025")):
        AuthActions(browser).register(username=username)
        learn = LearnActions(browser, catalog)
        learn.complete_all()
        address = learn.submit(answers=wrong_answers(learn.course())).headers["Location"]
        page = browser.get("/courses/e-id").get_data(as_text=True)
        links[username] = re.findall(r'href="(/courses/e-id/attempts/\d+)"', page)
        assert links[username] == [address] and "\x00" not in page
    assert links["lan2025"] != links["minh2025"]
    kept = [key[0] for key in app.extensions[fragments.FRAGMENTS]]
    assert kept.count("learn/_attempts.html") == 1  # the same scores: one list kept


def test_my_page_shows_each_learners_own_certificate_and_attempts(app, client, catalog, db):
    from sqlmodel import select

    from conftest import AuthActions, LearnActions
    from digilit import fragments
    from digilit.models import Certificate, User

    for browser, username in ((client, "lan2025"), (app.test_client(), "minh2025")):
        AuthActions(browser).register(username=username)
        attempt = LearnActions(browser, catalog).pass_course()
        user_id = db.exec(select(User.id).where(User.username == username)).one()
        code = db.exec(select(Certificate.code).where(Certificate.user_id == user_id)).one()
        browser.get("/me")  # the welcome message, shown once: that page is not kept
        page = browser.get("/me").get_data(as_text=True)
        assert f'href="{attempt}"' in page and f'href="/certificates/{code}"' in page
        assert f"{code}</a>" in page and "\x00" not in page
    kept = [key[0] for key in app.extensions[fragments.FRAGMENTS]]
    assert kept.count("learn/_me_course.html") == 1  # the same standing: one card kept
