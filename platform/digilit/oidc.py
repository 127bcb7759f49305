"""Sign-in with an OpenID Connect provider (a province's or the national identity), through
Authlib: authorization code flow with PKCE (S256), ``state`` and ``nonce``, the provider's
settings read from its discovery document, the ID token's signature (the provider's JWKS),
issuer, audience, expiry and nonce checked.

Configured by ``OIDC_ISSUER``, ``OIDC_CLIENT_ID`` and ``OIDC_CLIENT_SECRET``; off when they are
unset. Nothing of the provider's tokens is kept: the verified claims give the issuer, the
subject, a name and (if the provider has them) the person's area; the tokens are dropped.
"""
from dataclasses import dataclass
from typing import Optional

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, request, session
from joserfc.errors import JoseError

EXTENSION = "digilit.oidc"
STATE_PREFIX = "_state_oidc_"  # where Authlib keeps state, nonce and PKCE verifier
TIMEOUT = 10  # seconds for each call to the provider

# Why a sign-in failed, as the audit log names it.
DENIED, BAD_STATE, REJECTED, UNREACHABLE, UNVERIFIED = (
    "denied", "bad_state", "rejected", "unreachable", "unverified")


class SignInFailed(Exception):
    """The provider's answer cannot sign anyone in; ``reason`` is one of the names above."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    """A person as the provider vouches for them."""

    issuer: str
    subject: str
    name: str
    province_code: Optional[int] = None
    commune_code: Optional[int] = None


def enabled(app=None):
    """Whether sign-in with a provider is configured."""
    config = (app or current_app).config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def client():
    """The app's OpenID Connect client, registered on first use."""
    app = current_app._get_current_object()
    if EXTENSION not in app.extensions:
        config = app.config
        oauth = OAuth(app)
        app.extensions[EXTENSION] = oauth.register(
            "oidc", client_id=config["OIDC_CLIENT_ID"],
            client_secret=config.get("OIDC_CLIENT_SECRET"),
            server_metadata_url=issuer() + "/.well-known/openid-configuration",
            client_kwargs={"scope": config["OIDC_SCOPES"], "code_challenge_method": "S256",
                           "default_timeout": TIMEOUT})
    return app.extensions[EXTENSION]


def issuer():
    """The configured issuer, as the provider writes it (without a trailing slash)."""
    return current_app.config["OIDC_ISSUER"].rstrip("/")


def start(redirect_uri):
    """The redirect to the provider's sign-in page (state, nonce and PKCE verifier are kept
    in the signed session until the callback)."""
    # One sign-in in flight per browser: each kept state costs the session cookie ~700 bytes,
    # and a cookie past 4 KB is dropped by the browser (signing the person out).
    for key in [key for key in session if key.startswith(STATE_PREFIX)]:
        session.pop(key)
    try:
        provider = client()
        metadata = provider.load_server_metadata()
        if metadata.get("issuer", "").rstrip("/") != issuer():
            raise SignInFailed(UNVERIFIED)
        return provider.authorize_redirect(redirect_uri)
    except requests.RequestException:
        raise SignInFailed(UNREACHABLE) from None


def finish():
    """The ``Identity`` of the person the provider sent back, or ``SignInFailed``."""
    provider = client()
    # RFC 9207: a provider that names itself in the response must be the configured one.
    returned = request.args.get("iss")
    if returned is not None and returned.rstrip("/") != issuer():
        raise SignInFailed(UNVERIFIED)
    try:
        token = provider.authorize_access_token()
        claims = token.get("userinfo")
        if not claims:  # no ID token, or no nonce kept for it: nothing was verified
            raise SignInFailed(UNVERIFIED)
        claims = dict(claims)
        claims.update(_userinfo(provider, token, claims["sub"]))
    except MismatchingStateError:
        raise SignInFailed(BAD_STATE) from None
    except OAuthError as error:
        raise SignInFailed(DENIED if error.error in ("access_denied", "consent_required",
                                                      "login_required") else REJECTED) from None
    except requests.RequestException:
        raise SignInFailed(UNREACHABLE) from None
    except (JoseError, ValueError, KeyError):
        raise SignInFailed(UNVERIFIED) from None
    return _identity(claims)


def _userinfo(provider, token, subject):
    """Claims from the UserInfo endpoint, when the ID token lacks them; same subject only."""
    if "userinfo_endpoint" not in provider.load_server_metadata():
        return {}
    extra = provider.userinfo(token=token)
    if extra.get("sub") != subject:
        raise SignInFailed(UNVERIFIED)
    return extra


def _code(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _identity(claims):
    config = current_app.config
    name = claims.get("name") or " ".join(
        part for part in (claims.get("family_name"), claims.get("given_name")) if part)
    return Identity(issuer=claims["iss"], subject=str(claims["sub"]), name=(name or "").strip(),
                    province_code=_code(claims.get(config["OIDC_PROVINCE_CLAIM"])),
                    commune_code=_code(claims.get(config["OIDC_COMMUNE_CLAIM"])))
