"""Placeholder until this module is written."""
from .views import bp  # noqa: F401
