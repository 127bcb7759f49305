"""Value objects shared by the statistics services: units, filters and figures."""
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from ..models.stats import COMMUNE, NATION, PROVINCE, TEAM
from .rollup import COUNTERS, COURSE_FREE  # noqa: F401 - COURSE_FREE is part of this API

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
