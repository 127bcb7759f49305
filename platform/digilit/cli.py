"""Command-line groups: ``geo``, ``users``, ``stats`` and ``demo`` (``db`` and ``courses`` live
next to the resources they manage)."""
import sys

import click
from flask.cli import with_appcontext

from .db import get_session
from .models import ROLES
from . import audit
from .services import account_admin, accounts, geo
from .services.errors import DomainError


@click.group("geo")
def geo_cli():
    """Provinces and communes."""


@geo_cli.command("import")
@with_appcontext
def geo_import():
    """Load the 34 provinces and 3,321 communes from vietnam-provinces (safe to repeat)."""
    session = get_session()
    provinces, communes = geo.import_geography(session=session)
    session.commit()
    click.echo(f"{provinces} provinces, {communes} communes.")


@click.group("users")
def users_cli():
    """Accounts."""


@users_cli.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--username", required=True)
@click.option("--full-name", default=None, help="Defaults to the username.")
@click.option("--province", "province_code", type=int, default=None)
@click.option("--commune", "commune_code", type=int, default=None)
@with_appcontext
def users_create(role, username, full_name, province_code, commune_code):
    """Create an account; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    session = get_session()
    try:
        user = accounts.create_user(
            session=session, username=username, full_name=full_name or username,
            password=password, role=role, province_code=province_code,
            commune_code=commune_code)
    except DomainError as error:
        raise click.UsageError(f"{error.field or 'error'}: {error.message}") from None
    session.commit()
    click.echo(f"Created {user.role} '{user.username}' (id {user.id}).")


def _account(session, username):
    user = account_admin.account_for(session=session, actor=None, username=username)
    if user is None:
        raise click.UsageError(f"No account '{username}'.")
    return user


@users_cli.command("suspend")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Re-enable a suspended account instead.")
@with_appcontext
def users_suspend(username, enable):
    """Suspend an account (no sign-in, sessions ended), or re-enable it."""
    session = get_session()
    user = account_admin.set_suspended(session=session, user=_account(session, username),
                                       suspended=not enable, actor=None)
    session.commit()
    audit.event("account_enable" if enable else "account_suspend", user_id=user.id)
    click.echo(f"{'Re-enabled' if enable else 'Suspended'} '{user.username}'.")


@users_cli.command("set-role")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--province", "province_code", type=int, default=None)
@click.option("--commune", "commune_code", type=int, default=None)
@with_appcontext
def users_set_role(username, role, province_code, commune_code):
    """Change an account's role and area (its sessions end)."""
    session = get_session()
    try:
        user = account_admin.change_role(session=session, actor=None,
                                         user=_account(session, username), role=role,
                                         province_code=province_code,
                                         commune_code=commune_code)
    except DomainError as error:
        raise click.UsageError(f"{error.field or 'error'}: {error.message}") from None
    session.commit()
    audit.event("role_change", user_id=user.id, role=user.role)
    click.echo(f"'{user.username}' is now {user.role}.")


@users_cli.command("delete")
@click.argument("username")
@click.confirmation_option(prompt="Delete this account and everything about it?")
@with_appcontext
def users_delete(username):
    """Delete an account and every row about it."""
    session = get_session()
    user = _account(session, username)
    user_id = user.id
    account_admin.delete_account(session=session, user=user)
    session.commit()
    audit.event("account_delete", user_id=user_id)
    click.echo(f"Deleted '{username}'.")


@click.group("stats")
def stats_cli():
    """Administrators' figures."""


@stats_cli.command("rebuild")
@with_appcontext
def stats_rebuild():
    """Recompute every rollup from the raw tables (after a bulk load, or to repair drift)."""
    from .services.rollup_rebuild import rebuild_rollups

    session = get_session()
    rebuild_rollups(session=session)
    session.commit()
    click.echo("Statistics rebuilt.")


def init_app(app):
    from .credential_cli import certificates_cli
    from .demo import demo_cli
    from .translate import translate_cli

    app.cli.add_command(geo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(stats_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(certificates_cli)
