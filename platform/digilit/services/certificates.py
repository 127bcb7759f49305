"""Certificates: one per learner and course, found by a random public code."""
import secrets

from sqlalchemy import bindparam
from sqlmodel import select

from ..models import Certificate, CertificateRevocation, User
from .db_helpers import run

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code():
    """16 random symbols (about 79 bits), shown as four groups: unguessable."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def get_for(*, session, user_id, course_slug):
    return session.exec(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.course_slug == course_slug)).first()


def normalise_code(code):
    """A code as typed (dashes, spaces and letter case ignored) in its printed form, or None
    when it cannot be a certificate code."""
    raw = "".join(ch for ch in (code or "")[:64] if ch.isalnum()).upper()
    if len(raw) != 16 or any(ch not in ALPHABET for ch in raw):
        return None
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def find_by_code(*, session, code):
    """The certificate with ``code`` (typed in any case, with or without dashes), or None."""
    code = normalise_code(code)
    if code is None:
        return None
    return session.exec(select(Certificate).where(Certificate.code == code)).first()


_PUBLIC = (select(Certificate.id, Certificate.code, Certificate.user_id, Certificate.course_slug,
                  Certificate.percent, Certificate.issued_at, User.full_name.label("holder_name"),
                  CertificateRevocation.id.label("revocation_id"))
           .join(User, User.id == Certificate.user_id)
           .outerjoin(CertificateRevocation,
                      CertificateRevocation.certificate_id == Certificate.id)
           .where(Certificate.code == bindparam("code")))


def public_record(*, session, code):
    """What the certificate's public page shows, in one statement: the certificate with
    ``code`` (typed as ``find_by_code`` takes it), its holder's name (``holder_name``) and
    ``revocation_id`` (None while it holds); None when there is no such certificate."""
    code = normalise_code(code)
    if code is None:
        return None
    return run(session, _PUBLIC, {"code": code}).first()
