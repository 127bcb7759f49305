"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""
import sys
from pathlib import Path

# platform/ is the source root, not a package (a package named `platform` would shadow the
# standard library). An editable install puts it on sys.path; this keeps a plain checkout working.
_SOURCE_ROOT = str(Path(__file__).resolve().parent / "platform")
if _SOURCE_ROOT not in sys.path:
    sys.path.insert(0, _SOURCE_ROOT)

from digilit import create_app  # noqa: E402

app = create_app()
