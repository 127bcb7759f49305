"""Community digital-technology teams, their leaders and members, and venue sessions."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from .. import clock


class Team(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("commune_code", "name", name="uq_team_commune_name"),
        # The name check ignores letter case: so does the database (SQL lower()).
        Index("uq_team_commune_lower_name", "commune_code", text("lower(name)"), unique=True),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    commune_code: int = Field(foreign_key="commune.code", index=True)
    # Copied from the commune so that a province's teams are one indexed filter.
    province_code: int = Field(foreign_key="province.code", index=True)
    created_at: datetime = Field(default_factory=clock.now)


class TeamLeader(SQLModel, table=True):
    team_id: int = Field(foreign_key="team.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True, ondelete="CASCADE")


class TeamMember(SQLModel, table=True):
    team_id: int = Field(foreign_key="team.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True, ondelete="CASCADE")
    added_at: datetime = Field(default_factory=clock.now)


class ImportBatch(SQLModel, table=True):
    """An uploaded CSV between preview and confirmation (app nodes keep no state)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    uploaded_by: int = Field(foreign_key="user.id", ondelete="CASCADE")
    content: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=clock.now)
    confirmed_at: Optional[datetime] = None


class VenueSession(SQLModel, table=True):
    """An in-person session: progress its attendees make that day in its course is assisted."""

    __table_args__ = (Index("ix_venuesession_team_date", "team_id", "held_on"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    held_on: date
    place: str = Field(max_length=200)
    course_slug: str = Field(max_length=64)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=clock.now)


class VenueAttendance(SQLModel, table=True):
    session_id: int = Field(foreign_key="venuesession.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True, ondelete="CASCADE")


class CardSheet(SQLModel, table=True):
    """New PINs between the request that made them and the page that shows them once
    (``services.cards``); ``payload`` is sealed, never the PINs in clear."""

    id: Optional[int] = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    # None for a card a commune office prints for someone outside any team.
    team_id: Optional[int] = Field(default=None, foreign_key="team.id", index=True,
                                   ondelete="CASCADE")
    created_by: int = Field(foreign_key="user.id", ondelete="CASCADE")
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=clock.now)
