"""Fixtures: an app with a database of its own per test, on SQLite or on PostgreSQL.

``TEST_DATABASE_URL`` (set by ``scripts/with-postgres.sh``) switches the suite to PostgreSQL:
a migrated template database is made once, and each test gets a copy of it.
"""
import itertools
import os
import re
import shutil
import uuid
from datetime import datetime, timezone

import pytest
from flask import g, has_request_context
from sqlalchemy import create_engine, event, func, text

from digilit import clock as digilit_clock
from digilit import create_app, paths
from digilit.db import dispose, make_engine, upgrade_database
from digilit.services import accounts, hashing
from digilit.services.quiz_rules import drawn_ids
from digilit.services.geo import import_geography
from sqlmodel import Session, select

PG_URL = os.environ.get("TEST_DATABASE_URL")
_counter = itertools.count()


def _pg_admin():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _url_for_db(name):
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _prepare(url):
    engine = make_engine(url)
    upgrade_database(engine)
    with Session(engine) as session:
        import_geography(session=session)
        session.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """A migrated database with the geography loaded, copied for every test."""
    if PG_URL:
        name = f"digilit_tmpl_{uuid.uuid4().hex[:8]}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        _prepare(_url_for_db(name))
        yield name
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _prepare(f"sqlite:///{path}")
        yield path


@pytest.fixture
def database_url(template_db, tmp_path):
    if PG_URL:
        name = f"digilit_t{os.getpid()}_{next(_counter)}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"'))
        yield _url_for_db(name)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path / "digilit.sqlite3"
        shutil.copy(template_db, path)
        yield f"sqlite:///{path}"


# Every test runs on this day, whatever the machine's calendar says: 10:00 in Vietnam on a
# Wednesday. The clock ticks on from there, so events keep their order.
TEST_DAY = datetime(2026, 3, 11, 3, 0, tzinfo=timezone.utc)


class TestClock:
    """The platform's clock as a test holds it: stopped at ``now`` until moved."""

    def __init__(self, start):
        digilit_clock.set_now(start)

    @property
    def now(self):
        return digilit_clock.timestamp()

    def __call__(self):
        return digilit_clock.timestamp()

    def set(self, moment):
        digilit_clock.set_now(moment)

    def today(self):
        return digilit_clock.today()

    def advance(self, seconds=0, **delta):
        digilit_clock.advance(seconds=seconds, **delta)


@pytest.fixture(autouse=True)
def _test_day():
    """No test depends on today's date: each starts on ``TEST_DAY``."""
    digilit_clock.set_now(TEST_DAY, ticking=True)
    yield
    digilit_clock.set_now(None)


@pytest.fixture
def clock():
    """The clock stopped at ``TEST_DAY``, for tests that move it (``clock.advance(60)``)."""
    return TestClock(TEST_DAY)


def _refuse_writes_while_reading(engine):
    """A request reads in autocommit until ``begin_writes``, which begins a transaction on
    the same connection: a write made outside one would commit statement by statement, and
    on SQLite without its turn for the write lock. Only ``begin_writes(one_statement=True)``
    on PostgreSQL writes in autocommit. Every suite run fails the others."""

    @event.listens_for(engine.reader, "before_cursor_execute")
    def _read_only(_connection, cursor, statement, *_args):
        words = statement.upper().split()
        dbapi = cursor.connection
        writing = dbapi.in_transaction if hasattr(dbapi, "in_transaction") else \
            dbapi.info.transaction_status != dbapi.info.transaction_status.IDLE
        reads = words[0] in ("SELECT", "BEGIN", "PRAGMA") or (
            words[0] == "WITH" and not {"INSERT", "UPDATE", "DELETE"} & set(words))
        assert writing or reads or (has_request_context() and g.get("db_one_statement")), \
            f"a write before begin_writes(): {statement[:80]}"


