"""Accounts: registration, sign-in and creation by an administrator."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlmodel import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import Commune, Province, Role, User
from .db_helpers import insert_once
from .errors import DomainError

USERNAME_RE = re.compile(r"^[a-z0-9]{3,32}$")
PHONE_RE = re.compile(r"^(?:\+84|84|0)(\d{9})$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # refused above this, never truncated
# Compared against when the user does not exist, so that both cases cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


def normalise_username(raw):
    """Lower-case letters and digits, or a Vietnamese phone number written as 0XXXXXXXXX."""
    value = unicodedata.normalize("NFC", (raw or "").strip()).lower()
    compact = re.sub(r"[\s.\-()]", "", value)
    phone = PHONE_RE.match(compact)
    if phone:
        return "0" + phone.group(1)
    if USERNAME_RE.match(value):
        return value
    raise DomainError(_l("Use 3 to 32 letters (a-z) and digits, or a phone number."),
                      field="username")


def check_password(password):
    if len(password or "") < MIN_PASSWORD:
        raise DomainError(_l("The password needs at least %(n)d characters.", n=MIN_PASSWORD),
                          field="password")
    if len(password) > MAX_PASSWORD:
        raise DomainError(_l("The password is too long."), field="password")


def hash_password(password):
    """scrypt, through Werkzeug: salted and slow on purpose."""
    return generate_password_hash(password, method="scrypt")


def _check_area(session, role, province_code, commune_code):
    """The area a role needs: a commune (and its province), a province, or none."""
    if commune_code is not None:
        commune = session.get(Commune, commune_code)
        if commune is None:
            raise DomainError(_l("Choose a commune from the list."), field="commune")
        if province_code is not None and commune.province_code != province_code:
            raise DomainError(_l("This commune is not in the chosen province."), field="commune")
        province_code = commune.province_code
    if province_code is not None and session.get(Province, province_code) is None:
        raise DomainError(_l("Choose a province from the list."), field="province")
    needs_commune = role in (Role.learner, Role.team_leader, Role.commune_admin)
    if needs_commune and commune_code is None:
        raise DomainError(_l("Choose a commune from the list."), field="commune")
    if role == Role.province_admin and province_code is None:
        raise DomainError(_l("Choose a province from the list."), field="province")
    if role == Role.province_admin:
        commune_code = None
    if role == Role.national_admin:
        province_code = commune_code = None
    return province_code, commune_code


def create_user(*, session, username, full_name, password, role=Role.learner,
                province_code=None, commune_code=None, must_change_password=False):
    """Create an account after checking every rule; raises ``DomainError``."""
    role = Role(role)
    username = normalise_username(username)
    full_name = " ".join((full_name or "").split())
    if not full_name or len(full_name) > 120:
        raise DomainError(_l("Write a name of 1 to 120 characters."), field="full_name")
    check_password(password)
    province_code, commune_code = _check_area(session, role, province_code, commune_code)
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise DomainError(_l("This username is taken."), field="username")
    user = User(username=username, full_name=full_name, password_hash=hash_password(password),
                role=role.value, province_code=province_code, commune_code=commune_code,
                must_change_password=must_change_password)
    if not insert_once(session, user):
        raise DomainError(_l("This username is taken."), field="username")
    return user


def authenticate(*, session, username, password):
    """The user for these credentials, or None; unknown user and wrong password look alike."""
    try:
        username = normalise_username(username)
    except DomainError:
        username = None
    user = None
    if username:
        user = session.exec(select(User).where(User.username == username)).first()
    candidate_hash = user.password_hash if user else _DUMMY_HASH
    if len(password or "") > MAX_PASSWORD:
        return None
    valid = check_password_hash(candidate_hash, password or "")
    return user if (user is not None and valid) else None


def load_user(*, session, token):
    """The user behind a session token ``"<id>:<session version>"``, if still valid."""
    try:
        user_id, version = (int(part) for part in token.split(":", 1))
    except (ValueError, AttributeError):
        return None
    user = session.get(User, user_id)
    if user is None or user.session_version != version:
        return None
    return user
