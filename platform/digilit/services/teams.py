"""Teams: creation, leaders, members, PINs and course enrolment of whole groups."""
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from .. import collation
from ..models import Commune, Enrolment, LessonProgress, Role, Team, TeamLeader, TeamMember, User
from .. import clock
from . import accounts, permissions, rollup, rollup_rebuild
from .passwords import UNUSABLE_PASSWORD
from .pins import PIN_LIFETIME_DAYS, hash_pin, new_pin
from .usernames import allocate_usernames
from .db_helpers import claim_form, insert_once
from .errors import DomainError
from .progress import enroll
from .scope import may_add_to_team, may_change_member, may_remove_member, scope_for


def _clean_name(name):
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise DomainError(_l("Write a team name of 1 to 100 characters."), field="name")
    return name


def _name_free(session, commune_code, name, except_id=None):
    query = select(Team.id).where(Team.commune_code == commune_code,
                                  func.lower(Team.name) == name.lower())
    clash = session.exec(query).first()
    if clash is not None and clash != except_id:
        raise DomainError(_l("This commune already has a team with this name."), field="name")


def create_team(*, session, actor, name, commune_code=None):
    """A new team in ``commune_code`` (a leader's or commune admin's own commune by default).
    A team leader who creates a team leads it."""
    name = _clean_name(name)
    commune = session.get(Commune, commune_code or actor.commune_code)
    if commune is None or not scope_for(actor).covers_commune(commune.code,
                                                               commune.province_code):
        raise DomainError(_l("Choose a commune in your area."), field="commune")
    _name_free(session, commune.code, name)
    team = Team(name=name, commune_code=commune.code, province_code=commune.province_code)
    if not insert_once(session, team):
        raise DomainError(_l("This commune already has a team with this name."), field="name")
    if permissions.leads_teams_it_creates(actor):
        session.add(TeamLeader(team_id=team.id, user_id=actor.id))
        session.flush()
    return team


def rename_team(*, session, team, name):
    name = _clean_name(name)
    _name_free(session, team.commune_code, name, except_id=team.id)
    team.name = name
    session.add(team)
    session.flush()
    return team


def appoint_leader(*, session, team, username):
    """Make the user ``username`` of the team's commune a leader of ``team``."""
    try:
        username = accounts.normalise_username(username)
    except DomainError:
        username = None
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.commune_code != team.commune_code:
        raise DomainError(_l("No account with this username in the team's commune."),
                          field="username")
    if not permissions.may_lead(user):
        raise DomainError(_l("Administrators cannot lead a team."), field="username")
    if permissions.counts_as_learner(user):
        user.role = Role.team_leader.value
        session.add(user)
        # Figures count people with the learner role: the registration no longer counts.
        rollup.count_for_user(session=session, user=user, when=user.created_at, learners=-1)
    insert_once(session, TeamLeader(team_id=team.id, user_id=user.id))
    # A leader is nobody's member: the teams they belonged to no longer manage their account
    # (their old leader could otherwise reset the PIN of a team leader).
    session.execute(delete(TeamMember).where(TeamMember.user_id == user.id))
    session.flush()
    return user


def pin_resettable(*, session, actor, people):
    """Those of ``people`` (already within ``actor``'s scope) whose PIN ``actor`` may reset
    (``permissions.may_reset_pin``)."""
    people = list(people)
    led = set(session.exec(select(TeamLeader.team_id).where(TeamLeader.user_id == actor.id)))
    memberships = rollup.teams_of(session=session, user_ids=[p.id for p in people])
    return [p for p in people
            if permissions.may_reset_pin(actor, p, memberships.get(p.id, ()), led)]


def team_leaders(*, session, team):
    return collation.sorted_names(session.exec(
        select(User).join(TeamLeader, TeamLeader.user_id == User.id)
        .where(TeamLeader.team_id == team.id)).all())


@dataclass
class NewMember:
    """A person to add: what a form row or CSV row gives."""

    full_name: str
    phone: str = None
    birth_year: int = None


def _hash_pins(pins):
    """The hashes of ``pins``; a big group is hashed on every core (scrypt releases the GIL),
    so that enrolling a thousand people from a CSV file takes seconds. The PIN hash itself is
    ``pins.hash_pin``, unchanged; real passwords keep their full-strength hash."""
    if len(pins) < 32:
        return [hash_pin(pin) for pin in pins]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        return list(pool.map(hash_pin, pins))


