"""The domain, as stored in the database.

Geography is the 2025 two-tier map: 34 provinces, each with its communes (xã, phường, đặc khu),
keyed by the official codes of the ``vietnam-provinces`` package.

People are ``User`` rows with one role: a ``learner`` takes courses; a ``team_leader`` coaches
groups in one commune; ``commune_admin``, ``province_admin`` and ``national_admin`` follow
figures for their area. A user's area is their commune (and its province), or their province,
or the nation.

Course content lives in files (see ``digilit.content``); the database refers to a course and a
lesson by slug. A learner ``Enrolment`` in a course collects ``LessonProgress`` rows (one per
lesson done) and ``QuizAttempt`` rows (every attempt kept). Passing the quiz completes the
enrolment and issues one ``Certificate`` per learner and course, with a random public code.
Every "only one" rule here is a database constraint.
"""
from .accounts import ROLES, Role, User
from .geo import Commune, Province
from .learning import Certificate, Enrolment, LessonProgress, QuizAttempt

__all__ = [
    "ROLES", "Role", "User", "Province", "Commune",
    "Enrolment", "LessonProgress", "QuizAttempt", "Certificate",
]
