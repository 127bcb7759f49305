"""Withdrawing a certificate: one revocation per certificate, with its reason and author."""
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from ..models import CertificateRevocation
from .db_helpers import insert_once
from .errors import DomainError


def revocation_of(*, session, certificate_id):
    """The certificate's revocation, or None while it holds."""
    return session.exec(select(CertificateRevocation).where(
        CertificateRevocation.certificate_id == certificate_id)).first()


def revoke(*, session, certificate, reason, actor):
    """Revoke ``certificate`` for ``reason`` (the caller checked ``actor`` may); raises
    ``DomainError`` for an empty reason or a certificate already revoked."""
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 500:
        raise DomainError(_l("Write why the certificate is revoked."), field="reason")
    revocation = CertificateRevocation(certificate_id=certificate.id, reason=reason,
                                       revoked_by=actor.id)
    if not insert_once(session, revocation):
        raise DomainError(_l("This certificate is already revoked."), field="reason")
    return revocation


def is_revoked(*, session, certificate_id):
    """Whether the certificate has been revoked."""
    return revocation_of(session=session, certificate_id=certificate_id) is not None
