"""Registration, sign-in and sign-out. The blueprint is defined in ``views``; sign-in with an
identity provider (``oidc_views``) and the second step of signing in (``second_factor_views``)
add their routes to it, imported here."""
from . import views  # noqa: F401
from . import oidc_views  # noqa: F401,E402
from . import second_factor_views  # noqa: F401,E402
