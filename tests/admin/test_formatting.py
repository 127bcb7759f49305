"""The dashboard's fast number formatting writes exactly what Flask-Babel writes."""
import random

import flask_babel
import pytest

from digilit.admin.formatting import formatters


@pytest.mark.parametrize("lang", ["vi", "en", "de", "ro"])
def test_same_text_as_flask_babel(app, lang):
    rng = random.Random(lang)
    numbers = [0, 1, 9, 10, 999, 1000, 1001, 99_999, 100_000, 1_000_000, 123_456_789,
               *(rng.randrange(10 ** rng.randint(1, 9)) for _ in range(300))]
    rates = [0.0, 1.0, 0.5, 0.125, 0.3333, 0.6667, 0.99995, 0.00005,
             *(round(rng.random(), 4) for _ in range(300))]
    with app.test_request_context(f"/?lang={lang}"):
        fast = formatters()
        assert [fast["format_number"](n) for n in numbers] == [
            flask_babel.format_number(n) for n in numbers]
        assert [fast["format_percent"](r) for r in rates] == [
            flask_babel.format_percent(r) for r in rates]
        for other in (-5, 2.5):  # not the fast path: still Babel's text
            assert fast["format_number"](other) == flask_babel.format_number(other)
        assert fast["format_percent"](1.5) == flask_babel.format_percent(1.5)


def test_the_dashboard_uses_the_language_of_the_page(population, clients):
    client = clients("quocgia")
    english = client.get("/admin/stats?lang=en&course=e-id").get_data(as_text=True)
    german = client.get("/admin/stats?lang=de&course=e-id").get_data(as_text=True)
    assert "<dd>50%</dd>" in english  # completion rate, e-id: 3 of 6
    assert "<dd>50\xa0%</dd>" in german
