"""The "by unit" table of the dashboard: sorted by any column, filtered by name, and without
the units that have no learners unless asked. Read from the query string (``sort``, ``dir``,
``q``, ``empty``), so that it works without JavaScript and a view can be bookmarked."""
import unicodedata
from dataclasses import dataclass

from .. import collation

COLUMNS = ("name", "learners", "enrolments", "completions", "completion_rate", "trained",
           "target")
_FOLD = str.maketrans({"đ": "d", "Đ": "d"})


@dataclass(frozen=True)
class TableOptions:
    sort: str = ""          # "" keeps the ranking by progress to the target
    descending: bool = False
    query: str = ""
    show_empty: bool = False

    def link(self, column):
        """Query-string values that sort by ``column`` (again: the other way round)."""
        descending = not self.descending if column == self.sort else column != "name"
        return {"sort": column, "dir": "desc" if descending else "asc"}

    def aria_sort(self, column):
        if column != self.sort:
            return None
        return "descending" if self.descending else "ascending"


def options_from(args):
    """The table's options from the query string; unknown values are ignored."""
    sort = args.get("sort", "")
    return TableOptions(sort=sort if sort in COLUMNS else "",
                        descending=args.get("dir") == "desc",
                        query=" ".join(args.get("q", "").split())[:100],
                        show_empty=args.get("empty") == "1")


def fold(text):
    """Lower case without tone marks or diacritics: "ha noi" finds "Hà Nội"."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _value(row, column):
    unit, figures, target = row
    if column == "name":
        return collation.place_key(unit.name)
    if column == "target":
        return figures.trained / target if target else -1.0
    return getattr(figures, column)


def arrange(ranked, options):
    """``(rows, hidden)``: the ``(unit, figures, target)`` rows to show, in order, and how
    many units have no learners and are left out."""
    rows = list(ranked)
    if options.query:
        wanted = fold(options.query)
        rows = [row for row in rows if wanted in fold(row[0].name)]
    hidden = 0
    if not options.show_empty:
        kept = [row for row in rows if row[1].learners or row[1].enrolments]
        hidden, rows = len(rows) - len(kept), kept
    if options.sort:
        rows.sort(key=lambda row: _value(row, options.sort), reverse=options.descending)
    return rows, hidden
