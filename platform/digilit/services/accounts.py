"""Accounts: registration, sign-in and creation by an administrator."""
import re
import secrets
import unicodedata
from datetime import timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlmodel import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import Commune, Province, Role, User
from ..models.timeutil import utcnow
from . import rollup
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
    try:
        return normalise_phone(value)
    except DomainError:
        pass
    if USERNAME_RE.match(value):
        return value
    raise DomainError(_l("Use 3 to 32 letters (a-z) and digits, or a phone number."),
                      field="username")


def normalise_phone(raw):
    """A Vietnamese phone number as ``0XXXXXXXXX``; raises ``DomainError`` otherwise."""
    compact = re.sub(r"[\s.\-()]", "", (raw or "").strip())
    match = PHONE_RE.match(compact)
    if not match:
        raise DomainError(_l("Write a phone number like 0912 345 678."), field="phone")
    return "0" + match.group(1)


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
    if province_code is not None and session.get(Province, province_code) is None:
        raise DomainError(_l("Choose a province from the list."), field="province")
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
    if role == Role.learner:
        rollup.count_for_user(session=session, user=user, learners=1)
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
    if len(password or "") > MAX_PASSWORD:
        return None
    usable = user is not None and user.password_hash != UNUSABLE_PASSWORD
    valid = check_password_hash(user.password_hash if usable else _DUMMY_HASH, password or "")
    if user is not None and not valid and user.pin_hash:
        valid = pin_is_valid(user, password or "")
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


# --- accounts made by a team: readable usernames, one-time PINs ---------------------------

PIN_DIGITS = 6
PIN_LIFETIME_DAYS = 14
# A PIN lives for days, is single-use and must be replaced by a password at first sign-in,
# and sign-in attempts are limited: a lighter scrypt than for passwords keeps enrolling a
# thousand people in seconds. Real passwords keep the full-strength hash above.
PIN_HASH_METHOD = "scrypt:4096:8:1"
UNUSABLE_PASSWORD = "!"


def new_pin():
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def hash_pin(pin):
    return generate_password_hash(pin, method=PIN_HASH_METHOD)


_FOLD = str.maketrans({"đ": "d", "Đ": "d"})


def username_stem(full_name):
    """``"Nguyễn Thị Lan"`` -> ``"lannt"``: given name, then the other initials, in ASCII."""
    folded = unicodedata.normalize("NFD", (full_name or "").translate(_FOLD))
    words = ["".join(ch for ch in word if ch.isascii() and ch.isalnum()).lower()
             for word in folded.split()]
    words = [w for w in words if w] or ["hocvien"]
    return (words[-1][:16] + "".join(w[0] for w in words[:-1]))[:24]


def allocate_usernames(*, session, full_names):
    """One unique readable username per name (stem + 3 digits), with one query per round."""
    taken, result = set(), [None] * len(full_names)
    pending = list(range(len(full_names)))
    while pending:
        proposals = {i: f"{username_stem(full_names[i])}{secrets.randbelow(900) + 100}"
                     for i in pending}
        clash = set(session.exec(select(User.username).where(
            User.username.in_(list(proposals.values())))))
        pending = []
        for i, name in proposals.items():
            if name in clash or name in taken:
                pending.append(i)
            else:
                taken.add(name)
                result[i] = name
    return result


def pin_is_valid(user, pin):
    if not user.pin_hash or user.pin_expires_at is None:
        return False
    expires = user.pin_expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=timezone.utc)
    return expires > utcnow() and check_password_hash(user.pin_hash, pin)


def set_new_pin(*, session, user):
    """Give ``user`` a fresh one-time PIN (returned once, stored hashed); the old password and
    every open session of theirs stop working, and a new password is due at sign-in."""
    pin = new_pin()
    user.pin_hash = hash_pin(pin)
    user.pin_expires_at = utcnow() + timedelta(days=PIN_LIFETIME_DAYS)
    user.password_hash = UNUSABLE_PASSWORD
    user.must_change_password = True
    user.session_version += 1
    session.add(user)
    session.flush()
    return pin


def change_password(*, session, user, password):
    """Set a new password; the PIN is spent and other sessions end."""
    check_password(password)
    user.password_hash = hash_password(password)
    user.pin_hash = None
    user.pin_expires_at = None
    user.must_change_password = False
    user.session_version += 1
    session.add(user)
    session.flush()
    return user
