"""Checking a signed credential offline: signature, key, validity period and revocation.

Used by ``flask --app wsgi certificates verify FILE``; every failure says why, in words.
"""
import json
import re
import warnings
from dataclasses import dataclass

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from . import credentials

JWT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
STATUS_LIST_RE = re.compile(r"/credentials/status/(\d+)$")


class CredentialInvalid(Exception):
    """The credential does not hold; the message says why."""


@dataclass(frozen=True)
class Checked:
    """What a valid credential says."""

    claims: dict

    @property
    def holder(self):
        identifiers = self.claims["credentialSubject"].get("identifier") or [{}]
        return identifiers[0].get("identityHash", "")

    @property
    def achievement(self):
        return self.claims["credentialSubject"]["achievement"]["name"]


def read_token(text):
    """The compact JWS in ``text``: a raw VC-JWT, or the JSON envelope the platform serves."""
    text = (text or "").strip()
    if JWT_RE.match(text):
        return text
    try:
        document = json.loads(text)
    except ValueError:
        raise CredentialInvalid("not a credential: neither a JWT nor JSON") from None
    value = document.get("id", "") if isinstance(document, dict) else ""
    if not value.startswith(credentials.ENVELOPE_PREFIX):
        raise CredentialInvalid("not a credential: no enveloped VC-JWT in its 'id'")
    return value[len(credentials.ENVELOPE_PREFIX):]


def _verified_claims(token, jwks):
    try:
        header = jws.extract_compact(token.encode()).protected
    except (JoseError, ValueError):
        raise CredentialInvalid("not a credential: the JWT cannot be read") from None
    if header.get("alg") != "EdDSA":
        raise CredentialInvalid(f"unexpected signature algorithm {header.get('alg')!r}")
    keys = KeySet.import_key_set(jwks)
    if not any(key.kid == header.get("kid") for key in keys):
        raise CredentialInvalid("unknown key: not signed with this platform's published key "
                                "(an old, expired or foreign key)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # RFC 9864 deprecates "EdDSA"; still what we sign
            return jwt.decode(token, keys, algorithms=["EdDSA"]).claims
    except JoseError:
        raise CredentialInvalid("bad signature: the credential was tampered with after "
                                "signing") from None


def _check_period(claims, now):
    moment = now.timestamp()
    if isinstance(claims.get("nbf"), int) and claims["nbf"] > moment + 60:
        raise CredentialInvalid("not yet valid")
    if isinstance(claims.get("exp"), int) and claims["exp"] < moment:
        raise CredentialInvalid("expired")


def _check_status(claims, is_revoked):
    status = claims.get("credentialStatus") or {}
    match = STATUS_LIST_RE.search(status.get("statusListCredential", ""))
    if not match or not str(status.get("statusListIndex", "")).isdigit():
        raise CredentialInvalid("no status list entry: revocation cannot be checked")
    if is_revoked(int(match.group(1)), int(status["statusListIndex"])):
        raise CredentialInvalid("revoked: the status list marks this certificate as withdrawn")


def verify(*, text, jwks, now, is_revoked):
    """The ``Checked`` credential in ``text``, or ``CredentialInvalid`` saying why not.
    ``is_revoked(list_number, index)`` reads the status list (None: not checked)."""
    claims = _verified_claims(read_token(text), jwks)
    if "OpenBadgeCredential" not in (claims.get("type") or []):
        raise CredentialInvalid("not an OpenBadgeCredential")
    _check_period(claims, now)
    if is_revoked is not None:
        _check_status(claims, is_revoked)
    return Checked(claims)
