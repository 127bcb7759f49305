"""Daily counters per nation, province and commune, bumped in the event's own transaction."""
from datetime import timedelta, timezone

from sqlalchemy.dialects import postgresql, sqlite

from ..models.stats import COMMUNE, NATION, NATION_CODE, PROVINCE, StatDaily
from ..models.timeutil import utcnow

VIETNAM = timezone(timedelta(hours=7))
COUNTERS = ("learners", "trained", "enrolments", "completions", "attempts", "passes",
            "certificates", "lessons", "lessons_assisted")


def local_day(moment=None):
    """The calendar day in Vietnam of a UTC moment (figures are reported by local day)."""
    moment = moment or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VIETNAM).date()


def _units(province_code, commune_code):
    yield NATION, NATION_CODE, NATION_CODE
    yield PROVINCE, province_code, NATION_CODE
    yield COMMUNE, commune_code, province_code


def _insert_for(session):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(StatDaily)


def count(*, session, province_code, commune_code, course_slug="", when=None, **increments):
    """Add ``increments`` (e.g. ``lessons=1``) to the day's counters of the learner's commune,
    province and the nation: one upsert per level, no read."""
    unknown = set(increments) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    increments = {k: v for k, v in increments.items() if v}
    # Only people of a commune are counted, so that every breakdown sums to its total.
    if not increments or commune_code is None or province_code is None:
        return
    day = local_day(when)
    rows = [dict(level=level, unit_code=code, parent_code=parent, course_slug=course_slug or "",
                 day=day, **{c: increments.get(c, 0) for c in COUNTERS})
            for level, code, parent in _units(province_code, commune_code)]
    statement = _insert_for(session).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["level", "unit_code", "course_slug", "day"],
        set_={c: getattr(StatDaily, c) + statement.excluded[c] for c in increments},
    )
    session.execute(statement)


def count_for_user(*, session, user, **kwargs):
    count(session=session, province_code=user.province_code, commune_code=user.commune_code,
          **kwargs)
