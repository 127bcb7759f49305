"""The in-memory catalogue of valid courses, built once at start-up."""
import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from .loader import load_all

log = logging.getLogger(__name__)


class Catalog:
    """Valid courses by slug, in a stable order; broken courses are left out and logged."""

    def __init__(self, courses, problems):
        self._courses = dict(courses)
        self.problems = tuple(problems)
        # What pages kept for everyone depend on (fragments.page): each course and version.
        self.key = tuple((slug, course.version) for slug, course in self._courses.items())

    def get(self, slug):
        return self._courses.get(slug)

    def __iter__(self):
        return iter(self._courses.values())

    def __len__(self):
        return len(self._courses)

    def __contains__(self, slug):
        return slug in self._courses


def build_catalog(courses_dir):
    courses, problems = load_all(courses_dir)
    for problem in problems:
        log.error("course problem, course left out: %s", problem)
    return Catalog(courses, problems)


def get_catalog():
    """The running application's catalogue."""
    return current_app.extensions["digilit.catalog"]


@click.group("courses")
def courses_cli():
    """Course files."""


@courses_cli.command("validate")
@with_appcontext
def validate_command():
    """Check every course file; print each problem as path:line: message."""
    courses, problems = load_all(current_app.config["COURSES_DIR"])
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{len(courses)} valid course(s), {len(problems)} problem(s).",
               err=bool(problems))
    if problems:
        raise SystemExit(1)


@courses_cli.command("list")
@with_appcontext
def list_command():
    """List the courses that are served."""
    for course in get_catalog():
        click.echo(f"{course.slug}\tv{course.version}\t{course.topic}\t{len(course.lessons)} "
                   f"lessons\t{len(course.questions)} questions\t{course.title['vi']}")


def init_app(app):
    app.extensions["digilit.catalog"] = build_catalog(app.config["COURSES_DIR"])
    app.cli.add_command(courses_cli)
