"""Statements of the hottest requests, run straight on the driver's cursor.

Every signed-in page reads its user and the learner's standing, and every lesson done and
quiz sent writes its row and its counters. Through SQLAlchemy's ``Connection.execute`` each
statement costs far more than its work in the database (measured alone on SQLite: 15 µs
against 3 µs on the driver's cursor for the user's row; profiled, a third of a quiz
submission went to SQLAlchemy's execution, an eighth to the database), and under SQLite's
write lock that time is everyone's. A statement marked with ``prepare`` (one built once,
kept for the process's life) is compiled once per dialect, its values and results converted
by the same type processors SQLAlchemy would use, and run by ``db_helpers.run`` on the
cursor of the session's own connection, in the session's transaction. Its result is a
``Rows``. The engine's ``before_cursor_execute`` and ``after_cursor_execute`` listeners
still see it, and a driver's error is raised as SQLAlchemy's (a lost connection invalidated)
as before.
"""
from sqlalchemy.exc import ArgumentError

_PREPARED = {}  # id(statement) -> (statement, {dialect name: _Plan}); statements kept alive


def prepare(statement):
    """Mark ``statement`` (built once, with no ``IN`` list expanded at run time) to be run on
    the driver's cursor by ``db_helpers.run``; returns it."""
    _PREPARED.setdefault(id(statement), (statement, {}))
    return statement


def is_prepared(statement):
    """Whether ``prepare`` marked ``statement``."""
    return id(statement) in _PREPARED


class Rows:
    """A prepared statement's result: its rows as tuples, read at once."""

    __slots__ = ("rows", "rowcount", "keys")

    def __init__(self, rows, rowcount, keys):
        self.rows, self.rowcount, self.keys = rows, rowcount, keys

    def __iter__(self):
        return iter(self.rows)

    def all(self):
        return self.rows

    def first(self):
        return self.rows[0] if self.rows else None

    def scalar(self):
        return self.rows[0][0] if self.rows else None

    def scalars(self):
        return [row[0] for row in self.rows]


class _Plan:
    """One statement compiled for one dialect: its SQL, how each value is bound, how each
    column is read."""

    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ArgumentError("a prepared statement cannot expand values at run time")
        self.sql, self.positional = compiled.string, compiled.positional
        escaped = compiled.escaped_bind_names or {}  # names the SQL spells otherwise
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        names = compiled.positiontup if compiled.positional else list(by_name)
        processors = compiled._bind_processors  # what SQLAlchemy applies to each value
        self.binds = [(name, processors.get(name), by_name[name]) for name in names]
        self.driver_names = [escaped.get(name, name) for name in names]
        # Columns given no value take their default, made in Python before each run.
        self.defaults = {
            **{column.key: _default_maker(column, column.default)
               for column in compiled.insert_prefetch},
            **{column.key: _default_maker(column, column.onupdate)
               for column in compiled.update_prefetch}}
        columns = compiled._result_columns
        self.keys = tuple(column.keyname for column in columns)
        self.readers = tuple(column.type._cached_result_processor(dialect, None)
                             for column in columns)
        self.converts = any(self.readers)

    def values(self, params):
        """The driver's parameters for ``params`` (by bind name)."""
        values = []
        for name, process, bind in self.binds:
            if name in params:
                value = params[name]
            elif name in self.defaults:
                value = self.defaults[name]()
            elif not bind.required:
                value = bind.effective_value
            else:
                raise ArgumentError(f"a value is required for bind parameter {name!r}")
            values.append(process(value) if process is not None else value)
        if self.positional:
            return values
        return dict(zip(self.driver_names, values))

    def read(self, cursor):
        if cursor.description is None:
            return []
        rows = cursor.fetchall()
        if not self.converts:
            return [tuple(row) for row in rows]
        readers = self.readers
        return [tuple(value if read is None or value is None else read(value)
                      for read, value in zip(readers, row)) for row in rows]


def _default_maker(column, default):
    """What makes ``column``'s ``default`` (its default, or its value on update): a scalar
    or a Python function, called as SQLAlchemy would (without an execution context)."""
    if default is None or not (default.is_scalar or default.is_callable):
        raise ArgumentError(f"a prepared statement cannot make {column.key}'s default")
    if default.is_scalar:
        return lambda: default.arg
    return lambda: default.arg(None)


def run_prepared(connection, statement, params):
    """``statement`` (marked by ``prepare``) run with ``params`` on ``connection`` (a
    SQLAlchemy ``Connection`` in the session's transaction): its ``Rows``."""
    plans = _PREPARED[id(statement)][1]
    dialect = connection.dialect
    plan = plans.get(dialect.name)
    if plan is None:
        plan = plans[dialect.name] = _Plan(statement, dialect)
    return run_on_cursor(connection, plan.sql, plan.values(params), plan)


def run_on_cursor(connection, sql, values=(), plan=None):
    """``sql`` run with the driver's ``values`` on the cursor of ``connection``, seen by its
    listeners, a driver's error raised as SQLAlchemy's: its ``Rows`` (read by ``plan``)."""
    cursor = connection.connection.dbapi_connection.cursor()
    events = connection._has_events or connection.engine._has_events
    try:
        if events:
            for listen in connection.dispatch.before_cursor_execute:
                sql, values = listen(connection, cursor, sql, values, None, False)
        cursor.execute(sql, values)
        if events:
            for listen in connection.dispatch.after_cursor_execute:
                listen(connection, cursor, sql, values, None, False)
        rows = Rows(plan.read(cursor), cursor.rowcount, plan.keys) if plan else \
            Rows([], cursor.rowcount, ())
    except BaseException as error:  # wrapped (and a lost connection invalidated) as usual
        connection._handle_dbapi_exception(error, sql, values, cursor, None)
    finally:
        cursor.close()
    return rows
