"""Bad input is never a 500: numbers past 2^63 in paths, query strings and form fields,
reversed and ancient dates in filters and venue sessions, fed to every route."""
import pytest

from conftest import csrf_token
from services.test_permissions import PASSWORD, url_args, world  # noqa: F401 - a fixture

HUGE = str(2**64)
ANCIENT, FAR = "0001-01-01", "9999-12-31"
QUERIES = [
    {"province": HUGE, "commune": HUGE, "team": HUGE, "page": HUGE},
    {"date_from": ANCIENT, "date_to": ANCIENT, "from": ANCIENT, "to": ANCIENT},
    {"date_from": FAR, "date_to": FAR, "from": FAR, "to": FAR},
    {"date_from": "2026-03-01", "date_to": "2025-03-01", "from": "2026-03-01",
     "to": "2025-03-01"},
]
FORMS = [
    {"held_on": ANCIENT, "place": "Nhà văn hóa", "course": "e-id", "attendees": [HUGE],
     "citizens": HUGE, "unit": f"3:{HUGE}", "birth_year": HUGE, "full_name": "Người Thử",
     "members": [HUGE], "courses": ["e-id"], "name": "Tổ thử", "username": HUGE},
    {"held_on": FAR, "place": "Nhà văn hóa", "course": "e-id", "attendees": ["-1", "0"],
     "citizens": "-" + HUGE, "unit": f"{HUGE}:1", "birth_year": "-1", "members": ["x"]},
]


@pytest.mark.parametrize("actor", ["quocgia", "totruong"])
def test_no_route_answers_bad_values_with_a_500(app, world, actor):
    client = app.test_client()
    client.post("/auth/login", data={"username": actor, "password": PASSWORD,
                                     "csrf_token": csrf_token(client)})
    csrf = csrf_token(client, "/auth/register")
    last = ("auth.logout", "learn.delete_me")
    problems = []
    for rule in sorted(app.url_map.iter_rules(),
                       key=lambda r: (r.endpoint == "auth.logout", r.endpoint in last,
                                      "delete" in r.endpoint)):
        good = {k: v for k, v in url_args(world, actor, "own").items() if k in rule.arguments}
        huge = {k: (2**64 if isinstance(v, int) else v) for k, v in good.items()}
        urls = {rule.build(good, append_unknown=False)[1]}
        if huge != good:
            urls.add("/".join(HUGE if part.isdigit() else part
                              for part in rule.build(good, append_unknown=False)[1].split("/")))
        for url in sorted(urls):
            if "GET" in rule.methods:
                for query in QUERIES:
                    status = client.get(url, query_string=query).status_code
                    if status >= 500:
                        problems.append(f"GET {url} {query}: {status}")
            if "POST" in rule.methods:
                for form in FORMS:
                    status = client.post(url, data={"csrf_token": csrf, **form}).status_code
                    if status >= 500:
                        problems.append(f"POST {url} {form}: {status}")
    assert not problems, "\n".join(problems)


def test_a_venue_session_from_long_ago_is_refused_beside_its_field(app, world):
    client = app.test_client()
    client.post("/auth/login", data={"username": "totruong", "password": PASSWORD,
                                     "csrf_token": csrf_token(client)})
    url = f"/teams/{world.ids['own']}/sessions"
    response = client.post(url, data={
        "held_on": "1999-12-31", "place": "Nhà văn hóa", "course": "e-id",
        "attendees": [str(world.members["own"])], "csrf_token": csrf_token(client, url)})
    assert response.status_code == 422
    assert 'id="held_on-error"' in response.get_data(as_text=True)


def test_reversed_or_ancient_api_dates_are_a_400(app, world):
    client = app.test_client()
    client.post("/auth/login", data={"username": "quocgia", "password": PASSWORD,
                                     "csrf_token": csrf_token(client)})
    for query in QUERIES[1:]:
        assert client.get("/api/v1/stats", query_string=query).status_code == 400, query
