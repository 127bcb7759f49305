"""The dashboard's tables as rows, for CSV export (same figures as the page)."""
from flask_babel import lazy_gettext as _l

from ..content import localize
from ..services import stats

TABLES = ("headline", "breakdown", "courses", "weekly")
FIGURE_COLUMNS = ("learners", "trained", "enrolments", "completions", "completion_rate",
                  "attempts", "passes", "pass_rate", "certificates", "lessons",
                  "lessons_assisted", "assisted_share")


# The CSV header in the page's language (the keys are the columns' stable names).
COLUMN_LABELS = {
    "code": _l("Code"), "name": _l("Unit"), "course": _l("Course"),
    "title": _l("Course title"), "week_starting": _l("Week starting"),
    "learners": _l("Learners"), "trained": _l("Citizens trained"),
    "enrolments": _l("Enrolments"), "completions": _l("Completions"),
    "completion_rate": _l("Completion rate"), "attempts": _l("Quiz attempts"),
    "passes": _l("Quizzes passed"), "pass_rate": _l("Pass rate"),
    "certificates": _l("Certificates"), "lessons": _l("Lessons done"),
    "lessons_assisted": _l("Lessons done at a venue session"),
    "assisted_share": _l("Assisted learning"),
}
ALL_COURSES_LEARNERS = _l("Learners (all courses)")
COURSE_LEARNERS = _l("Learners enrolled")


def header_labels(keys, table, filters):
    """The column names of ``keys`` in the page's language. "Learners" says what it counts:
    those enrolled in the course (course rows), or every learner whatever the course
    filter (the area's rows)."""
    labels = []
    for key in keys:
        label = COLUMN_LABELS[key]
        if key == "learners" and table == "courses":
            label = COURSE_LEARNERS
        elif key == "learners" and filters.course:
            label = ALL_COURSES_LEARNERS
        labels.append(str(label))
    return labels


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
