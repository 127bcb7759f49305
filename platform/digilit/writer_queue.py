"""SQLite's writers take turns in a queue the kernel keeps, not through SQLite's busy handler.

SQLite lets one transaction write at a time. A request that finds the lock taken sleeps in
SQLite's busy handler, first 1 ms, then 2, 5, 10 ms and more, however soon the lock is free:
on a box whose writes each hold the lock for a fraction of a millisecond, the workers spent
most of a write burst asleep with the lock free. Here each request that is about to write
(``BEGIN IMMEDIATE``) first takes an exclusive ``flock`` on a file beside the database, shared
by every worker process of the box; the lock is let go when the transaction ends (commit,
rollback or the end of the request). A worker's main thread (gunicorn's sync workers serve
there) waits in the kernel, woken the moment the turn is free, with an alarm to end the wait;
other threads ask again every fifth of a millisecond. SQLite's own lock and busy timeout still
guard the database against any other writer (a CLI command): after ``timeout`` seconds in the
queue a request goes on and meets them.
"""
import fcntl
import os
import signal
import threading
import time

from flask import g

POLL = 0.0002  # seconds between two tries for the turn, outside the main thread
HELD = "writer_turn"  # on ``g`` while this request holds the turn


class _WaitedTooLong(Exception):
    """The alarm that ends a wait for the turn."""


def _try_turn(fd):
    """Take the turn if it is free (or this process holds it already): whether it is ours."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _wait_in_kernel(fd, seconds):
    """Block until the turn is ours or ``seconds`` passed (SIGALRM ends the wait; main thread
    only): whether it is ours."""
    armed = [True]

    def ring(_signum, _frame):
        if armed[0]:
            raise _WaitedTooLong

    previous = signal.signal(signal.SIGALRM, ring)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            fcntl.flock(fd, fcntl.LOCK_EX)
        finally:
            armed[0] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _WaitedTooLong:
        pass  # the alarm may ring just after the lock was taken: asked below
    finally:
        signal.signal(signal.SIGALRM, previous)
    return _try_turn(fd)


def _poll(fd, seconds):
    """Ask for the turn every ``POLL`` seconds until it is ours or ``seconds`` passed."""
    deadline = time.monotonic() + seconds
    while not _try_turn(fd):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL)
    return True


class WriterQueue:
    """The write turn of one SQLite database file, for the requests of every process."""

    def __init__(self, path, timeout):
        self.path, self.timeout = f"{path}-writers", timeout
        self._fd, self._pid = None, None

    def _file(self):
        """The lock file, opened once per process (after gunicorn's fork)."""
        if self._pid != os.getpid():
            self._fd, self._pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        return self._fd

    def acquire(self):
        """Wait for this request's turn to write (at most ``timeout`` seconds; then SQLite's
        busy timeout decides)."""
        if g.get(HELD):
            return
        fd = self._file()
        if _try_turn(fd):
            taken = True
        elif threading.current_thread() is threading.main_thread():
            taken = _wait_in_kernel(fd, self.timeout)
        else:
            taken = _poll(fd, self.timeout)
        if taken:
            setattr(g, HELD, True)

    def release(self):
        """End this request's turn, if it has one."""
        if g.pop(HELD, False):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
