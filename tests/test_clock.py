"""The one clock: tests set it, and every service reads it."""
from datetime import date, datetime, timedelta, timezone

import pytest

from digilit import clock


def test_a_date_sets_ten_in_the_morning_vietnam_time():
    clock.set_now(date(2027, 2, 1))
    assert clock.now() == datetime(2027, 2, 1, 3, 0, tzinfo=timezone.utc)
    assert clock.today() == date(2027, 2, 1)
    assert clock.timestamp() == int(clock.now().timestamp())


def test_the_vietnamese_day_starts_at_seventeen_utc():
    clock.set_now(datetime(2027, 1, 31, 16, 59, tzinfo=timezone.utc))
    assert clock.today() == date(2027, 1, 31)
    clock.advance(minutes=1)
    assert clock.today() == date(2027, 2, 1)
    assert clock.local_day(datetime(2027, 1, 31, 17, 0)) == date(2027, 2, 1)  # naive is UTC


def test_a_ticking_clock_moves_on_from_where_it_was_set():
    start = datetime(2030, 6, 1, tzinfo=timezone.utc)
    clock.set_now(start, ticking=True)
    first = clock.now()
    assert start <= first < start + timedelta(seconds=5)
    assert clock.now() >= first


def test_naive_moments_are_refused():
    with pytest.raises(ValueError):
        clock.set_now(datetime(2027, 1, 1))


def test_tests_start_on_the_fixed_test_day(clock):
    from conftest import TEST_DAY
    assert clock.now == int(TEST_DAY.timestamp())
    clock.advance(90)
    assert clock.now == int(TEST_DAY.timestamp()) + 90
