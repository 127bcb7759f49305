"""A second factor at sign-in: a TOTP authenticator app (RFC 6238, 6 digits every 30 seconds)
and ten one-time recovery codes.

Setting up: ``begin`` makes a pending secret, shown as a QR code; ``confirm`` checks a code
made from it, makes it the account's secret and returns fresh recovery codes (shown once,
stored as digests). Signing in: ``check`` accepts a current code, never the same 30-second
step twice, or an unused recovery code, which it spends. Wrong codes count toward a lock of
the account's second step (``LIMIT`` in ``throttle.WINDOW``), as wrong passwords do.

Secrets are encrypted (AES-GCM) with a key derived from the app's ``SECRET_KEY``: a copy of
the database alone cannot make codes. Changing ``SECRET_KEY`` therefore means setting up the
authenticators again (an administrator above resets them: ``reset``).
"""
import base64
import hashlib
import secrets

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, update
from sqlmodel import select

from .. import clock
from ..models import RecoveryCode, SecondFactor
from . import security_events, throttle
from .errors import DomainError

ISSUER = "Bình dân học vụ số"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread on paper
RECOVERY_LENGTH = 10  # ~50 bits each
LIMIT = 5  # wrong codes per account in throttle.WINDOW
TOTP, RECOVERY = "totp", "recovery"


def _cipher(secret_key):
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"digilit second factor").derive(secret_key.encode())
    return AESGCM(key)


def _seal(secret, secret_key):
    nonce = secrets.token_bytes(12)
    sealed = _cipher(secret_key).encrypt(nonce, secret.encode(), None)
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def _open(sealed, secret_key):
    raw = base64.urlsafe_b64decode(sealed.encode())
    try:
        return _cipher(secret_key).decrypt(raw[:12], raw[12:], None).decode()
    except InvalidTag:
        return None  # sealed under another SECRET_KEY: the authenticator must be set up again


def factor_of(*, session, user):
    """The account's ``SecondFactor`` row, or None."""
    return session.get(SecondFactor, user.id)


def is_on(*, session, user):
    """Whether ``user`` signs in with a second factor."""
    factor = factor_of(session=session, user=user)
    return factor is not None and factor.secret is not None


def begin(*, session, user, secret_key):
    """The pending secret of a set-up under way (made on the first call) and the
    ``otpauth://`` address an authenticator app reads from the QR code."""
    factor = factor_of(session=session, user=user) or SecondFactor(user_id=user.id)
    secret = factor.pending_secret and _open(factor.pending_secret, secret_key)
    if not secret:
        secret = pyotp.random_base32()
        factor.pending_secret = _seal(secret, secret_key)
        session.add(factor)
        session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return secret, uri


def _wrong_code():
    return DomainError(_l("This code is not right. Enter the 6 digits your authenticator app "
                          "shows now."), field="code")


def _step_of(totp, code):
    """The 30-second step ``code`` belongs to (now, or one step either side), or None."""
    moment = clock.timestamp()
    for offset in (0, -30, 30):
        if totp.verify(code, for_time=moment + offset):
            return (moment + offset) // totp.interval
    return None


def _normalised(code):
    return "".join((code or "").split()).replace("-", "").lower()


def confirm(*, session, user, code, secret_key):
    """Finish the set-up with a code from the pending secret: it becomes the account's, and
    the new recovery codes are returned (the only time they are shown). ``DomainError`` if the
    code is wrong or no set-up is under way."""
    factor = factor_of(session=session, user=user)
    secret = factor and factor.pending_secret and _open(factor.pending_secret, secret_key)
    step = secret and _step_of(pyotp.TOTP(secret), _normalised(code))
    if not step:
        raise _wrong_code()
    factor.secret, factor.pending_secret = factor.pending_secret, None
    factor.last_step, factor.confirmed_at = step, clock.now()
    session.add(factor)
    security_events.record(session=session, user=user, kind=security_events.SECOND_FACTOR_ON,
                           told=True)
    return _make_recovery_codes(session, user)


def _digest(code):
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def new_recovery_codes(*, session, user):
    """Replace the account's recovery codes with ``RECOVERY_CODES`` new ones, returned in
    clear this once (written ``xxxxx-xxxxx``)."""
    security_events.record(session=session, user=user, kind=security_events.RECOVERY_CODES_NEW,
                           told=True)
    return _make_recovery_codes(session, user)


def _make_recovery_codes(session, user):
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_codes_left(*, session, user):
    """How many unused recovery codes the account has."""
    return session.exec(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).one()


def _spend_recovery_code(session, user, code):
    spent = session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code),
        RecoveryCode.used_at.is_(None)).values(used_at=clock.now()))
    return spent.rowcount == 1


def _accept_totp(session, factor, code, secret_key):
    secret = _open(factor.secret, secret_key)
    step = secret and _step_of(pyotp.TOTP(secret), code)
    if not step or step <= factor.last_step:  # wrong, or already used: a code is good once
        return False
    factor.last_step = step
    session.add(factor)
    return True


def check(*, session, user, code, secret_key):
    """Accept a current authenticator code or an unused recovery code of ``user``: returns
    ``TOTP`` or ``RECOVERY`` (the code is then spent); raises ``DomainError`` otherwise, and
    counts the failure (the caller commits either way)."""
    factor = factor_of(session=session, user=user)
    if factor is None or factor.secret is None:
        raise _wrong_code()
    if throttle.is_blocked(session=session, scope=throttle.SECOND_FACTOR, value=user.username):
        raise _wrong_code()
    normalised = _normalised(code)
    kind = None
    if normalised.isdigit() and _accept_totp(session, factor, normalised, secret_key):
        kind = TOTP
    elif len(normalised) == RECOVERY_LENGTH and _spend_recovery_code(session, user, normalised):
        kind = RECOVERY
    if kind is None:
        throttle.hit(session=session, scope=throttle.SECOND_FACTOR, value=user.username,
                     limit=LIMIT)
        session.flush()
        raise _wrong_code()
    throttle.clear(session=session, scope=throttle.SECOND_FACTOR, value=user.username)
    if kind == RECOVERY:
        security_events.record(session=session, user=user,
                               kind=security_events.RECOVERY_CODE_USED, told=True)
    session.flush()
    return kind


def reset(*, session, user, actor=None):
    """Remove the account's authenticator and recovery codes (turned off by its owner, or
    reset by an administrator ``actor`` after a lost phone): it is set up again at the next
    sign-in if the role needs it."""
    security_events.record(session=session, user=user, kind=security_events.SECOND_FACTOR_OFF,
                           actor=actor, told=actor is None or actor.id == user.id)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    session.flush()
