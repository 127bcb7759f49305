"""A commune hall: 30-60 people behind one shared address sign in or register within minutes,
with the default settings, while guessing from one address still meets its wall."""
from .conftest import STAFF_PASSWORD, login
from .test_lockout import register

HALL = "203.0.113.60"


def at_hall(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = HALL
    return client


def test_sixty_people_sign_in_at_one_hall_some_after_a_typo(app, make_user, clock):
    people = [make_user(f"hv{i:02d}x2025") for i in range(60)]
    for start in range(0, 60, 15):  # fifteen make a typo at once, then all fifteen get in
        group = people[start:start + 15]
        for user in group:
            assert login(at_hall(app), user.username, "mat-khau-sai-1").status_code == 422
            clock.advance(2)
        for user in group:
            assert login(at_hall(app), user.username, STAFF_PASSWORD).status_code == 302
            clock.advance(2)


def test_sixty_people_register_at_one_hall(app, count, clock):
    from digilit.models import User

    before = count(User)
    for i in range(60):
        assert register(at_hall(app), f"moi{i:02d}x2025").status_code == 302
        clock.advance(5)
    assert count(User) == before + 60


def test_guessing_over_many_usernames_is_refused_at_the_twentieth_failure(app, clock):
    client = at_hall(app)
    for i in range(20):
        assert login(client, f"doan{i:03d}", "mat-khau-sai-1").status_code == 422
    assert login(client, "doan999", "mat-khau-sai-1").status_code == 429


def test_own_successes_raise_the_wall_only_up_to_its_ceiling(app, make_user, clock):
    """An attacker who signs in with an account of their own earns room for typos, but never
    past LOGIN_FAILURES_PER_ADDRESS_MAX failures (200 by default; 40 here, to keep it short)."""
    app.config["LOGIN_FAILURES_PER_ADDRESS_MAX"] = 40
    make_user("toi2025")
    client = at_hall(app)
    for _ in range(30):  # would earn 20 + 2 x 30 = 80 failures without the ceiling
        assert login(client, "toi2025", STAFF_PASSWORD).status_code == 302
    refused_at = None
    for i in range(100):
        if login(client, f"doan{i:03d}", "mat-khau-sai-1").status_code == 429:
            refused_at = i
            break
    assert refused_at == 40
