"""The platform's one clock, and Vietnam's time zone.

Every service asks this module for "now" and "today"; nothing else reads the machine's clock.
Timestamps are timezone-aware UTC; days are calendar days in Vietnam (UTC+7, no daylight
saving), which is how pages and figures are reported.

Tests set the clock (``set_now``/``advance``, or the ``clock`` fixture) so that no test
depends on the day it runs.
"""
import time as _time
from datetime import date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")

_set = None  # (moment, monotonic seconds when set, ticking) while tests hold the clock


def now():
    """The current moment, timezone-aware UTC."""
    if _set is None:
        return datetime.now(timezone.utc)
    moment, since, ticking = _set
    return moment + timedelta(seconds=_time.monotonic() - since) if ticking else moment


def timestamp():
    """The current moment as whole Unix seconds (cookies and counters keep these)."""
    return int(now().timestamp())


def in_vietnam(moment):
    """A UTC moment in Vietnam time; naive datetimes, as some databases return them, are
    read as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VIETNAM)


def local_day(moment=None):
    """The calendar day in Vietnam of a UTC moment (``now()`` when omitted)."""
    return in_vietnam(moment or now()).date()


def today():
    """Today's date in Vietnam."""
    return local_day(now())


def at_vietnam(day, hour=0, minute=0):
    """``hour:minute`` Vietnam time on ``day``, as a UTC moment."""
    return datetime(day.year, day.month, day.day, hour, minute,
                    tzinfo=VIETNAM).astimezone(timezone.utc)


def set_now(moment, *, ticking=False):
    """Set the clock to ``moment`` (a date means 10:00 Vietnam time that day), stopped there
    or ``ticking`` on from it; ``None`` follows the machine's clock again."""
    global _set
    if moment is None:
        _set = None
        return
    if isinstance(moment, date) and not isinstance(moment, datetime):
        moment = at_vietnam(moment, 10)
    if moment.tzinfo is None:
        raise ValueError("the clock takes timezone-aware moments")
    _set = (moment.astimezone(timezone.utc), _time.monotonic(), ticking)


def advance(**delta):
    """Move a set clock forward, e.g. ``advance(minutes=16)``."""
    if _set is None:
        raise RuntimeError("only a set clock can be moved")
    set_now(now() + timedelta(**delta), ticking=_set[2])
