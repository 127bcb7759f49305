"""Who may see what: one function turns "who is asking" into query filters.

With ``permissions`` (what a role may do at all), this is the only module that compares
roles.

Every list, page, export and API that returns people, teams, progress or figures filters
through the ``Scope`` of the user asking; anything outside it is a 404.

| role            | teams                     | people                                 |
|-----------------|---------------------------|----------------------------------------|
| national_admin  | all                       | all                                    |
| province_admin  | in their province         | in their province                      |
| commune_admin   | in their commune          | in their commune                       |
| team_leader     | the teams they lead       | the members of those teams             |
| learner         | none                      | themselves                             |
"""
from dataclasses import dataclass
from typing import Optional

from flask import abort
from sqlalchemy import false, true
from sqlmodel import select

from ..models import Certificate, Role, Team, TeamLeader, TeamMember, User


@dataclass(frozen=True)
class Scope:
    role: Role
    user_id: Optional[int]
    province_code: Optional[int]
    commune_code: Optional[int]

    @property
    def home_commune(self):
        """The commune a commune administrator's figures start from (None for others)."""
        return self.commune_code if self.role == Role.commune_admin else None

    @property
    def home_province(self):
        """The province a province administrator's figures start from (None for others)."""
        return self.province_code if self.role == Role.province_admin else None

    def covers_province(self, province_code):
        """Whether a whole province lies in this scope's area."""
        return self.role == Role.national_admin or (
            self.role == Role.province_admin and province_code == self.province_code)

    @property
    def revokes_certificates(self):
        """May withdraw the certificates of the learners in their area (administrators)."""
        from . import permissions

        return self.role in permissions.RULES[permissions.CERTIFICATE][permissions.CHANGE]

    def certificate_holders(self):
        """A filter on ``User``: the people whose certificates this scope may revoke."""
        return self.people() if self.revokes_certificates else false()

    def led_team_ids(self):
        return select(TeamLeader.team_id).where(TeamLeader.user_id == self.user_id)

    def teams(self):
        """A filter on ``Team``."""
        if self.role == Role.national_admin:
            return true()
        if self.role == Role.province_admin:
            return Team.province_code == self.province_code
        if self.role == Role.commune_admin:
            return Team.commune_code == self.commune_code
        if self.role == Role.team_leader:
            return Team.id.in_(self.led_team_ids())
        return false()

    def people(self):
        """A filter on ``User``."""
        if self.role == Role.national_admin:
            return true()
        if self.role == Role.province_admin:
            return User.province_code == self.province_code
        if self.role == Role.commune_admin:
            return User.commune_code == self.commune_code
        if self.role == Role.team_leader:
            members = select(TeamMember.user_id).where(TeamMember.team_id.in_(self.led_team_ids()))
            return User.id.in_(members)
        return User.id == self.user_id

    def covers_commune(self, commune_code, province_code):
        """Whether a commune lies in this scope's area (for creating things there)."""
        if self.role == Role.national_admin:
            return True
        if self.role == Role.province_admin:
            return province_code == self.province_code
        if self.role in (Role.commune_admin, Role.team_leader):
            return commune_code == self.commune_code
        return False


def scope_for(user):
    """The scope of ``user`` (anonymous users see nobody)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope(Role.learner, None, None, None)
    return Scope(Role(user.role), user.id, user.province_code, user.commune_code)


def may_change_member(scope, team, user):
    """Whether the caller may change the name, phone or birth year of ``user``, a member of
    ``team`` (a team the caller can see): learner accounts in the caller's area only; staff
    manage their own accounts."""
    return (scope.role != Role.learner and user.role == Role.learner.value
            and scope.covers_commune(user.commune_code, user.province_code)
            and scope.covers_commune(team.commune_code, team.province_code))


def may_remove_member(scope, team, user):
    """Whether the caller may take ``user`` out of ``team`` (the account stays)."""
    return scope.role != Role.learner and scope.covers_commune(team.commune_code,
                                                               team.province_code)


def may_add_to_team(scope, team, user):
    """Whether the caller may add the existing account ``user`` to ``team``: a learner who
    lives in the team's commune, itself in the caller's area."""
    return (scope.role != Role.learner and user.role == Role.learner.value
            and user.commune_code == team.commune_code
            and scope.covers_commune(team.commune_code, team.province_code))


def landing_endpoint(user):
    """Where ``user`` lands after signing in: administrators on their area's statistics, team
    leaders on their teams, learners on their own learning."""
    from . import permissions

    if permissions.allows(user, permissions.STATS_UNIT, permissions.READ):
        return "admin.dashboard"
    if permissions.allows(user, permissions.TEAM, permissions.READ):
        return "teams.index"
    return "learn.me"


def team_or_404(*, session, user, team_id):
    """The team if ``user`` may see it; a 404 otherwise, whether it exists or not."""
    team = session.exec(select(Team).where(Team.id == team_id, scope_for(user).teams())).first()
    if team is None:
        abort(404)
    return team


def certificate_to_revoke_or_404(*, session, user, code):
    """The certificate ``code`` if ``user`` may revoke it (its holder lives in the area of an
    administrator); a 404 otherwise, whether it exists or not."""
    certificate = session.exec(
        select(Certificate).join(User, User.id == Certificate.user_id)
        .where(Certificate.code == code, scope_for(user).certificate_holders())
    ).first()
    if certificate is None:
        abort(404)
    return certificate


def may_revoke_certificate(*, session, user, certificate):
    """Whether ``user`` administers the area where ``certificate``'s holder lives."""
    from . import permissions

    if not permissions.allows(user, permissions.CERTIFICATE, permissions.CHANGE):
        return False  # not an administrator: nothing to ask the database
    return session.exec(select(User.id).where(
        User.id == certificate.user_id, scope_for(user).certificate_holders())).first() is not None


def member_or_404(*, session, user, team, member_id):
    """A member of ``team`` whom ``user`` may see; a 404 otherwise."""
    member = session.exec(
        select(User).join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id, User.id == member_id, scope_for(user).people())
    ).first()
    if member is None:
        abort(404)
    return member
