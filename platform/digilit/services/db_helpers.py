"""Small database helpers shared by services."""
from sqlalchemy.exc import IntegrityError


def claim_form(session, *, token, user_id):
    """Whether this is the first submission of the form ``token`` (then it is claimed); a
    missing or malformed token never claims anything."""
    from ..models import SubmittedForm

    if not token or len(token) > 64:
        return False
    return insert_once(session, SubmittedForm(token=token, user_id=user_id))


def insert_once(session, obj):
    """Add ``obj`` in a savepoint; return False (and keep the transaction) if a unique rule
    says it already exists, so concurrent requests cannot create it twice."""
    try:
        with session.begin_nested():
            session.add(obj)
        return True
    except IntegrityError:
        return False