def add_members(*, session, team, people, course_slugs=()):
    """Create accounts for ``people`` in ``team`` with one-time PINs; return
    ``[(user, pin)]``. PINs are returned once and stored only hashed.

    Built for groups: one username query per round, PINs hashed in parallel, and the users,
    memberships and enrolments each written in one batch (no query per person)."""
    people = list(people)
    usernames = allocate_usernames(session=session,
                                  full_names=[p.full_name for p in people])
    pins = [new_pin() for _ in people]
    expires = clock.now() + timedelta(days=PIN_LIFETIME_DAYS)
    # What ``pins.set_new_pin`` sets, for accounts that have no password yet.
    created = [User(username=username, full_name=person.full_name, phone=person.phone,
                    birth_year=person.birth_year, password_hash=UNUSABLE_PASSWORD,
                    role=Role.learner.value, province_code=team.province_code,
                    commune_code=team.commune_code, must_change_password=True,
                    pin_hash=pin_hash, pin_expires_at=expires)
               for person, username, pin_hash in zip(people, usernames, _hash_pins(pins))]
    session.add_all(created)
    session.flush()
    rollup.count(session=session, province_code=team.province_code,
                 commune_code=team.commune_code, team_ids=[team.id], learners=len(created))
    session.add_all([TeamMember(team_id=team.id, user_id=user.id) for user in created])
    session.flush()
    enrol_members(session=session, team=team, members=created, course_slugs=course_slugs)
    return list(zip(created, pins))


class AlreadySubmitted(DomainError):
    """The same form was sent a second time: nothing more is created."""


def add_one_member(*, session, team, actor, full_name, phone=None, birth_year=None, once=None):
    """Add one person from the team page's form; ``[(user, pin)]``. ``once`` is the form's
    token: the same form sent twice creates one account (``AlreadySubmitted``). Says "exists"
    only for a phone of someone in ``actor``'s area (``phones_in_use``)."""
    phone = accounts.normalise_phone(phone) if phone else None
    if once and not claim_form(session, token=once, user_id=actor.id):
        raise AlreadySubmitted(_l("This person is already added: the form was sent twice. "
                                  "Their card was shown the first time."))
    known, elsewhere = phones_in_use(session=session, phones=[phone], viewer=actor)
    if known:
        raise DomainError(_l("An account with this phone number exists."), field="phone")
    if elsewhere:  # not said why: nobody may test numbers outside their area
        raise DomainError(_l("This phone number cannot be used here: leave it out, or ask "
                             "the commune office."), field="phone")
    person = NewMember(full_name=" ".join(full_name.split()), phone=phone,
                       birth_year=birth_year)
    return add_members(session=session, team=team, people=[person])


def phone_taken(*, session, phones):
    """Which of ``phones`` already belong to an account (as its phone or its username)."""
    phones = [p for p in phones if p]
    if not phones:
        return set()
    taken = set(session.exec(select(User.phone).where(User.phone.in_(phones))))
    return taken | set(session.exec(select(User.username).where(User.username.in_(phones))))


def phones_in_use(*, session, phones, viewer):
    """``(in the area, elsewhere)``: which of ``phones`` belong to an account, split by whether
    the account lies in ``viewer``'s area. Only the first may be told as "exists": a team
    leader must not be able to test numbers across the country."""
    taken = phone_taken(session=session, phones=phones)
    if not taken:
        return set(), set()
    visible = set(session.exec(select(User.phone).where(User.phone.in_(sorted(taken)),
                                                        scope_for(viewer).people())))
    return visible, taken - visible


def enrol_members(*, session, team, members, course_slugs):
    """Enrol every member given in every course given (already enrolled ones are kept).

    One query and one batch insert per course; if someone enrols one of them at the same
    moment, that course falls back to ``progress.enroll`` one member at a time."""
    from ..content import get_catalog

    catalog = get_catalog()
    courses = []
    for slug in course_slugs:
        course = catalog.get(slug)
        if course is None:
            raise DomainError(_l("Unknown course: %(slug)s", slug=slug), field="courses")
        courses.append(course)
    members = list(members)
    for course in courses:
        enrolled = set()
        for start in range(0, len(members), 500):
            ids = [m.id for m in members[start:start + 500]]
            enrolled.update(session.exec(select(Enrolment.user_id).where(
                Enrolment.course_slug == course.slug, Enrolment.user_id.in_(ids))))
        new = [m for m in members if m.id not in enrolled]
        if not new:
            continue
        try:
            with session.begin_nested():
                session.add_all([Enrolment(user_id=m.id, course_slug=course.slug,
                                           province_code=m.province_code,
                                           commune_code=m.commune_code) for m in new])
        except IntegrityError:
            for member in new:
                enroll(session=session, user=member, course=course)
            continue
        # The same counters as ``progress.enroll``, one upsert per commune and team instead
        # of one per person.
        rollup.count_for_users(session=session, users=new, course_slug=course.slug,
                               enrolments=1)
    session.flush()


