"""The learner's pages. The blueprint is defined in ``views``; a learner's own data (download,
account deletion) and signed credentials add their routes to it from ``data_views`` and
``credential_views``, imported here."""
from . import views  # noqa: F401
from . import credential_views, data_views  # noqa: F401,E402
