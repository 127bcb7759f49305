"""Who may do what: the one place where roles are compared.

Like Kolibri's permission classes, every kind of thing answers four actions (read, create,
change, delete) for a role in ``RULES``; whether a *particular* thing lies in the caller's
area is the scope's filter (``scope.py``), and the few rules that depend on the thing itself
(whose PIN may be reset, who may lead a team) are the functions below. Every route declares
the permission it needs in ``ENDPOINTS``: a hook checks it before the view runs, and a route
that declares nothing is refused (a test walks every route for every role).

| kind           | read                 | create              | change              | delete        |
|----------------|----------------------|---------------------|---------------------|---------------|
| person         | self, staff in area  | staff in area       | staff in area ¹     | area admins ² |
| team           | staff in area        | leader, commune adm | staff in area       | nobody        |
| membership     | staff in area        | staff in area       | staff in area       | staff in area |
| leadership     | staff in area        | area admins         | area admins         | area admins   |
| venue session  | staff in area        | staff in area       | staff, on its day   | staff, its day|
| import         | staff in area        | staff in area       | staff in area       | nobody        |
| target         | area admins          | area admins         | area admins         | area admins   |
| API token      | area admins          | area admins         | nobody              | area admins   |
| statistics unit| area admins          | nobody              | nobody              | nobody        |
| office PIN     | area admins          | area admins         | nobody              | nobody        |
| certificate    | anybody              | its holder (quiz)   | area admins: revoke | its holder    |
| second factor  | own: staff           | own: staff          | own: staff          | own: leaders ³|

"Staff" is a team leader or an administrator; "area admins" are commune, province and
national administrators. ¹ A PIN reset needs a rank above the person's, and a team leader may
reset only learners all of whose teams they lead. ² Suspension, role and area changes and
deletion of accounts: province and national administrators only. ³ Administrators must sign
in with a second factor (set up at their first sign-in) and cannot turn it off; team leaders
may. Resetting someone else's (a lost phone) is an account change.
"""
from flask import abort
from flask_login import current_user

from ..models import Role

READ, CREATE, CHANGE, DELETE = "read", "create", "change", "delete"
ACTIONS = (READ, CREATE, CHANGE, DELETE)

PERSON, TEAM, MEMBERSHIP, LEADERSHIP = "person", "team", "membership", "leadership"
VENUE_SESSION, IMPORT, TARGET, API_TOKEN = "venue_session", "import", "target", "api_token"
STATS_UNIT, CERTIFICATE, ACCOUNT = "stats_unit", "certificate", "account"
OFFICE_PIN = "office_pin"  # a commune office's reset PIN for someone in no team
SECOND_FACTOR = "second_factor"  # one's own authenticator and recovery codes
KINDS = (PERSON, TEAM, MEMBERSHIP, LEADERSHIP, VENUE_SESSION, IMPORT, TARGET, API_TOKEN,
         STATS_UNIT, CERTIFICATE, ACCOUNT, OFFICE_PIN, SECOND_FACTOR)

# Rank orders the roles: a person may act on accounts of a lower rank only.
RANK = {Role.learner: 0, Role.team_leader: 1, Role.commune_admin: 2, Role.province_admin: 3,
        Role.national_admin: 4}

EVERYONE = frozenset(Role)
ANYBODY = EVERYONE | {None}  # signed in or not
SIGNED_IN = EVERYONE  # any role, once signed in
ADMINS = frozenset({Role.commune_admin, Role.province_admin, Role.national_admin})
STAFF = ADMINS | {Role.team_leader}
UPPER_ADMINS = frozenset({Role.province_admin, Role.national_admin})
NOBODY = frozenset()

RULES = {
    PERSON: {READ: EVERYONE, CREATE: STAFF, CHANGE: STAFF, DELETE: ADMINS},
    TEAM: {READ: STAFF, CREATE: frozenset({Role.team_leader, Role.commune_admin}),
           CHANGE: STAFF, DELETE: NOBODY},
    MEMBERSHIP: {READ: STAFF, CREATE: STAFF, CHANGE: STAFF, DELETE: STAFF},
    LEADERSHIP: {READ: STAFF, CREATE: ADMINS, CHANGE: ADMINS, DELETE: ADMINS},
    # Corrected or deleted on its day only (``services.venue``).
    VENUE_SESSION: {READ: STAFF, CREATE: STAFF, CHANGE: STAFF, DELETE: STAFF},
    IMPORT: {READ: STAFF, CREATE: STAFF, CHANGE: STAFF, DELETE: NOBODY},
    TARGET: {READ: ADMINS, CREATE: ADMINS, CHANGE: ADMINS, DELETE: ADMINS},
    API_TOKEN: {READ: ADMINS, CREATE: ADMINS, CHANGE: NOBODY, DELETE: ADMINS},
    STATS_UNIT: {READ: ADMINS, CREATE: NOBODY, CHANGE: NOBODY, DELETE: NOBODY},
    # Change: revoke (administrators, for the learners of their area).
    CERTIFICATE: {READ: ANYBODY, CREATE: EVERYONE, CHANGE: ADMINS, DELETE: EVERYONE},
    OFFICE_PIN: {READ: ADMINS, CREATE: ADMINS, CHANGE: NOBODY, DELETE: NOBODY},
    SECOND_FACTOR: {READ: STAFF, CREATE: STAFF, CHANGE: STAFF,
                    DELETE: frozenset({Role.team_leader})},
    ACCOUNT: {READ: UPPER_ADMINS, CREATE: UPPER_ADMINS, CHANGE: UPPER_ADMINS,
              DELETE: UPPER_ADMINS},
}

