"""API tokens expire (90 days by default, chosen at creation), note when they were last
used, are listed and revocable by an administrator above their creator, and never outlive
their creator's role or area."""
from sqlmodel import select

from conftest import csrf_token
from digilit.models import ApiToken, User

from .test_api import bearer, create_token


def make_token(client, days):
    page = client.post("/admin/tokens", data={
        "csrf_token": csrf_token(client, "/admin/tokens"), "name": "Cổng", "days": str(days)})
    assert page.status_code == 200
    return page


def test_a_token_expires_after_its_chosen_lifetime(app, population, clients, clock):
    secret = create_token(clients("tinhhanoi"))  # the default: 90 days
    anonymous = app.test_client()
    clock.advance(89 * 86400)
    assert bearer(anonymous, secret).status_code == 200
    clock.advance(2 * 86400)
    assert bearer(anonymous, secret).status_code == 401


def test_a_lifetime_outside_the_list_is_refused(app, population, clients, db):
    page = make_token(clients("tinhhanoi"), 10_000)
    assert "dl_" not in page.get_data(as_text=True)
    assert db.exec(select(ApiToken)).all() == []


def test_last_use_is_recorded(app, population, clients, db):
    secret = create_token(clients("tinhhanoi"))
    assert db.exec(select(ApiToken)).one().last_used_at is None
    bearer(app.test_client(), secret)
    db.expire_all()
    assert db.exec(select(ApiToken)).one().last_used_at is not None


def test_a_token_dies_with_its_creators_role_or_area(app, population, clients, db):
    secret = create_token(clients("tinhhanoi"))
    anonymous = app.test_client()
    creator = db.exec(select(User).where(User.username == "tinhhanoi")).one()
    creator.province_code = 79
    db.commit()
    assert bearer(anonymous, secret).status_code == 401
    creator.province_code = 1
    creator.role = "commune_admin"
    db.commit()
    assert bearer(anonymous, secret).status_code == 401


def test_an_administrator_above_the_creator_lists_and_revokes_it(app, population, clients,
                                                                  db):
    secret = create_token(clients("xahoankiem"))
    token = db.exec(select(ApiToken)).one()
    for name, sees in (("tinhhanoi", True), ("quocgia", True), ("tinhhcm", False),
                       ("xabadinh", False)):
        page = clients(name).get("/admin/tokens").get_data(as_text=True)
        assert (token.prefix in page) == sees, name
    other = clients("tinhhcm")
    assert other.post(f"/admin/tokens/{token.id}/revoke", data={
        "csrf_token": csrf_token(other, "/admin/tokens")}).status_code == 404
    above = clients("tinhhanoi")
    assert above.post(f"/admin/tokens/{token.id}/revoke", data={
        "csrf_token": csrf_token(above, "/admin/tokens")}).status_code == 302
    assert bearer(app.test_client(), secret).status_code == 401
    # The creator does not see or revoke tokens of those above them.
    create_token(clients("tinhhanoi"))
    mine = clients("xahoankiem").get("/admin/tokens").get_data(as_text=True)
    assert len([t for t in db.exec(select(ApiToken)).all() if t.prefix in mine]) == 1
