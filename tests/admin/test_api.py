"""GET /api/v1/stats per the public contract, and the read-only API tokens."""
import hashlib
import re
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from conftest import HANOI, HCMC, HOAN_KIEM, VUNG_TAU, csrf_token
from digilit.models import ApiToken

from .conftest import EXPECTED, EXPECTED_E_ID

COUNTS = ("learners", "enrolments", "completions")
SECRET_RE = re.compile(r'<code class="secret">([^<]+)</code>')


def contract(body):
    """The contract's fields of a figures object."""
    return {k: body[k] for k in (*COUNTS, "completion_rate")}


def expected(key, table=EXPECTED):
    figures = table[key]
    rate = figures["completions"] / figures["enrolments"] if figures["enrolments"] else 0.0
    return {**{k: figures[k] for k in COUNTS}, "completion_rate": round(rate, 4)}


def test_national_json(population, clients):
    response = clients("quocgia").get("/api/v1/stats")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert contract(body) == expected("nation") == {
        "learners": 11, "enrolments": 10, "completions": 5, "completion_rate": 0.5}
    assert body["unit"]["level"] == "nation"
    assert len(body["breakdown"]) == 34
    for row in body["breakdown"]:
        assert set(row) >= {"code", "name", *COUNTS, "completion_rate"}
        assert isinstance(row["code"], int) and row["name"]
    for name in COUNTS:
        assert sum(row[name] for row in body["breakdown"]) == body[name]
    rows = {row["code"]: contract(row) for row in body["breakdown"]}
    assert rows[HANOI] == expected("hanoi") and rows[HCMC] == expected("hcmc")


def test_province_commune_and_team_json(population, clients):
    client = clients("quocgia")
    body = client.get(f"/api/v1/stats?province={HANOI}").get_json()
    assert (body["unit"]["level"], body["unit"]["code"]) == ("province", HANOI)
    assert contract(body) == expected("hanoi")
    rows = {row["code"]: row for row in body["breakdown"]}
    assert contract(rows[HOAN_KIEM]) == expected("hoan_kiem")
    assert rows[HOAN_KIEM]["name"] == population.units["hoan_kiem"].name
    body = client.get(f"/api/v1/stats?commune={HOAN_KIEM}").get_json()
    assert contract(body) == expected("hoan_kiem")
    assert {row["code"]: contract(row) for row in body["breakdown"]} == {
        population.team_a.id: expected("team_a"),
        population.team_formula.id: expected("team_formula")}
    body = client.get(f"/api/v1/stats?team={population.team_a.id}").get_json()
    assert contract(body) == expected("team_a") and body["breakdown"] == []


def test_filters(population, clients):
    client = clients("quocgia")
    body = client.get("/api/v1/stats?course=e-id").get_json()
    assert contract(body) == expected("nation", EXPECTED_E_ID)
    body = client.get(f"/api/v1/stats?province={HANOI}&course=e-id").get_json()
    assert contract(body) == expected("hanoi", EXPECTED_E_ID)
    body = client.get("/api/v1/stats?from=2999-01-01").get_json()
    assert (body["enrolments"], body["completions"]) == (0, 0)
    body = client.get("/api/v1/stats?to=2000-01-01").get_json()
    assert body["learners"] == 0


def test_each_caller_gets_their_own_area_by_default(population, clients):
    body = clients("tinhhanoi").get("/api/v1/stats").get_json()
    assert (body["unit"]["level"], body["unit"]["code"]) == ("province", HANOI)
    assert contract(body) == expected("hanoi")
    body = clients("xavungtau").get("/api/v1/stats").get_json()
    assert (body["unit"]["level"], body["unit"]["code"]) == ("commune", VUNG_TAU)
    assert contract(body) == expected("vung_tau")


# --- tokens ----------------------------------------------------------------------------------

def create_token(client, name="Cổng dữ liệu tỉnh"):
    page = client.post("/admin/tokens", data={
        "csrf_token": csrf_token(client, "/admin/tokens"), "name": name})
    assert page.status_code == 200
    match = SECRET_RE.search(page.get_data(as_text=True))
    assert match, "the new token is not shown"
    return match.group(1)


def bearer(client, secret, url="/api/v1/stats"):
    return client.get(url, headers={"Authorization": f"Bearer {secret}"})


