"""The password rules: at least 8 characters, at most 1024 (refused above, never truncated), any
Unicode, and not one of the common passwords in ``data/common-passwords.txt``.

Passwords are normalised to NFC (the same letters typed on two keyboards give the same
password) and otherwise kept exactly as typed: nothing is stripped.
"""
import unicodedata
from functools import lru_cache

from flask_babel import lazy_gettext as _l

from .. import paths
from .errors import DomainError

MIN_LENGTH = 8
MAX_LENGTH = 1024
UNUSABLE_PASSWORD = "!"  # the hash of an account with no password: nothing matches it
COMMON_FILE = paths.PACKAGE_DIR / "data" / "common-passwords.txt"


def normalise(password):
    """The password as stored and compared: NFC, nothing stripped."""
    return unicodedata.normalize("NFC", password or "")


@lru_cache(maxsize=1)
def common_passwords():
    """The shipped list, lower-cased, read once per process."""
    with open(COMMON_FILE, encoding="utf-8") as handle:
        return frozenset(normalise(line.rstrip("\r\n")).lower() for line in handle
                         if line.strip() and not line.startswith("#"))


def is_common(password):
    """Whether ``password`` (in any letter case) is on the common-password list."""
    return normalise(password).lower() in common_passwords()


def check_policy(password):
    """Raise ``DomainError`` (field ``password``) unless ``password`` may be chosen."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        raise DomainError(_l("The password needs at least %(n)d characters.", n=MIN_LENGTH),
                          field="password")
    if len(password) > MAX_LENGTH:
        raise DomainError(_l("The password is too long."), field="password")
    if is_common(password):
        raise DomainError(_l("This password is too common and easy to guess. Choose another "
                             "one, for example a short sentence."), field="password")
    return password
