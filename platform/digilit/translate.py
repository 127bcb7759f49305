"""``flask translate extract|update|compile``: the gettext catalogues, through pybabel."""
import click
from babel.messages.frontend import CommandLineInterface

from . import paths

POT = paths.TRANSLATIONS_DIR / "messages.pot"


def pybabel(*args):
    """Run one pybabel command; raise on failure."""
    CommandLineInterface().run(["pybabel", "-q", *map(str, args)])


def extract(output=POT):
    """Write the template of every translatable string (stable output: no dates, no line
    numbers, so that an unchanged source gives an unchanged file)."""
    pybabel("extract", "-F", paths.REPO_ROOT / "babel.cfg", "-k", "_l", "--no-location",
            "--omit-header", "--sort-output", "-o", output, paths.REPO_ROOT / "platform")


@click.group("translate")
def translate_cli():
    """Translation catalogues."""


@translate_cli.command("extract")
def extract_command():
    """Update translations/messages.pot from the code and templates."""
    extract()
    click.echo(f"Wrote {POT.relative_to(paths.REPO_ROOT)}")


@translate_cli.command("update")
def update_command():
    """Extract, then merge new strings into every language's catalogue."""
    extract()
    # Keep each catalogue's header: it carries the language and its plural rule.
    pybabel("update", "-i", POT, "-d", paths.TRANSLATIONS_DIR, "--no-fuzzy-matching")


@translate_cli.command("compile")
def compile_command():
    """Compile every catalogue to the .mo files the application reads."""
    pybabel("compile", "-d", paths.TRANSLATIONS_DIR, "--statistics")


@translate_cli.command("init")
@click.argument("lang")
def init_command(lang):
    """Start the catalogue of a new language."""
    pybabel("init", "-i", POT, "-d", paths.TRANSLATIONS_DIR, "-l", lang)
