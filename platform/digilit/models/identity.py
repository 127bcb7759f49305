"""Identities at outside providers, and certificates withdrawn.

An ``ExternalIdentity`` links an account to one person at an OpenID Connect provider: the
provider's ``issuer`` and its ``subject`` for that person, nothing else (no token is kept
beyond the sign-in). One identity belongs to one account, and an account has at most one
identity per provider: both are database constraints.

A ``CertificateRevocation`` withdraws one certificate: its page says so, and the status list
that every signed credential refers to marks it revoked.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .. import clock


class ExternalIdentity(SQLModel, table=True):
    __tablename__ = "external_identity"
    __table_args__ = (
        UniqueConstraint("issuer", "subject", name="uq_external_identity_issuer_subject"),
        UniqueConstraint("user_id", "issuer", name="uq_external_identity_user_issuer"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=clock.now)


class CertificateRevocation(SQLModel, table=True):
    __tablename__ = "certificate_revocation"
    id: Optional[int] = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id", unique=True, ondelete="CASCADE")
    reason: str = Field(max_length=500)
    revoked_by: Optional[int] = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    revoked_at: datetime = Field(default_factory=clock.now)
