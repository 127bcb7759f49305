"""Small database helpers shared by services."""
from sqlalchemy.exc import IntegrityError


def insert_once(session, obj):
    """Add ``obj`` in a savepoint; return False (and keep the transaction) if a unique rule
    says it already exists, so concurrent requests cannot create it twice."""
    try:
        with session.begin_nested():
            session.add(obj)
        return True
    except IntegrityError:
        return False
