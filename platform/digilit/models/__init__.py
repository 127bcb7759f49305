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
``PracticeProgress`` keeps a learner's current step in each practice (and when they first
finished it); ``LessonCheckAnswer`` their latest answer to each lesson self-check.
Every "only one" rule here is a database constraint.

Community digital-technology teams (``Team``) belong to one commune; ``TeamLeader`` links the
leaders, ``TeamMember`` the learners they coach. People enrolled by a team may have no e-mail
or phone: they get a readable username and a one-time PIN (hashed, expiring) and choose a
password at first sign-in. A ``VenueSession`` records an in-person session; what its attendees
do that day in its course counts as assisted learning.

Administrators' figures come from ``StatDaily`` rollups (per unit, course and day) and their
all-time sums ``StatTotal``, kept in the same transaction as the progress they count; ``Target`` holds a unit's training target and
``ApiToken`` the hashed read-only tokens of machine clients.

``Throttle`` counts failed sign-ins per account and attempts per network address, so that
lockouts hold across workers and app nodes. ``SecurityEvent`` keeps the changes to an
account's sign-in and role (new password, PIN reset, new role), told to the person at their
next sign-in and listed on their page. ``SecondFactor`` holds an account's TOTP authenticator
(encrypted) and ``RecoveryCode`` its hashed one-time recovery codes.

``ExternalIdentity`` links an account to a person at an OpenID Connect provider (issuer and
subject only); ``CertificateRevocation`` withdraws a certificate.
"""
from .accounts import ROLES, Role, User
from .geo import Commune, Province
from .identity import CertificateRevocation, ExternalIdentity
from .learning import Certificate, Enrolment, LessonProgress, QuizAttempt
from .practice import LessonCheckAnswer, PracticeProgress
from .second_factor import RecoveryCode, SecondFactor
from .security import SecurityEvent, SubmittedForm, Throttle
from .stats import ApiToken, StatDaily, StatTotal, Target
from .teams import CardSheet, ImportBatch, Team, TeamLeader, TeamMember, VenueAttendance, VenueSession

__all__ = [
    "ROLES", "Role", "User", "Province", "Commune",
    "Enrolment", "LessonProgress", "QuizAttempt", "Certificate", "PracticeProgress",
    "LessonCheckAnswer",
    "StatDaily", "StatTotal", "Target", "ApiToken", "Throttle", "SubmittedForm",
    "SecurityEvent", "Team", "TeamLeader", "TeamMember", "ImportBatch", "CardSheet",
    "VenueSession", "VenueAttendance", "ExternalIdentity", "CertificateRevocation",
    "SecondFactor", "RecoveryCode",
]
