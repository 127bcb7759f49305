"""Accounts' lifecycle: a national or province administrator suspends, re-enables, changes
the role and area of, and deletes accounts of a lower rank in their area (page and CLI)."""
from sqlmodel import select

from conftest import HCMC, VUNG_TAU, csrf_token
from digilit.models import User

from .conftest import PASSWORD, sign_in


def account(db, username):
    db.expire_all()
    return db.exec(select(User).where(User.username == username)).first()


def post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/accounts"), **data})


def test_only_national_and_province_administrators_have_the_accounts_page(population,
                                                                          clients):
    assert clients("tinhhanoi").get("/admin/accounts").status_code == 200
    assert clients("quocgia").get("/admin/accounts").status_code == 200
    assert clients("xahoankiem").get("/admin/accounts").status_code == 404
    assert clients("totruonghk").get("/admin/accounts").status_code == 404


def test_suspend_ends_sessions_and_sign_in_until_re_enabled(app, population, clients, db):
    leader = sign_in(app, "totruonghk")
    target = account(db, "totruonghk")
    admin = clients("tinhhanoi")
    assert "totruonghk" in admin.get("/admin/accounts?q=totruong").get_data(as_text=True)
    assert post(admin, f"/admin/accounts/{target.id}/suspend", suspend="1").status_code == 302
    assert leader.get("/teams/").status_code == 302  # signed out
    client = app.test_client()
    response = client.post("/auth/login", data={"username": "totruonghk", "password": PASSWORD,
                                                "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert post(admin, f"/admin/accounts/{target.id}/suspend", suspend="0").status_code == 302
    assert sign_in(app, "totruonghk") is not None


def test_accounts_outside_the_area_or_not_below_are_404(population, clients, db):
    admin = clients("tinhhanoi")
    for username in ("totruongvt", "quocgia", "tinhhcm"):
        target = account(db, username)
        assert post(admin, f"/admin/accounts/{target.id}/suspend",
                    suspend="1").status_code == 404, username
        assert account(db, username).suspended_at is None
    assert "totruongvt" not in admin.get("/admin/accounts?q=totruong").get_data(as_text=True)


def test_role_and_area_change_stays_below_and_inside(population, clients, db):
    admin = clients("tinhhanoi")
    target = account(db, "totruonghk")
    assert post(admin, f"/admin/accounts/{target.id}/role", role="province_admin",
                province="1").status_code == 422
    assert post(admin, f"/admin/accounts/{target.id}/role", role="team_leader",
                commune=str(VUNG_TAU), province=str(HCMC)).status_code == 422
    assert account(db, "totruonghk").role == "team_leader"
    assert post(admin, f"/admin/accounts/{target.id}/role", role="commune_admin",
                commune=str(target.commune_code)).status_code == 302
    assert account(db, "totruonghk").role == "commune_admin"


def test_delete_needs_the_username_typed(population, clients, db):
    admin = clients("quocgia")
    target = account(db, "totruongvt")
    post(admin, f"/admin/accounts/{target.id}/delete", username="sai")
    assert account(db, "totruongvt") is not None
    assert post(admin, f"/admin/accounts/{target.id}/delete",
                username="totruongvt").status_code == 302
    assert account(db, "totruongvt") is None


def test_the_command_line_suspends_changes_and_deletes(app, population, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "suspend", "totruongbd"]).exit_code == 0
    assert account(db, "totruongbd").suspended_at is not None
    assert runner.invoke(args=["users", "suspend", "--enable", "totruongbd"]).exit_code == 0
    assert account(db, "totruongbd").suspended_at is None
    result = runner.invoke(args=["users", "set-role", "totruongbd", "--role", "learner",
                                 "--commune", str(account(db, "totruongbd").commune_code)])
    assert result.exit_code == 0, result.output
    assert account(db, "totruongbd").role == "learner"
    assert runner.invoke(args=["users", "delete", "totruongbd", "--yes"]).exit_code == 0
    assert account(db, "totruongbd") is None


def test_commune_administrators_and_team_leaders_change_no_account(population, clients, db):
    """Suspending, changing the role or area of, deleting and resetting the second step of
    accounts is for province and national administrators: a commune administrator and a
    team leader get a 404 even for a learner of their own commune, and nothing changes."""
    learner = account(db, "hocvien1")
    for username in ("xahoankiem", "totruonghk"):
        staff = clients(username)
        token = csrf_token(staff, "/me")
        for action, data in (("suspend", {"suspend": "1"}), ("role", {"role": "team_leader"}),
                             ("delete", {"username": "hocvien1"}), ("second-factor", {})):
            response = staff.post(f"/admin/accounts/{learner.id}/{action}",
                                  data={"csrf_token": token, **data})
            assert response.status_code == 404, (username, action)
    after = account(db, "hocvien1")
    assert (after.suspended_at, after.role, after.session_version) == (
        None, "learner", learner.session_version)