def test_a_token_is_shown_once_and_stored_hashed(app, population, clients, db,
                                                  database_url):
    admin = clients("tinhhanoi")
    secret = create_token(admin)
    assert len(secret) >= 40
    again = admin.get("/admin/tokens").get_data(as_text=True)
    assert secret not in again and "Cổng dữ liệu tỉnh" in again
    assert secret[:10] in again  # the prefix, to recognise it
    token = db.exec(select(ApiToken)).one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (token.role, token.province_code, token.created_by) == (
        "province_admin", HANOI, population.staff["tinhhanoi"].id)
    for row in db.execute(text("SELECT * FROM apitoken")).all():
        assert all(secret not in str(value) for value in row)
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for file in (path, Path(f"{path}-wal")):
            if file.exists():
                assert secret.encode() not in file.read_bytes()


def test_a_token_reads_its_creators_area_only(app, population, clients):
    secret = create_token(clients("tinhhanoi"))
    anonymous = app.test_client()
    response = bearer(anonymous, secret)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["unit"]["code"], contract(body)) == (HANOI, expected("hanoi"))
    assert bearer(anonymous, secret, f"/api/v1/stats?commune={HOAN_KIEM}").status_code == 200
    assert bearer(anonymous, secret,
                  f"/api/v1/stats?team={population.team_a.id}").status_code == 200
    for outside in (f"province={HCMC}", f"commune={VUNG_TAU}", f"team={population.team_c.id}",
                    f"province={HANOI}&commune={VUNG_TAU}", "province=999"):
        assert bearer(anonymous, secret, f"/api/v1/stats?{outside}").status_code == 404, outside
    # a token gives nothing but the API
    assert bearer(anonymous, secret, "/admin/stats").status_code == 302
    commune_secret = create_token(clients("xahoankiem"))
    assert bearer(anonymous, commune_secret, f"/api/v1/stats?province={HANOI}").status_code == 404
    assert bearer(anonymous, commune_secret).get_json()["unit"]["code"] == HOAN_KIEM


def test_revoked_and_bad_tokens_get_401(app, population, clients, db):
    admin = clients("tinhhanoi")
    secret = create_token(admin)
    anonymous = app.test_client()
    assert bearer(anonymous, secret).status_code == 200
    token = db.exec(select(ApiToken)).one()
    # only its creator can revoke it
    other = clients("tinhhcm")
    response = other.post(f"/admin/tokens/{token.id}/revoke",
                          data={"csrf_token": csrf_token(other, "/admin/tokens")})
    assert response.status_code == 404
    assert bearer(anonymous, secret).status_code == 200
    response = admin.post(f"/admin/tokens/{token.id}/revoke",
                          data={"csrf_token": csrf_token(admin, "/admin/tokens")})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(ApiToken, token.id).revoked_at is not None
    response = bearer(anonymous, secret)
    assert response.status_code == 401 and response.get_json()["status"] == 401
    for header in (f"Bearer {secret[:-1]}x", "Bearer dl_nonsense", "Bearer ", "Bearer",
                   f"Basic {secret}", "dl_" + "a" * 43, f"Bearer {secret} {secret}"):
        assert anonymous.get("/api/v1/stats",
                             headers={"Authorization": header}).status_code == 401, header
    # a bad token is refused even when the browser is signed in
    assert bearer(admin, "dl_nonsense").status_code == 401


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_name(population, clients, db, name):
    client = clients("tinhhanoi")
    page = client.post("/admin/tokens", data={
        "csrf_token": csrf_token(client, "/admin/tokens"), "name": name})
    assert not SECRET_RE.search(page.get_data(as_text=True))
    assert db.exec(select(ApiToken)).all() == []


def test_the_401_speaks_the_language_of_the_404(client):
    for lang, signin in (("vi", "Cần đăng nhập"), ("en", "Sign-in required"),
                         ("de", "Anmeldung erforderlich")):
        response = client.get(f"/api/v1/stats?lang={lang}")
        assert response.status_code == 401 and response.get_json()["error"] == signin
        missing = client.get(f"/api/v1/nothing?lang={lang}").get_json()["error"]
        assert (missing == "Page not found") == (lang == "en")


@pytest.mark.parametrize("lang", ["vi", "en", "de", "ro"])
def test_the_token_help_shows_the_header_literally(clients, lang):
    page = clients("quocgia").get(f"/admin/tokens?lang={lang}").get_data(as_text=True)
    assert "<code translate=\"no\">Authorization: Bearer &lt;token&gt;</code>" in page
