"""``flask demo seed``: demo accounts for every role, and optionally a synthetic population."""
import random
import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlmodel import select

from .content import get_catalog
from .db import get_session
from .demo_population import seed_population
from .models import Commune, User
from .services import accounts
from .services.rollup_rebuild import rebuild_rollups

DEMO_PROVINCE = 1  # Hà Nội
DEMO_ACCOUNTS = (  # (username, role, full name)
    ("demolearner", "learner", "Nguyễn Thị Lan"),
    ("demoleader", "team_leader", "Trần Văn Minh"),
    ("democommune", "commune_admin", "Lê Thị Hoa"),
    ("demoprovince", "province_admin", "Phạm Văn Hùng"),
    ("demonational", "national_admin", "Vũ Thị Mai"),
)


def _logins_file():
    return Path(current_app.instance_path) / "demo-logins.txt"


def _saved_passwords():
    path = _logins_file()
    if not path.exists():
        return {}
    return dict(line.split("\t", 1) for line in path.read_text().splitlines() if "\t" in line)


def seed_demo_accounts(session):
    """Create the demo accounts that are missing; return ``{username: password}``."""
    saved = _saved_passwords()
    commune = session.exec(select(Commune).where(Commune.province_code == DEMO_PROVINCE)
                           .order_by(Commune.code)).first()
    if commune is None:
        raise click.UsageError("No geography yet: run `flask --app wsgi geo import` first.")
    for username, role, name in DEMO_ACCOUNTS:
        if session.exec(select(User.id).where(User.username == username)).first():
            continue
        saved[username] = secrets.token_urlsafe(9)
        accounts.create_user(session=session, username=username, full_name=name,
                             password=saved[username], role=role,
                             province_code=DEMO_PROVINCE, commune_code=commune.code)
    _logins_file().write_text("".join(f"{u}\t{p}\n" for u, p in saved.items()))
    _logins_file().chmod(0o600)
    return saved


def seed_learners(session, count, rng, progress=None):
    """Add ``count`` synthetic learners over every commune, with teams, enrolments, lessons,
    attempts and certificates (see ``demo_population``); return the rows written per table.
    The rollups are not touched: call ``rebuild_rollups`` afterwards."""
    communes = session.exec(select(Commune.code, Commune.province_code)
                            .order_by(Commune.code)).all()
    leader = session.exec(select(User).where(User.username == "demoleader",
                                             User.role == "team_leader")).first()
    extra_leaders = {leader.commune_code: [leader.id]} if leader else {}
    return seed_population(session=session, learners=count, rng=rng, courses=get_catalog(),
                           communes=communes, extra_leaders=extra_leaders, progress=progress)


def seed_demo_area(session, count, rng):
    """``count`` synthetic learners where the demo accounts work, so that a newcomer's first
    look at the dashboards and team pages shows figures: most in the demo commune (whose
    first team the demo leader leads), the rest in a few other communes of the demo
    province. Once only: nothing is added when the demo commune has synthetic learners.
    Returns the number of learners added."""
    leader = session.exec(select(User).where(User.username == "demoleader")).first()
    if leader is None or not count:
        return 0
    home = (leader.commune_code, leader.province_code)
    there = session.exec(select(User.id).where(User.commune_code == home[0],
                                               User.username.like("demo-%"))).first()
    if there is not None:
        return 0
    others = [tuple(row) for row in session.exec(
        select(Commune.code, Commune.province_code).where(
            Commune.province_code == home[1], Commune.code != home[0])
        .order_by(Commune.code)).all()]
    nearby = rng.sample(others, min(8, len(others)))
    in_home = count * 3 // 5
    seed_population(session=session, learners=in_home, rng=rng, courses=get_catalog(),
                    communes=[home], extra_leaders={home[0]: [leader.id]})
    if nearby and count - in_home:
        seed_population(session=session, learners=count - in_home, rng=rng,
                        courses=get_catalog(), communes=nearby)
    return count


def analyze(session):
    """Fresh planner statistics after a bulk load."""
    session.execute(text("ANALYZE"))


@click.group("demo")
def demo_cli():
    """Demonstration data."""


@demo_cli.command("seed")
@click.option("--learners", type=click.IntRange(min=0, max=5_000_000), default=0,
              help="Synthetic learners to add, spread over every commune.")
@click.option("--demo-area", type=click.IntRange(min=0, max=100_000), default=0,
              help="Synthetic learners in the demo accounts' commune and province, once "
                   "(skipped when they are there already): dashboards with figures.")
@click.option("--random-seed", type=int, default=None, hidden=True)
@with_appcontext
def seed_command(learners, demo_area, random_seed):
    """Create one demo account per role (once) and print their logins."""
    session = get_session()
    passwords = seed_demo_accounts(session)
    rng = random.Random(random_seed)
    added = seed_demo_area(session, demo_area, rng)
    if added and not learners:
        rebuild_rollups(session=session)
    if learners:
        seed_learners(session, learners, rng,
                      progress=lambda done, total: click.echo(f"  {done}/{total} learners",
                                                              err=True))
        analyze(session)  # good plans for the rebuild's aggregates
        rebuild_rollups(session=session)
        analyze(session)
    session.commit()
    click.echo("Demo accounts (username / password):")
    for username, role, _name in DEMO_ACCOUNTS:
        click.echo(f"  {role:<15} {username:<13} {passwords.get(username, '(set elsewhere)')}")
    click.echo("The administrators set up a second step at their first sign-in: scan the QR "
               "code shown with an authenticator app (FreeOTP, Google or Microsoft "
               "Authenticator).")
    if learners:
        click.echo(f"Added {learners} synthetic learners.")
    if added:
        click.echo(f"Added {added} synthetic learners around the demo accounts.")
