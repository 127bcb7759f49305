"""SQLite's writers take turns through a lock file beside the database (``writer_queue``):
the turn is taken with ``BEGIN IMMEDIATE`` and given back when the transaction ends."""
import fcntl
import os
import signal
import threading

import pytest
from flask import g
from sqlalchemy import text

from conftest import PG_URL
from digilit import db, writer_queue
from digilit.writer_queue import HELD

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's write lock")


@pytest.fixture
def queue(app):
    return app.extensions["digilit.engine"].writer_queue


@pytest.fixture
def other_process(queue):
    """The lock file as another worker opens it (a lock of its own)."""
    fd = os.open(queue.path, os.O_RDWR | os.O_CREAT)
    yield fd
    os.close(fd)


def turn_is_free(fd):
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    fcntl.flock(fd, fcntl.LOCK_UN)
    return True


@pytest.mark.parametrize("end", ["commit", "rollback", "teardown"])
def test_a_write_holds_the_turn_until_its_transaction_ends(app, other_process, end):
    with app.test_request_context("/", method="POST"):
        session = db.get_session()
        session.connection()  # the signed-in user's read: autocommit, no turn
        assert turn_is_free(other_process)
        db.begin_writes()
        session.connection()  # BEGIN IMMEDIATE: the turn is taken first
        assert not turn_is_free(other_process) and g.get(HELD)
        if end != "teardown":
            getattr(session, end)()
            assert turn_is_free(other_process) and not g.get(HELD)
    assert turn_is_free(other_process)


def test_the_reads_connection_goes_on_writing_and_a_savepoint_keeps_the_turn(app, other_process):
    with app.test_request_context("/", method="POST"):
        session = db.get_session()
        reads = session.connection()  # the signed-in user's read: autocommit, no turn
        assert turn_is_free(other_process)
        db.begin_writes()
        assert session.connection() is reads and not turn_is_free(other_process)
        with session.begin_nested():  # insert_once's savepoint, released
            session.execute(text("SELECT 1"))
        assert not turn_is_free(other_process) and g.get(HELD)
        session.commit()
        assert turn_is_free(other_process) and not g.get(HELD)
        session.connection()  # the request's next transaction writes: the turn again
        assert not turn_is_free(other_process)
    assert turn_is_free(other_process)


def test_a_request_waits_its_turn_then_meets_sqlites_own_timeout(app, queue, other_process,
                                                                monkeypatch):
    monkeypatch.setattr(queue, "timeout", 0.01)
    fcntl.flock(other_process, fcntl.LOCK_EX)  # another worker writes, and goes on writing
    with app.test_request_context("/", method="POST"):
        queue.acquire()
        assert not g.get(HELD)  # it went on without the turn: SQLite's busy timeout decides
    fcntl.flock(other_process, fcntl.LOCK_UN)
    with app.test_request_context("/", method="POST"):
        queue.acquire()
        assert g.get(HELD)
        queue.release()


def never(*_args):
    raise AssertionError("the other way of waiting")


@pytest.mark.real_clock  # a timer frees the turn
def test_the_main_thread_is_woken_when_the_turn_is_free(app, queue, other_process,
                                                        monkeypatch):
    """gunicorn's sync workers serve in the main thread: the wait is the kernel's, ended by
    the turn's release (not a poll), its alarm disarmed and the former handler back."""
    monkeypatch.setattr(writer_queue, "_poll", never)
    fcntl.flock(other_process, fcntl.LOCK_EX)
    threading.Timer(0.05, fcntl.flock, (other_process, fcntl.LOCK_UN)).start()
    before = signal.getsignal(signal.SIGALRM)
    with app.test_request_context("/", method="POST"):
        queue.acquire()
        assert g.get(HELD) and not turn_is_free(other_process)
        queue.release()
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert turn_is_free(other_process)


@pytest.mark.real_clock  # a timer frees the turn
def test_another_thread_asks_again_until_the_turn_is_free(app, queue, other_process,
                                                          monkeypatch):
    monkeypatch.setattr(writer_queue, "_wait_in_kernel", never)  # signals: main thread only
    fcntl.flock(other_process, fcntl.LOCK_EX)
    threading.Timer(0.05, fcntl.flock, (other_process, fcntl.LOCK_UN)).start()
    held = []

    def write():
        with app.test_request_context("/", method="POST"):
            queue.acquire()
            held.append(bool(g.get(HELD)))
            queue.release()

    worker = threading.Thread(target=write)
    worker.start()
    worker.join(10)
    assert held == [True] and turn_is_free(other_process)
