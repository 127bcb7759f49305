"""Administrators' pages. The blueprint is defined in ``views``; the accounts pages add their
routes to it from their own module, imported here."""
from . import views  # noqa: F401
from . import account_views  # noqa: F401,E402
