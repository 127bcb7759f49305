"""Names typed by people are shown literally everywhere: as text in HTML (never markup), in
attributes, in JSON and in CSV files, whether they came from registration or from a team."""
import csv
import io
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from conftest import LearnActions, csrf_token
from digilit.models import Certificate

from .conftest import add_member, create_team

NAMES = ['<img src=x onerror=alert(1)>', '"><script>alert(1)</script>',
         "' onmouseover='alert(1)"]


class Tags(HTMLParser):
    """Every element and attribute of a page, to find any that a name injected."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.tags, self.texts = [], []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texts.append(data)


def assert_literal_in_html(page, name, where):
    """``name`` shows as text (or as an attribute value), and adds no element or handler."""
    assert name not in page, where  # never raw
    assert str(escape(name)) in page, where
    parsed = Tags(page)
    for tag, attrs in parsed.tags:
        assert not any(key.startswith("on") for key in attrs), (where, tag, attrs)
        assert not (tag == "img" and attrs.get("src") == "x"), where
        assert not (tag == "script" and "src" not in attrs), where
    values = " ".join(parsed.texts) + " ".join(v or "" for _t, a in parsed.tags for v in a.values())
    assert name in values, where  # what a person (or a screen reader) gets is the name itself


def read(response):
    text = response.get_data(as_text=True)
    response.close()
    return text


@pytest.mark.parametrize("name", NAMES)
def test_a_learners_name_is_literal_on_me_certificates_and_their_data(app, client, auth, db,
                                                                      name):
    assert auth.register(username="xss2025", full_name=name).status_code == 302
    LearnActions(client, app.extensions["digilit.catalog"]).pass_course("e-id")
    code = db.exec(Certificate.__table__.select()).one().code
    for reader, url in ((client, "/me"), (client, f"/certificates/{code}"),
                        (app.test_client(), f"/certificates/{code}")):
        assert_literal_in_html(read(reader.get(url)), name, url)
    data = client.get("/me/data.json")
    assert data.get_json()["profile"]["full_name"] == name
    assert "<" not in data.get_data(as_text=True) or data.mimetype == "application/json"
    assert data.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", NAMES)
def test_a_member_and_team_name_are_literal_on_team_pages_csv_and_api(make_user, client_for,
                                                                      name):
    make_user("xahoankiem", role="commune_admin")
    admin = client_for("xahoankiem")
    team_id = create_team(admin, name)
    cards = add_member(admin, team_id, name)
    assert_literal_in_html(cards, name, "login cards")
    for url in ("/teams/", f"/teams/{team_id}", f"/teams/{team_id}/progress",
                f"/teams/{team_id}/sessions", "/admin/stats"):
        assert_literal_in_html(read(admin.get(url)), name, url)

    rows = list(csv.reader(io.StringIO(read(admin.get(f"/teams/{team_id}/progress.csv"))
                                       .lstrip("\ufeff"))))
    assert rows[1:] and all(row[0] == name for row in rows[1:])
    teams = list(csv.reader(io.StringIO(read(admin.get("/admin/stats.csv?table=breakdown"))
                                        .lstrip("\ufeff"))))
    assert name in [row[1] for row in teams[1:]]

    commune = admin.get("/api/v1/stats").get_json()
    assert name in [row["name"] for row in commune["breakdown"]]
    team = admin.get(f"/api/v1/stats?team={team_id}")
    assert team.get_json()["unit"]["name"] == name
    assert team.mimetype == "application/json"


def test_a_leaders_name_is_literal_where_leaders_are_listed(make_user, client_for):
    name = NAMES[1]
    make_user("xahoankiem", role="commune_admin")
    make_user("leader2025", role="learner", full_name=name)
    admin = client_for("xahoankiem")
    team_id = create_team(admin, "Tổ một")
    admin.post(f"/teams/{team_id}/leaders", data={
        "username": "leader2025", "csrf_token": csrf_token(admin, f"/teams/{team_id}")})
    assert_literal_in_html(read(admin.get(f"/teams/{team_id}")), name, "team page")


def test_lesson_markdown_cannot_carry_script(app, client):
    page = read(client.get("/courses/e-id/lessons/vneid-basics"))
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    from digilit.content.render import render_markdown
    html = str(render_markdown('<script>alert(1)</script>\n\n[x](javascript:alert(1)) '
                               '<img src=x onerror=alert(1)>'))
    for tag, attrs in Tags(html).tags:
        assert tag not in ("script", "img", "iframe"), html
        assert not any(key.startswith("on") for key in attrs), html
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), html
