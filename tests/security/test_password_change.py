"""Changing one's password asks for the current one, except right after a PIN sign-in."""
from digilit.services.hashing import verify as check_password_hash

from conftest import csrf_token
from digilit.models import User

from .conftest import STAFF_PASSWORD, field_errors, login

NEW = "mot-mat-khau-moi-hon"


def change(client, **fields):
    return client.post("/auth/password", data={
        "password": NEW, "password_confirm": NEW, **fields,
        "csrf_token": csrf_token(client, "/auth/password")})


def password_hash(db, user_id):
    db.expire_all()
    return db.get(User, user_id).password_hash


def test_a_password_change_needs_the_current_password(db, make_user, client_for):
    lan = make_user("lan2025")
    client = client_for("lan2025")
    assert 'name="current_password"' in client.get("/auth/password").get_data(as_text=True)
    for current in ("", "khong-phai-mat-khau"):
        response = change(client, current_password=current)
        assert response.status_code == 422
        assert "current_password" in field_errors(response)
        assert check_password_hash(password_hash(db, lan.id), STAFF_PASSWORD)
    assert change(client, current_password=STAFF_PASSWORD).status_code == 302
    assert check_password_hash(password_hash(db, lan.id), NEW)


def test_wrong_current_passwords_lock_the_account_like_wrong_sign_ins(app, make_user,
                                                                       client_for):
    make_user("lan2025")
    client = client_for("lan2025")
    for _ in range(5):
        change(client, current_password="sai-mat-khau")
    assert change(client, current_password=STAFF_PASSWORD).status_code == 422
    assert login(app.test_client(), "lan2025", STAFF_PASSWORD).status_code == 422


def test_after_a_pin_sign_in_no_current_password_is_asked(app, db, make_user, client_for):
    from digilit.services import pins

    lan = make_user("lan2025")
    with app.app_context():
        pin = pins.set_new_pin(session=db, user=db.get(User, lan.id))
        db.commit()
    client = app.test_client()
    assert login(client, "lan2025", pin).status_code == 302
    assert 'name="current_password"' not in client.get("/auth/password").get_data(as_text=True)
    assert change(client).status_code == 302
    assert check_password_hash(password_hash(db, lan.id), NEW)
