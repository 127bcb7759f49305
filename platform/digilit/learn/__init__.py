"""The learner's pages. The blueprint is defined in ``views``; a learner's own data (download,
account deletion), signed credentials, practices with lesson checks and public certificate pages
add their routes to it from ``data_views``, ``credential_views``, ``practice_views`` and
``certificate_views``, imported here."""
from . import views  # noqa: F401
from . import credential_views, data_views  # noqa: F401,E402
from . import practice_views  # noqa: F401,E402
from . import certificate_views  # noqa: F401,E402
