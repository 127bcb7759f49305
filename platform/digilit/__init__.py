"""Digital Education for All: the application factory."""
import os
from inspect import CO_COROUTINE

from flask import Flask

from . import paths


class App(Flask):
    """Flask, with its hooks and views called as they are when they are plain functions."""

    def ensure_sync(self, func):
        """``Flask.ensure_sync`` asks ``inspect`` whether ``func`` is a coroutine function
        at every call: about twenty times a request, for hooks that never change."""
        code = getattr(func, "__code__", None)
        if code is not None and not code.co_flags & CO_COROUTINE:
            return func
        return super().ensure_sync(func)


def create_app(test_config=None):
    """Create and configure the app; ``test_config`` replaces the instance file and environment."""
    app = App(__name__, instance_path=str(paths.INSTANCE_DIR), instance_relative_config=True)
    from .config import configure

    os.makedirs(app.instance_path, exist_ok=True)
    configure(app, test_config)

    from . import audit, cli, content, db, errors, overload, session_guard, web
    from .auth import security_notice

    overload.init_app(app)  # first: an overloaded request is refused before any other work
    db.init_app(app)
    content.init_app(app)
    audit.init_app(app)
    session_guard.init_app(app)  # before the blueprints' hooks, which read current_user
    security_notice.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    app.before_request(db.start_write_phase)  # after every other app-wide hook
    return app
