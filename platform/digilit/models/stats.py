"""Figures for administrators: daily rollups, targets and read-only API tokens."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .. import clock

NATION, PROVINCE, COMMUNE, TEAM = 0, 1, 2, 3  # unit levels
NATION_CODE = 0


class StatCounters(SQLModel):
    """The counters kept per unit and course (not a table)."""

    learners: int = 0
    trained: int = 0  # learners completing their first course
    enrolments: int = 0
    completions: int = 0
    attempts: int = 0
    passes: int = 0
    certificates: int = 0
    lessons: int = 0
    lessons_assisted: int = 0


class StatDaily(StatCounters, table=True):
    """Counters per unit (nation, province, commune), course and day (Vietnam time).

    Kept up to date in the same transaction as the event they count, so that any dashboard
    is a sum over a few hundred rows however many learners there are. ``course_slug`` is ''
    for course-independent counters (learners registered, citizens trained)."""

    __tablename__ = "stat_daily"
    __table_args__ = (
        UniqueConstraint("level", "unit_code", "course_slug", "day", name="uq_stat_daily"),
        Index("ix_stat_daily_parent", "level", "parent_code", "day"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    level: int
    unit_code: int
    parent_code: int
    course_slug: str = Field(default="", max_length=64)
    day: date


class StatTotal(StatCounters, table=True):
    """The same counters since the beginning, per unit and course: what a dashboard without
    dates adds up (a few rows per unit, however long the campaign has run). Kept in the same
    upsert as ``StatDaily``; equal to the sum of a unit's ``StatDaily`` rows."""

    __tablename__ = "stat_total"
    __table_args__ = (
        UniqueConstraint("level", "unit_code", "course_slug", name="uq_stat_total"),
        Index("ix_stat_total_parent", "level", "parent_code", "unit_code"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    level: int
    unit_code: int
    parent_code: int
    course_slug: str = Field(default="", max_length=64)


class Target(SQLModel, table=True):
    """How many citizens a unit aims to train."""

    __table_args__ = (UniqueConstraint("level", "unit_code", name="uq_target_unit"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    level: int
    unit_code: int
    citizens: int
    set_by: Optional[int] = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=clock.now)


class ApiToken(SQLModel, table=True):
    """A read-only token for machine clients, limited to its creator's area; stored hashed."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=12, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: int = Field(foreign_key="user.id", ondelete="CASCADE")
    role: str = Field(max_length=20)
    province_code: Optional[int] = None
    commune_code: Optional[int] = None
    created_at: datetime = Field(default_factory=clock.now)
    revoked_at: Optional[datetime] = None
    last_used_at: Optional[datetime] = None
    # Chosen at creation (90 days by default); an expired token is refused like a revoked one.
    expires_at: Optional[datetime] = None
