"""Month arithmetic on dates: indices, first and last days, shifts and distances."""

from __future__ import annotations

import calendar
import datetime as dt
import doctest

from hypothesis import given
from hypothesis import strategies as st

from scoreline.lib import months
from scoreline.lib.months import (
    add_months,
    month_end,
    month_index,
    month_of,
    month_start,
    months_between,
    next_month,
)

# Far enough from the years 1 and 9999 that shifting by fifty years stays in range.
days = st.dates(dt.date(100, 1, 1), dt.date(9900, 12, 31))
shifts = st.integers(-12 * 50, 12 * 50)


def test_the_examples_run() -> None:
    assert doctest.testmod(months).failed == 0


def test_a_year_turns_over_in_december() -> None:
    assert next_month(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert add_months(dt.date(2027, 1, 1), -1) == dt.date(2026, 12, 1)
    assert month_end(dt.date(2026, 12, 1)) == dt.date(2026, 12, 31)


def test_february_ends_on_the_29th_in_a_leap_year() -> None:
    assert month_end(dt.date(2024, 2, 10)) == dt.date(2024, 2, 29)
    assert month_end(dt.date(2100, 2, 10)) == dt.date(2100, 2, 28)


@given(days)
def test_a_month_index_reads_back_as_the_months_first_day(day: dt.date) -> None:
    assert month_of(month_index(day)) == month_start(day) == dt.date(day.year, day.month, 1)


@given(days)
def test_a_months_days_share_its_index_and_the_next_month_follows(day: dt.date) -> None:
    assert month_index(month_start(day)) == month_index(day) == month_index(month_end(day))
    assert month_index(next_month(day)) == month_index(day) + 1
    assert next_month(day) == month_end(day) + dt.timedelta(days=1)
    assert month_end(day).day == calendar.monthrange(day.year, day.month)[1]


@given(days, shifts)
def test_shifting_by_some_months_moves_the_index_by_as_many(day: dt.date, shift: int) -> None:
    shifted = add_months(day, shift)
    assert shifted.day == 1
    assert months_between(day, shifted) == shift
    assert add_months(shifted, -shift) == month_start(day)


@given(days, days)
def test_months_between_counts_calendar_months(first: dt.date, later: dt.date) -> None:
    expected = (later.year - first.year) * 12 + later.month - first.month
    assert months_between(first, later) == expected == -months_between(later, first)
