"""The dashboard's tables as rows, for CSV export (same figures as the page)."""
from ..content import localize
from ..services import stats

TABLES = ("headline", "breakdown", "courses", "weekly")
FIGURE_COLUMNS = ("learners", "trained", "enrolments", "completions", "completion_rate",
                  "attempts", "passes", "pass_rate", "certificates", "lessons",
                  "lessons_assisted", "assisted_share")


def figure_values(figures):
    return [getattr(figures, column) if column.endswith(("rate", "share"))
            else figures.counts[column] for column in FIGURE_COLUMNS]


def table_rows(table, session, unit, filters):
    """``(header, rows)``; rows is an iterator so the response streams."""
    if table == "headline":
        figures = stats.headline(session=session, unit=unit, filters=filters)
        return ["code", "name", *FIGURE_COLUMNS], iter([[unit.code, unit.name,
                                                          *figure_values(figures)]])
    if table == "breakdown":
        rows = stats.breakdown(session=session, unit=unit, filters=filters)
        return (["code", "name", *FIGURE_COLUMNS],
                ([child.code, child.name, *figure_values(f)] for child, f in rows))
    if table == "courses":
        from ..content import get_catalog
        rows = stats.per_course(session=session, unit=unit, filters=filters,
                                catalog=list(get_catalog()))
        return (["course", "title", *FIGURE_COLUMNS],
                ([c.slug, localize(c.title, "vi")[0], *figure_values(f)] for c, f in rows))
    weeks = stats.weekly(session=session, unit=unit, filters=filters)
    return (["week_starting", "enrolments", "completions"],
            ([monday.isoformat(), e, c] for monday, e, c in weeks))
