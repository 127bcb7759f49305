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
    # A signed-in session ends after 2 hours without a request, and 12 hours after sign-in.
    SESSION_IDLE_TIMEOUT = 2 * 3600
    SESSION_ABSOLUTE_TIMEOUT = 12 * 3600
    # Counted in the database, so they hold across workers and app nodes.
    LOGIN_MAX_FAILURES = 5  # per account within THROTTLE_WINDOW: then locked that long
    LOGIN_FAILURES_PER_ADDRESS = 20  # failed sign-ins per network address...
    LOGIN_FAILURE_CREDIT = 2  # ...plus this many per successful sign-in from it...
    LOGIN_FAILURES_PER_ADDRESS_MAX = 200  # ...up to this (services/signin.py)
    REGISTRATIONS_PER_ADDRESS = 80  # a commune hall of 60 registers together
    THROTTLE_WINDOW = 15 * 60
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted.
    TRUSTED_PROXIES = 0
    SQLITE_BUSY_TIMEOUT = 30  # seconds a write waits for SQLite's lock before a 503
    QUEUE_TIMEOUT = 10  # seconds a request may wait behind the proxy before a 503 (overload.py)
    PREFERRED_URL_SCHEME = "http"  # "https" also makes every cookie Secure
    PG_BIN_DIR = None  # where pg_dump and pg_restore are, if not found by themselves
    # The site's public address: every absolute URL (certificates, credentials, the identity
    # provider's redirect URI) is built from it, never from a request's Host header.
    PUBLIC_URL = "http://127.0.0.1:5000"
    # Ed25519 key that signs certificates as credentials; default instance/credential_key.pem.
    CREDENTIAL_KEY_FILE = None
    # Sign-in with an OpenID Connect provider: off unless the issuer and client are set.
    OIDC_ISSUER = None
    OIDC_CLIENT_ID = None
    OIDC_CLIENT_SECRET = None
    OIDC_SCOPES = "openid profile"
    OIDC_PROVIDER_NAME = "VNeID"  # shown on the button: "Sign in with VNeID"
    OIDC_PROVINCE_CLAIM = "province_code"  # claims holding official area codes, if any
    OIDC_COMMUNE_CLAIM = "commune_code"
    # After two failed quiz attempts in a row, the next one opens this many seconds later.
    QUIZ_RETRY_PAUSE = 600
    # Administrators sign in with a second factor (an authenticator app), set up at their
    # first sign-in. Off only for tests about something else.
    SECOND_FACTOR_REQUIRED = True


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
        _from_environment(app)
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["PREFERRED_URL_SCHEME"] == "https":
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True


def _from_environment(app):
    """Deployment settings that may come from the environment."""
    if os.environ.get("PREFERRED_URL_SCHEME") in ("http", "https"):
        app.config["PREFERRED_URL_SCHEME"] = os.environ["PREFERRED_URL_SCHEME"]
    if os.environ.get("TRUSTED_PROXIES", "").isdigit():
        app.config["TRUSTED_PROXIES"] = int(os.environ["TRUSTED_PROXIES"])
    if os.environ.get("SECOND_FACTOR_REQUIRED") in ("0", "1"):
        app.config["SECOND_FACTOR_REQUIRED"] = os.environ["SECOND_FACTOR_REQUIRED"] == "1"
    if os.environ.get("PG_BIN_DIR"):
        app.config["PG_BIN_DIR"] = os.environ["PG_BIN_DIR"]
    for name in ENVIRONMENT_SETTINGS:
        if os.environ.get(name):
            app.config[name] = os.environ[name]


ENVIRONMENT_SETTINGS = ("PUBLIC_URL", "CREDENTIAL_KEY_FILE", "OIDC_ISSUER", "OIDC_CLIENT_ID",
                        "OIDC_CLIENT_SECRET", "OIDC_SCOPES", "OIDC_PROVIDER_NAME",
                        "OIDC_PROVINCE_CLAIM", "OIDC_COMMUNE_CLAIM")
