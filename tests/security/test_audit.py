"""The audit log: one ``key=value`` line per security event on ``digilit.audit``, with the
account, the actor, the client's address and the outcome, and never a password, PIN, phone
number or cookie."""
import logging
import re

import pytest

from conftest import csrf_token
from digilit import audit
from digilit.models import User

from .conftest import STAFF_PASSWORD, add_member, create_team, login

PIN_RE = re.compile(r'<dd class="pin">(\d+)</dd>')
USERNAME_RE = re.compile(r'<dd class="username">([^<]+)</dd>')
PHONE = "0912345678"


@pytest.fixture
def audit_log(caplog):
    caplog.set_level(logging.INFO, logger=audit.LOGGER_NAME)

    def lines(event=None):
        found = []
        for record in caplog.records:
            if record.name != audit.LOGGER_NAME:
                continue
            fields = dict(part.split("=", 1) for part in record.getMessage().split(" "))
            if event is None or fields["event"] == event:
                found.append(fields)
        return found
    return lines


def everything_logged(caplog):
    """The text of every record, of every logger, arguments and traceback included."""
    handler = logging.Formatter()
    return "\n".join(handler.format(record) for record in caplog.records)


def test_sign_in_success_failure_and_lockout_are_logged(client, make_user, audit_log):
    user = make_user("lan2025")
    client.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    for _ in range(5):
        login(client, "lan2025", "not-the-password")
    login(client, "lan2025", STAFF_PASSWORD)
    login(client, "ghost2025", "not-the-password")
    outcomes = [(line["outcome"], line["user_id"]) for line in audit_log("login")]
    uid = str(user.id)
    assert outcomes == [("failure", uid)] * 4 + [("lockout", uid), ("locked", uid),
                                                 ("failure", "-")]
    assert all(line["address"] == "203.0.113.5" for line in audit_log("login"))


def test_a_successful_sign_in_names_the_account(client, make_user, audit_log):
    user = make_user("lan2025")
    login(client, "lan2025", STAFF_PASSWORD)
    (line,) = audit_log("login")
    assert line["outcome"] == "success" and line["user_id"] == str(user.id)
    assert line["address"] == "127.0.0.1"


def test_role_change_pin_resets_and_exports_are_logged(app, db, make_user, client_for,
                                                       audit_log, caplog):
    admin = make_user("xahoankiem", role="commune_admin")
    learner = make_user("lan2025")
    client = client_for("xahoankiem", address="198.51.100.4")
    team_id = create_team(client, "Tổ một")
    response = client.post(f"/teams/{team_id}/leaders", data={
        "username": "lan2025", "csrf_token": csrf_token(client, f"/teams/{team_id}")})
    assert response.status_code == 302
    (change,) = audit_log("role_change")
    assert change == {**change, "outcome": "success", "user_id": str(learner.id),
                      "actor_id": str(admin.id), "address": "198.51.100.4",
                      "role": "team_leader", "team_id": str(team_id)}

    cards = add_member(client, team_id, "Trần Thị Mai", phone=PHONE)
    member = db.exec(User.__table__.select().where(User.phone == PHONE)).one()
    first_pin = PIN_RE.search(cards).group(1)
    reset = client.post(f"/teams/{team_id}/members/{member.id}/reset-pin", follow_redirects=True,
                        data={"csrf_token": csrf_token(client, f"/teams/{team_id}")})
    second_pin = PIN_RE.search(reset.get_data(as_text=True)).group(1)
    client.post(f"/teams/{team_id}/cards", data={
        "confirmed": "1", "csrf_token": csrf_token(client, f"/teams/{team_id}")})
    resets = audit_log("pin_reset")
    assert [line["user_id"] for line in resets] == [str(member.id), str(member.id)]
    assert all(line["actor_id"] == str(admin.id) for line in resets)

    for url in (f"/teams/{team_id}/progress.csv", "/admin/stats.csv?table=breakdown"):
        download = client.get(url)
        download.get_data()
        download.close()
        assert download.status_code == 200
    kinds = [line["kind"] for line in audit_log("export")]
    assert kinds == ["team_progress", "stats_breakdown"]
    assert all(line["actor_id"] == str(admin.id) and line["address"] == "198.51.100.4"
               for line in audit_log("export"))

    # The member signs in with the PIN and chooses a password: none of it is logged.
    username = USERNAME_RE.search(reset.get_data(as_text=True)).group(1)
    member_client = app.test_client()
    login(member_client, username, first_pin)  # spent: a new PIN replaced it
    logged = everything_logged(caplog)
    for secret in (first_pin, second_pin, PHONE, STAFF_PASSWORD, "Trần Thị Mai"):
        assert secret not in logged, secret


def test_no_password_pin_phone_or_cookie_reaches_any_log(app, client, auth, caplog,
                                                         audit_log):
    caplog.set_level(logging.INFO)
    password, wrong = "mat-khau-rieng-cua-toi", "sai-mat-khau-nay"
    auth.register(username="0987654321", password=password)
    cookie = client.get_cookie("session").value
    auth.logout()
    login(client, "0987654321", wrong)
    login(client, "0987654321", password)
    client.post("/auth/password", data={"password": "mat-khau-moi-hon", "password_confirm":
                                        "mat-khau-moi-hon", "current_password": password,
                                        "csrf_token": csrf_token(client, "/auth/password")})
    events = [line["event"] for line in audit_log()]
    assert events == ["register", "logout", "login", "login", "password_change"]
    logged = everything_logged(caplog)
    for secret in (password, wrong, "mat-khau-moi-hon", "0987654321", cookie):
        assert secret not in logged


def test_the_audit_helper_refuses_secret_fields_and_keeps_one_line():
    with pytest.raises(ValueError):
        audit.event("login", phone="0912345678")
    with pytest.raises(ValueError):
        audit.event("login", password="x")


def test_values_cannot_forge_a_line(caplog):
    caplog.set_level(logging.INFO, logger=audit.LOGGER_NAME)
    audit.event("export", kind="x\nevent=login outcome=success user_id=1")
    (record,) = caplog.records
    message = record.getMessage()
    assert "\n" not in message and message.count("=") == 6
