"""The database rules: SQLite tuned for concurrency, writes that take the lock up front, and
uniqueness kept by constraints rather than by code."""
import sqlite3
import threading
import time
from datetime import timezone

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from conftest import HANOI, HOAN_KIEM, PG_URL, csrf_token, wrong_answers
from digilit.db import dispose
from digilit.kept_reader import dbapi_in_transaction
from digilit.models import Certificate, Enrolment, LessonProgress, QuizAttempt, User
from digilit.models.stats import COMMUNE, StatDaily, StatTotal
from digilit.services.quiz_rules import drawn_ids

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite connection settings")


@pytest.fixture
def engine(app):
    return app.extensions["digilit.engine"]


@pytest.fixture
def statements(engine):
    """Every SQL statement the app sends, in order."""
    sent = []

    def record(_conn, _cursor, statement, _params, _context, _executemany):
        sent.append(statement.strip())

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


@sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(engine):
    with engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode").lower() == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") > 0


@sqlite_only
def test_a_get_reads_outside_a_transaction_and_a_post_writes_in_begin_immediate(
        client, auth, statements):
    auth.register()
    token = csrf_token(client, "/courses/e-id")
    statements.clear()
    assert client.get("/courses/e-id").status_code == 200
    assert statements and not [s for s in statements if s.split()[0].upper() == "BEGIN"]
    statements.clear()
    response = client.post("/courses/e-id/enroll", data={"csrf_token": token})
    assert response.status_code == 302
    # The signed-in user is read before the view runs, each read its own transaction; the
    # view's transaction takes the lock before anything is read or written in it, and
    # nothing is ever written outside it.
    assert "BEGIN IMMEDIATE" in [s.upper() for s in statements]
    current = None
    for statement in statements:
        word = statement.split()[0].upper()
        if word == "BEGIN":
            current = statement.upper()
        elif word in ("INSERT", "UPDATE", "DELETE"):
            assert current == "BEGIN IMMEDIATE", statement
        elif word in ("COMMIT", "ROLLBACK"):
            current = None
        else:
            assert current in (None, "BEGIN IMMEDIATE"), statement  # never a plain BEGIN


def test_pages_read_on_the_main_threads_kept_connection(client, auth, engine):
    """Pages after the first check out no connection (on PostgreSQL: no ping either): they
    read on the main thread's kept one, which is handed out only outside a transaction.
    Another thread's request reads on a connection of the pool, and gives it back."""
    checkouts = []
    auth.register()
    event.listen(engine.pool, "checkout", lambda *_args: checkouts.append(1))
    for _ in range(3):
        assert client.get("/courses/e-id").status_code == 200
    assert checkouts == []
    answers = []
    other = threading.Thread(target=lambda: answers.append(client.get("/courses/e-id")))
    other.start()
    other.join()
    assert answers[0].status_code == 200 and checkouts == [1]
    assert engine.pool.checkedout() == 1  # the kept one alone
    kept = engine.kept_reader.connection()
    kept.exec_driver_sql("BEGIN")  # as a request that ended without ending its transaction
    assert dbapi_in_transaction(kept)
    again = engine.kept_reader.connection()
    assert again is kept and not dbapi_in_transaction(again)
    assert client.get("/courses/e-id").status_code == 200


