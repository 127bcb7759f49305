"""A second factor for signing in: a TOTP authenticator and its one-time recovery codes."""
from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from .. import clock


class SecondFactor(SQLModel, table=True):
    """One account's authenticator. ``secret`` is the confirmed TOTP secret and
    ``pending_secret`` one being set up (shown as a QR code until a code from it is entered);
    both are encrypted with a key derived from the app's secret key, never stored in clear.
    ``last_step`` is the 30-second step of the last code accepted: a code is good once."""

    __tablename__ = "second_factor"
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    secret: Optional[str] = Field(default=None, max_length=200)
    pending_secret: Optional[str] = Field(default=None, max_length=200)
    last_step: int = 0
    confirmed_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=clock.now)


class RecoveryCode(SQLModel, table=True):
    """A one-time code for signing in without the authenticator, stored as its SHA-256 digest
    (the codes are random, 50 bits each: a slow hash would add nothing)."""

    __tablename__ = "recovery_code"
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: Optional[datetime] = None
