"""Configuration: defaults here, then ``instance/config.py``, then the environment."""
import os
import secrets
from pathlib import Path

from . import paths

LANGUAGES = ("vi", "en", "de", "ro")


class DefaultConfig:
    """Settings every installation starts from."""

    SQLALCHEMY_DATABASE_URI = None  # filled in from the instance path
    COURSES_DIR = str(paths.COURSES_DIR)
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = str(paths.TRANSLATIONS_DIR)
    LANGUAGES = LANGUAGES
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session: slow learners
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024 + 64 * 1024
    SEND_FILE_MAX_AGE_DEFAULT = 3600


def normalise_database_url(url):
    """Make a plain ``postgresql://`` URL use the psycopg 3 driver that the project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_secret_key(instance_path):
    """Read the instance's secret key, generating it on first start (never in the repository)."""
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def configure(app, test_config=None):
    """Apply defaults, instance file, environment and test overrides, in that order."""
    app.config.from_object(DefaultConfig)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        "sqlite:///" + str(Path(app.instance_path) / "digilit.sqlite3")
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
        if os.environ.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
