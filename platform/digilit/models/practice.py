"""Where a learner stands in a course's practices, and their answers to lesson checks."""
from datetime import datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .. import clock


class PracticeProgress(SQLModel, table=True):
    """A learner's current step in one practice; ``completed_at`` is set once, the first time
    they reach an end step, and stays when they practise again."""

    __table_args__ = (
        UniqueConstraint("user_id", "course_slug", "practice_slug", name="uq_practice_progress"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    course_slug: str = Field(max_length=64)
    practice_slug: str = Field(max_length=64)
    # The course version the current step belongs to: a form of an older version is refused.
    course_version: int
    step_id: str = Field(max_length=64)
    started_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)
    completed_at: Optional[datetime] = None


class LessonCheckAnswer(SQLModel, table=True):
    """A learner's latest answer to a lesson's self-check (kept, never graded)."""

    __table_args__ = (
        UniqueConstraint("user_id", "course_slug", "lesson_slug", "check_id",
                         name="uq_lesson_check_answer"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    course_slug: str = Field(max_length=64)
    lesson_slug: str = Field(max_length=64)
    check_id: str = Field(max_length=64)
    choice_id: str = Field(max_length=64)
    correct: bool
    answered_at: datetime = Field(default_factory=clock.now)
