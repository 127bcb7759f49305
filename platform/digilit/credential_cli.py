"""``flask --app wsgi certificates verify FILE``: check a downloaded credential offline.

The signature is checked against this installation's published key, and revocation against
the status list held in its database; the first failure is printed, with exit status 1.
"""
import click
from flask import current_app
from flask.cli import with_appcontext

from . import clock
from .db import get_session
from .services import credential_check, credentials, revocation, signing_key


@click.group("certificates")
def certificates_cli():
    """Certificates and their signed credentials."""


def _is_revoked(list_number, index):
    certificate_id = (list_number - 1) * credentials.LIST_SIZE + index
    return revocation.is_revoked(session=get_session(), certificate_id=certificate_id)


@certificates_cli.command("verify")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@with_appcontext
def verify_command(file):
    """Check the credential in FILE (the .json download, or a bare VC-JWT)."""
    jwks = signing_key.public_jwks(signing_key.for_app(current_app))
    try:
        checked = credential_check.verify(text=file.read(), jwks=jwks, now=clock.now(),
                                          is_revoked=_is_revoked)
    except credential_check.CredentialInvalid as problem:
        click.echo(f"INVALID: {problem}", err=True)
        raise SystemExit(1) from None
    click.echo(f"VALID: {checked.holder} - {checked.achievement} ({checked.claims['id']})")
