"""Counters that protect sign-in and registration, shared by every worker and app node."""
from datetime import datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .. import clock


class Throttle(SQLModel, table=True):
    """Attempts of one kind (``scope``) by one account or network address (``key``, stored as
    a SHA-256 digest, never in clear) within a window that starts at ``window_start``; while
    ``blocked_until`` is in the future, that kind of attempt is refused. Times are Unix
    seconds, so that every database compares them alike."""

    __table_args__ = (UniqueConstraint("scope", "key", name="uq_throttle_scope_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    scope: str = Field(max_length=16)
    key: str = Field(max_length=64)
    hits: int = 0
    window_start: int = 0
    blocked_until: int = 0


class SubmittedForm(SQLModel, table=True):
    """A form that creates something carries a random ``token``; its first submission claims
    it here, so that the same form sent twice (a double tap, a resent request) creates once."""

    token: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=clock.now)


class SecurityEvent(SQLModel, table=True):
    """A change to the way an account signs in or what it may do (a new password, a PIN
    reset, a new role, re-enabling), so that the person is told at their next sign-in
    (until ``seen_at``) and can look back on their page. ``actor_role`` is the role of
    whoever did it when that was someone else; None when the person did it themselves or it
    came from the command line. ``detail`` is never a secret, a phone or a name."""

    __tablename__ = "security_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32)
    detail: Optional[str] = Field(default=None, max_length=64)
    actor_role: Optional[str] = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=clock.now)
    seen_at: Optional[datetime] = None
