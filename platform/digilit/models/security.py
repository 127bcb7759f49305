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
