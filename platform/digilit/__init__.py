"""Digital Education for All: the application factory."""
import os

from flask import Flask

from . import paths


def create_app(test_config=None):
    """Create and configure the app; ``test_config`` replaces the instance file and environment."""
    app = Flask(__name__, instance_path=str(paths.INSTANCE_DIR), instance_relative_config=True)
    from .config import configure

    os.makedirs(app.instance_path, exist_ok=True)
    configure(app, test_config)

    from . import cli, content, db, errors, web

    db.init_app(app)
    content.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app
