"""Team pages. The blueprint is defined in ``views``; the CSV import and the progress pages
add their routes to it from their own modules, imported here."""
from . import views  # noqa: F401
from . import import_views, member_views, progress_views, session_views  # noqa: F401,E402
