"""Backups that are consistent while the site serves, and restoring them.

- SQLite: ``VACUUM INTO`` writes a snapshot of one read transaction (WAL: writers go on); a
  restore checks the file, then copies it in with SQLite's online backup API, which takes the
  database's locks like any other writer.
- PostgreSQL: ``pg_dump --format=custom`` (one snapshot); a restore lists the archive first,
  then ``pg_restore --clean --if-exists --single-transaction`` into the configured database.

A backup never overwrites a file: it is written beside its target and linked into place only if
the name is still free. Every failure is a ``BackupError`` with a message for the operator.
"""
import os
import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore could not be done; the message says why."""


def _is_sqlite(url):
    return url.startswith("sqlite")


def _sqlite_path(url):
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("The database is in memory: there is nothing to back up.")
    return path


def _publish(tmp, target):
    """Give ``tmp`` the name ``target`` unless that name has been taken meanwhile."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise BackupError(f"{target} already exists: choose another file name.") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def _target(path):
    target = Path(path).expanduser().resolve()
    if target.exists():
        raise BackupError(f"{target} already exists: choose another file name.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    return target


def _tmp_beside(target):
    return target.with_name(f".{target.name}.{os.getpid()}.partial")


def backup(url, path, pg_bin_dir=None):
    """Write a consistent copy of the database at ``url`` to the new file ``path``."""
    target = _target(path)
    tmp = _tmp_beside(target)
    tmp.unlink(missing_ok=True)
    try:
        if _is_sqlite(url):
            _sqlite_backup(_sqlite_path(url), tmp)
        else:
            _pg_backup(url, tmp, pg_bin_dir)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _publish(tmp, target)
    return target


def restore(url, path, pg_bin_dir=None):
    """Replace the data of the database at ``url`` with the backup in ``path``."""
    source = Path(path).expanduser()
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    if _is_sqlite(url):
        _sqlite_restore(source, _sqlite_path(url))
    else:
        _pg_restore(url, source, pg_bin_dir)


# --- SQLite ---------------------------------------------------------------------------------

def _sqlite_backup(db_path, tmp):
    if not Path(db_path).is_file():
        raise BackupError(f"No database at {db_path}.")
    connection = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout=30000")
        connection.execute("VACUUM INTO ?", (str(tmp),))
    except sqlite3.Error as error:
        raise BackupError(f"The backup failed: {error}.") from None
    finally:
        connection.close()


def _check_sqlite_backup(source):
    """Open ``source`` read-only and make sure it is a whole digilit database."""
    with open(source, "rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{source} is not an SQLite backup (damaged, or another file).")
    try:
        connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            check = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is damaged: {error}.") from None
    if check != "ok":
        raise BackupError(f"{source} is damaged: {check}.")
    if not {"alembic_version", "user"} <= tables:
        raise BackupError(f"{source} is not a backup of this platform's database.")


def _sqlite_restore(source, db_path):
    _check_sqlite_backup(source)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(db_path, timeout=30)
    try:
        dst.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"The restore failed: {error}.") from None
    finally:
        src.close()
        dst.close()


# --- PostgreSQL -----------------------------------------------------------------------------

def _pg_tool(name, pg_bin_dir):
    """The newest ``pg_dump``/``pg_restore`` found: the configured folder, Debian's
    /usr/lib/postgresql/<version>/bin, then PATH."""
    folders = [pg_bin_dir] if pg_bin_dir else []
    folders += sorted(glob("/usr/lib/postgresql/*/bin"),
                      key=lambda d: [int(p) for p in Path(d).parent.name.split(".")
                                     if p.isdigit()], reverse=True)
    for folder in folders:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _pg_target(url):
    """A libpq connection URI without the password, and an environment carrying it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    return uri, env


def _run(command, env, what):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what}: {detail[-1] if detail else 'no message'}")
    return result.stdout


def _pg_backup(url, tmp, pg_bin_dir):
    uri, env = _pg_target(url)
    _run([_pg_tool("pg_dump", pg_bin_dir), "--format=custom", "--no-owner", "--no-privileges",
          f"--file={tmp}", f"--dbname={uri}"], env, "The backup failed (pg_dump)")


def _pg_restore(url, source, pg_bin_dir):
    uri, env = _pg_target(url)
    tool = _pg_tool("pg_restore", pg_bin_dir)
    try:
        _run([tool, "--list", str(source)], env, "unreadable")
    except BackupError:
        raise BackupError(f"{source} is not a PostgreSQL backup of this platform "
                          "(damaged, or another file).") from None
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={uri}", str(source)],
         env, f"The restore failed and changed nothing ({source} may be damaged)")
