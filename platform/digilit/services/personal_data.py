"""A learner's own data: a copy to download, and deleting the account.

Deleting removes the user row and every row about them (progress, attempts, certificates,
team memberships, sign-in counters, the changes kept to tell them); their certificates stop
verifying. The statistics rollups (``StatDaily``) were counted when the events happened and
are left as they are, so figures keep only anonymous counts. (Rebuilding the rollups from
the raw tables, as ``demo seed --learners`` does, would drop a deleted learner's part of
them.)
"""
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, update
from sqlmodel import select

from ..models import (ApiToken, Certificate, CertificateRevocation, Commune, Enrolment,
                      ExternalIdentity, ImportBatch, LessonCheckAnswer, LessonProgress,
                      PracticeProgress, Province, QuizAttempt, RecoveryCode, SecondFactor,
                      SecurityEvent, Target, Team, TeamLeader, TeamMember, VenueAttendance,
                      VenueSession)
from . import permissions, signin
from .errors import DomainError
from .signed_in import entity

PROFILE_FIELDS = ("id", "username", "full_name", "role", "phone", "birth_year", "created_at",
                  "province_code", "commune_code")  # never password_hash, pin_hash, ...


def _when(value):
    return value.isoformat() if value is not None else None


def _profile(session, user):
    profile = {name: getattr(user, name) for name in PROFILE_FIELDS}
    profile["created_at"] = _when(user.created_at)
    province = session.get(Province, user.province_code) if user.province_code else None
    commune = session.get(Commune, user.commune_code) if user.commune_code else None
    profile["province"] = province.name if province else None
    profile["commune"] = commune.name if commune else None
    return profile


def _rows(session, model, user_id, order):
    return session.exec(select(model).where(model.user_id == user_id).order_by(order)).all()


def _learning(session, user_id):
    return {
        "enrolments": [{"course": e.course_slug, "enrolled_at": _when(e.enrolled_at),
                        "last_activity_at": _when(e.last_activity_at),
                        "completed_at": _when(e.completed_at)}
                       for e in _rows(session, Enrolment, user_id, Enrolment.id)],
        "lessons": [{"course": p.course_slug, "lesson": p.lesson_slug,
                     "completed_at": _when(p.completed_at)}
                    for p in _rows(session, LessonProgress, user_id, LessonProgress.id)],
        "quiz_attempts": [{"course": a.course_slug, "course_version": a.course_version,
                           "submitted_at": _when(a.submitted_at), "score": a.score,
                           "max_score": a.max_score, "percent": a.percent, "passed": a.passed,
                           "answers": json.loads(a.answers)}
                          for a in _rows(session, QuizAttempt, user_id, QuizAttempt.id)],
        "practices": [{"course": p.course_slug, "practice": p.practice_slug, "step": p.step_id,
                       "completed_at": _when(p.completed_at)}
                      for p in _rows(session, PracticeProgress, user_id, PracticeProgress.id)],
        "lesson_checks": [{"course": a.course_slug, "lesson": a.lesson_slug, "check": a.check_id,
                           "choice": a.choice_id, "answered_at": _when(a.answered_at)}
                          for a in _rows(session, LessonCheckAnswer, user_id,
                                         LessonCheckAnswer.id)],
        "certificates": [{"code": c.code, "course": c.course_slug, "percent": c.percent,
                          "issued_at": _when(c.issued_at)}
                         for c in _rows(session, Certificate, user_id, Certificate.id)],
    }


def _teams(session, user_id):
    teams = session.exec(select(Team.name, TeamMember.added_at)
                         .join(TeamMember, TeamMember.team_id == Team.id)
                         .where(TeamMember.user_id == user_id).order_by(Team.name)).all()
    venues = session.exec(select(VenueSession.held_on, VenueSession.place,
                                 VenueSession.course_slug)
                          .join(VenueAttendance, VenueAttendance.session_id == VenueSession.id)
                          .where(VenueAttendance.user_id == user_id)
                          .order_by(VenueSession.held_on)).all()
    return {"teams": [{"team": name, "added_at": _when(added)} for name, added in teams],
            "venue_sessions": [{"held_on": held.isoformat(), "place": place, "course": course}
                               for held, place, course in venues]}


def export_data(*, session, user):
    """Everything the platform holds about ``user``, as a JSON-ready dict (no password or PIN
    hash, no session data)."""
    identities = [{"issuer": i.issuer, "subject": i.subject, "linked_at": _when(i.created_at)}
                  for i in _rows(session, ExternalIdentity, user.id, ExternalIdentity.id)]
    events = [{"kind": e.kind, "detail": e.detail, "by_role": e.actor_role,
               "at": _when(e.created_at), "told_at": _when(e.seen_at)}
              for e in _rows(session, SecurityEvent, user.id, SecurityEvent.id)]
    return {"profile": _profile(session, user), **_learning(session, user.id),
            **_teams(session, user.id), "identities": identities, "security_events": events}


def _delete_rows(session, user_id):
    """Every row about the user, children first (a certificate refers to an attempt)."""
    certificates = select(Certificate.id).where(Certificate.user_id == user_id)
    session.execute(delete(CertificateRevocation)
                    .where(CertificateRevocation.certificate_id.in_(certificates)))
    session.execute(update(CertificateRevocation).where(CertificateRevocation.revoked_by == user_id)
                    .values(revoked_by=None))
    for model in (Certificate, QuizAttempt, LessonProgress, PracticeProgress, LessonCheckAnswer,
                  Enrolment, TeamMember, TeamLeader, VenueAttendance, ExternalIdentity,
                  RecoveryCode, SecondFactor, SecurityEvent):
        session.execute(delete(model).where(model.user_id == user_id))
    session.execute(delete(ImportBatch).where(ImportBatch.uploaded_by == user_id))
    session.execute(delete(ApiToken).where(ApiToken.created_by == user_id))
    session.execute(update(Target).where(Target.set_by == user_id).values(set_by=None))


def delete_account(*, session, user, password, address, limits=signin.Limits()):
    """Delete a learner's account once ``password`` confirms it is them; raises
    ``DomainError`` otherwise (a wrong password counts toward the sign-in lockout, so the
    caller commits either way). Statistics rollups are not touched."""
    if not permissions.may_close_own_account(user):
        raise DomainError(_l("Accounts of team leaders and administrators are closed by an "
                             "administrator."), field="password")
    attempt = signin.sign_in(session=session, username=user.username, password=password,
                             address=address, limits=limits)
    if not attempt.ok or attempt.user.id != user.id:
        raise DomainError(_l("Wrong password."), field="password")
    remove_account(session=session, user=user)


def remove_account(*, session, user):
    """Delete ``user`` and every row about them (statistics rollups are not touched)."""
    _delete_rows(session, user.id)
    signin.forget_account(session=session, username=user.username)
    session.delete(entity(session=session, user=user))
    session.flush()
