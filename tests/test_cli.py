"""The command line of the public contract: db, geo, courses, users, demo."""
import os
import stat
import subprocess
import sys

import pytest
from sqlalchemy import delete, func
from sqlmodel import select
from digilit.services.hashing import verify as check_password_hash

from conftest import AuthActions, HANOI, HOAN_KIEM
from digilit import create_app, paths
from digilit.demo import DEMO_ACCOUNTS
from digilit.models import Commune, Enrolment, LessonProgress, Province, User
from digilit.db import dispose

PASSWORD = "mat-khau-quan-tri"


# --- db upgrade ------------------------------------------------------------------------------

def test_db_upgrade_is_idempotent(runner, db, count):
    for _ in range(2):
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
    assert count(Province) == 34  # data kept


def test_db_upgrade_creates_a_fresh_database(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"})
    try:
        runner = app.test_cli_runner()
        for _ in range(2):
            result = runner.invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
        with app.extensions["digilit.engine"].connect() as connection:
            tables = {row[0] for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert len(version.all()) == 1
        assert {"user", "province", "commune", "enrolment", "lessonprogress", "quizattempt",
                "certificate", "alembic_version"} <= tables
    finally:
        dispose(app.extensions["digilit.engine"])


# --- geo import ------------------------------------------------------------------------------

def test_geo_import_loads_the_map_and_is_idempotent(runner, db, count):
    db.execute(delete(Commune))
    db.execute(delete(Province))
    db.commit()
    assert count(Province) == count(Commune) == 0
    for _ in range(2):
        result = runner.invoke(args=["geo", "import"])
        assert result.exit_code == 0, result.output
        assert "34 provinces, 3321 communes." in result.output
        assert count(Province) == 34
        assert count(Commune) == 3321
    assert db.get(Commune, HOAN_KIEM).province_code == HANOI
    orphans = db.exec(select(func.count()).select_from(Commune).where(
        Commune.province_code.not_in(select(Province.code)))).one()
    assert orphans == 0


# --- users create ----------------------------------------------------------------------------

def test_users_create_reads_the_password_from_stdin(runner, db):
    result = runner.invoke(args=["users", "create", "--role", "province_admin",
                                 "--username", "xadmin", "--province", "1"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    user = db.exec(select(User).where(User.username == "xadmin")).one()
    assert (user.role, user.province_code, user.commune_code) == ("province_admin", HANOI, None)
    assert check_password_hash(user.password_hash, PASSWORD)
    assert PASSWORD not in user.password_hash


def test_a_created_user_can_sign_in(client, runner):
    result = runner.invoke(args=["users", "create", "--role", "team_leader", "--username",
                                 "leader1", "--commune", str(HOAN_KIEM),
                                 "--full-name", "Trần Văn Minh"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert AuthActions(client).login("leader1", PASSWORD).status_code == 302
    assert "Trần Văn Minh" in client.get("/me").get_data(as_text=True)


@pytest.mark.parametrize("role, area, expected", [
    ("learner", ["--commune", str(HOAN_KIEM)], (HANOI, HOAN_KIEM)),
    ("commune_admin", ["--province", "1", "--commune", str(HOAN_KIEM)], (HANOI, HOAN_KIEM)),
    ("national_admin", [], (None, None)),
])
def test_users_create_every_role(runner, db, role, area, expected):
    result = runner.invoke(args=["users", "create", "--role", role, "--username", "someone",
                                 *area], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = db.exec(select(User)).one()
    assert user.role == role
    assert (user.province_code, user.commune_code) == expected


@pytest.mark.parametrize("args, password, mentions", [
    (["--role", "superuser", "--province", "1"], PASSWORD, "--role"),
    (["--role", "province_admin"], PASSWORD, "province"),
    (["--role", "learner"], PASSWORD, "commune"),
    (["--role", "commune_admin", "--province", "1"], PASSWORD, "commune"),
    (["--role", "province_admin", "--province", "999"], PASSWORD, "province"),
    (["--role", "learner", "--province", "79", "--commune", str(HOAN_KIEM)], PASSWORD, "commune"),
    (["--role", "province_admin", "--province", "1"], "short", "password"),
    (["--role", "province_admin", "--province", "1"], "", "password"),
])
def test_users_create_refuses_bad_input_and_writes_nothing(runner, count, args, password,
                                                            mentions):
    result = runner.invoke(args=["users", "create", "--username", "someone", *args],
                           input=password + "\n")
    assert result.exit_code != 0
    assert mentions in result.output
    assert "Traceback" not in result.output
    assert count(User) == 0


def test_users_create_refuses_a_taken_username(runner, count):
    args = ["users", "create", "--role", "national_admin", "--username", "boss"]
    assert runner.invoke(args=args, input=PASSWORD + "\n").exit_code == 0
    result = runner.invoke(args=[*args[:-1], "BOSS"], input=PASSWORD + "\n")
    assert result.exit_code != 0 and "username" in result.output
    assert count(User) == 1


# --- demo seed -------------------------------------------------------------------------------

@pytest.fixture
def demo_runner(app, tmp_path):
    """A runner whose app keeps its files (the demo logins) in a temporary instance folder."""
    app.instance_path = str(tmp_path)
    return app.test_cli_runner()


def printed_logins(output):
    """``{username: password}`` from ``demo seed`` output."""
    logins = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in {u for u, _r, _n in DEMO_ACCOUNTS}:
            logins[parts[1]] = parts[2]
    return logins


def test_demo_seed_creates_one_user_per_role_and_prints_logins(demo_runner, client, db,
                                                               tmp_path):
    result = demo_runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    users = db.exec(select(User)).all()
    assert sorted(u.role for u in users) == sorted(r for _u, r, _n in DEMO_ACCOUNTS)
    logins = printed_logins(result.output)
    assert set(logins) == {u.username for u in users}
    assert all(len(password) >= 8 for password in logins.values())
    logins_file = tmp_path / "demo-logins.txt"
    assert stat.S_IMODE(logins_file.stat().st_mode) == 0o600
    # The test instance's file, never the real installation's.
    assert logins_file.resolve() != (paths.INSTANCE_DIR / "demo-logins.txt").resolve()
    learner = next(u for u, r, _n in DEMO_ACCOUNTS if r == "learner")
    assert AuthActions(client).login(learner, logins[learner]).status_code == 302


def test_demo_seed_twice_keeps_the_accounts(demo_runner, db, count):
    first = demo_runner.invoke(args=["demo", "seed"])
    ids = sorted(db.exec(select(User.id)).all())
    second = demo_runner.invoke(args=["demo", "seed"])
    assert first.exit_code == second.exit_code == 0
    assert count(User) == len(DEMO_ACCOUNTS)
    assert sorted(db.exec(select(User.id)).all()) == ids
    assert printed_logins(second.output) == printed_logins(first.output)


def test_demo_seed_adds_learners_with_enrolments(demo_runner, client, db, count):
    result = demo_runner.invoke(args=["demo", "seed", "--learners", "50"])
    assert result.exit_code == 0, result.output
    assert count(User, role="learner") == 1 + 50
    assert count(Enrolment) > 0
    rows = db.exec(select(Enrolment, User).join(User, User.id == Enrolment.user_id)).all()
    assert all((e.province_code, e.commune_code) == (u.province_code, u.commune_code)
               for e, u in rows)
    assert all(u.role == "learner" for _e, u in rows)
    progress = db.exec(select(func.count()).select_from(LessonProgress).join(
        Enrolment, (Enrolment.user_id == LessonProgress.user_id)
        & (Enrolment.course_slug == LessonProgress.course_slug), isouter=True).where(
        Enrolment.id.is_(None))).one()
    assert progress == 0  # every lesson done belongs to an enrolment
    again = demo_runner.invoke(args=["demo", "seed", "--learners", "50"])
    assert again.exit_code == 0
    assert count(User, role="learner") == 1 + 100
    # Accounts made afterwards still get ids of their own.
    assert AuthActions(client).register(username="newcomer").status_code == 302
    assert count(User, username="newcomer") == 1


# --- as a real command -----------------------------------------------------------------------

def test_flask_command_validates_the_courses(tmp_path):
    env = {**os.environ, "SECRET_KEY": "test-secret",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    result = subprocess.run([flask, "--app", "wsgi", "courses", "validate"], cwd=paths.REPO_ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 valid course(s), 0 problem(s)." in result.stdout
