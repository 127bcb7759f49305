"""SQLite's writers take turns in a queue the kernel keeps, not through SQLite's busy handler.

SQLite lets one transaction write at a time. A request that finds the lock taken sleeps in
SQLite's busy handler, first 1 ms, then 2, 5, 10 ms and more, however soon the lock is free:
on a box whose writes each hold the lock for a fraction of a millisecond, the workers spent
most of a write burst asleep with the lock free. Here each request that is about to write
(``BEGIN IMMEDIATE``) first takes an exclusive ``flock`` on a file beside the database, shared
by every worker process of the box, asking again every fifth of a millisecond; the lock is
let go when the transaction ends (commit, rollback or the end of the request). SQLite's own
lock and busy timeout still guard the database against any other writer (a CLI command):
after ``timeout`` seconds in the queue a request goes on and meets them.
"""
import fcntl
import os
import time

from flask import g

POLL = 0.0002  # seconds between two tries for the turn
HELD = "writer_turn"  # on ``g`` while this request holds the turn


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
        """Wait for this request's turn to write (at most ``timeout`` seconds)."""
        if g.get(HELD):
            return
        fd, deadline = self._file(), time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # SQLite's busy timeout decides from here
                time.sleep(POLL)
            else:
                setattr(g, HELD, True)
                return

    def release(self):
        """End this request's turn, if it has one."""
        if g.pop(HELD, False):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
