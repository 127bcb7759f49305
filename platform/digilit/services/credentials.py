"""Certificates as Open Badges 3.0 credentials (W3C Verifiable Credentials), signed as VC-JWT.

Each certificate is an ``OpenBadgeCredential`` whose JSON is the payload of a JWS signed with
the platform's Ed25519 key (``alg: EdDSA``, ``kid``: the key's thumbprint, published at
``/.well-known/jwks.json``). It is handed out wrapped as an ``EnvelopedVerifiableCredential``
(VC Data Model 2.0), a JSON document whose ``id`` is ``data:application/vc+jwt,<jwt>``.

Revocation goes through a Bitstring Status List: certificate ``n`` is bit ``n % LIST_SIZE`` of
list ``n // LIST_SIZE + 1``, published as a signed credential at ``/credentials/status/<list>``.
Every address in a credential comes from ``PUBLIC_URL``, never from a request's Host.
"""
import base64
import gzip
import warnings
from datetime import timezone

from joserfc import jwt
from sqlmodel import select

from ..models import Certificate, CertificateRevocation

LIST_SIZE = 131072  # bits per status list: the specification's minimum, for herd privacy
CONTEXTS = ["https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
MEDIA_TYPE = "application/vc+jwt"
ENVELOPE_PREFIX = f"data:{MEDIA_TYPE},"


def _utc(moment):
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _iso(moment):
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_position(certificate_id):
    """``(list number, index)`` of a certificate in the status lists."""
    return certificate_id // LIST_SIZE + 1, certificate_id % LIST_SIZE


def issuer_profile(base_url, name):
    """The platform as an Open Badges ``Profile``."""
    return {"id": base_url + "/", "type": ["Profile"], "name": name}


def _achievement(course, course_url, lang_text, criteria):
    achievement = {
        "id": course_url, "type": ["Achievement"],
        "name": lang_text(course.title), "description": lang_text(course.summary),
        "criteria": {"narrative": criteria},
    }
    competencies = tuple(str(code) for code in (getattr(course, "competencies", None) or ()))
    if competencies:
        achievement["alignment"] = [
            {"type": ["Alignment"], "targetName": code, "targetCode": code,
             "targetUrl": f"{course_url}#competency-{code}"} for code in competencies]
    return achievement


def build_credential(*, certificate, holder_name, course, urls, texts, lang_text):
    """The ``OpenBadgeCredential`` of ``certificate`` (a dict, unsigned). ``urls`` gives the
    public addresses: ``base``, ``certificate``, ``course``, ``status_list(number)``;
    ``texts`` the issuer's ``name`` and the achievement's ``criteria``; ``lang_text`` turns a
    ``{lang: text}`` mapping into one string."""
    list_number, index = status_position(certificate.id)
    status_list = urls["status_list"](list_number)
    return {
        "@context": CONTEXTS,
        "id": urls["certificate"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": lang_text(course.title),
        "issuer": issuer_profile(urls["base"], texts["name"]),
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name",
                            "hashed": False, "identityHash": holder_name}],
            "achievement": _achievement(course, urls["course"], lang_text, texts["criteria"]),
            "result": [{"type": ["Result"], "value": f"{certificate.percent}%"}],
        },
        "credentialStatus": {
            "id": f"{status_list}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(index),
            "statusListCredential": status_list,
        },
    }


def sign(payload, key, issued_at):
    """``payload`` as a compact JWS (VC-JWT) signed by ``key``; the registered claims repeat
    the issuer, the credential's id and when it became valid."""
    claims = {**payload, "iss": payload["issuer"]["id"] if isinstance(payload["issuer"], dict)
              else payload["issuer"], "jti": payload["id"],
              "nbf": int(_utc(issued_at).timestamp()), "iat": int(_utc(issued_at).timestamp())}
    header = {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": key.kid}
    with warnings.catch_warnings():
        # RFC 9864 prefers the fully-specified "Ed25519"; "EdDSA" is what wallets read today.
        warnings.simplefilter("ignore")
        return jwt.encode(header, claims, key, algorithms=["EdDSA"])


def envelope(token):
    """A signed credential as a JSON document (an ``EnvelopedVerifiableCredential``)."""
    return {"@context": CONTEXTS[:1], "id": ENVELOPE_PREFIX + token,
            "type": "EnvelopedVerifiableCredential"}


def revoked_ids(*, session, list_number):
    """Ids of the revoked certificates that fall in status list ``list_number``."""
    low = (list_number - 1) * LIST_SIZE
    return session.exec(select(CertificateRevocation.certificate_id).where(
        CertificateRevocation.certificate_id >= low,
        CertificateRevocation.certificate_id < low + LIST_SIZE)).all()


def encode_bits(indexes):
    """A Bitstring Status List's ``encodedList``: gzip, then base64url with multibase ``u``
    (bit 0 is the most significant bit of the first byte)."""
    bits = bytearray(LIST_SIZE // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def decode_bit(encoded, index):
    """Whether bit ``index`` of an ``encodedList`` is set."""
    raw = encoded[1:] if encoded.startswith("u") else encoded
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(*, session, list_number, url, issuer, valid_from):
    """The ``BitstringStatusListCredential`` of list ``list_number`` (unsigned)."""
    indexes = [cid % LIST_SIZE for cid in revoked_ids(session=session, list_number=list_number)]
    return {
        "@context": CONTEXTS[:1], "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer, "validFrom": _iso(valid_from),
        "credentialSubject": {"id": url + "#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encode_bits(indexes)},
    }


def find_certificate(*, session, certificate_id):
    """The certificate with this id, or None."""
    return session.get(Certificate, certificate_id)
