"""The test OpenID provider, started once for the sign-in tests, and an app that uses it."""
import pytest

from oidc.provider import Provider

CALLBACK = "http://127.0.0.1:5000/auth/oidc/callback"  # the default PUBLIC_URL's


@pytest.fixture(scope="session")
def provider():
    """A real OpenID provider on a free loopback port, stopped after the tests."""
    running = Provider([CALLBACK])
    yield running
    running.stop()


@pytest.fixture
def oidc_app(app, provider):
    """The test's app, with sign-in through ``provider`` configured."""
    app.config.update(provider.settings())
    return app
