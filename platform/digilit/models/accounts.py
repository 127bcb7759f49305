"""People and their roles."""
from datetime import datetime
from enum import Enum
from typing import Optional

from sqlmodel import Field, SQLModel

from .. import clock


class Role(str, Enum):
    learner = "learner"
    team_leader = "team_leader"
    commune_admin = "commune_admin"
    province_admin = "province_admin"
    national_admin = "national_admin"


ROLES = tuple(role.value for role in Role)


class User(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    # Stored lower-case: uniqueness must not depend on letter case.
    username: str = Field(max_length=32, unique=True)
    full_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.learner.value, max_length=20)
    province_code: Optional[int] = Field(default=None, foreign_key="province.code", index=True)
    commune_code: Optional[int] = Field(default=None, foreign_key="commune.code", index=True)
    created_at: datetime = Field(default_factory=clock.now)
    # Bumped on password change or reset: sessions carrying an older version are ended.
    session_version: int = Field(default=1)
    must_change_password: bool = Field(default=False)
    # Optional, for people enrolled by a team: a phone identifies them within the platform.
    phone: Optional[str] = Field(default=None, max_length=15, unique=True)
    birth_year: Optional[int] = None
    # One-time PIN for a first sign-in, stored only hashed, valid until pin_expires_at.
    pin_hash: Optional[str] = Field(default=None, max_length=255)
    pin_expires_at: Optional[datetime] = None
    # Set by an administrator: the account cannot sign in until re-enabled.
    suspended_at: Optional[datetime] = None

    # Flask-Login protocol
    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return True

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return f"{self.id}:{self.session_version}"
