from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.lib.periods import fiscal_period_of, fiscal_year_of


def test_a_fiscal_year_starting_in_april_is_named_after_the_year_it_ends() -> None:
    year = fiscal_year_of(dt.date(2026, 11, 25), 4)
    assert (year.start, year.end, year.label) == (
        dt.date(2026, 4, 1),
        dt.date(2027, 4, 1),
        "FY2027",
    )


def test_a_calendar_fiscal_year_is_the_calendar_year() -> None:
    year = fiscal_year_of(dt.date(2026, 1, 1), 1)
    assert (year.start, year.end, year.label) == (
        dt.date(2026, 1, 1),
        dt.date(2027, 1, 1),
        "FY2026",
    )


def test_quarters_and_months_count_from_the_fiscal_year_start() -> None:
    assert fiscal_period_of(dt.date(2026, 11, 25), 4, "quarter").label == "FY2027-Q3"
    month = fiscal_period_of(dt.date(2026, 11, 25), 4, "month")
    assert (month.label, month.start, month.end) == (
        "FY2027-M08",
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
    )


def test_a_bad_start_month_or_period_type_is_refused() -> None:
    with pytest.raises(ValueError, match=r"1\.\.12"):
        fiscal_year_of(dt.date(2026, 1, 1), 13)
    with pytest.raises(ValueError, match="unknown period type"):
        fiscal_period_of(dt.date(2026, 1, 1), 1, "fortnight")


@given(
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
    start_month=st.integers(1, 12),
    period_type=st.sampled_from(["month", "quarter"]),
)
def test_every_day_lies_in_its_fiscal_period_and_year(
    day: dt.date, start_month: int, period_type: str
) -> None:
    period = fiscal_period_of(day, start_month, period_type)
    year = fiscal_year_of(day, start_month)
    assert day in period and day in year
    assert year.start <= period.start < period.end <= year.end