@pytest.mark.skipif(not PG_URL, reason="a database server's connections")
def test_a_kept_connection_that_outlived_its_server_session_is_replaced(client, auth, engine,
                                                                         db):
    """A kept connection unused for ``ping_after`` seconds is pinged first: one whose server
    process is gone (a restart) is replaced, and the page is served."""
    auth.register()
    assert client.get("/courses/e-id").status_code == 200
    kept = engine.kept_reader.connection()
    pid = kept.connection.dbapi_connection.info.backend_pid
    db.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    db.commit()
    engine.kept_reader.ping_after = 0  # rested long enough: pinged before use
    assert client.get("/courses/e-id").status_code == 200
    assert engine.kept_reader.connection().connection.dbapi_connection.info.backend_pid != pid


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's transactions")
def test_on_postgresql_a_get_reads_outside_a_transaction_and_a_post_writes_in_one(
        client, auth, engine, catalog):
    """Under READ COMMITTED a page's reads see a snapshot per statement in a transaction
    or not: outside one they cost no BEGIN and ROLLBACK. A write is still one transaction,
    on the connection the reads used, or a single statement (a lesson done once enrolled)."""
    from psycopg.pq import TransactionStatus

    seen, checkouts = [], []

    def record(_conn, cursor, statement, *_args):
        seen.append((statement.split()[0].upper(), " INSERT " in statement.upper(),
                     cursor.connection.info.transaction_status))

    def checkout(*_args):
        checkouts.append(1)  # each costs a ping (pool_pre_ping)

    auth.register()
    token = csrf_token(client, "/courses/e-id")
    event.listen(engine, "after_cursor_execute", record)
    event.listen(engine.pool, "checkout", checkout)
    try:
        assert client.get("/courses/e-id").status_code == 200
        assert seen and {status for *_sql, status in seen} == {TransactionStatus.IDLE}
        seen.clear()
        response = client.post("/courses/e-id/enroll", data={"csrf_token": token})
        assert response.status_code == 302
        enrolling, seen[:] = list(seen), []
        checkouts.clear()
        lesson = catalog.get("e-id").lessons[0].slug
        response = client.post(f"/courses/e-id/lessons/{lesson}/complete",
                               data={"csrf_token": token})
        assert response.status_code == 302
    finally:
        event.remove(engine, "after_cursor_execute", record)
        event.remove(engine.pool, "checkout", checkout)
    writes = [status for verb, _insert, status in enrolling
              if verb in ("INSERT", "UPDATE", "DELETE")]
    assert writes and set(writes) == {TransactionStatus.INTRANS}
    writes = [verb for verb, insert, _status in seen if verb != "SELECT" or insert]
    assert writes == ["WITH"] and {status for *_sql, status in seen} == {TransactionStatus.IDLE}
    assert checkouts == []  # a lesson done: the thread's kept connection, reads and the write


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's one-statement writes")
def test_on_postgresql_an_attempt_that_cannot_complete_the_course_is_one_statement(
        client, learner, learn, engine, db, clock):
    """A failed attempt (or a pass once the course is completed) writes itself, its counters
    and the enrolment's activity in one statement, outside any transaction; sent again, it
    is neither recorded nor counted twice."""
    from psycopg.pq import TransactionStatus

    course = learn.course()
    learn.complete_all()
    seen = []

    def record(_conn, cursor, statement, *_args):
        seen.append((" ".join(statement.split()).upper(),
                     cursor.connection.info.transaction_status))

    clock.advance(minutes=11)  # the lessons' activity is old enough to be noted again
    _page, csrf, token = learn.quiz_form()
    form = {"csrf_token": csrf, "attempt_token": token,
            **{f"q-{qid}": value for qid, value in wrong_answers(course).items()
               if qid in drawn_ids(course, token)}}
    event.listen(engine, "after_cursor_execute", record)
    try:
        for _ in range(2):  # the same form twice
            assert client.post("/courses/e-id/quiz", data=form).status_code == 302
    finally:
        event.remove(engine, "after_cursor_execute", record)
    assert {status for _sql, status in seen} == {TransactionStatus.IDLE}
    assert not [sql for sql, _status in seen if sql.startswith(("BEGIN", "COMMIT"))]
    writes = [sql for sql, _status in seen if "INSERT" in sql or "UPDATE" in sql]
    # Sent again, it is found by its token before anything is written.
    assert len(writes) == 1 and writes[0].startswith("WITH INSERTED AS (INSERT INTO QUIZATTEMPT")
    attempts = db.exec(select(QuizAttempt.passed).join(User)
                       .where(User.username == learner)).all()
    assert attempts == [False]
    for model in (StatDaily, StatTotal):
        counted = db.exec(select(model.attempts, model.passes).where(
            model.level == COMMUNE, model.unit_code == HOAN_KIEM,
            model.course_slug == "e-id")).all()
        assert counted == [(1, 0)], model
    assert db.exec(select(Enrolment.last_activity_at)).one() == \
        db.exec(select(QuizAttempt.submitted_at)).one()


