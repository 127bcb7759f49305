"""A sync worker's reading connection, kept from request to request (``db.get_session``)."""
import os
import threading
import time


class KeptReader:
    """The reading connection of a process's main thread (a sync worker's only one), checked
    out once and kept from request to request: a request's session on it saves the pool's
    checkout and return, which cost about as much as a page's statements, and on PostgreSQL
    the ping of ``pool_pre_ping``, a round trip. Other threads, which may come and go (a
    development server's), read on connections of the pool as before.

    A kept PostgreSQL connection is pinged only when unused for ``ping_after`` seconds: a
    server restart takes longer than that, so a connection that outlived one is found out
    (and replaced) before a request uses it; one that breaks while in use is invalidated by
    SQLAlchemy and replaced at the next request. A SQLite file has no server to restart. A
    connection is handed out only outside any transaction (one left open by a request that
    ended badly is rolled back first)."""

    def __init__(self, engine, ping_after=None):
        self._engine, self.ping_after = engine, ping_after
        self._connection, self._pid, self._handed_out = None, None, 0.0

    def connection(self):
        """The main thread's reading connection, outside any transaction; None in another
        thread."""
        if threading.current_thread() is not threading.main_thread():
            return None
        connection, now = self._connection, time.monotonic()  # an age, not the clock
        if self._pid != os.getpid():
            connection = None  # a forked worker: the parent's connection is not its own
        elif connection is not None and self.ping_after is not None and \
                now - self._handed_out >= self.ping_after and not self._answers(connection):
            connection.invalidate()
        if connection is None or connection.closed or connection.invalidated:
            connection, self._pid = self._engine.connect(), os.getpid()
            self._connection = connection
        elif connection.in_transaction() or dbapi_in_transaction(connection):
            connection.rollback()
            connection.connection.dbapi_connection.rollback()
        self._handed_out = now
        return connection

    def _answers(self, connection):
        if connection.closed or connection.invalidated:
            return False
        try:
            return self._engine.dialect.do_ping(connection.connection.dbapi_connection)
        except Exception:  # noqa: BLE001 - any failure: the connection is replaced
            return False

    def close(self):
        """Close the kept connection (before the engine is disposed)."""
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None


def dbapi_in_transaction(connection):
    """Whether the driver's connection is in a transaction (sqlite3, psycopg)."""
    dbapi = connection.connection.dbapi_connection
    if hasattr(dbapi, "in_transaction"):
        return dbapi.in_transaction
    return dbapi.info.transaction_status.name != "IDLE"
