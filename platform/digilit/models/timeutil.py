"""Timestamps are timezone-aware UTC; pages show them in Vietnam's time zone."""
from datetime import datetime, timezone


def utcnow():
    return datetime.now(timezone.utc)
