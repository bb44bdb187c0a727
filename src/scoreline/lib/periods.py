"""Business periods as explicit objects: calendar months and quarters, fiscal years per legal entity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scoreline.lib.months import add_months, months_between

__all__ = ["Period", "fiscal_period_of", "fiscal_year_of"]


@dataclass(frozen=True, order=True)
class Period:
    """A half-open run of days ``[start, end)`` with a label such as ``FY2026-Q1``."""

    start: dt.date
    end: dt.date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day < self.end


def fiscal_year_of(day: dt.date, year_start_month: int) -> Period:
    """The fiscal year holding ``day``; it is named after the calendar year in which it ends.

    >>> fiscal_year_of(dt.date(2026, 3, 31), 4).label
    'FY2026'
    >>> fiscal_year_of(dt.date(2026, 4, 1), 4).label
    'FY2027'
    """
    if not 1 <= year_start_month <= 12:
        raise ValueError(f"year_start_month must be 1..12, got {year_start_month}")
    start_year = day.year if day.month >= year_start_month else day.year - 1
    start = dt.date(start_year, year_start_month, 1)
    end = add_months(start, 12)
    end_year = (end - dt.timedelta(days=1)).year
    return Period(start, end, f"FY{end_year}")


def fiscal_period_of(day: dt.date, year_start_month: int, period_type: str) -> Period:
    """The fiscal month (``FY2027-M01``) or quarter (``FY2027-Q1``) holding ``day``.

    >>> fiscal_period_of(dt.date(2026, 5, 15), 4, "quarter").label
    'FY2027-Q1'
    """
    year = fiscal_year_of(day, year_start_month)
    months_in = months_between(year.start, day)
    if period_type == "month":
        start = add_months(year.start, months_in)
        return Period(start, add_months(start, 1), f"{year.label}-M{months_in + 1:02d}")
    if period_type == "quarter":
        quarter = months_in // 3
        start = add_months(year.start, quarter * 3)
        return Period(start, add_months(start, 3), f"{year.label}-Q{quarter + 1}")
    raise ValueError(f"unknown period type {period_type!r} (use month or quarter)")
