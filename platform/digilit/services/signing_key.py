"""The platform's Ed25519 key that signs credentials: made on first use, kept in the instance.

Like ``instance/secret_key``, the file is created once with mode 0600 and never enters the
repository; app nodes share it the same way (one file copied to each, or a shared instance
folder). ``CREDENTIAL_KEY_FILE`` names another place (the tests use their own folder).
"""
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc.jwk import OKPKey

FILE_NAME = "credential_key.pem"


def key_path(config, instance_path):
    """Where the key of an app lives."""
    return Path(config.get("CREDENTIAL_KEY_FILE") or Path(instance_path) / FILE_NAME)


def _create(path):
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first: use theirs
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def load_key(path):
    """The private key at ``path`` as a JWK (its ``kid`` is its RFC 7638 thumbprint),
    generating it on first use."""
    path = Path(path)
    if not path.exists():
        _create(path)
    key = OKPKey.import_key(path.read_bytes())
    key.ensure_kid()
    return key


def public_jwks(key):
    """The JSON Web Key Set that publishes ``key``'s public half."""
    public = key.as_dict(private=False)
    public.update({"use": "sig", "alg": "EdDSA"})
    return {"keys": [public]}


def for_app(app):
    """The key of ``app``, read once and kept with the app."""
    key = app.extensions.get("digilit.signing_key")
    if key is None:
        key = load_key(key_path(app.config, app.instance_path))
        app.extensions["digilit.signing_key"] = key
    return key
