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
