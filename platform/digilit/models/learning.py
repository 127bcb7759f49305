"""Enrolments, progress, quiz attempts and certificates."""
from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .. import clock


class Enrolment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("user_id", "course_slug", name="uq_enrolment_user_course"),
        Index("ix_enrolment_course_completed", "course_slug", "completed_at"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    course_slug: str = Field(max_length=64)
    # Copied from the learner at enrolment so that area figures are one indexed aggregate.
    province_code: Optional[int] = Field(default=None, foreign_key="province.code", index=True)
    commune_code: Optional[int] = Field(default=None, foreign_key="commune.code", index=True)
    enrolled_at: datetime = Field(default_factory=clock.now)
    last_activity_at: datetime = Field(default_factory=clock.now)
    completed_at: Optional[datetime] = None


class LessonProgress(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("user_id", "course_slug", "lesson_slug", name="uq_progress_lesson"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    course_slug: str = Field(max_length=64)
    lesson_slug: str = Field(max_length=64)
    completed_at: datetime = Field(default_factory=clock.now)


class QuizAttempt(SQLModel, table=True):
    # Newest first per learner and course, read from the index (the pause, the latest shown).
    __table_args__ = (Index("ix_attempt_user_course_time", "user_id", "course_slug",
                            "submitted_at", "id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    # One-time token from the quiz form: a double submit records one attempt, not two.
    token: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    course_slug: str = Field(max_length=64)
    course_version: int
    submitted_at: datetime = Field(default_factory=clock.now)
    score: int
    max_score: int
    percent: int
    passed: bool
    # JSON: {question_id: [choice ids as given]}
    answers: str = Field(sa_column=Column(Text, nullable=False))


class Certificate(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("user_id", "course_slug", name="uq_certificate_user_course"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    course_slug: str = Field(max_length=64)
    attempt_id: int = Field(foreign_key="quizattempt.id")
    percent: int
    issued_at: datetime = Field(default_factory=clock.now)
