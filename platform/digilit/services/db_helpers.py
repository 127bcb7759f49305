"""Small database helpers shared by services."""
from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..prepared import is_prepared, prepare, run_prepared


def claim_form(session, *, token, user_id):
    """Whether this is the first submission of the form ``token`` (then it is claimed); a
    missing or malformed token never claims anything."""
    from ..models import SubmittedForm

    if not token or len(token) > 64:
        return False
    return insert_new(session, SubmittedForm, token=token, user_id=user_id) is not None


def insert_once(session, obj):
    """Add ``obj`` in a savepoint; return False (and keep the transaction) if a unique rule
    says it already exists, so concurrent requests cannot create it twice."""
    try:
        with session.begin_nested():
            session.add(obj)
        return True
    except IntegrityError:
        return False


def dialect_insert(session, model):
    """An ``INSERT`` into ``model``'s table that knows ``ON CONFLICT`` (SQLite, PostgreSQL);
    on the table itself, not the ORM entity: no unit of work, one statement."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


_INSERTS = {}  # (dialect, table, columns, prefix) -> the statement, built once


def new_row_insert(session, model, names, prefix=""):
    """``insert_new``'s statement for the columns ``names``, their values bound as
    ``<prefix><name>``. (A statement that also updates another table must bind no name of
    that table's columns: those would be SET.)"""
    table = model.__table__
    key = (session.get_bind().dialect.name, table, tuple(names), prefix)
    statement = _INSERTS.get(key)
    if statement is None:
        statement = _INSERTS[key] = prepare(dialect_insert(session, model).values(
            {name: bindparam(prefix + name, type_=table.c[name].type) for name in names}
        ).on_conflict_do_nothing().returning(*table.primary_key.columns))
    return statement


def insert_new(session, model, **values):
    """Insert one row of ``model`` unless a unique rule says it is there already: its primary
    key, or None. One statement, no savepoint: safe when requests race for the same row."""
    return run(session, new_row_insert(session, model, sorted(values)), values).scalar()


def run(session, statement, params=None):
    """The result of ``statement``, a Core statement (plain columns or a table, not an
    entity), run on the session's connection: the ORM's work per statement (entities, the
    identity map) costs more than the query itself on the hot pages and submissions. A
    statement marked by ``prepared.prepare`` is run on the driver's cursor (its result a
    ``prepared.Rows``). Changes not yet flushed are flushed first, as the ORM would."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    if is_prepared(statement) and not isinstance(params, list):  # one set of values
        return run_prepared(session.connection(), statement, params or {})
    return session.connection().execute(statement, params or {})