@pytest.fixture
def app(database_url, tmp_path):
    # Administrators' second factor is tested in tests/security/test_second_factor.py, with
    # SECOND_FACTOR_REQUIRED as in production; elsewhere they sign in with a password alone.
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SECOND_FACTOR_REQUIRED": False, "SQLALCHEMY_DATABASE_URI": database_url,
                      "CREDENTIAL_KEY_FILE": str(tmp_path / "instance" / "credential_key.pem")})
    _refuse_writes_while_reading(app.extensions["digilit.engine"])
    yield app
    dispose(app.extensions["digilit.engine"])


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app, database_url):
    """A session for arranging and checking data directly, beside the requests, not inside them.

    It holds no app context: a request made while a test runs pushes its own, with its own
    session and signed-in user, as in production (a pushed context would be reused by every
    request, sharing ``g``: the cached user and the database session). It uses a plain engine:
    on SQLite its reads run outside a transaction, so a check between two requests never holds
    the write lock that the next POST's BEGIN IMMEDIATE waits for, and always sees what the
    requests committed. Commit what you arrange; call ``db.expire_all()`` before re-reading
    objects that a request changed.
    """
    engine = create_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _courses_read_once():
    """The real courses are read once for the whole suite, not once per app (reading them
    takes about half a second). Courses are immutable, so apps can share them; a test that
    points COURSES_DIR at a folder of its own still gets that folder read."""
    from digilit.content import catalog as catalog_module

    build, cache = catalog_module.build_catalog, {}

    def build_once(courses_dir):
        key = str(courses_dir)
        if key != str(paths.COURSES_DIR):
            return build(courses_dir)
        if key not in cache:
            cache[key] = build(courses_dir)
        return cache[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog_module, "build_catalog", build_once)
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    """New passwords are hashed with Argon2id at a low cost: production's cost (about 40 ms a
    hash) would dominate the suite. Checking a password reads the cost from the stored hash,
    and hashes made with these settings count as current, so sign-in works unchanged;
    tests/auth/test_register.py checks production's settings."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(hashing, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    # what an unknown username is checked against: as cheap as the accounts' hashes here
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hashing.hash_password("not-a-real-password"))


@pytest.fixture
def catalog(app):
    """The running app's courses, to derive right and wrong answers from (never hard-coded)."""
    return app.extensions["digilit.catalog"]


