"""Accounts: registration, sign-in and creation by an administrator."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlmodel import select

from ..models import Commune, Province, Role, User
from . import hashing, passwords, permissions, rollup, security_events, throttle
from .db_helpers import insert_once
from .errors import DomainError
from .passwords import UNUSABLE_PASSWORD
from .pins import DUMMY_PIN_HASH, pin_unexpired
from .signed_in import entity

USERNAME_RE = re.compile(r"^[a-z0-9]{3,32}$")
PHONE_RE = re.compile(r"^(?:\+84|84|0)(\d{9})$")
MIN_PASSWORD = passwords.MIN_LENGTH
MAX_PASSWORD = passwords.MAX_LENGTH  # refused above this, never truncated


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
    """The password normalised to NFC, if the rules allow it (see ``passwords``); raises
    ``DomainError`` otherwise."""
    return passwords.check_policy(password)


def hash_password(password):
    """Argon2id, salted and slow on purpose (see ``hashing``)."""
    return hashing.hash_password(password)


def upgrade_password_hash(user, password):
    """Re-hash ``user``'s password with today's scheme when its hash is older and ``password``
    (just checked) is that password: one extra hash, once per account. Run it outside any
    write lock, as the sign-in does."""
    if user.password_hash in (None, UNUSABLE_PASSWORD) or \
            not hashing.needs_upgrade(user.password_hash):
        return False
    password = passwords.normalise(password)
    if not hashing.verify(user.password_hash, password):
        return False  # signed in with the PIN, or with a pre-NFC hash: leave it
    user.password_hash = hashing.hash_password(password)
    return True


def check_area(session, role, province_code, commune_code):
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
    needed = permissions.area_needed(role)
    if needed == "commune" and commune_code is None:
        raise DomainError(_l("Choose a commune from the list."), field="commune")
    if needed == "province" and province_code is None:
        raise DomainError(_l("Choose a province from the list."), field="province")
    if needed == "province":
        commune_code = None
    if needed is None:
        province_code = commune_code = None
    return province_code, commune_code


def create_user(*, session, username, full_name, password, role=Role.learner,
                province_code=None, commune_code=None, must_change_password=False,
                begin_writes=None):
    """Create an account after checking every rule; raises ``DomainError``. ``password=None``
    makes an account without a password (it signs in through an identity provider).
    ``begin_writes`` (a view passes ``db.begin_writes``) is called after the password is
    hashed and the rules read, before the writes: the hash is never made under the lock."""
    role = Role(role)
    username = normalise_username(username)
    full_name = " ".join((full_name or "").split())
    if not full_name or len(full_name) > 120:
        raise DomainError(_l("Write a name of 1 to 120 characters."), field="full_name")
    password_hash = UNUSABLE_PASSWORD if password is None else hash_password(
        check_password(password))
    province_code, commune_code = check_area(session, role, province_code, commune_code)
    phone = username if is_phone(username) else None
    if phone and phone_in_use(session=session, phone=phone):
        raise DomainError(PHONE_IN_USE, field="username")
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise DomainError(_l("This username is taken."), field="username")
    if begin_writes is not None:
        begin_writes()  # a name taken meanwhile is refused by the insert below
    # A phone number chosen as username is the account's phone too: one account per phone.
    user = User(username=username, full_name=full_name, password_hash=password_hash,
                role=role.value, province_code=province_code, commune_code=commune_code,
                must_change_password=must_change_password, phone=phone)
    if not insert_once(session, user):
        raise DomainError(PHONE_IN_USE if phone else _l("This username is taken."),
                          field="username")
    if permissions.counts_as_learner(user):
        rollup.count_for_user(session=session, user=user, learners=1)
    return user


PHONE_IN_USE = _l("An account already has this phone number. Sign in with it and your "
                  "password, or with the PIN on your login card; if you forgot them, ask "
                  "your team leader for a new PIN.")


def is_phone(value):
    """Whether a normalised username is a phone number (``0`` and 9 digits)."""
    return bool(value) and len(value) == 10 and value.isdigit() and value.startswith("0")


def phone_in_use(*, session, phone):
    """Whether an account has ``phone`` (normalised) as its phone or its username."""
    return session.exec(select(User.id).where(
        or_(User.phone == phone, User.username == phone))).first() is not None


def username_key(raw):
    """The normalised username, or None if ``raw`` cannot be one."""
    try:
        return normalise_username(raw)
    except DomainError:
        return None


def find_user(*, session, username):
    """The account with this (normalised) username, or None. A phone number finds the
    account that has it as its username or as its phone (accounts made by a team have a
    generated username and the phone apart)."""
    if not username:
        return None
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None and is_phone(username):
        user = session.exec(select(User).where(User.phone == username)).first()
    return user


def _matches(user, password):
    """Both the password and the PIN are checked for everyone, so that an unknown user, a wrong
    password and an account with or without a PIN cost the same two hash checks."""
    usable = user is not None and user.password_hash != UNUSABLE_PASSWORD
    has_pin = user is not None and bool(user.pin_hash)
    by_password = hashing.verify(user.password_hash if usable else _DUMMY_HASH, password)
    by_pin = hashing.verify(user.pin_hash if has_pin else DUMMY_PIN_HASH, password)
    return (usable and by_password) or (has_pin and by_pin and pin_unexpired(user))


_LOOK_UP = object()


def check_credentials(*, session, username, password, user=_LOOK_UP):
    """``(user or None, valid)``: the account named (if it exists) and whether ``password`` is
    its password or its unexpired PIN. Takes the same time whichever of these holds.
    ``user``, when given, is the account already read for ``username`` (or None): nothing is
    read then, so the slow hashing can run outside any transaction."""
    if user is _LOOK_UP:
        user = find_user(session=session, username=username_key(username))
    if len(password or "") > MAX_PASSWORD:
        return user, False
    nfc = passwords.normalise(password)
    # Hashes made before passwords were normalised hold the password as typed.
    candidates = [nfc] if nfc == (password or "") else [nfc, password]
    valid = any(_matches(user, candidate) for candidate in candidates)
    # A suspended account signs in with nothing (its checks cost the same).
    return user, valid and user.suspended_at is None


def authenticate(*, session, username, password):
    """The user for these credentials, or None; unknown user and wrong password look alike."""
    user, valid = check_credentials(session=session, username=username, password=password)
    return user if valid else None


def has_password(user):
    """Whether the account can sign in with a password (or an unexpired one-time PIN)."""
    return user.password_hash != UNUSABLE_PASSWORD or pin_unexpired(user)


def end_sessions(*, session, user):
    """End every open session of ``user`` (sign-out everywhere)."""
    user = entity(session=session, user=user)
    user.session_version += 1
    session.add(user)
    session.flush()
    return user


# Compared against when there is no such user or no PIN, so that every case costs the same.
_DUMMY_HASH = hashing.hash_password("not-a-real-password-0000")


def chose_password(user):
    """Whether ``user`` chose a password (a new PIN would end it)."""
    return user.password_hash != UNUSABLE_PASSWORD


def check_current_password(*, session, user, current, begin_writes=None):
    """Raise ``DomainError`` unless ``current`` is ``user``'s password. Someone who signed in
    with a PIN (and must choose a password) is not asked. Wrong answers count toward the
    account's sign-in lock, so the form cannot be used to guess (written after
    ``begin_writes``, once the password is checked)."""
    if user.must_change_password or not chose_password(user):
        return  # after a PIN sign-in, or an account that never had a password (identity)
    wrong = DomainError(_l("This is not your current password."), field="current_password")
    if throttle.is_blocked(session=session, scope=throttle.ACCOUNT, value=user.username):
        raise wrong
    _user, valid = check_credentials(session=session, username=user.username,
                                     password=current or "", user=user)
    if not valid:
        if begin_writes is not None:
            begin_writes()
        throttle.hit(session=session, scope=throttle.ACCOUNT, value=user.username, limit=5)
        raise wrong


def change_password(*, session, user, password, current=None, begin_writes=None):
    """Set a new password once the current one is confirmed (``check_current_password``);
    the PIN is spent and other sessions end. The change is kept for the person's page; the
    person made it on the page that confirms it, so it counts as told. Both hashes (the
    check, the new one) are made before ``begin_writes``: never under the write lock."""
    check_current_password(session=session, user=user, current=current,
                           begin_writes=begin_writes)
    password_hash = hash_password(check_password(password))
    user = entity(session=session, user=user)
    if begin_writes is not None:
        begin_writes()
    user.password_hash = password_hash
    user.pin_hash = None
    user.pin_expires_at = None
    user.must_change_password = False
    user.session_version += 1
    session.add(user)
    session.flush()
    security_events.record(session=session, user=user, kind=security_events.PASSWORD_CHANGED,
                           actor=user, told=True)
    return user
