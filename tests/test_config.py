"""Configuration: defaults, then instance/config.py, then the environment; a secret key of the
instance's own, generated on first start."""
import stat

import pytest

from digilit import create_app, paths
from digilit.config import load_secret_key, normalise_database_url
from digilit.db import dispose


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An empty instance folder in place of the repository's, and no configuring variables."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(paths, "INSTANCE_DIR", folder)
    for name in ("DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture
def make_app():
    apps = []

    def make(test_config=None):
        app = create_app(test_config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        dispose(app.extensions["digilit.engine"])


def test_load_secret_key_generates_once_and_keeps_it(tmp_path):
    folder = tmp_path / "new-instance"
    key = load_secret_key(folder)
    assert len(key) == 64 and int(key, 16) >= 0  # 32 random bytes, in hex
    key_file = folder / "secret_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_secret_key(folder) == key
    assert load_secret_key(tmp_path / "another") != key


def test_secret_key_is_generated_into_the_instance_folder(instance, make_app):
    app = make_app()
    assert app.instance_path == str(instance)
    key_file = instance / "secret_key"
    assert key_file.exists()
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert make_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]  # same on restart


def test_defaults_put_the_sqlite_database_in_the_instance(instance, make_app):
    app = make_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'digilit.sqlite3'}"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"
    assert app.config["COURSES_DIR"] == str(paths.COURSES_DIR)
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("url, expected", [
    ("postgresql://digilit:pw@db.example:5432/digilit",
     "postgresql+psycopg://digilit:pw@db.example:5432/digilit"),
    ("postgres://digilit@db/digilit", "postgresql+psycopg://digilit@db/digilit"),
    ("postgresql+psycopg://digilit@db/digilit", "postgresql+psycopg://digilit@db/digilit"),
])
def test_database_url_comes_from_the_environment(instance, make_app, monkeypatch, url,
                                                 expected):
    monkeypatch.setenv("DATABASE_URL", url)
    app = make_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected
    assert app.extensions["digilit.engine"].dialect.driver == "psycopg"


def test_normalise_database_url_leaves_other_urls_alone():
    assert normalise_database_url("sqlite:////srv/x.sqlite3") == "sqlite:////srv/x.sqlite3"
    assert normalise_database_url("postgresql+psycopg://h/d") == "postgresql+psycopg://h/d"


def test_secret_key_from_the_environment(instance, make_app, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = make_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (instance / "secret_key").exists()


def test_instance_config_overrides_defaults(instance, make_app, tmp_path):
    instance.mkdir()
    (instance / "config.py").write_text(
        f'SQLALCHEMY_DATABASE_URI = "sqlite:///{tmp_path / "elsewhere.sqlite3"}"\n'
        'SECRET_KEY = "from-the-instance-file"\n'
        'BABEL_DEFAULT_LOCALE = "en"\n'
        'MAX_CONTENT_LENGTH = 1024\n')
    app = make_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    assert app.config["SECRET_KEY"] == "from-the-instance-file"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "en"
    assert app.config["MAX_CONTENT_LENGTH"] == 1024
    assert not (instance / "secret_key").exists()


def test_the_environment_overrides_the_instance_file(instance, make_app, monkeypatch):
    instance.mkdir()
    (instance / "config.py").write_text('SQLALCHEMY_DATABASE_URI = "sqlite:////nowhere.db"\n'
                                        'SECRET_KEY = "from-the-instance-file"\n')
    monkeypatch.setenv("DATABASE_URL", "postgresql://env-host/digilit")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = make_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://env-host/digilit"
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_test_config_replaces_file_and_environment(instance, make_app, monkeypatch, tmp_path):
    instance.mkdir()
    (instance / "config.py").write_text('SECRET_KEY = "from-the-instance-file"\n')
    monkeypatch.setenv("DATABASE_URL", "postgresql://env-host/digilit")
    url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    app = make_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    # No key given: one is generated in the instance, not read from its config file.
    assert app.config["SECRET_KEY"] == (instance / "secret_key").read_text().strip()


def test_paths_point_into_the_repository():
    assert (paths.REPO_ROOT / "wsgi.py").is_file()
    assert paths.COURSES_DIR == paths.REPO_ROOT / "courses"
    assert paths.INSTANCE_DIR == paths.REPO_ROOT / "instance"
    assert (paths.MIGRATIONS_DIR / "env.py").is_file()