@pytest.fixture
def count(db):
    """``count(Model, column=value, ...)``: rows in the database now."""
    def count(model, **where):
        statement = select(func.count()).select_from(model)
        for column, value in where.items():
            statement = statement.where(getattr(model, column) == value)
        return db.exec(statement).one()
    return count


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url="/auth/login"):
    """The CSRF token of the form on ``url``, as a browser would read it."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


HANOI, HOAN_KIEM, BA_DINH = 1, 70, 4  # province and two of its communes
HCMC, VUNG_TAU = 79, 26506  # another province and one of its communes


class AuthActions:
    def __init__(self, client):
        self._client = client

    def register(self, username="lan2025", password="mat-khau-an-toan", full_name="Nguyễn Thị Lan",
                 province=HANOI, commune=HOAN_KIEM, **extra):
        data = {"username": username, "full_name": full_name, "password": password,
                "password_confirm": extra.pop("password_confirm", password),
                "province": province, "commune": commune,
                "csrf_token": csrf_token(self._client, "/auth/register"), **extra}
        return self._client.post("/auth/register", data=data)

    def login(self, username="lan2025", password="mat-khau-an-toan"):
        return self._client.post("/auth/login", data={
            "username": username, "password": password,
            "csrf_token": csrf_token(self._client, "/auth/login")})

    def logout(self):
        return self._client.post("/auth/logout", data={"csrf_token": csrf_token(self._client, "/")})


@pytest.fixture
def auth(client):
    return AuthActions(client)


STAFF_PASSWORD = "to-cong-nghe-so-2025"


def login(client, username, password):
    """Post the sign-in form as a browser would."""
    return client.post("/auth/login", data={
        "username": username, "password": password,
        "csrf_token": csrf_token(client, "/auth/login")})


@pytest.fixture
def make_user(db):
    """``make_user(username, role=..., password=..., **fields)``: an account made directly."""
    def make(username, role="learner", password=STAFF_PASSWORD, full_name=None,
             commune=HOAN_KIEM, province=HANOI):
        user = accounts.create_user(session=db, username=username, role=role,
                                    full_name=full_name or f"Người dùng {username}",
                                    password=password, province_code=province,
                                    commune_code=commune)
        db.commit()
        return user
    return make


@pytest.fixture
def client_for(app):
    """``client_for(username, password)``: a new client (own cookies) signed in."""
    def make(username, password=STAFF_PASSWORD, address=None):
        client = app.test_client()
        if address:
            client.environ_base["REMOTE_ADDR"] = address
        response = login(client, username, password)
        assert response.status_code == 302, response.status_code
        return client
    return make


ATTEMPT_TOKEN_RE = re.compile(r'name="attempt_token" type="hidden" value="([^"]+)"')
QUESTION_NAME_RE = re.compile(r'name="q-([^"]+)"')


def question_order(page):
    """Question ids in the order a quiz page shows them."""
    return list(dict.fromkeys(QUESTION_NAME_RE.findall(page)))


def correct_answers(course):
    """``{question id: [choice ids]}`` that get every question right."""
    return {q.id: list(q.correct_ids) if q.type == "order" else sorted(q.correct_ids)
            for q in course.questions}


def wrong_answer(question):
    """A well-formed answer to ``question`` that is not right."""
    ids = [choice.id for choice in question.choices]
    if question.type == "order":
        return list(reversed(ids))
    if question.type == "multiple":
        return ids if set(ids) != question.correct_ids else ids[:1]
    return [next(cid for cid in ids if cid not in question.correct_ids)]


def wrong_answers(course):
    return {q.id: wrong_answer(q) for q in course.questions}


def practice_path(practice):
    """``[(step id, choice id)]``: the shortest way from a practice's first step to an end
    without a mistake, derived from the course files (never hard-coded)."""
    path = practice.good_path()
    assert path is not None, f"practice {practice.slug} has no end without a mistake"
    return path


def finish_practices(db, user, course):
    """Every practice of ``course`` done by ``user``, through the service (no request)."""
    from digilit.services import practice as practice_service
    for item in course.practices:
        if practice_service.is_done(session=db, user=user, course=course, practice=item):
            continue
        for step_id, choice_id in practice_path(item):
            practice_service.answer(session=db, user=user, course=course, practice=item,
                                    step_id=step_id, choice_id=choice_id,
                                    version=course.version)


class LearnActions:
    """A learner's steps through the web pages, posted as a browser would post them."""

    def __init__(self, client, catalog):
        self._client = client
        self._catalog = catalog

    def course(self, slug="e-id"):
        return self._catalog.get(slug)

    def enroll(self, slug="e-id"):
        return self._client.post(f"/courses/{slug}/enroll",
                                 data={"csrf_token": csrf_token(self._client, f"/courses/{slug}")})

    def complete(self, slug, lesson):
        url = f"/courses/{slug}/lessons/{lesson}"
        return self._client.post(url + "/complete",
                                 data={"csrf_token": csrf_token(self._client, url)})

    def complete_all(self, slug="e-id"):
        """Every lesson done, and every practice (the quiz opens after both)."""
        for lesson in self.course(slug).lessons:
            response = self.complete(slug, lesson.slug)
            assert response.status_code == 302, response.status_code
        for item in self.course(slug).practices:
            self.finish_practice(slug, item)

    def finish_practice(self, slug, item):
        url = f"/courses/{slug}/practice/{item.slug}"
        version = self.course(slug).version
        for step_id, choice_id in practice_path(item):
            response = self._client.post(url, data={
                "csrf_token": csrf_token(self._client, url), "step": step_id,
                "choice": choice_id, "version": version})
            assert response.status_code in (200, 302), response.status_code

    def quiz_form(self, slug="e-id"):
        """``(page, csrf token, attempt token)`` of a fresh quiz form."""
        response = self._client.get(f"/courses/{slug}/quiz")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        token = ATTEMPT_TOKEN_RE.search(page)
        assert token, "the quiz is not open"
        return page, CSRF_RE.search(page).group(1), token.group(1)

    def submit(self, slug="e-id", answers=None, token=None, **extra):
        """Post ``answers`` (``{question id: [choice ids] or "a,b"}``) on a quiz form."""
        _page, csrf, fresh_token = self.quiz_form(slug)
        data = {"csrf_token": csrf, "attempt_token": token or fresh_token, **extra}
        # Only the questions this attempt drew (a course with a bank draws some of them).
        shown = drawn_ids(self.course(slug), token or fresh_token)
        data.update({f"q-{qid}": value for qid, value in (answers or {}).items()
                     if qid in shown})
        return self._client.post(f"/courses/{slug}/quiz", data=data)

    def pass_course(self, slug="e-id"):
        """Do every lesson and answer every question right; return the attempt's address."""
        self.complete_all(slug)
        response = self.submit(slug, correct_answers(self.course(slug)))
        assert response.status_code == 302
        assert "/attempts/" in response.headers["Location"]
        return response.headers["Location"]


@pytest.fixture
def learn(client, catalog):
    return LearnActions(client, catalog)


@pytest.fixture
def learner(auth):
    """A registered learner (Hà Nội, Hoàn Kiếm), signed in on ``client``; returns the username."""
    response = auth.register()
    assert response.status_code == 302
    return "lan2025"
