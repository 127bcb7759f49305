"""Registration, sign-in and sign-out. The blueprint is defined in ``views``; sign-in with an
identity provider adds its routes to it from ``oidc_views``, imported here."""
from . import views  # noqa: F401
from . import oidc_views  # noqa: F401,E402