# Routes open to anybody, signed in or not.
PUBLIC = "public"
# Routes for any signed-in person, about themselves.
OWN = "own"
# Routes that authenticate their caller themselves (API tokens) and then ask ``allows``.
SELF_AUTHENTICATED = "self-authenticated"

ENDPOINTS = {
    "static": PUBLIC, "api.healthz": PUBLIC, "learn.catalogue": PUBLIC,
    "learn.course": PUBLIC, "learn.lesson": PUBLIC, "learn.certificate": (CERTIFICATE, READ),
    "offline.page": PUBLIC, "offline.pages": PUBLIC, "offline.service_worker": PUBLIC,
    "auth.login": PUBLIC, "auth.register": PUBLIC, "auth.communes": PUBLIC,
    "auth.logout": OWN, "auth.change_password": OWN,
    # The second step of a sign-in (the password is proven, the session not yet open), and
    # one's own authenticator.
    "auth.second_factor_code": PUBLIC,
    "auth.second_factor": (SECOND_FACTOR, READ),
    "auth.second_factor_confirm": (SECOND_FACTOR, CREATE),
    "auth.second_factor_codes": (SECOND_FACTOR, CHANGE),
    "auth.second_factor_off": (SECOND_FACTOR, DELETE),
    # Sign-in with an identity provider: open until signed in; linking is about oneself.
    "auth.oidc_login": PUBLIC, "auth.oidc_callback": PUBLIC, "auth.oidc_welcome": PUBLIC,
    "auth.oidc_link": PUBLIC, "auth.oidc_unlink": OWN,  # linking proves a password
    "learn.credential": (CERTIFICATE, READ), "learn.revoke": (CERTIFICATE, CHANGE),
    "learn.jwks": PUBLIC, "learn.status_list": PUBLIC,
    "learn.me": OWN, "learn.my_data": OWN, "learn.delete_me": OWN, "learn.enroll": OWN,
    "learn.complete": OWN, "learn.quiz": OWN, "learn.result": OWN, "learn.attempts": OWN,
    # Practices and lesson self-checks are a learner's own; their drawings are course content,
    # public like the lessons; anybody may check a certificate's code.
    "learn.practice": OWN, "learn.lesson_check": OWN, "learn.practice_image": PUBLIC,
    "learn.certificate_check": PUBLIC,
    "api.stats_api": SELF_AUTHENTICATED,
    "admin.dashboard": (STATS_UNIT, READ), "admin.export": (STATS_UNIT, READ),
    "admin.set_target": (TARGET, CHANGE),
    "admin.tokens": (API_TOKEN, READ), "admin.revoke": (API_TOKEN, DELETE),
    "admin.people": (OFFICE_PIN, READ), "admin.office_pin": (OFFICE_PIN, CREATE),
    "admin.office_cards": (OFFICE_PIN, CREATE),
    "admin.accounts": (ACCOUNT, READ), "admin.suspend": (ACCOUNT, CHANGE),
    "admin.change_role": (ACCOUNT, CHANGE), "admin.delete_account": (ACCOUNT, DELETE),
    "admin.reset_second_factor": (ACCOUNT, CHANGE),
    "teams.index": (TEAM, READ), "teams.team": (TEAM, READ), "teams.rename": (TEAM, CHANGE),
    "teams.appoint": (LEADERSHIP, CREATE), "teams.add_member": (MEMBERSHIP, CREATE),
    "teams.cards": (PERSON, CHANGE), "teams.reset_pin": (PERSON, CHANGE),
    "teams.show_cards": (PERSON, CHANGE),
    "teams.enrol": (MEMBERSHIP, CHANGE), "teams.progress": (MEMBERSHIP, READ),
    "teams.progress_csv": (MEMBERSHIP, READ), "teams.sessions": (VENUE_SESSION, READ),
    "teams.import_csv": (IMPORT, READ), "teams.import_template": (IMPORT, READ),
    "teams.import_confirm": (IMPORT, CHANGE),
    # A member's details, removal, and adding an existing account (which members a caller
    # may change is ``scope.may_change_member`` and its neighbours).
    "teams.member": (MEMBERSHIP, READ), "teams.remove_member": (MEMBERSHIP, DELETE),
    "teams.add_existing": (MEMBERSHIP, CREATE),
    "teams.venue_session": (VENUE_SESSION, CHANGE),
    "teams.delete_venue_session": (VENUE_SESSION, DELETE),
}


