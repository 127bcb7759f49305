"""Database engine and the per-request session.

SQLite is tuned for many concurrent requests: WAL so readers never block the writer,
a busy timeout, foreign keys on, and ``BEGIN IMMEDIATE`` for write requests (a deferred
transaction that later writes fails with "database is locked" whatever the timeout), taken
in turn (``writer_queue``).

A request reads without a transaction of its own (``engine.reader``: autocommit, each
statement its own snapshot) until it begins to write. On PostgreSQL, under READ COMMITTED,
each statement sees its own snapshot either way, and a page's reads then cost no ``BEGIN``
and ``ROLLBACK``, two round trips to the server; on SQLite two statements less per page.
A sync worker reads on its kept connection (``KeptReader``), not one checked out of the pool
(and on PostgreSQL pinged) for each request; its writes follow on the same connection.
"""
import click
from flask import current_app, g, has_app_context, has_request_context, request
from flask.cli import with_appcontext
from sqlalchemy import event, make_url
from sqlmodel import Session, create_engine

from .kept_reader import KeptReader
from .prepared import run_on_cursor
from .writer_queue import HELD, WriterQueue

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READS = "digilit_reads"  # an execution option: the connection reads in autocommit (SQLite)
PING_AFTER = 1.0  # seconds a kept PostgreSQL connection may rest before it is pinged


def make_engine(url, busy_timeout=30):
    """Create the engine for ``url`` with the project's SQLite rules applied; a write waits
    up to ``busy_timeout`` seconds for SQLite's lock (then the request is answered 503)."""
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        engine.reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        engine.kept_reader = KeptReader(engine.reader, ping_after=PING_AFTER)
        engine.begin_writing = lambda connection: connection.exec_driver_sql("BEGIN")
        return engine
    engine = create_engine(url, connect_args={"check_same_thread": False,
                                              "timeout": busy_timeout})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    database = make_url(url).database
    queue = WriterQueue(database, busy_timeout) if database and database != ":memory:" \
        else None

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get(READS):
            return  # each read is a transaction of its own (sqlite3's autocommit)
        if not _wants_write():
            connection.exec_driver_sql("BEGIN")
            return
        _begin_writing(connection)

    def _begin_writing(connection):
        if queue is not None and has_request_context():
            queue.acquire()
        run_on_cursor(connection, "BEGIN IMMEDIATE")  # under the lock: no time to lose

    engine.writer_queue = queue  # its turn ends in _end_write_turn
    engine.reader = engine.execution_options(**{READS: True})
    engine.kept_reader = KeptReader(engine.reader)
    engine.begin_writing = _begin_writing
    return engine


def _end_write_turn(session=None, transaction=None):
    """After a transaction (not a savepoint) and at the end of a request: the next writer's
    turn; the request's next transaction, once it writes, is a writing one from its start."""
    if not has_app_context() or (transaction is not None and transaction.parent is not None):
        return  # the request's context is gone by teardown; a savepoint's end is not the end
    if session is not None and g.get("db_write_phase"):
        session.bind = get_engine()
    if g.get(HELD):
        queue = getattr(get_engine(), "writer_queue", None)
        if queue is not None:
            queue.release()


event.listen(Session, "after_transaction_end", _end_write_turn)


def _wants_write():
    """Requests that may write take the write lock up front, once their view runs (see
    ``start_write_phase``), or once they call ``begin_writes``; GET pages do not write."""
    if has_request_context():
        return g.get("db_write_phase", False)
    return True  # CLI commands and scripts


def start_write_phase():
    """The last of the app's before-request hooks. What the hooks read (the signed-in user)
    was read in a plain transaction, which ends here; the view's first statement then begins
    with ``BEGIN IMMEDIATE``. SQLite has one writer at a time: its lock is held from the
    view's first statement to the commit, not also while the session cookie is opened, the
    user loaded and the form's CSRF token checked. A view marked ``reads_first`` moves this
    point further, into itself (``begin_writes``)."""
    if request.method not in WRITE_METHODS:
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "reads_first", False):
        return
    begin_writes()


def reads_first(view):
    """Mark a view whose reads come before its writes: it calls ``begin_writes`` between
    them, so that SQLite's write lock is held for the writes alone. Its writes must hold
    whatever happened between the two (inserts that ignore a row already there, counters
    bumped only for what they inserted)."""
    view.reads_first = True
    return view


def begin_writes(one_statement=False):
    """End the request's reads: what follows is one transaction (on SQLite begun with
    ``BEGIN IMMEDIATE``, waiting for the write lock), on the connection the reads used (a
    new one would cost a checkout, and on PostgreSQL a ping). Once writing, a call changes
    nothing.

    ``one_statement``: the writes are a single statement, atomic on its own; on PostgreSQL
    it then runs in autocommit, without the round trips of ``BEGIN`` and ``COMMIT`` (SQLite
    still takes its turn for the write lock)."""
    if g.get("db_write_phase"):
        return
    g.db_write_phase = True
    session = g.get("db_session")
    if session is None:
        return  # the first statement begins a writing transaction
    engine = get_engine()
    if one_statement and engine.dialect.name == "postgresql":
        g.db_one_statement = True
        return
    # Not yet writing: the session reads (the kept connection, or the reader's).
    engine.begin_writing(session.connection())  # then, its commit: ``_end_write_turn``


def dispose(engine):
    """Close the engine's connections, the kept reading ones too."""
    engine.kept_reader.close()
    engine.dispose()


def get_engine():
    """The application's engine, created once per process."""
    return current_app.extensions["digilit.engine"]


def get_session():
    """The request's session, opened on first use and closed in teardown."""
    if "db_session" not in g:
        engine = get_engine()
        if _wants_write():
            bind = engine
        else:  # another thread than the main one has no kept connection
            bind = engine.kept_reader.connection() or engine.reader
        g.db_session = Session(bind, expire_on_commit=False)
    return g.db_session


def close_session(_exc=None):
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
    _end_write_turn()


def upgrade_database(engine=None, revision="head"):
    """Run the Alembic migrations up to ``revision``."""
    from alembic import command
    from alembic.config import Config

    from . import paths

    config = Config()
    config.set_main_option("script_location", str(paths.MIGRATIONS_DIR))
    engine = engine or get_engine()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@click.group("db")
def db_cli():
    """Database commands."""


@db_cli.command("upgrade")
@with_appcontext
def upgrade_command():
    """Create or migrate the database to the newest schema."""
    upgrade_database()
    click.echo("Database is up to date.")


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Write a consistent copy of the database to the new file PATH (the site may serve)."""
    from . import backup

    try:
        target = backup.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path,
                               current_app.config.get("PG_BIN_DIR"))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {target}.")


@db_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def restore_command(path):
    """Replace the database's data with the backup in PATH."""
    from . import backup

    dispose(get_engine())  # no kept connection keeps the old state
    try:
        backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path,
                       current_app.config.get("PG_BIN_DIR"))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    dispose(get_engine())
    click.echo(f"Restored from {path}. Run `db upgrade` if the backup is from an older release.")


def init_app(app):
    app.extensions["digilit.engine"] = make_engine(app.config["SQLALCHEMY_DATABASE_URI"],
                                                   app.config["SQLITE_BUSY_TIMEOUT"])
    app.teardown_appcontext(close_session)
    app.cli.add_command(db_cli)