def team_members(*, session, team):
    """The members of ``team`` in Vietnamese alphabetical order of their names."""
    return collation.sorted_names(session.exec(
        select(User).join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id).order_by(User.id)).all())


def member_summary(*, session, team):
    """``{user id: (enrolments, completions, lessons done)}`` for a team, by aggregates."""
    members = select(TeamMember.user_id).where(TeamMember.team_id == team.id)
    enrolled = session.exec(
        select(Enrolment.user_id, func.count(), func.count(Enrolment.completed_at))
        .where(Enrolment.user_id.in_(members)).group_by(Enrolment.user_id)).all()
    lessons = dict(session.exec(
        select(LessonProgress.user_id, func.count())
        .where(LessonProgress.user_id.in_(members)).group_by(LessonProgress.user_id)).all())
    summary = {uid: (count, done, lessons.get(uid, 0)) for uid, count, done in enrolled}
    for uid, count in lessons.items():
        summary.setdefault(uid, (0, 0, count))
    return summary


# --- changing the members of a team ---------------------------------------------------------

def _not_allowed():
    # Outside the caller's area looks like a missing account (the views make it a 404).
    return DomainError(_l("No such member."), field="submit")


def update_member(*, session, actor, team, member, full_name, phone=None, birth_year=None):
    """Correct a member's name, phone and birth year; raises ``DomainError``."""
    if not may_change_member(scope_for(actor), team, member):
        raise _not_allowed()
    full_name = " ".join((full_name or "").split())
    if not full_name or len(full_name) > 120:
        raise DomainError(_l("Write a name of 1 to 120 characters."), field="full_name")
    phone = accounts.normalise_phone(phone) if phone else None
    if phone and phone != member.phone and phone != member.username and \
            accounts.phone_in_use(session=session, phone=phone):
        raise DomainError(_l("An account with this phone number exists."), field="phone")
    try:
        with session.begin_nested():  # the phone's uniqueness is the database's rule
            member.full_name, member.phone, member.birth_year = full_name, phone, birth_year
            session.add(member)
    except IntegrityError:
        raise DomainError(_l("An account with this phone number exists."),
                          field="phone") from None
    return member


def remove_member(*, session, actor, team, member):
    """Take ``member`` out of ``team``: the account and its progress stay; the team's
    figures are recounted without them."""
    if not may_remove_member(scope_for(actor), team, member):
        raise _not_allowed()
    link = session.get(TeamMember, (team.id, member.id))
    if link is not None:
        session.delete(link)
        session.flush()
        rollup_rebuild.rebuild_team(session=session, team_id=team.id)
    return member


def find_account(*, session, key):
    """The account named by a username or a phone number, or None."""
    return accounts.find_user(session=session, username=accounts.username_key(key))


def add_existing_member(*, session, actor, team, key):
    """Add the existing account named ``key`` (username or phone) to ``team``; the team's
    figures then count their whole history. Raises ``DomainError``: not found or outside
    the caller's area (the same message: it tells nothing about accounts elsewhere)."""
    user = find_account(session=session, key=key)
    if user is None or not may_add_to_team(scope_for(actor), team, user):
        raise DomainError(_l("No learner account with this username or phone number in the "
                             "team's commune."), field="account")
    if session.get(TeamMember, (team.id, user.id)) is not None:
        raise DomainError(_l("%(name)s is already in this team.", name=user.full_name),
                          field="account")
    if not insert_once(session, TeamMember(team_id=team.id, user_id=user.id)):
        raise DomainError(_l("%(name)s is already in this team.", name=user.full_name),
                          field="account")
    rollup_rebuild.rebuild_team(session=session, team_id=team.id)
    return user
