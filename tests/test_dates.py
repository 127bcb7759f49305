"""Dates and times on pages (``i18n.format_date``/``format_datetime``): Babel's own text, in
the page's language and in Vietnam time, from patterns parsed once."""
from datetime import date, datetime, timezone

import flask_babel
import pytest

from digilit import i18n

MOMENTS = (datetime(2026, 5, 1, 23, 4, 5),  # naive: read as UTC, already the 2nd in Vietnam
           datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc))


@pytest.mark.parametrize("lang", ("vi", "en", "de", "ro"))
def test_the_same_text_as_babels(app, lang):
    with app.test_request_context(f"/?lang={lang}"):
        for moment in MOMENTS:
            for style in (*i18n.STYLES, "d MMM y HH:mm"):
                assert i18n.format_datetime(moment, style) == flask_babel.format_datetime(
                    moment, style)
            for style in (*i18n.STYLES, "d/M/y"):
                assert i18n.format_date(moment, style) == flask_babel.format_date(moment, style)
                assert i18n.format_date(moment.date(), style) == flask_babel.format_date(
                    moment.date(), style)


def test_vietnam_time_and_the_pages_language(app):
    moment = datetime(2026, 5, 1, 23, 4, tzinfo=timezone.utc)
    with app.test_request_context("/?lang=en"):
        assert i18n.format_datetime(moment, "HH:mm d/M") == "06:04 2/5"
        assert i18n.format_date(moment, "long") == "May 2, 2026"
    with app.test_request_context("/?lang=vi"):
        assert "tháng" in i18n.format_date(date(2026, 5, 2), "long")
