"""Value objects shared by the statistics services: units, filters and figures."""
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from ..models.stats import COMMUNE, NATION, PROVINCE, TEAM
from .rollup import COUNTERS, COURSE_FREE  # noqa: F401 - COURSE_FREE is part of this API

# Dates outside these are refused (figures, venue sessions): nothing happened before, and
# ancient or far-future dates overflow date arithmetic instead of meaning anything.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def plausible_day(day):
    """Whether ``day`` (or None) lies between ``EARLIEST_DAY`` and ``LATEST_DAY``."""
    return day is None or EARLIEST_DAY <= day <= LATEST_DAY


LEVEL_NAMES = {NATION: "nation", PROVINCE: "province", COMMUNE: "commune", TEAM: "team"}


@dataclass(frozen=True)
class Unit:
    level: int
    code: int
    name: str
    province_code: Optional[int] = None
    commune_code: Optional[int] = None

    @property
    def kind(self):
        return LEVEL_NAMES[self.level]


@dataclass(frozen=True)
class Filters:
    course: Optional[str] = None
    date_from: Optional[date] = None
    date_to: Optional[date] = None


@dataclass
class Figures:
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    def __getattr__(self, name):
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def completion_rate(self):
        return _ratio(self.counts["completions"], self.counts["enrolments"])

    @property
    def pass_rate(self):
        return _ratio(self.counts["passes"], self.counts["attempts"])

    @property
    def assisted_share(self):
        return _ratio(self.counts["lessons_assisted"], self.counts["lessons"])

    def as_dict(self):
        return {"learners": self.counts["learners"], "enrolments": self.counts["enrolments"],
                "completions": self.counts["completions"],
                "completion_rate": self.completion_rate}


def _ratio(part, whole):
    return round(part / whole, 4) if whole else 0.0
