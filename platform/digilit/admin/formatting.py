"""Number formatting for the dashboard's big tables: the same text as Flask-Babel's
``format_number`` and ``format_percent``, much faster.

A province's page shows hundreds of figures; Babel formats each in about 50 µs (pattern
parsing, locale look-ups through context locals), which made rendering the largest part of
the page's time. Whole numbers are grouped with the locale's symbol when that gives Babel's
own result (checked once per locale); rates, rounded to 4 places as ``Figures`` gives them,
take one of 10,001 values, whose Babel text is cached.
"""
from functools import lru_cache

from babel.numbers import format_decimal, format_percent, get_group_symbol
from flask_babel import get_locale

SAMPLES = (0, 7, 12, 999, 1000, 1234, 56789, 123456, 1234567, 987654321)


@lru_cache(maxsize=64)
def _group_symbol(locale):
    """The symbol that groups thousands in ``locale``, if plain grouping by three gives
    Babel's text; None otherwise (Babel is then used)."""
    symbol = get_group_symbol(locale)
    plain = all(f"{n:,}".replace(",", symbol) == format_decimal(n, locale=locale)
                for n in SAMPLES)
    return symbol if plain else None


@lru_cache(maxsize=65_536)
def _percent(value, locale):
    return format_percent(value, locale=locale)


def formatters():
    """``format_number`` and ``format_percent`` for the request's language, to pass to a
    template in place of Flask-Babel's."""
    locale = str(get_locale())
    symbol = _group_symbol(locale)

    def number(value):
        if symbol is not None and type(value) is int and value >= 0:
            return f"{value:,}".replace(",", symbol)
        return format_decimal(value, locale=locale)

    def percent(value):
        if isinstance(value, float) and 0 <= value <= 1:
            return _percent(round(value, 4), locale)
        return format_percent(value, locale=locale)

    return {"format_number": number, "format_percent": percent}
