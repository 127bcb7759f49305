"""The learner's pages. The blueprint is defined in ``views``; a learner's own data (download,
account deletion) adds its routes to it from ``data_views``, imported here."""
from . import views  # noqa: F401
from . import data_views  # noqa: F401,E402
