"""Password hashes: Argon2id for new ones, older hashes still checked and upgraded.

Argon2id with OWASP's first-choice parameters (19 MiB of memory, two passes, one lane) costs
about 37 ms of one core here, against 150 ms for the scrypt (N=2^15) used before, which is
also below OWASP's current scrypt minimum (N=2^17, 646 ms). At a kick-off a province signs in
tens of thousands of people within the hour: the hash is the largest cost of a sign-in, and
Argon2id is the stronger hash per millisecond (memory-hard against GPUs as scrypt is, with
a side-channel resistant first pass). Hashes made before (Werkzeug's ``scrypt:...`` and the
lighter ``scrypt:4096`` of one-time PINs) are still verified; a password that still has an old
hash, or an Argon2 hash with other parameters, is re-hashed at its next successful sign-in.
"""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

ARGON2_PREFIX = "$argon2"
PARAMETERS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1, "hash_len": 32,
              "salt_len": 16}
_hasher = PasswordHasher(**PARAMETERS)


def hash_password(password):
    """A new Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify(stored, password):
    """Whether ``password`` matches the ``stored`` hash, whichever scheme made it."""
    if not stored:
        return False
    if stored.startswith(ARGON2_PREFIX):
        try:
            return _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)
    except ValueError:  # not a hash this code knows
        return False


def needs_upgrade(stored):
    """Whether a verified hash should be replaced by one with today's scheme and settings."""
    if not stored or not stored.startswith(ARGON2_PREFIX):
        return True
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True
