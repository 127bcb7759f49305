"""Where things live on disk, relative to the repository root."""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent.parent
INSTANCE_DIR = REPO_ROOT / "instance"
COURSES_DIR = REPO_ROOT / "courses"
TRANSLATIONS_DIR = REPO_ROOT / "translations"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