@sqlite_only
@pytest.mark.real_clock
def test_a_post_waits_for_the_write_lock_instead_of_failing(client, auth, database_url, count):
    """Another connection holds the write lock: the POST waits for it, then succeeds."""
    auth.register()
    token = csrf_token(client, "/courses/e-id")
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None,
                             check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, holder.execute, args=("COMMIT",))
    started = time.monotonic()
    release.start()
    try:
        response = client.post("/courses/e-id/enroll", data={"csrf_token": token})
    finally:
        release.join()
        holder.close()
    assert response.status_code == 302
    assert time.monotonic() - started >= 0.4  # it did wait for the other writer
    assert count(Enrolment) == 1


# --- uniqueness is a database constraint -----------------------------------------------------

@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


@pytest.fixture
def user(session):
    user = User(username="lan2025", full_name="Nguyễn Thị Lan", password_hash="x",
                province_code=HANOI, commune_code=HOAN_KIEM)
    session.add(user)
    session.commit()
    return user


def insert_twice(session, make):
    session.add(make())
    session.commit()
    session.add(make())
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_username_is_unique(session, user):
    insert_twice(session, lambda: User(username="hoa2025", full_name="Hoa", password_hash="x"))


def test_one_enrolment_per_learner_and_course(session, user):
    insert_twice(session, lambda: Enrolment(user_id=user.id, course_slug="e-id"))
    assert len(session.exec(select(Enrolment)).all()) == 1


def test_one_progress_row_per_lesson(session, user):
    insert_twice(session, lambda: LessonProgress(user_id=user.id, course_slug="e-id",
                                                 lesson_slug="vneid-basics"))


def test_attempt_tokens_are_unique(session, user):
    insert_twice(session, lambda: QuizAttempt(
        token="same-token", user_id=user.id, course_slug="e-id", course_version=1, score=1,
        max_score=1, percent=100, passed=True, answers="{}"))


def test_one_certificate_per_learner_and_course(session, user):
    attempt = QuizAttempt(token="t1", user_id=user.id, course_slug="e-id", course_version=1,
                          score=1, max_score=1, percent=100, passed=True, answers="{}")
    session.add(attempt)
    session.commit()
    codes = iter(["AAAA-BBBB-CCCC-DDDD", "EEEE-FFFF-GGGG-HHHH"])
    insert_twice(session, lambda: Certificate(code=next(codes), user_id=user.id,
                                              course_slug="e-id", attempt_id=attempt.id,
                                              percent=100))


def test_certificate_codes_are_unique(session, user):
    attempt = QuizAttempt(token="t1", user_id=user.id, course_slug="e-id", course_version=1,
                          score=1, max_score=1, percent=100, passed=True, answers="{}")
    session.add(attempt)
    session.commit()
    slugs = iter(["e-id", "cybersecurity"])
    insert_twice(session, lambda: Certificate(code="AAAA-BBBB-CCCC-DDDD", user_id=user.id,
                                              course_slug=next(slugs), attempt_id=attempt.id,
                                              percent=100))


def test_foreign_keys_are_enforced(session):
    session.add(Enrolment(user_id=999999, course_slug="e-id"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_times_are_stored_and_read_back_in_utc(session, user):
    session.expire_all()
    created = session.get(User, user.id).created_at
    assert created.tzinfo is not None
    assert created.utcoffset() == timezone.utc.utcoffset(None)


def test_healthz_reaches_the_database(client, monkeypatch, app):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    engine = app.extensions["digilit.engine"]
    dispose(engine)  # every connection closed, the kept reading one too
    monkeypatch.setattr(engine.pool, "connect",
                        lambda: (_ for _ in ()).throw(RuntimeError("database down")))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
