"""The signed-in account as each request reads it (``signed_in.load_user``): plain columns,
while the services that change the account work on its entity."""
from digilit.models import User
from digilit.services import accounts, signed_in


def test_a_session_token_loads_the_account_as_plain_columns(db, make_user):
    user = make_user("hocvien", full_name="Lê Thị Hoa")
    loaded = signed_in.load_user(session=db, token=user.get_id())
    assert isinstance(loaded, signed_in.SignedInUser) and not isinstance(loaded, User)
    assert (loaded.id, loaded.username, loaded.full_name, loaded.role) == (
        user.id, "hocvien", "Lê Thị Hoa", "learner")
    assert loaded.get_id() == user.get_id() and loaded.is_authenticated
    assert signed_in.load_user(session=db, token=f"{user.id}:{user.session_version + 1}") is None
    assert signed_in.load_user(session=db, token="not-a-token") is None


def test_signing_out_everywhere_changes_the_account_itself(db, make_user):
    user = make_user("hocvien")
    token, version = user.get_id(), user.session_version
    loaded = signed_in.load_user(session=db, token=token)
    accounts.end_sessions(session=db, user=loaded)
    db.commit()
    assert signed_in.load_user(session=db, token=token) is None  # that session has ended
    assert db.get(User, user.id).session_version == version + 1