def role_of(user):
    """The role of ``user`` (a user, an API token's principal), or None when anonymous."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return Role(user.role)
    except ValueError:
        return None


def allows(user, kind, action):
    """Whether ``user``'s role may ``action`` things of ``kind`` at all (the area is the
    scope's business)."""
    return role_of(user) in RULES[kind][action]


def require(user, kind, action):
    """A 404 unless ``user`` may ``action`` things of ``kind``: what one may not touch does
    not exist for them."""
    if not allows(user, kind, action):
        abort(404)


def check_request(endpoint):
    """The hook's answer for a route: None to go on, or a response (sign-in, 404).
    A route that declares nothing is refused."""
    from flask import current_app

    if endpoint is None:
        return None  # no route matched: the 404/405 handler answers
    needed = ENDPOINTS.get(endpoint)
    if needed is None:
        abort(404)
    if needed in (PUBLIC, SELF_AUTHENTICATED):
        return None
    user = current_user._get_current_object()  # asked twice: not through the proxy
    if needed != OWN and allows(user, *needed):
        return None
    if not user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if needed != OWN:
        abort(404)
    return None


def init_app(app):
    """Check every request against ``ENDPOINTS`` before its view runs."""
    from flask import request

    app.before_request(lambda: check_request(request.endpoint))


# --- rules that depend on the thing itself --------------------------------------------------

def is_staff(user):
    """A team leader or an administrator: someone with team pages."""
    return role_of(user) in STAFF


def outranks(actor, person):
    """Whether ``actor``'s role ranks above ``person``'s."""
    mine, theirs = role_of(actor), role_of(person)
    return mine is not None and theirs is not None and RANK[mine] > RANK[theirs]


# Whom a commune office finds by name and phone to give a reset PIN: self-registered learners.
OFFICE_PIN_ROLES = (Role.learner.value,)


def may_get_office_pin(user):
    """Whether a commune office may give ``user`` a reset PIN found by name and phone."""
    return getattr(user, "role", None) in OFFICE_PIN_ROLES


def roles_below(user):
    """The role values ranked below ``user``'s (whose tokens and accounts they oversee)."""
    mine = role_of(user)
    if mine is None:
        return []
    return [role.value for role, rank in RANK.items() if rank < RANK[mine]]


def needs_second_factor(user):
    """Whether ``user`` must sign in with a second factor: administrators."""
    return role_of(user) in ADMINS


def may_lead_teams_as(role):
    """Whether an account of ``role`` keeps the teams it leads (only team leaders do)."""
    return Role(role) == Role.team_leader


def leads_teams_it_creates(user):
    """A team leader who creates a team leads it (an administrator does not)."""
    return role_of(user) == Role.team_leader


def may_reset_pin(actor, person, person_team_ids=(), led_team_ids=()):
    """Whether ``actor`` may give ``person`` a new PIN (``person`` already in their area):
    only someone of a higher rank, and a team leader only for a learner all of whose teams
    (``person_team_ids``) are among those they lead (``led_team_ids``)."""
    if not allows(actor, PERSON, CHANGE) or not outranks(actor, person):
        return False
    if role_of(actor) == Role.team_leader:
        return role_of(person) == Role.learner and set(person_team_ids) <= set(led_team_ids)
    return True


def may_lead(user):
    """Whether ``user`` may be appointed to lead a team (learners and team leaders)."""
    return role_of(user) in (Role.learner, Role.team_leader)


def counts_as_learner(user):
    """Whether the figures count ``user`` as a learner."""
    return role_of(user) == Role.learner


def may_close_own_account(user):
    """Learners may delete their own account; staff accounts are closed by an administrator."""
    return role_of(user) == Role.learner


def area_needed(role):
    """What area an account of ``role`` has: ``"commune"``, ``"province"`` or None."""
    role = Role(role)
    if role in (Role.learner, Role.team_leader, Role.commune_admin):
        return "commune"
    return "province" if role == Role.province_admin else None
